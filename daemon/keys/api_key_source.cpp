#include "rosterd/api_key_source.hpp"

#include <openssl/sha.h>

#include <cstdlib>
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
    std::string value = text.str();
    auto first = value.find_first_not_of(" \t\r\n");
    if (first == std::string::npos)
        return std::nullopt;
    auto last = value.find_last_not_of(" \t\r\n");
    return value.substr(first, last - first + 1);
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
