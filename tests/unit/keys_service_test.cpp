// The key service on a real loop with a fake clock: the reminder timer firing when the window
// opens, a start inside the window, no repeat after a restart, a replaced key, a passed expiry
// and a 401. Notices go to a fake sink that remembers once-keys like the outbox does.
#include <asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <set>

#include "daemon/keys/key_service.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/store/store.hpp"
#include "temp_dir.hpp"
#include "test_http_server.hpp"

using namespace rosterd;
using namespace std::chrono_literals;

namespace {

SysTime at(const char* iso) {
    return SysTime(std::chrono::milliseconds(*parse_iso8601_ms(iso)));
}

// Remembers once-keys for the test's lifetime, as the outbox's table does across restarts.
class FakeNotices final : public notify::NoticeSink {
  public:
    void emit(Event event) override { events.push_back(std::move(event)); }
    void emit_once(Event event, std::string once_key, std::function<void(bool)> done) override {
        bool recorded = keys.insert(once_key).second;
        if (recorded)
            events.push_back(std::move(event));
        if (done)
            done(recorded);
    }
    std::vector<Event> events;
    std::set<std::string> keys;
};

class Harness {
  public:
    explicit Harness(SysTime now) : clock_(now) {
        path_ = (dir_ / "state" / "rosterd.db").string();
        std::filesystem::create_directories(dir_ / "state");
        auto db = store::Database::open(path_);
        store::migrate(*db);
        executor_ = std::make_unique<store::DbExecutor>(loop_, path_);
        key_file_ = dir_.write("api-key", "first-key-000111\n").string();
        Config config;
        config.storage.path = path_;
        config.atlassian.org_id = "org";
        config.atlassian.api_key_file = key_file_;
        config.atlassian.api_key_expires_days = *parse_date_days("2026-05-01");
        config.notifications.api_key_reminder_days = {7};
        context_ = std::make_unique<DaemonContext>(
            DaemonContext{loop_, clock_, *executor_, std::make_shared<const Config>(config)});
    }
    ~Harness() {
        service_.reset();
        executor_->stop();
    }

