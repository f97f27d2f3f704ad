#pragma once
// The socket file and the kernel's view of a peer: the POSIX details behind ControlServer.
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace rosterd::control::detail {

// Identifies the file we created, so stop() never removes a socket another process put there.
struct FileIdentity {
    dev_t device = 0;
    ino_t inode = 0;
};

// Frees `path` for a new socket: nothing there is fine; a socket nobody answers on (left by a
// crash) is removed. Throws ControlSocketError if a live process answers, or the path is something
// other than a socket, or is too long for a Unix socket address.
void clear_stale_socket(const std::string& path);

// True when something accepts connections on `path` (connect test, never blocks).
bool socket_answers(const std::string& path);

std::optional<FileIdentity> identify_file(const std::string& path);

// Removes `path` only if it is still the file identified by `ours`.
void remove_if_same_file(const std::string& path, const FileIdentity& ours);

struct PeerCredentials {
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
    std::int32_t pid = 0;
};

// SO_PEERCRED of a connected Unix socket.
std::optional<PeerCredentials> peer_credentials(int fd);

}  // namespace rosterd::control::detail
