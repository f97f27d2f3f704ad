// The run journal and the audit log in SQLite: a run and its plan round-trip, steps and users are
// saved as the executor records them, counts follow the outcomes, and the audit log refuses to be
// rewritten.
#include <catch2/catch.hpp>

#include "../../daemon/ops/run_store.hpp"
#include "temp_dir.hpp"

using namespace rosterd;
using namespace rosterd::ops;

namespace {

RunRecord sample_run() {
    RunRecord run;
    run.id = "run-1";
    run.kind = "bulk";
    run.apply = true;
    run.state = "queued";
    run.actions = {"suspend", "remove-from-groups:eng"};
    run.selection = R"({"users":["a","b","c"]})";
    run.max_users = 100;
    run.caller = "alice (uid 1000)";
    run.caller_uid = 1000;
    run.created_at = 1'780'272'000'000;
    Step suspend;
    suspend.op = kOpSuspend;
    suspend.directory_id = "-";
    Step leave;
    leave.op = kOpRemoveFromGroup;
    leave.group_id = "g-eng";
    leave.group_name = "eng";
    for (int i = 0; i < 3; ++i) {
        UserRecord u;
        u.seq = i;
        u.account_id = std::string(1, static_cast<char>('a' + i));
        u.email = u.account_id + "@acme.com";
        suspend.account_id = leave.account_id = u.account_id;
        u.steps = {{0, suspend, "pending", false, ""}, {1, leave, "pending", false, ""}};
        run.users.push_back(u);
    }
    run.users[2].state = "skipped";
    run.users[2].reason = "protected: org admin";
    run.users[2].steps.clear();
    return run;
}

}  // namespace

TEST_CASE("a run round-trips through the journal and counts follow the outcomes", "[ops]") {
    test::TempDir dir;
    auto db = store::Database::open((dir / "ops.db").string());
    store::migrate(*db);
    auto run = sample_run();
    insert_run(*db, run, "bulk", "apply");
    auto loaded = load_run(*db, "run-1");
    CHECK(loaded.actions == run.actions);
    CHECK(loaded.caller_uid == 1000);
    REQUIRE(loaded.users.size() == 3);
    CHECK(loaded.users[0].steps.size() == 2);
    CHECK(loaded.users[0].steps[1].step.group_name == "eng");
    CHECK(loaded.users[2].reason == "protected: org admin");
    CHECK(unfinished_runs(*db) == std::vector<std::string>{"run-1"});

    // The executor's records: user a ok (one step already so), user b failed.
    auto& a = loaded.users[0];
    a.steps[0].state = "ok";
    a.steps[1].state = "ok";
    a.steps[1].already = true;
    a.state = "done";
    save_user(*db, "run-1", a, 1);
    auto& b = loaded.users[1];
    b.steps[0].state = "sent";
    save_step(*db, "run-1", b.seq, b.steps[0], 2);
    CHECK(load_run(*db, "run-1").users[1].outcome() == "pending");
    CHECK(load_run(*db, "run-1").counts().ok == 1);  // b is not done yet
    b.steps[0].state = "failed";
    b.steps[0].error = "http 403";
    b.state = "done";
    save_user(*db, "run-1", b, 3);
    set_run_state(*db, "run-1", "partially_failed", 1, 4, "");
    auto done = load_run(*db, "run-1");
    CHECK(done.state == "partially_failed");
    CHECK(done.users[0].outcome() == "ok");
    CHECK(done.users[0].steps[1].already);
    CHECK(done.users[1].outcome() == "failed");
    CHECK(done.users[1].steps[0].error == "http 403");
    auto counts = done.counts();
    CHECK(counts.users == 3);
    CHECK(counts.ok == 1);
    CHECK(counts.failed == 1);
    CHECK(counts.skipped == 1);
    CHECK(unfinished_runs(*db).empty());
    CHECK_THROWS_WITH(load_run(*db, "nope"), Catch::Contains("no run with id 'nope'"));
}

TEST_CASE("the audit log is append-only", "[ops][store]") {
    test::TempDir dir;
    auto db = store::Database::open((dir / "ops.db").string());
    store::migrate(*db);
    append_audit(*db, 1, "alice (uid 1000)", 1000, "bulk", "run-1", "apply");
    CHECK_THROWS_WITH(db->exec("UPDATE audit_log SET caller = 'mallory'"),
                      Catch::Contains("append-only"));
    CHECK_THROWS_WITH(db->exec("DELETE FROM audit_log"), Catch::Contains("append-only"));
    auto s = db->prepare("SELECT caller, caller_uid, command FROM audit_log");
    REQUIRE(s.step());
    CHECK(s.text(0) == "alice (uid 1000)");
    CHECK(s.int64(1) == 1000);
    CHECK(s.text(2) == "bulk");
}

TEST_CASE("operations sent after the newest successful sync started call for a sync",
          "[ops][store]") {
    test::TempDir dir;
    auto db = store::Database::open((dir / "ops.db").string());
    store::migrate(*db);
    auto run = sample_run();
    insert_run(*db, run, "bulk", "apply");
    auto sync_at = [&](std::int64_t started, const char* outcome) {
        db->prepare("INSERT INTO sync_runs(trigger, started_at, outcome) VALUES ('run', ?, ?)")
            .bind(1, started)
            .bind(2, std::string(outcome))
            .run();
    };
    sync_at(1'000, "succeeded");
    CHECK_FALSE(sent_since_last_sync(*db));  // nothing sent yet

    auto step = run.users[0].steps[0];
    step.state = "sent";
    save_step(*db, "run-1", 0, step, 2'000);
    CHECK(sent_since_last_sync(*db));  // sent at 2000, the snapshot began at 1000
    step.state = "ok";
    save_step(*db, "run-1", 0, step, 2'050);  // sent_at stays 2000
    CHECK(sent_since_last_sync(*db));
    sync_at(3'000, "failed");
    CHECK(sent_since_last_sync(*db));  // a failed sync published nothing
    sync_at(2'000, "succeeded");
    CHECK(sent_since_last_sync(*db));  // begun in the same millisecond: maybe before the request
    sync_at(2'001, "succeeded");
    CHECK_FALSE(sent_since_last_sync(*db));

    // A step that found the user already so changed nothing.
    auto other = run.users[1].steps[0];
    other.state = "sent";
    save_step(*db, "run-1", 1, other, 4'000);
    other.state = "ok";
    other.already = true;
    save_step(*db, "run-1", 1, other, 4'010);
    CHECK_FALSE(sent_since_last_sync(*db));
}
