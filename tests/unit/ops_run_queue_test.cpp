// ops' RunQueue on its own, with a fake SyncControl and hooks that record what the queue asks:
// one request planned at a time in arrival order; nothing while a sync runs (the head starts when
// it ends, waiting once); an applying run not while another executes (and nothing behind it
// overtakes); an applying run on a snapshot older than ops.max_staleness only after a sync,
// refused when that sync cannot start or fails; stop() answers every waiting request unavailable.
#include <asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <memory>

#include "daemon/ops/run_queue.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/config/config.hpp"
#include "rosterd/service/subsystem.hpp"
#include "rosterd/service/sync_control.hpp"
#include "rosterd/store/db_executor.hpp"
#include "rosterd/store/store.hpp"
#include "temp_dir.hpp"

using namespace rosterd;
using namespace std::chrono_literals;
using ops::RunQueue;
using ops::RunRequest;

namespace {

constexpr std::int64_t kHour = 60 * 60 * 1000;

// A sync that runs when told and ends when the test says so.
class FakeSync final : public SyncControl {
  public:
    std::optional<std::string> refusal;  // request_sync refuses with this when set
    std::vector<std::string> requested;  // triggers of request_sync
    std::optional<std::int64_t> last_success;
    std::string outcome;
    std::string error;
    bool running_now = false;
    std::size_t idle_waiters() const { return idle_.size(); }

    std::optional<std::string> request_sync(const std::string& trigger) override {
        requested.push_back(trigger);
        if (refusal)
            return refusal;
        running_now = true;
        return std::nullopt;
    }
    bool has_snapshot() const override { return last_success.has_value(); }
    bool running() const override { return running_now; }
    void request_refresh(sync::RefreshRequest, RefreshDone) override {
        FAIL("the run queue never asks for a refresh");
    }
    std::optional<std::int64_t> last_success_ms() const override { return last_success; }
    std::string last_outcome() const override { return outcome; }
    const std::string& last_error() const override { return error; }
    void when_idle(std::function<void()> then) override {
        if (running_now)
            idle_.push_back(std::move(then));
        else
            then();
    }
    void on_success(std::function<void()>) override {}
    void on_start(std::function<void()>) override {}

    // The running sync ends: succeeded at `at`, or failed with `why`.
    void finish(std::optional<std::int64_t> at, std::string why = {}) {
        running_now = false;
        if (at) {
            last_success = at;
            outcome = "succeeded";
            error.clear();
        } else {
            outcome = "failed";
            error = std::move(why);
        }
        auto waiting = std::move(idle_);
        idle_.clear();
        for (auto& then : waiting)
            then();
    }

  private:
    std::vector<std::function<void()>> idle_;
};

// What a caller of the control socket sees of its request.
struct Caller {
    std::shared_ptr<std::vector<std::string>> lines = std::make_shared<std::vector<std::string>>();
    std::shared_ptr<control::Reply> reply;

    Caller() {
        reply = std::make_shared<control::Reply>(
            "1", [lines = lines](std::string line, bool) { lines->push_back(std::move(line)); });
    }
    std::size_t said(const std::string& text) const {
        return static_cast<std::size_t>(
            std::count_if(lines->begin(), lines->end(),
                          [&](const std::string& l) { return l.find(text) != std::string::npos; }));
    }
};

class QueueHarness {
  public:
    QueueHarness() : clock_(SysTime(std::chrono::milliseconds(*parse_iso8601_ms(kNow)))) {
        path_ = (dir_ / "rosterd.db").string();
        auto db = store::Database::open(path_);
        store::migrate(*db);
        executor_ = std::make_unique<store::DbExecutor>(loop_, path_);
        Config config;
        config.ops.max_staleness = 60min;
        context_ = std::make_unique<DaemonContext>(
            DaemonContext{loop_, clock_, *executor_, std::make_shared<const Config>(config)});
        sync.last_success = now_ms() - kHour / 2;  // fresh
        queue = std::make_unique<RunQueue>(
            *context_, sync,
            RunQueue::Hooks{[this] { return applying; },
                            [this](RunRequest r) { planned.push_back(r.reason); },
                            [this](RunRequest r, std::string why) {
                                refused.emplace_back(r.reason, std::move(why));
                            }});
    }
    ~QueueHarness() {
        queue.reset();
        executor_->stop();
    }

    std::int64_t now_ms() const { return clock_.now().time_since_epoch().count(); }

    static RunRequest request(std::string name, bool apply = false,
                              std::shared_ptr<control::Reply> reply = nullptr) {
        RunRequest r;
        r.reason = std::move(name);  // how the hooks tell the requests apart
        r.apply = apply;
        r.reply = std::move(reply);
        return r;
    }

    FakeSync sync;
    bool applying = false;
    std::vector<std::string> planned;
    std::vector<std::pair<std::string, std::string>> refused;
    std::unique_ptr<RunQueue> queue;

  private:
    static constexpr const char* kNow = "2026-08-15T12:00:00Z";
    test::TempDir dir_;
    std::string path_;
    asio::io_context loop_;
    FakeClock clock_;
    std::unique_ptr<store::DbExecutor> executor_;
    std::unique_ptr<DaemonContext> context_;
};

}  // namespace

TEST_CASE("ops run queue: requests are planned one at a time, first come first served",
          "[ops][queue]") {
    QueueHarness h;
    h.queue->push(h.request("a"));
    h.queue->push(h.request("b", true));
    h.queue->push(h.request("c"));
    CHECK(h.planned == std::vector<std::string>{"a"});
    CHECK(h.queue->size() == 2);
    // Pumping while "a" is being planned starts nothing.
    h.queue->pump();
    CHECK(h.planned.size() == 1);
    h.queue->planned();
    h.queue->pump();
    CHECK(h.planned == std::vector<std::string>{"a", "b"});
    h.queue->planned();
    h.queue->pump();
    CHECK(h.planned == std::vector<std::string>{"a", "b", "c"});
    CHECK(h.queue->size() == 0);
    CHECK(h.refused.empty());
    CHECK(h.sync.requested.empty());
}

