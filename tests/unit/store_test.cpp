#include <catch2/catch.hpp>

#include <asio.hpp>

#include "rosterd/store/db_executor.hpp"
#include "rosterd/store/store.hpp"
#include "temp_dir.hpp"

using namespace rosterd::store;

namespace {
int user_version(Database& db) {
    auto s = db.prepare("PRAGMA user_version");
    s.step();
    return static_cast<int>(s.int64(0));
}
}  // namespace

TEST_CASE("migrations create the schema on an empty database", "[store]") {
    rosterd::test::TempDir dir;
    auto db = Database::open((dir / "a.db").string());
    CHECK(migrate(*db) == 0);
    CHECK(user_version(*db) == current_schema_version());
    auto journal = db->prepare("PRAGMA journal_mode");
    journal.step();
    CHECK(journal.text(0) == "wal");
    // Every table the snapshot needs exists.
    for (auto table : {"meta", "sync_runs", "snapshots", "sites", "products", "directories",
                       "groups", "group_roles", "users_0", "user_groups_0", "user_access_0",
                       "users_1", "user_groups_1", "user_access_1"}) {
        auto s = db->prepare("SELECT count(*) FROM sqlite_master WHERE type='table' AND name=?");
        s.bind(1, table);
        s.step();
        CHECK(s.int64(0) == 1);
    }
    // Running again is a no-op.
    CHECK(migrate(*db) == current_schema_version());
}

TEST_CASE("an older database is migrated and keeps its data", "[store]") {
    rosterd::test::TempDir dir;
    auto path = (dir / "old.db").string();
    {
        auto db = Database::open(path);
        // A database exactly as the first schema version left it.
        REQUIRE(migrate(*db, 1) == 0);
        REQUIRE(user_version(*db) == 1);
        db->exec("INSERT INTO meta(key, value) VALUES ('marker', 'kept')");
    }
    auto db = Database::open(path);
    CHECK(migrate(*db) == 1);
    CHECK(user_version(*db) == current_schema_version());
    auto s = db->prepare("SELECT value FROM meta WHERE key='marker'");
    REQUIRE(s.step());
    CHECK(s.text(0) == "kept");
}

TEST_CASE("a database from a newer rosterd is refused", "[store]") {
    rosterd::test::TempDir dir;
    auto db = Database::open((dir / "new.db").string());
    db->exec("PRAGMA user_version = 999");
    CHECK_THROWS_WITH(migrate(*db), Catch::Contains("schema version 999, newer than this rosterd"));
    CHECK(user_version(*db) == 999);
}

TEST_CASE("a failed transaction rolls back", "[store]") {
    rosterd::test::TempDir dir;
    auto db = Database::open((dir / "t.db").string());
    migrate(*db);
    try {
        Transaction t(*db);
        db->exec("INSERT INTO meta(key, value) VALUES ('a', '1')");
        db->exec("INSERT INTO meta(key, value) VALUES ('a', '2')");  // primary key violation
        t.commit();
    } catch (const StoreError&) {
    }
    auto s = db->prepare("SELECT count(*) FROM meta");
    s.step();
    CHECK(s.int64(0) == 0);
}

TEST_CASE("the executor runs work off the loop thread and reports errors", "[store]") {
    rosterd::test::TempDir dir;
    auto path = (dir / "e.db").string();
    {
        auto db = Database::open(path);
        migrate(*db);
    }
    asio::io_context loop;
    DbExecutor executor(loop, path, 2);
    auto loop_thread = std::this_thread::get_id();
    std::thread::id worker_thread;
    std::optional<std::int64_t> count;
    std::string error;
    executor.write(
        [&](Database& db) {
            worker_thread = std::this_thread::get_id();
            db.exec("INSERT INTO meta(key, value) VALUES ('k', 'v')");
            return true;
        },
        [&](DbResult<bool> r) {
            REQUIRE(r.ok());
            executor.read(
                [](Database& db) {
                    auto s = db.prepare("SELECT count(*) FROM meta");
                    s.step();
                    return s.int64(0);
                },
                [&](DbResult<std::int64_t> r2) { count = r2.value; });
        });
    executor.write([](Database& db) { return db.prepare("SELECT * FROM no_such_table").step(); },
                   [&](DbResult<bool> r) { error = r.error; });
    loop.run();
    executor.stop();
    CHECK(worker_thread != loop_thread);
    CHECK(count == 1);
    CHECK_THAT(error, Catch::Contains("no such table"));
}

