// The run journal and the audit log in SQLite: a run and its plan round-trip, steps and users are
// saved as the executor records them, counts follow the outcomes, and the audit log refuses to be
// rewritten.
#include <catch2/catch.hpp>

#include "rosterd/audit/audit.hpp"
#include "rosterd/ops/run_store.hpp"
#include "temp_dir.hpp"

using namespace rosterd;
using namespace rosterd::ops;

namespace {

RunRecord sample_run() {
    RunRecord run;
    run.id = "run-1";
    run.kind = RunKind::bulk;
    run.apply = true;
    run.state = RunState::queued;
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
        u.steps = {{0, suspend, StepState::pending, false, ""},
                   {1, leave, StepState::pending, false, ""}};
        run.users.push_back(u);
    }
    run.users[2].state = UserState::skipped;
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
    a.steps[0].state = StepState::ok;
    a.steps[1].state = StepState::ok;
    a.steps[1].already = true;
    a.state = UserState::done;
    save_user(*db, "run-1", a, 1);
    auto& b = loaded.users[1];
    b.steps[0].state = StepState::sent;
    save_step(*db, "run-1", b.seq, b.steps[0], 2);
    CHECK(to_string(load_run(*db, "run-1").users[1].outcome()) == "pending");
    CHECK(load_run(*db, "run-1").counts().ok == 1);  // b is not done yet
    b.steps[0].state = StepState::failed;
    b.steps[0].error = "http 403";
    b.state = UserState::done;
    save_user(*db, "run-1", b, 3);
    set_run_state(*db, "run-1", RunState::partially_failed, 1, 4, "");
    auto done = load_run(*db, "run-1");
    CHECK(to_string(done.state) == "partially_failed");
    CHECK(to_string(done.users[0].outcome()) == "ok");
    CHECK(done.users[0].steps[1].already);
    CHECK(to_string(done.users[1].outcome()) == "failed");
    CHECK(done.users[1].steps[0].error == "http 403");
    auto counts = done.counts();
    CHECK(counts.users == 3);
    CHECK(counts.ok == 1);
    CHECK(counts.failed == 1);
    CHECK(counts.skipped == 1);
    CHECK(counts.changed == 1);  // a's suspend; its group step was already so
    CHECK(unfinished_runs(*db).empty());
    CHECK_THROWS_WITH(load_run(*db, "nope"), Catch::Contains("no run with id 'nope'"));
}

TEST_CASE("a step confirmed after a restart was done by the run, one already so was not",
          "[ops][store]") {
    test::TempDir dir;
    auto db = store::Database::open((dir / "ops.db").string());
    store::migrate(*db);
    auto run = sample_run();
    run.reason = "contract ended";
    insert_run(*db, run, "", "");
    auto loaded = load_run(*db, "run-1");
    CHECK(loaded.reason == "contract ended");
    for (auto& s : loaded.users[0].steps) {
        s.state = StepState::ok;
        s.confirmed = true;  // sent before the crash, found done by the re-read
    }
    for (auto& s : loaded.users[1].steps) {
        s.state = StepState::ok;
        s.already = true;  // found so before anything was sent
    }
    loaded.users[0].state = loaded.users[1].state = UserState::done;
    save_user(*db, "run-1", loaded.users[0], 5);
    save_user(*db, "run-1", loaded.users[1], 6);
    auto done = load_run(*db, "run-1");
    CHECK(done.users[0].steps[0].confirmed);
    CHECK_FALSE(done.users[0].steps[0].already);
    CHECK(done.users[0].steps[0].changed());
    CHECK_FALSE(done.users[1].steps[0].changed());
    CHECK(done.counts().changed == 1);
    CHECK(done.counts().ok == 2);
    // No audit line for a run recorded without a command (the registry audits those).
    auto s = db->prepare("SELECT count(*) FROM audit_log");
    REQUIRE(s.step());
    CHECK(s.int64(0) == 0);
    CHECK(run_event_type(*run_state_from("nothing_to_do")) == "run_nothing_to_do");
    CHECK(run_event_type(*run_state_from("refused")) == "run_refused");
    CHECK(run_event_type(*run_state_from("cancelled")) == "run_cancelled");
    CHECK(run_event_type(*run_state_from("planned")).empty());
}

TEST_CASE("the audit trail is read newest first, by user, command group and date",
          "[audit][store]") {
    test::TempDir dir;
    auto db = store::Database::open((dir / "audit.db").string());
    store::migrate(*db);
    auto add = [&](std::int64_t at, std::string caller, std::int64_t uid, std::string command) {
        audit::Entry e;
        e.at = at;
        e.caller = std::move(caller);
        e.caller_uid = uid;
        e.command = std::move(command);
        audit::append(*db, e);
    };
    add(1000, "alice", 1000, "bulk");
    add(2000, "bob", 1001, "tasks.enable");
    add(3000, "alice (uid 1000)", 1000, "tasks.disable");  // a row from before schema 5
    add(4000, "root", 0, "key.set");
    auto query = [](std::string user, std::string command, std::optional<std::int64_t> since,
                    int limit) {
        audit::Query q;
        q.user = std::move(user);
        q.command = std::move(command);
        q.since_ms = since;
        q.limit = limit;
        return q;
    };
    auto commands = [&](audit::Query q) {
        std::vector<std::string> out;
        for (const auto& e : audit::read(*db, q))
            out.push_back(e.command);
        return out;
    };
    CHECK(commands(query("", "", {}, 50)) ==
          std::vector<std::string>{"key.set", "tasks.disable", "tasks.enable", "bulk"});
    CHECK(commands(query("alice", "", {}, 50)) ==
          std::vector<std::string>{"tasks.disable", "bulk"});
    CHECK(commands(query("1001", "", {}, 50)) == std::vector<std::string>{"tasks.enable"});
    CHECK(commands(query("", "tasks.", {}, 50)) ==
          std::vector<std::string>{"tasks.disable", "tasks.enable"});
    CHECK(commands(query("", "tasks", {}, 50)).empty());  // exact unless it ends in '.'
    CHECK(commands(query("", "", 2000, 50)) ==
          std::vector<std::string>{"key.set", "tasks.disable", "tasks.enable"});
    CHECK(commands(query("", "", {}, 1)) == std::vector<std::string>{"key.set"});
}

TEST_CASE("the audit log is append-only", "[ops][store]") {
    test::TempDir dir;
    auto db = store::Database::open((dir / "ops.db").string());
    store::migrate(*db);
    audit::Entry entry;
    entry.at = 1;
    entry.caller = "alice (uid 1000)";
    entry.caller_uid = 1000;
    entry.command = "bulk";
    entry.run_id = "run-1";
    entry.detail = "apply";
    audit::append(*db, entry);
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
    step.state = StepState::sent;
    save_step(*db, "run-1", 0, step, 2'000);
    CHECK(sent_since_last_sync(*db));  // sent at 2000, the snapshot began at 1000
    step.state = StepState::ok;
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
    other.state = StepState::sent;
    save_step(*db, "run-1", 1, other, 4'000);
    other.state = StepState::ok;
    other.already = true;
    save_step(*db, "run-1", 1, other, 4'010);
    CHECK_FALSE(sent_since_last_sync(*db));
}