TEST_CASE("ops run queue: nothing starts while a sync runs, the head starts when it ends",
          "[ops][queue]") {
    QueueHarness h;
    h.sync.running_now = true;
    Caller first, second;
    h.queue->push(h.request("a", false, first.reply));
    h.queue->push(h.request("b", false, second.reply));
    h.queue->pump();
    CHECK(h.planned.empty());
    CHECK(h.queue->size() == 2);
    // The head says so once and the queue waits for the sync once, however often it is pumped.
    CHECK(first.said("waiting for the running sync") == 1);
    CHECK(second.said("waiting for the running sync") == 0);
    CHECK(h.sync.idle_waiters() == 1);
    h.sync.finish(h.now_ms());
    CHECK(h.planned == std::vector<std::string>{"a"});
    h.queue->planned();
    h.queue->pump();
    CHECK(h.planned == std::vector<std::string>{"a", "b"});
    CHECK(h.sync.requested.empty());  // a fresh snapshot: no sync asked for
}

TEST_CASE("ops run queue: an applying run waits for the one executing, nothing overtakes it",
          "[ops][queue]") {
    QueueHarness h;
    h.applying = true;
    // A dry run does not wait for an applying run.
    h.queue->push(h.request("dry"));
    CHECK(h.planned == std::vector<std::string>{"dry"});
    h.queue->planned();

    Caller caller;
    h.queue->push(h.request("apply", true, caller.reply));
    CHECK(caller.said("waiting for the applying run in progress") == 1);
    h.queue->push(h.request("dry behind it"));
    CHECK(h.planned.size() == 1);
    // Unlike the wait for a sync (said once), this is said again at every pump.
    CHECK(caller.said("waiting for the applying run in progress") == 2);
    h.applying = false;
    h.queue->pump();
    CHECK(h.planned == std::vector<std::string>{"dry", "apply"});
    h.queue->planned();
    h.queue->pump();
    CHECK(h.planned == std::vector<std::string>{"dry", "apply", "dry behind it"});
}

TEST_CASE("ops run queue: an applying run on a stale snapshot syncs first, then starts",
          "[ops][queue][staleness]") {
    QueueHarness h;
    h.sync.last_success = h.now_ms() - 2 * kHour;  // older than ops.max_staleness (1 h)
    // Dry runs and resumed runs do not sync first.
    h.queue->push(h.request("dry"));
    h.queue->planned();
    auto resumed = h.request("resume", true);
    resumed.resume_id = "r-1";
    h.queue->push(std::move(resumed));
    h.queue->planned();
    CHECK(h.planned == std::vector<std::string>{"dry", "resume"});
    CHECK(h.sync.requested.empty());

    h.queue->push(h.request("apply", true));
    CHECK(h.sync.requested == std::vector<std::string>{"run"});
    CHECK(h.planned.size() == 2);
    h.sync.finish(h.now_ms());
    CHECK(h.planned == std::vector<std::string>{"dry", "resume", "apply"});
    CHECK(h.sync.requested.size() == 1);
    CHECK(h.refused.empty());
}

TEST_CASE("ops run queue: a stale applying run is refused when its sync cannot start or fails",
          "[ops][queue][staleness]") {
    QueueHarness h;
    h.sync.last_success.reset();  // no snapshot yet: stale too
    h.sync.refusal = "no API key is installed";
    h.queue->push(h.request("refused", true));
    h.queue->push(h.request("next"));
    REQUIRE(h.refused.size() == 1);
    CHECK(h.refused[0].first == "refused");
    CHECK(h.refused[0].second ==
          "the snapshot is older than ops.max_staleness and no sync could start before the run: "
          "no API key is installed");
    // The next request goes on.
    CHECK(h.planned == std::vector<std::string>{"next"});
    h.queue->planned();

    h.sync.refusal.reset();
    h.queue->push(h.request("failed", true));
    h.queue->push(h.request("after"));
    CHECK(h.sync.requested == std::vector<std::string>{"run", "run"});
    CHECK(h.planned.size() == 1);
    h.sync.finish(std::nullopt, "http 500: the API failed (3 attempts)");
    REQUIRE(h.refused.size() == 2);
    CHECK(h.refused[1].first == "failed");
    CHECK(h.refused[1].second ==
          "the snapshot is older than ops.max_staleness and the sync before the run failed: "
          "http 500: the API failed (3 attempts)");
    CHECK(h.planned == std::vector<std::string>{"next", "after"});
    CHECK(h.sync.requested.size() == 2);  // one sync per stale applying run, no retry
}

TEST_CASE("ops run queue: stop answers every waiting request unavailable, nothing starts after",
          "[ops][queue]") {
    QueueHarness h;
    h.sync.running_now = true;
    Caller first, second;
    h.queue->push(h.request("a", true, first.reply));
    h.queue->push(h.request("b", false, second.reply));
    h.queue->stop();
    CHECK(h.queue->size() == 0);
    for (const auto* caller : {&first, &second}) {
        CHECK(caller->reply->completed());
        CHECK(caller->said("\"unavailable\"") == 1);
        CHECK(caller->said("rosterd is shutting down") == 1);
    }
    h.sync.finish(h.now_ms());
    h.queue->push(h.request("late"));
    h.queue->pump();
    CHECK(h.planned.empty());
    CHECK(h.refused.empty());
}
