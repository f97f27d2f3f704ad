// The pure parts of a run's life, apart from the queue and the executor: admission (the cap, the
// key, nothing to do), the record a request makes, the undo plan, and the events a run emits.
#include <catch2/catch.hpp>

#include "daemon/ops/run_events.hpp"
#include "daemon/ops/run_planner.hpp"
#include "daemon/ops/run_undo.hpp"

using namespace rosterd;
using namespace rosterd::ops;

namespace {

Plan plan_of(int acting, int skipped) {
    Plan plan;
    for (int i = 0; i < acting; ++i) {
        Step s;
        s.op = kOpSuspend;
        s.account_id = "acc-" + std::to_string(i);
        plan.users.push_back({s.account_id, "", "", {s}, "", {}});
    }
    for (int i = 0; i < skipped; ++i)
        plan.users.push_back({"skip-" + std::to_string(i), "", "", {}, "protected: org admin", {}});
    return plan;
}

RunRequest applying(std::int64_t cap) {
    RunRequest r;
    r.apply = true;
    r.max_users = cap;
    r.users = {"acc-0"};
    return r;
}

}  // namespace

TEST_CASE("admission: over the cap and without a key an applying run is refused", "[ops][plan]") {
    auto key_ok = [] { return std::string(); };
    SECTION("over the cap: refused, saying what to raise it to; the key is not asked") {
        auto request = applying(2);
        RunRecord run = new_run(request, 1000);
        bool asked = false;
        admit(run, request, plan_of(3, 1), [&] {
            asked = true;
            return std::string();
        });
        CHECK(to_string(run.state) == "refused");
        CHECK_THAT(run.error, Catch::Contains("acts on 3 users, more than the cap of 2") &&
                                  Catch::Contains("--max-users 3"));
        CHECK(run.finished_at == 1000);
        CHECK_FALSE(asked);
    }
    SECTION("a task's cap is named as the task's") {
        auto request = applying(1);
        request.kind = RunKind::task;
        RunRecord run = new_run(request, 1000);
        admit(run, request, plan_of(2, 0), key_ok);
        CHECK_THAT(run.error, Catch::Contains("(the task's max_users)"));
    }
    SECTION("no usable key: refused with the key's reason") {
        auto request = applying(10);
        RunRecord run = new_run(request, 1000);
        admit(run, request, plan_of(2, 0), [] { return std::string("the key expired"); });
        CHECK(to_string(run.state) == "refused");
        CHECK(run.error == "the key expired");
    }
    SECTION("every user skipped: nothing to do, and no key needed") {
        auto request = applying(10);
        RunRecord run = new_run(request, 1000);
        admit(run, request, plan_of(0, 3), [] { return std::string("no key"); });
        CHECK(to_string(run.state) == "nothing_to_do");
        CHECK(run.error.empty());
    }
    SECTION("within the cap with a key: queued; a dry run over the cap is planned, whole") {
        auto request = applying(10);
        RunRecord run = new_run(request, 1000);
        admit(run, request, plan_of(2, 1), key_ok);
        CHECK(to_string(run.state) == "queued");
        CHECK_FALSE(run.finished_at.has_value());
        request.apply = false;
        request.max_users = 1;
        RunRecord dry = new_run(request, 1000);
        admit(dry, request, plan_of(5, 0), [] { return std::string("no key"); });
        CHECK(to_string(dry.state) == "planned");
        CHECK(dry.finished_at == 1000);
    }
}

TEST_CASE("a run's record: its selection, its users as the journal keeps them", "[ops][plan]") {
    RunRequest request;
    request.kind = RunKind::undo;
    request.undo_of = "run-1";
    RunRecord undo = new_run(request, 5);
    CHECK(undo.actions == std::vector<std::string>{"undo run-1"});
    CHECK_THAT(undo.selection, Catch::Contains(R"("undo_of":"run-1")"));
    CHECK(undo.id.size() == 36);  // a UUID

    UserFilter f;
    f.statuses = {"active"};
    RunRequest bulk;
    bulk.filters = {f};
    bulk.saved_filter = "idle";
    auto run = new_run(bulk, 5);
    REQUIRE(filters_of(run.selection).size() == 1);
    CHECK(filters_of(run.selection)[0] == f);

    auto users = records_of(plan_of(1, 1));
    REQUIRE(users.size() == 2);
    CHECK(to_string(users[0].state) == "planned");
    CHECK(to_string(users[0].steps[0].state) == "pending");
    CHECK(to_string(users[1].state) == "skipped");
    CHECK(users[1].reason == "protected: org admin");
}

TEST_CASE("the undo plan reverses what changed, in reverse order, and nothing else",
          "[ops][plan][undo]") {
    RunRecord original;
    UserRecord u;
    u.account_id = "acc-1";
    Step suspend;
    suspend.op = kOpSuspend;
    suspend.account_id = "acc-1";
    suspend.directory_id = "-";
    Step leave;
    leave.op = kOpRemoveFromGroup;
    leave.account_id = "acc-1";
    leave.group_id = "g-1";
    leave.directory_id = "-";
    u.steps = {{0, suspend, StepState::ok, false, ""}, {1, leave, StepState::ok, false, ""}};
    UserRecord already = u;
    already.account_id = "acc-2";
    already.steps = {{0, suspend, StepState::ok, true, ""}};  // already so: not this run's doing
    UserRecord failed = u;
    failed.account_id = "acc-3";
    failed.steps = {{0, suspend, StepState::failed, false, "403"}};
    original.users = {u, already, failed};

    auto plan = undo_plan(original);
    REQUIRE(plan.users.size() == 3);
    REQUIRE(plan.users[0].steps.size() == 2);
    CHECK(plan.users[0].steps[0].op == kOpAddToGroup);  // the last operation first
    CHECK(plan.users[0].steps[1].op == kOpRestore);
    CHECK(plan.users[1].skipped == "nothing to undo");
    CHECK(plan.users[2].skipped == "nothing to undo");
    CHECK(plan.acting() == 1);
}

TEST_CASE("a run's events: applying runs and tasks reach the webhooks, a person's dry run does not",
          "[ops][events]") {
    RunRecord run;
    run.id = "run-9";
    run.kind = RunKind::bulk;
    run.apply = false;
    run.state = RunState::planned;
    CHECK(run_events(run, "", 1).empty());

    run.apply = true;
    run.state = RunState::running;
    CHECK(run_events(run, "", 1).empty());  // not ended

    run.state = RunState::cancelled;
    run.error = "cancelled";
    run.reason = "wrong filter";
    run.finished_at = 42;
    auto events = run_events(run, "bob (uid 1001)", 1);
    REQUIRE(events.size() == 1);
    CHECK(events[0].type == "run_cancelled");
    CHECK(events[0].at_ms == 42);
    CHECK(events[0].facts.at("kind") == "bulk");
    CHECK(events[0].facts.at("mode") == "apply");
    CHECK(events[0].facts.at("cancelled_by") == "bob (uid 1001)");
    CHECK(events[0].facts.at("reason") == "wrong filter");
    CHECK(events[0].facts.count("error") == 0);  // a cancel is not an error

    run.state = RunState::failed;
    run.error = "the API key was rejected";
    events = run_events(run, "", 1);
    REQUIRE(events.size() == 1);
    CHECK(events[0].type == "run_failed");
    CHECK(events[0].facts.at("error") == "the API key was rejected");
}
