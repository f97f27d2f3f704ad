#pragma once
// SQLite access: a thin RAII wrapper (prepared statements, transactions), the schema migrations,
// and an executor that runs database work on its own threads so the event loop never blocks.
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace rosterd::store {

class StoreError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class Statement {
  public:
    Statement(sqlite3* db, std::string_view sql);
    ~Statement();
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&&) = delete;
    Statement(const Statement&) = delete;

    // Parameters are 1-based, as in SQLite.
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view value);
    Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
    Statement& bind(int index, const std::string& value) {
        return bind(index, std::string_view(value));
    }
    Statement& bind(int index, std::nullptr_t);
    // Text SQLite reads in place instead of copying: `value` must stay alive and unchanged until
    // the statement is run or reset (reset() clears every binding). For hot loops.
    Statement& bind_borrowed(int index, std::string_view value);
    template <class T>
    Statement& bind(int index, const std::optional<T>& value) {
        return value ? bind(index, *value) : bind(index, nullptr);
    }

    // Advances; true while a row is available.
    bool step();
    // Runs a statement that returns no rows, then resets it for reuse.
    void run();
    void reset();

    bool is_null(int column) const;
    std::int64_t int64(int column) const;
    double real(int column) const;
    std::string text(int column) const;
    std::optional<std::int64_t> optional_int64(int column) const;
    std::optional<std::string> optional_text(int column) const;

  private:
    sqlite3* db_;
    sqlite3_stmt* stmt_;
};

class Database {
  public:
    enum class Mode { read_write, read_only };
    // Opens (creating when read_write) with WAL, foreign keys and a busy timeout.
    static std::unique_ptr<Database> open(const std::string& path, Mode mode = Mode::read_write);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    void exec(std::string_view sql);
    // Gives this connection's page cache back, and the process's freed heap to the system: after
    // a sync, whose batches and cache are of no use to what follows.
    void release_memory();
    Statement prepare(std::string_view sql);
    // A prepared statement kept for the connection's life, reset and ready to bind.
    Statement& cached(const std::string& sql);
    std::int64_t last_insert_rowid() const;
    int changes() const;
    sqlite3* handle() const { return db_; }
    const std::string& path() const { return path_; }

  private:
    Database(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
    sqlite3* db_;
    std::string path_;
    std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

// Commits on commit(), rolls back when destroyed uncommitted (e.g. by an exception).
class Transaction {
  public:
    enum class Kind { deferred, immediate };
    explicit Transaction(Database& db, Kind kind = Kind::immediate);
    ~Transaction();
    void commit();

  private:
    Database& db_;
    bool open_ = true;
};

// The schema version this build writes (PRAGMA user_version).
int current_schema_version();
// Applies every pending migration in one transaction; refuses a database from a newer rosterd.
// Returns the version found before migrating. `up_to` stops at an older version (tests build
// databases as an older rosterd left them).
int migrate(Database& db, int up_to = current_schema_version());

}  // namespace rosterd::store
