// The run executor against a scripted fake API (RunClient) and a real journal: each operation
// sent exactly once and journaled `sent` before it goes out, users that changed since the plan
// skipped with nothing sent, "already so" not sent, a run resumed after a crash finishing without
// sending anything twice, cancel, a failed operation and a rejected key.
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <set>

#include "daemon/ops/run_client.hpp"
#include "daemon/ops/run_executor.hpp"
#include "query_fixture.hpp"
#include "rosterd/ops/run_store.hpp"
#include "rosterd/query/snapshot.hpp"
#include "rosterd/store/db_executor.hpp"
#include "temp_dir.hpp"
#include "test_http_server.hpp"

using namespace rosterd;
using namespace rosterd::ops;
using namespace std::chrono_literals;

namespace {

// The organization as the fake API holds it, and what was asked of it.
struct FakeOrg {
    std::map<std::string, atlassian::DirectoryUser> users;
    std::vector<std::string> sent;             // "op account" per operation that went out
    std::set<std::string> fail_send;           // accounts whose operations fail (403)
    std::set<std::string> reject_key_on;       // accounts whose operation answers 401
    std::function<void(const Step&)> on_send;  // called before an operation takes effect
    int reads = 0;
};

atlassian::DirectoryUser active_user(const std::string& id) {
    atlassian::DirectoryUser u;
    u.account_id = id;
    u.account_type = "atlassian";
    u.account_status = "active";
    u.membership_status = "active";
    u.status = "active";
    u.claim_status = "managed";
    u.name = id;
    u.email = id + "@acme.com";
    return u;
}

// Answers on the loop, as the real client does; an operation takes effect in the organization.
class FakeRunClient final : public RunClient {
  public:
    FakeRunClient(asio::io_context& loop, FakeOrg& org) : loop_(loop), org_(org) {}

    void read_users(std::vector<atlassian::UserToRead> users, std::vector<std::string>,
                    std::function<void(atlassian::BatchReadResult)> done) override {
        ++org_.reads;
        atlassian::BatchReadResult r;
        for (const auto& u : users)
            if (auto found = org_.users.find(u.account_id); found != org_.users.end())
                r.found[u.account_id] = found->second;
        asio::post(loop_, [done, r] { done(r); });
    }
    void get_user_roles(
        const std::string&,
        atlassian::Callback<std::vector<atlassian::UserRoleAssignment>> done) override {
        asio::post(loop_, [done] { done(std::vector<atlassian::UserRoleAssignment>{}); });
    }
    void send(const Step& step, atlassian::MutationCallback done) override {
        if (org_.on_send)
            org_.on_send(step);
        org_.sent.push_back(step.op + " " + step.account_id);
        atlassian::Result<atlassian::MutationOutcome> result =
            atlassian::MutationOutcome{204, false, ""};
        if (org_.reject_key_on.count(step.account_id))
            result = atlassian::ApiError{atlassian::ApiError::Kind::auth_rejected, 401, "", "no"};
        else if (org_.fail_send.count(step.account_id))
            result = atlassian::ApiError{atlassian::ApiError::Kind::http, 403, "", "forbidden"};
        else if (step.op == kOpSuspend)
            org_.users.at(step.account_id).membership_status = "suspended";
        asio::post(loop_, [done, result] { done(result); });
    }
    void cancel() override {}

  private:
    asio::io_context& loop_;
    FakeOrg& org_;
};

Step suspend_of(const std::string& account) {
    Step s;
    s.op = kOpSuspend;
    s.directory_id = "-";
    s.account_id = account;
    return s;
}

// An applying run journaled `queued` that suspends `accounts`.
RunRecord suspend_run(const std::vector<std::string>& accounts) {
    RunRecord run;
    run.id = "run-x";
    run.kind = RunKind::bulk;
    run.apply = true;
    run.state = RunState::queued;
    run.actions = {"suspend"};
    run.selection = R"({"users":[]})";
    run.max_users = 100;
    run.created_at = test::kQueryNow;
    int seq = 0;
    for (const auto& a : accounts) {
        UserRecord u;
        u.seq = seq++;
        u.account_id = a;
        u.email = a + "@acme.com";
        u.steps = {{0, suspend_of(a), StepState::pending, false, ""}};
        run.users.push_back(std::move(u));
    }
    return run;
}

// A journal, a loop and the executor of one run against a FakeOrg.
class Harness {
  public:
    Harness() : clock_(SysTime(std::chrono::milliseconds(test::kQueryNow))) {
        path_ = (dir_ / "rosterd.db").string();
        db_ = store::Database::open(path_);
        store::migrate(*db_);
        executor_ = std::make_unique<store::DbExecutor>(loop_, path_);
    }
    ~Harness() { executor_->stop(); }

    store::Database& db() { return *db_; }
    FakeOrg& org() { return org_; }

