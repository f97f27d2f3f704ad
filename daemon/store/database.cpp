#include "rosterd/store/store.hpp"

#include <malloc.h>

namespace rosterd::store {
namespace {

[[noreturn]] void throw_error(sqlite3* db, std::string_view what) {
    throw StoreError(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

}  // namespace

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db), stmt_(nullptr) {
    if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &stmt_, nullptr) != SQLITE_OK)
        throw_error(db, "prepare failed for `" + std::string(sql.substr(0, 80)) + "`");
}

Statement::~Statement() {
    if (stmt_)
        sqlite3_finalize(stmt_);
}

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
    other.stmt_ = nullptr;
}

Statement& Statement::bind(int index, std::int64_t value) {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK)
        throw_error(db_, "bind");
    return *this;
}

Statement& Statement::bind(int index, double value) {
    if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK)
        throw_error(db_, "bind");
    return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
    if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                          SQLITE_TRANSIENT) != SQLITE_OK)
        throw_error(db_, "bind");
    return *this;
}

Statement& Statement::bind_borrowed(int index, std::string_view value) {
    if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                          SQLITE_STATIC) != SQLITE_OK)
        throw_error(db_, "bind");
    return *this;
}

Statement& Statement::bind(int index, std::nullptr_t) {
    if (sqlite3_bind_null(stmt_, index) != SQLITE_OK)
        throw_error(db_, "bind");
    return *this;
}

bool Statement::step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    throw_error(db_, "step");
}

void Statement::run() {
    step();
    reset();
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

bool Statement::is_null(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::int64_t Statement::int64(int column) const {
    return sqlite3_column_int64(stmt_, column);
}

double Statement::real(int column) const {
    return sqlite3_column_double(stmt_, column);
}

std::string Statement::text(int column) const {
    auto* data = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return data ? std::string(data, sqlite3_column_bytes(stmt_, column)) : std::string();
}

std::optional<std::int64_t> Statement::optional_int64(int column) const {
    if (is_null(column))
        return std::nullopt;
    return int64(column);
}

std::optional<std::string> Statement::optional_text(int column) const {
    if (is_null(column))
        return std::nullopt;
    return text(column);
}

std::unique_ptr<Database> Database::open(const std::string& path, Mode mode) {
    sqlite3* db = nullptr;
    int flags = SQLITE_OPEN_NOMUTEX |
                (mode == Mode::read_only ? SQLITE_OPEN_READONLY
                                         : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    if (sqlite3_open_v2(path.c_str(), &db, flags, nullptr) != SQLITE_OK) {
        std::string message = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close(db);
        throw StoreError("cannot open database " + path + ": " + message);
    }
    std::unique_ptr<Database> database(new Database(db, path));
    sqlite3_busy_timeout(db, 5000);
    sqlite3_extended_result_codes(db, 1);
    if (mode == Mode::read_write) {
        // WAL lets readers see the last committed snapshot while a sync writes the next one.
        database->exec("PRAGMA journal_mode=WAL");
        database->exec("PRAGMA synchronous=NORMAL");
        // After its listing a sync builds the account index and looks users up by account all
        // over it: SQLite's default 2 MiB cache would re-read evicted index pages and checkpoint
        // a 4 MiB WAL all the time. 16 MiB holds a 100k-user account index; more only adds
        // resident memory (bench/sync). The cache grows only as pages are used.
        database->exec("PRAGMA cache_size=-16384");
        database->exec("PRAGMA wal_autocheckpoint=8192");
    }
    database->exec("PRAGMA foreign_keys=ON");
    database->exec("PRAGMA temp_store=MEMORY");
    return database;
}

Database::~Database() {
    cache_.clear();  // statements must be finalized before the connection closes
    sqlite3_close_v2(db_);
}

void Database::release_memory() {
    exec("PRAGMA shrink_memory");
    // glibc keeps freed memory in per-thread arenas; the sync's batches were freed on the io and
    // database threads, and the query index of the new snapshot is built next.
    malloc_trim(0);
}

void Database::exec(std::string_view sql) {
    std::string text(sql);
    char* error = nullptr;
    if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        std::string message = error ? error : sqlite3_errmsg(db_);
        sqlite3_free(error);
        throw StoreError("SQL failed: " + message);
    }
}

Statement Database::prepare(std::string_view sql) {
    return Statement(db_, sql);
}

Statement& Database::cached(const std::string& sql) {
    auto found = cache_.find(sql);
    if (found == cache_.end())
        found = cache_.emplace(sql, std::make_unique<Statement>(db_, sql)).first;
    found->second->reset();
    return *found->second;
}

std::int64_t Database::last_insert_rowid() const {
    return sqlite3_last_insert_rowid(db_);
}

int Database::changes() const {
    return sqlite3_changes(db_);
}

Transaction::Transaction(Database& db, Kind kind) : db_(db) {
    db_.exec(kind == Kind::immediate ? "BEGIN IMMEDIATE" : "BEGIN");
}

Transaction::~Transaction() {
    if (open_) {
        try {
            db_.exec("ROLLBACK");
        } catch (...) {
            // The connection already rolled back (e.g. after SQLITE_FULL); nothing more to do.
        }
    }
}

void Transaction::commit() {
    db_.exec("COMMIT");
    open_ = false;
}

}  // namespace rosterd::store
