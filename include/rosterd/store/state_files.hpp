#pragma once
// The state directory and the files rosterd keeps in it, made private whatever the umask, and the
// lock that lets one daemon at a time use a database.
#include <stdexcept>
#include <string>

namespace rosterd::store {

// Raised when another process holds the database's lock, or the lock file cannot be used.
class DatabaseLocked : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Modes of what rosterd creates: its owner only. The umask can only narrow a mode, and under
// umask 000 the state directory was world-writable; so modes are set explicitly (fchmod/chmod),
// never left to the umask. An existing directory or database keeps the mode an admin gave it
// (a warning says when others may read it).
inline constexpr unsigned kStateDirectoryMode = 0700;
inline constexpr unsigned kStateFileMode = 0600;

// Creates the database's directory, and any missing parent, with mode 0700. Throws
// std::runtime_error.
void prepare_state_directory(const std::string& database_path);

// Creates an empty database file with mode 0600 when there is none yet: SQLite then gives its
// -wal and -shm files the same mode. Call with the DatabaseLock held. Throws std::runtime_error.
void prepare_database_file(const std::string& database_path);

// An exclusive flock(2) on "<database>.lock" (mode 0600), holding this process's PID, for as long
// as the object lives. The lock dies with the process, so a crash leaves nothing to clean up; the
// file itself stays (removing it would let two daemons lock two different files).
class DatabaseLock {
  public:
    // Takes the lock without waiting; throws DatabaseLocked naming the PID of the holder.
    explicit DatabaseLock(const std::string& database_path);
    ~DatabaseLock();
    DatabaseLock(const DatabaseLock&) = delete;
    DatabaseLock& operator=(const DatabaseLock&) = delete;

    const std::string& path() const { return path_; }

  private:
    std::string path_;
    int fd_ = -1;
};

// "<database>.lock".
std::string lock_file_path(const std::string& database_path);

}  // namespace rosterd::store