    // Journals `run` as the daemon does before executing it, then executes it to the end.
    RunRecord execute(RunRecord run, ExecutorSetup setup = {}, bool journal = true) {
        if (journal)
            insert_run(*db_, run, "", "");
        auto executor = std::make_shared<RunExecutor>(loop_, *executor_, clock_, std::move(run),
                                                      std::move(setup),
                                                      std::make_unique<FakeRunClient>(loop_, org_));
        executor_under_test_ = executor.get();
        std::optional<RunRecord> finished;
        executor->start(
            [this](const UserRecord& u, std::size_t done, std::size_t total) {
                progress_.push_back(u.account_id + " " + std::string(to_string(u.outcome())));
                if (on_progress)
                    on_progress(*executor_under_test_, done, total);
            },
            [&](const RunRecord& r, bool rejected) {
                finished = r;
                key_rejected = rejected;
            });
        REQUIRE(test::run_until(
            loop_, [&] { return finished.has_value(); }, 20s));
        executor_under_test_ = nullptr;
        return *finished;
    }

    std::function<void(RunExecutor&, std::size_t, std::size_t)> on_progress;
    bool key_rejected = false;
    std::vector<std::string> progress_;

  private:
    test::TempDir dir_;
    std::string path_;
    std::unique_ptr<store::Database> db_;
    asio::io_context loop_;
    FakeClock clock_;
    std::unique_ptr<store::DbExecutor> executor_;
    FakeOrg org_;
    RunExecutor* executor_under_test_ = nullptr;
};

}  // namespace

TEST_CASE("executor: each operation is journaled sent, then sent exactly once, then ok",
          "[ops][executor]") {
    Harness h;
    for (const auto* id : {"acc-a", "acc-b", "acc-c"})
        h.org().users[id] = active_user(id);
    // What the journal says at the moment each operation goes out.
    std::vector<std::string> journaled_at_send;
    h.org().on_send = [&](const Step& step) {
        auto run = load_run(h.db(), "run-x");
        for (const auto& u : run.users)
            if (u.account_id == step.account_id)
                journaled_at_send.push_back(std::string(to_string(u.steps[0].state)));
        CHECK(to_string(run.state) == "running");
    };
    auto run = h.execute(suspend_run({"acc-a", "acc-b", "acc-c"}));

    CHECK(h.org().sent ==
          std::vector<std::string>{"suspend acc-a", "suspend acc-b", "suspend acc-c"});
    CHECK(journaled_at_send == std::vector<std::string>{"sent", "sent", "sent"});
    CHECK(to_string(run.state) == "succeeded");
    CHECK_FALSE(h.key_rejected);
    auto journal = load_run(h.db(), "run-x");
    CHECK(to_string(journal.state) == "succeeded");
    CHECK(journal.finished_at.has_value());
    for (const auto& u : journal.users) {
        CHECK(to_string(u.state) == "done");
        CHECK(to_string(u.steps[0].state) == "ok");
        CHECK_FALSE(u.steps[0].already);
    }
    CHECK(journal.counts().changed == 3);
    CHECK(h.progress_ == std::vector<std::string>{"acc-a ok", "acc-b ok", "acc-c ok"});
    CHECK(unfinished_runs(h.db()).empty());
}

TEST_CASE("executor: users that changed since the plan are skipped and sent nothing",
          "[ops][executor]") {
    // The plan's snapshot (query_fixture.hpp): acc-01, acc-02 and acc-07 are active.
    test::QuerySnapshot snapshot;
    ExecutorSetup setup;
    setup.base = query::load_snapshot_index(snapshot.db());
    UserFilter active_only;
    active_only.statuses = {"active"};
    setup.filters = {active_only};
    setup.filter_now_ms = test::kQueryNow;

    Harness h;
    h.org().users["acc-01"] = active_user("acc-01");
    h.org().users["acc-02"] = active_user("acc-02");
    h.org().users["acc-02"].status = "suspended";  // by someone else, after the plan
    h.org().users["acc-02"].membership_status = "suspended";
    // acc-07 left the organization after the plan.
    auto run = h.execute(suspend_run({"acc-01", "acc-02", "acc-07"}), setup);

    CHECK(h.org().sent == std::vector<std::string>{"suspend acc-01"});
    CHECK(to_string(run.state) == "succeeded");
    auto journal = load_run(h.db(), "run-x");
    CHECK(to_string(journal.users[1].state) == "skipped");
    CHECK(journal.users[1].reason == "changed: no longer matches the filter");
    CHECK(to_string(journal.users[1].steps[0].state) == "skipped");
    CHECK(to_string(journal.users[2].state) == "skipped");
    CHECK(journal.users[2].reason == "changed: no longer in the organization");
    auto counts = journal.counts();
    CHECK(counts.ok == 1);
    CHECK(counts.skipped == 2);
}

TEST_CASE("executor: a user already as the step would leave them is not sent to",
          "[ops][executor]") {
    Harness h;
    h.org().users["acc-a"] = active_user("acc-a");
    h.org().users["acc-a"].membership_status = "suspended";
    auto run = h.execute(suspend_run({"acc-a"}));
    CHECK(h.org().sent.empty());
    CHECK(to_string(run.state) == "nothing_to_do");
    auto journal = load_run(h.db(), "run-x");
    CHECK(to_string(journal.users[0].steps[0].state) == "ok");
    CHECK(journal.users[0].steps[0].already);
    CHECK(journal.counts().changed == 0);
}