TEST_CASE("schema 4 moves the published generation's users to slot 0, numbered by account",
          "[store]") {
    rosterd::test::TempDir dir;
    auto path = (dir / "v3.db").string();
    {
        auto db = Database::open(path);
        REQUIRE(migrate(*db, 3) == 0);
        // Generation 1 is published; 2 was being written. Keyed by account, as schema 3 stored
        // them.
        db->exec(
            "INSERT INTO snapshots(id, state, taken_at) VALUES (1, 'complete', 1), "
            "(2, 'building', 2)");
        db->exec("INSERT INTO meta(key, value) VALUES ('current_snapshot', '1')");
        db->exec(
            "INSERT INTO users(snapshot_id, account_id, name, status) VALUES "
            "(1, 'acc-b', 'B', 'active'), (1, 'acc-a', 'A', 'suspended'), "
            "(2, 'acc-c', 'C', 'active')");
        db->exec(
            "INSERT INTO user_groups(snapshot_id, account_id, group_id) VALUES "
            "(1, 'acc-a', 'g1'), (1, 'acc-b', 'g1'), (1, 'acc-b', 'g2'), (2, 'acc-c', 'g3')");
        db->exec(
            "INSERT INTO user_access(snapshot_id, account_id, resource_id, role, billable, via, "
            "last_active) VALUES (1, 'acc-b', 'jira', 'atlassian/admin', 1, 'group', 42), "
            "(1, 'acc-a', 'conf', 'atlassian/guest', 0, 'direct', NULL), "
            "(2, 'acc-c', 'conf', 'atlassian/user', 1, 'direct', NULL)");
    }
    auto db = Database::open(path);
    CHECK(migrate(*db) == 3);
    auto rows = [&](const char* sql) {
        std::vector<std::string> out;
        auto s = db->prepare(sql);
        while (s.step())
            out.push_back(s.text(0));
        return out;
    };
    CHECK(rows("SELECT id || '|' || slot FROM snapshots ORDER BY id") ==
          std::vector<std::string>{"1|0", "2|0"});
    CHECK(rows("SELECT snapshot_id || '|' || user_no || '|' || account_id || '|' || name || '|' || "
               "status FROM users_0") ==
          std::vector<std::string>{"1|1|acc-a|A|suspended", "1|2|acc-b|B|active"});
    CHECK(rows("SELECT snapshot_id || '|' || user_no || '|' || group_id FROM user_groups_0") ==
          std::vector<std::string>{"1|1|g1", "1|2|g1", "1|2|g2"});
    CHECK(rows("SELECT snapshot_id || '|' || user_no || '|' || resource_id || '|' || role || '|' "
               "|| billable || '|' || via || '|' || coalesce(last_active, 'NULL') "
               "FROM user_access_0") ==
          std::vector<std::string>{"1|1|conf|atlassian/guest|0|direct|NULL",
                                   "1|2|jira|atlassian/admin|1|group|42"});
    for (auto table : {"users_1", "user_groups_1", "user_access_1"}) {
        INFO(table);
        CHECK(rows((std::string("SELECT count(*) FROM ") + table).c_str()) ==
              std::vector<std::string>{"0"});
    }
    CHECK(rows("SELECT count(*) FROM sqlite_master WHERE name IN ('users', 'user_groups', "
               "'user_access')") == std::vector<std::string>{"0"});
    // An account appears once per generation.
    CHECK_THROWS(db->exec(
        "INSERT INTO users_0(snapshot_id, user_no, account_id, status) VALUES (1, 9, 'acc-a', "
        "'x')"));
}
