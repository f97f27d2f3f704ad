#include "rosterd/keys/api_key_source.hpp"
#include "rosterd/base/text.hpp"

#include <openssl/sha.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace rosterd {
namespace {

std::optional<std::string> read_trimmed(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    std::string value = trimmed(text.str());
    if (value.empty())
        return std::nullopt;
    return value;
}

}  // namespace

std::string stored_key_path(const Config& config) {
    return (std::filesystem::path(config.state_directory()) / "api-key").string();
}

std::optional<ApiKey> load_api_key(const Config& config) {
    auto stored = stored_key_path(config);
    if (auto key = read_trimmed(stored))
        return ApiKey{*key, "stored", stored};
    if (!config.atlassian.api_key_file.empty())
        if (auto key = read_trimmed(config.atlassian.api_key_file))
            return ApiKey{*key, "api_key_file", config.atlassian.api_key_file};
    if (const char* dir = std::getenv("CREDENTIALS_DIRECTORY")) {
        auto path = (std::filesystem::path(dir) / "api-key").string();
        if (auto key = read_trimmed(path))
            return ApiKey{*key, "credential", path};
    }
    return std::nullopt;
}

std::optional<std::string> api_key_file_problem(const Config& config) {
    const std::string& path = config.atlassian.api_key_file;
    if (path.empty())
        return std::nullopt;
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) {
        if (errno != ENOENT)
            return path + ": " + std::strerror(errno);
        // Another source may hold the key: a missing file is then only unused.
        auto key = load_api_key(config);
        if (key && key->source != "api_key_file")
            return std::nullopt;
        return path +
               " does not exist: write the organization API key to it (install -m 600 "
               "/dev/stdin " +
               path +
               "), install one with `rosterctl key set --expires YYYY-MM-DD`, or remove "
               "atlassian.api_key_file";
    }
    if (!S_ISREG(info.st_mode))
        return path + " is not a regular file";
    if ((info.st_mode & (S_IRGRP | S_IROTH)) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
        return std::string("permissions ") + mode + " for " + path +
               " are too open: the API key must not be readable by other users; run `chmod 600 " +
               path + "`";
    }
    return std::nullopt;
}

void check_api_key_file(const Config& config) {
    if (auto problem = api_key_file_problem(config))
        throw ConfigError(config.source_path, 0, 0, "atlassian.api_key_file", *problem);
}

std::string key_fingerprint(const std::string& key) {
    unsigned char digest[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 6; ++i) {
        out.push_back(hex[digest[i] >> 4]);
        out.push_back(hex[digest[i] & 15]);
    }
    return out;
}

}  // namespace rosterd