TEST_CASE("executor: a run resumed after a crash sends nothing twice", "[ops][executor][resume]") {
    Harness h;
    for (const auto* id : {"acc-a", "acc-b", "acc-c", "acc-d"})
        h.org().users[id] = active_user(id);
    // The journal as a crash left it: a done, b sent (and carried out by the API: suspended),
    // c sent (its request lost before it reached the API), d not reached.
    auto run = suspend_run({"acc-a", "acc-b", "acc-c", "acc-d"});
    insert_run(h.db(), run, "", "");
    run.users[0].steps[0].state = StepState::ok;
    run.users[0].state = UserState::done;
    save_user(h.db(), "run-x", run.users[0], test::kQueryNow);
    h.org().users["acc-a"].membership_status = "suspended";
    run.users[1].steps[0].state = StepState::sent;
    save_step(h.db(), "run-x", 1, run.users[1].steps[0], test::kQueryNow);
    h.org().users["acc-b"].membership_status = "suspended";
    run.users[2].steps[0].state = StepState::sent;
    save_step(h.db(), "run-x", 2, run.users[2].steps[0], test::kQueryNow);
    set_run_state(h.db(), "run-x", RunState::running, test::kQueryNow, std::nullopt, "");
    REQUIRE(unfinished_runs(h.db()) == std::vector<std::string>{"run-x"});

    // Resumed from the journal, as OpsService does at start-up (it waits kInFlightSettle first).
    auto resumed = h.execute(load_run(h.db(), "run-x"), {}, false);

    CHECK(h.org().sent == std::vector<std::string>{"suspend acc-c", "suspend acc-d"});
    CHECK(to_string(resumed.state) == "succeeded");
    auto journal = load_run(h.db(), "run-x");
    // b: sent before the crash and found done: this run did it (confirmed, not "already so").
    CHECK(to_string(journal.users[1].steps[0].state) == "ok");
    CHECK(journal.users[1].steps[0].confirmed);
    CHECK_FALSE(journal.users[1].steps[0].already);
    for (const auto& u : journal.users)
        CHECK(to_string(u.outcome()) == "ok");
    CHECK(journal.counts().changed == 4);
    CHECK(unfinished_runs(h.db()).empty());
}

TEST_CASE("executor: cancel stops after the operation in flight, the rest is skipped",
          "[ops][executor][cancel]") {
    Harness h;
    for (const auto* id : {"acc-a", "acc-b", "acc-c", "acc-d"})
        h.org().users[id] = active_user(id);
    h.on_progress = [](RunExecutor& executor, std::size_t done, std::size_t) {
        if (done == 1)
            executor.cancel("bob (uid 1001)");
    };
    auto run = h.execute(suspend_run({"acc-a", "acc-b", "acc-c", "acc-d"}));
    CHECK(h.org().sent == std::vector<std::string>{"suspend acc-a"});
    CHECK(to_string(run.state) == "cancelled");
    auto journal = load_run(h.db(), "run-x");
    CHECK(to_string(journal.state) == "cancelled");
    CHECK(to_string(journal.users[0].outcome()) == "ok");
    for (std::size_t i = 1; i < 4; ++i) {
        CHECK(to_string(journal.users[i].outcome()) == "skipped");
        CHECK(journal.users[i].reason == "cancelled");
    }
}

TEST_CASE("executor: a failed operation makes the run partially failed, a rejected key stops it",
          "[ops][executor]") {
    SECTION("a 403 on one user") {
        Harness h;
        for (const auto* id : {"acc-a", "acc-b"})
            h.org().users[id] = active_user(id);
        h.org().fail_send = {"acc-a"};
        auto run = h.execute(suspend_run({"acc-a", "acc-b"}));
        CHECK(h.org().sent.size() == 2);
        CHECK(to_string(run.state) == "partially_failed");
        auto journal = load_run(h.db(), "run-x");
        CHECK(to_string(journal.users[0].steps[0].state) == "failed");
        CHECK_THAT(journal.users[0].steps[0].error, Catch::Contains("forbidden"));
        CHECK(to_string(journal.users[1].outcome()) == "ok");
    }
    SECTION("a 401: nothing more is sent, the key is reported") {
        Harness h;
        for (const auto* id : {"acc-a", "acc-b", "acc-c"})
            h.org().users[id] = active_user(id);
        h.org().reject_key_on = {"acc-a"};
        auto run = h.execute(suspend_run({"acc-a", "acc-b", "acc-c"}));
        CHECK(h.org().sent == std::vector<std::string>{"suspend acc-a"});
        CHECK(h.key_rejected);
        CHECK(to_string(run.state) == "failed");
        auto journal = load_run(h.db(), "run-x");
        CHECK_THAT(journal.error, Catch::Contains("API key was rejected"));
        CHECK(to_string(journal.users[0].steps[0].state) == "failed");
        for (std::size_t i = 1; i < 3; ++i) {
            CHECK(to_string(journal.users[i].state) == "skipped");
            CHECK_THAT(journal.users[i].reason, Catch::StartsWith("not attempted"));
        }
    }
}
