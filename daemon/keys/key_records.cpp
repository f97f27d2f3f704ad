#include "key_records.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace rosterd::keys {

std::map<std::string, KeyRecord> load_key_records(store::Database& db) {
    std::map<std::string, KeyRecord> records;
    auto s = db.prepare(
        "SELECT fingerprint, expires_day, stored_at, coalesce(org_name, ''), checked_at, "
        "rejected_at FROM api_keys");
    while (s.step()) {
        KeyRecord r;
        r.expires_day = s.optional_int64(1);
        r.stored_at = s.optional_int64(2);
        r.org_name = s.text(3);
        r.checked_at = s.optional_int64(4);
        r.rejected_at = s.optional_int64(5);
        records[s.text(0)] = r;
    }
    return records;
}

void save_stored_key_record(store::Database& db, const std::string& fingerprint,
                            std::optional<std::int64_t> expires_day, const std::string& org_name,
                            std::int64_t now_ms) {
    auto s = db.prepare(
        "INSERT INTO api_keys (fingerprint, expires_day, stored_at, org_name, checked_at, "
        "rejected_at) VALUES (?, ?, ?, ?, ?, NULL) ON CONFLICT (fingerprint) DO UPDATE SET "
        "expires_day = excluded.expires_day, stored_at = excluded.stored_at, org_name = "
        "excluded.org_name, checked_at = excluded.checked_at, rejected_at = NULL");
    s.bind(1, fingerprint).bind(2, expires_day).bind(3, now_ms).bind(4, org_name).bind(5, now_ms);
    s.run();
}

void save_rejected(store::Database& db, const std::string& fingerprint, std::int64_t now_ms) {
    auto s = db.prepare(
        "INSERT INTO api_keys (fingerprint, rejected_at) VALUES (?, ?) ON CONFLICT (fingerprint) "
        "DO UPDATE SET rejected_at = coalesce(api_keys.rejected_at, excluded.rejected_at)");
    s.bind(1, fingerprint).bind(2, now_ms);
    s.run();
}

void save_accepted(store::Database& db, const std::string& fingerprint, const std::string& org_name,
                   std::optional<std::int64_t> checked_at) {
    auto s = db.prepare(
        "INSERT INTO api_keys (fingerprint, org_name, checked_at) VALUES (?, nullif(?, ''), ?) "
        "ON CONFLICT (fingerprint) DO UPDATE SET rejected_at = NULL, org_name = "
        "coalesce(excluded.org_name, api_keys.org_name), checked_at = "
        "coalesce(excluded.checked_at, api_keys.checked_at)");
    s.bind(1, fingerprint).bind(2, org_name).bind(3, checked_at);
    s.run();
}

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
    throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

void write_key_file(const std::string& path, const std::string& key) {
    namespace fs = std::filesystem;
    fs::path target(path);
    fs::path dir = target.parent_path();
    if (!dir.empty() && !fs::exists(dir)) {
        fs::create_directories(dir);
        fs::permissions(dir, fs::perms::owner_all);
    }
    std::string temporary = path + ".tmp." + std::to_string(::getpid());
    ::unlink(temporary.c_str());
    int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        fail("cannot create", temporary);
    std::string content = key + "\n";
    std::size_t written = 0;
    while (written < content.size()) {
        ssize_t n = ::write(fd, content.data() + written, content.size() - written);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ::close(fd);
            ::unlink(temporary.c_str());
            fail("cannot write", temporary);
        }
        written += static_cast<std::size_t>(n);
    }
    // umask can only narrow the mode; make sure nobody else may read the key.
    if (::fchmod(fd, 0600) != 0 || ::fsync(fd) != 0) {
        ::close(fd);
        ::unlink(temporary.c_str());
        fail("cannot secure", temporary);
    }
    ::close(fd);
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
        ::unlink(temporary.c_str());
        fail("cannot replace", path);
    }
    int dir_fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
        ::fsync(dir_fd);  // the rename survives a crash
        ::close(dir_fd);
    }
}

}  // namespace rosterd::keys
