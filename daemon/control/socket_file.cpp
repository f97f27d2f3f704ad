#include "socket_file.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "rosterd/control/server.hpp"

namespace rosterd::control::detail {
namespace {

std::string errno_text(int error) {
    return std::strerror(error);
}

class FdGuard {
  public:
    explicit FdGuard(int fd) : fd_(fd) {}
    ~FdGuard() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    FdGuard(const FdGuard&) = delete;
    FdGuard& operator=(const FdGuard&) = delete;
    int get() const { return fd_; }

  private:
    int fd_;
};

}  // namespace

bool socket_answers(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof(address.sun_path))
        return false;
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    FdGuard fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (fd.get() < 0)
        return false;
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0)
        return true;
    // EAGAIN: a live listener whose backlog is full.
    return errno == EAGAIN || errno == EINPROGRESS;
}

void clear_stale_socket(const std::string& path) {
    if (path.empty())
        throw ControlSocketError("control socket: no path configured");
    if (path.size() >= sizeof(sockaddr_un::sun_path)) {
        throw ControlSocketError("control socket " + path + ": path longer than " +
                                 std::to_string(sizeof(sockaddr_un::sun_path) - 1) + " bytes");
    }
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0) {
        if (errno == ENOENT)
            return;
        throw ControlSocketError("control socket " + path + ": " + errno_text(errno));
    }
    if (!S_ISSOCK(info.st_mode))
        throw ControlSocketError("control socket " + path + ": exists and is not a socket");
    if (socket_answers(path)) {
        throw ControlSocketError("control socket " + path +
                                 ": another rosterd is already listening there");
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        throw ControlSocketError("control socket " + path +
                                 ": cannot remove the stale socket: " + errno_text(errno));
    }
}

std::optional<FileIdentity> identify_file(const std::string& path) {
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0)
        return std::nullopt;
    return FileIdentity{info.st_dev, info.st_ino};
}

void remove_if_same_file(const std::string& path, const FileIdentity& ours) {
    auto now = identify_file(path);
    if (now && now->device == ours.device && now->inode == ours.inode)
        ::unlink(path.c_str());
}

std::optional<PeerCredentials> peer_credentials(int fd) {
    ucred credentials{};
    socklen_t length = sizeof(credentials);
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0)
        return std::nullopt;
    return PeerCredentials{static_cast<std::uint32_t>(credentials.uid),
                           static_cast<std::uint32_t>(credentials.gid),
                           static_cast<std::int32_t>(credentials.pid)};
}

}  // namespace rosterd::control::detail