    keys::KeyService& start() {
        service_ = std::make_unique<keys::KeyService>(*context_, &notices);
        service_->start();
        // The records load on the database thread; a loaded machine may take a while.
        REQUIRE(run_until([&] { return service_->loaded(); }, 10'000ms));
        run_for(20ms);  // and whatever the load set off (a notice at once)
        return *service_;
    }
    void restart() {
        service_->stop();
        service_.reset();
        start();
    }
    void run_for(std::chrono::milliseconds d) { test::run_for(loop_, d); }
    bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 10'000ms) {
        return test::run_until(loop_, done, limit);
    }
    void replace_key(const std::string& key) { dir_.write("api-key", key + "\n"); }
    FakeClock& clock() { return clock_; }
    keys::KeyService& service() { return *service_; }
    rapidjson::Document status() {
        rapidjson::Document out(rapidjson::kObjectType);
        service_->write_status(out, out.GetAllocator());
        return out;
    }

    FakeNotices notices;

  private:
    test::TempDir dir_;
    std::string path_;
    std::string key_file_;
    asio::io_context loop_;
    FakeClock clock_;
    std::unique_ptr<store::DbExecutor> executor_;
    std::unique_ptr<DaemonContext> context_;
    std::unique_ptr<keys::KeyService> service_;
};

}  // namespace

TEST_CASE("the reminder timer fires when the window opens while running", "[keys]") {
    Harness h(at("2026-04-23T23:59:59.700Z"));  // 300 ms before the 7-day moment
    h.start();
    CHECK(h.notices.events.empty());
    auto status = h.status();
    CHECK(std::string(status["state"].GetString()) == "ok");
    CHECK(std::string(status["next_reminder"].GetString()) == "2026-04-24T00:00:00Z");
    h.clock().advance(400ms);  // the window opens; the timer (armed for >= 1 s) notices it
    REQUIRE(h.run_until([&] { return h.notices.events.size() == 1; }));
    const auto& e = h.notices.events[0];
    CHECK(e.type == "api_key_expiring");
    CHECK(e.facts.at("lead_days") == "7");
    CHECK(e.facts.at("days_left") == "7");
    CHECK(e.facts.at("expires") == "2026-05-01");
    CHECK(e.facts.at("source") == "api_key_file");
    CHECK(e.facts.at("fingerprint") == key_fingerprint("first-key-000111"));
    CHECK(std::string(h.status()["state"].GetString()) == "expiring");
    // The next moment is the expiry itself.
    CHECK(std::string(h.status()["next_reminder"].GetString()) == "2026-05-01T00:00:00Z");
}

TEST_CASE("started inside the window: one reminder, none after a restart, again for a new key",
          "[keys]") {
    Harness h(at("2026-04-27T10:00:00Z"));
    h.start();
    REQUIRE(h.notices.events.size() == 1);
    CHECK(h.notices.events[0].facts.at("days_left") == "4");
    h.restart();
    h.run_for(100ms);
    CHECK(h.notices.events.size() == 1);

    h.replace_key("second-key-222333");
    auto lease = h.service().acquire();  // notices the new key
    REQUIRE(lease.key);
    CHECK(lease.fingerprint == key_fingerprint("second-key-222333"));
    REQUIRE(h.notices.events.size() == 2);
    CHECK(h.notices.events[1].facts.at("fingerprint") == key_fingerprint("second-key-222333"));
    CHECK(h.notices.keys ==
          std::set<std::string>{"api_key_expiring:" + key_fingerprint("first-key-000111") + ":7",
                                "api_key_expiring:" + key_fingerprint("second-key-222333") + ":7"});
}

TEST_CASE("a passed expiry refuses the key and sends api_key_expired once", "[keys]") {
    Harness h(at("2026-04-30T12:00:00Z"));
    auto& service = h.start();
    REQUIRE(h.notices.events.size() == 1);  // the 7-day reminder, late but sent
    CHECK(service.acquire().key);
    h.clock().set(at("2026-05-01T00:00:00Z"));
    auto lease = service.acquire();
    CHECK_FALSE(lease.key);
    CHECK(lease.state == keys::KeyState::expired);
    CHECK_THAT(lease.refusal, Catch::StartsWith("the organization API key expired on 2026-05-01"));
    service.apply_config(Config{});  // any re-evaluation (here a reload) sends the notice
    REQUIRE(h.notices.events.size() == 2);
    CHECK(h.notices.events[1].type == "api_key_expired");
    h.restart();
    CHECK(h.notices.events.size() == 2);
}

TEST_CASE("a 401 makes the key rejected, once, and it stays so after a restart", "[keys]") {
    Harness h(at("2026-03-01T00:00:00Z"));
    auto& service = h.start();
    auto lease = service.acquire();
    REQUIRE(lease.key);
    service.report_rejected(lease.fingerprint);
    service.report_rejected(lease.fingerprint);
    REQUIRE(h.notices.events.size() == 1);
    CHECK(h.notices.events[0].type == "api_key_rejected");
    auto refused = service.acquire();
    CHECK_FALSE(refused.key);
    CHECK(refused.state == keys::KeyState::rejected);
    CHECK_THAT(refused.refusal, Catch::Contains("rejected by Atlassian (HTTP 401)"));

    h.run_for(100ms);  // the rejection is written
    h.restart();
    CHECK(h.service().acquire().state == keys::KeyState::rejected);
    CHECK(h.notices.events.size() == 1);
    // A later success (a check, a sync) clears it.
    h.service().report_accepted(lease.fingerprint, "");
    CHECK(h.service().acquire().state == keys::KeyState::ok);
    h.run_for(100ms);
    h.restart();
    CHECK(h.service().acquire().state == keys::KeyState::ok);
}

TEST_CASE("no key: missing, refused with how to install one", "[keys]") {
    Harness h(at("2026-03-01T00:00:00Z"));
    h.replace_key("");
    auto& service = h.start();
    auto lease = service.acquire();
    CHECK_FALSE(lease.key);
    CHECK(lease.state == keys::KeyState::missing);
    CHECK_THAT(lease.refusal, Catch::StartsWith("no organization API key"));
    CHECK(h.notices.events.empty());
    CHECK(std::string(h.status()["state"].GetString()) == "missing");
    CHECK(h.status()["fingerprint"].IsNull());
}
