#include "rosterd/store/state_files.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace rosterd::store {
namespace {

std::string errno_text(int error) {
    return std::strerror(error);
}

std::string octal(unsigned mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", mode & 07777);
    return text;
}

// mkdir with an exact mode; false when it existed already.
bool make_private_directory(const std::filesystem::path& dir) {
    if (::mkdir(dir.c_str(), kStateDirectoryMode) != 0) {
        if (errno == EEXIST)
            return false;
        throw std::runtime_error("cannot create directory " + dir.string() + ": " +
                                 errno_text(errno));
    }
    if (::chmod(dir.c_str(), kStateDirectoryMode) != 0)
        throw std::runtime_error("cannot set the mode of " + dir.string() + ": " +
                                 errno_text(errno));
    return true;
}

void warn_if_open_to_others(const std::string& path, const char* what) {
    struct stat info {};
    if (::stat(path.c_str(), &info) == 0 && (info.st_mode & 0007) != 0) {
        spdlog::warn("{} {} has mode {}: other users may read it; run chmod o-rwx {}", what, path,
                     octal(info.st_mode), path);
    }
}

}  // namespace

void prepare_state_directory(const std::string& database_path) {
    namespace fs = std::filesystem;
    fs::path dir = fs::path(database_path).parent_path();
    if (dir.empty())
        return;
    // Every missing component, outermost first, so that none gets its mode from the umask.
    fs::path partial;
    for (const auto& part : dir) {
        partial /= part;
        if (partial == partial.root_path() || fs::exists(partial))
            continue;
        make_private_directory(partial);
    }
    warn_if_open_to_others(dir.string(), "the state directory");
}

void prepare_database_file(const std::string& database_path) {
    int fd = ::open(database_path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, kStateFileMode);
    if (fd < 0) {
        if (errno != EEXIST)
            throw std::runtime_error("cannot create database " + database_path + ": " +
                                     errno_text(errno));
        warn_if_open_to_others(database_path, "the database");
        return;
    }
    int error = ::fchmod(fd, kStateFileMode) == 0 ? 0 : errno;
    ::close(fd);
    if (error != 0)
        throw std::runtime_error("cannot set the mode of " + database_path + ": " +
                                 errno_text(error));
}

std::string lock_file_path(const std::string& database_path) {
    return database_path + ".lock";
}

DatabaseLock::DatabaseLock(const std::string& database_path)
    : path_(lock_file_path(database_path)) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, kStateFileMode);
    if (fd_ < 0)
        throw DatabaseLocked("cannot open the lock file " + path_ + ": " + errno_text(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        int error = errno;
        std::string holder;
        if (error == EWOULDBLOCK) {
            char buffer[32] = {};
            ssize_t n = ::pread(fd_, buffer, sizeof buffer - 1, 0);
            std::string pid = n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : "";
            while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' '))
                pid.pop_back();
            ::close(fd_);
            fd_ = -1;
            throw DatabaseLocked("database " + database_path + " is in use by another rosterd (" +
                                 (pid.empty() ? std::string("pid unknown") : "pid " + pid) +
                                 ", holding " + path_ +
                                 "); one daemon per database: stop it, or give this one another "
                                 "storage.path");
        }
        ::close(fd_);
        fd_ = -1;
        throw DatabaseLocked("cannot lock " + path_ + ": " + errno_text(error));
    }
    // Ours now: the mode (the file may predate us, or the umask narrowed nothing), then the PID
    // for the next daemon's error message.
    ::fchmod(fd_, kStateFileMode);
    std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) != 0 ||
        ::pwrite(fd_, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size()))
        spdlog::warn("cannot write the pid into {}: {}", path_, errno_text(errno));
}

DatabaseLock::~DatabaseLock() {
    if (fd_ >= 0)
        ::close(fd_);  // releases the lock
}

}  // namespace rosterd::store
