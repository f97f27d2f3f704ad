// The outbox on a real loop against scripted receivers: retries, Retry-After, timeouts, errors
// inside a 200, the attempt limit, once-only notices, and deliveries surviving a restart.
#include <asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "daemon/notify/notify_service.hpp"
#include "daemon/notify/outbox_store.hpp"
#include "rosterd/store/store.hpp"
#include "temp_dir.hpp"
#include "test_http_server.hpp"

using namespace rosterd;
using namespace std::chrono_literals;

namespace {

WebhookConfig hook(const std::string& name, const std::string& url, const std::string& format) {
    WebhookConfig h;
    h.name = name;
    h.url = url;
    h.format = format;
    h.timeout = 2000ms;
    return h;
}

Config config_with(std::vector<WebhookConfig> hooks) {
    Config config;
    config.atlassian.org_id = "3f9c1b2e-5d4a-4c1e-9b7a-2a6d8e0f1c35";
    config.notifications.webhooks = std::move(hooks);
    config.notifications.delivery.max_attempts = 4;
    config.notifications.delivery.backoff_initial = 20ms;
    config.notifications.delivery.backoff_max = 100ms;
    return config;
}

// A daemon's worth of context around one NotifyService.
class Harness {
  public:
    explicit Harness(Config config) {
        path_ = (dir_ / "rosterd.db").string();
        auto db = store::Database::open(path_);
        store::migrate(*db);
        executor_ = std::make_unique<store::DbExecutor>(loop_, path_);
        context_ = std::make_unique<DaemonContext>(
            DaemonContext{loop_, clock_, *executor_, std::make_shared<const Config>(config)});
    }
    ~Harness() {
        service_.reset();
        executor_->stop();
    }

    notify::NotifyService& start() {
        service_ = std::make_unique<notify::NotifyService>(*context_);
        service_->start();
        return *service_;
    }
    // Stops and destroys the service, as a daemon restart would.
    void restart(Config config) {
        service_->stop();
        test::run_for(loop_, 50ms);
        service_.reset();
        context_->config = std::make_shared<const Config>(std::move(config));
    }

    std::vector<notify::outbox::DeliveryRow> rows() {
        auto db = store::Database::open(path_, store::Database::Mode::read_only);
        return notify::outbox::list_deliveries(*db, 100, std::nullopt);
    }
    bool settled(std::size_t deliveries) {
        auto all = rows();
        if (all.size() != deliveries)
            return false;
        for (const auto& row : all)
            if (row.state == notify::DeliveryState::pending)
                return false;
        return true;
    }
    bool wait_settled(std::size_t deliveries, std::chrono::milliseconds limit = 5000ms) {
        return test::run_until(
            loop_, [&] { return settled(deliveries); }, limit);
    }
    asio::io_context& loop() { return loop_; }

  private:
    test::TempDir dir_;
    std::string path_;
    asio::io_context loop_;
    SystemClock clock_;
    std::unique_ptr<store::DbExecutor> executor_;
    std::unique_ptr<DaemonContext> context_;
    std::unique_ptr<notify::NotifyService> service_;
};

Event event(const std::string& type) {
    Event e;
    e.type = type;
    e.facts = {{"run_id", "3"}, {"error", "http 503"}};
    return e;
}

}  // namespace

TEST_CASE("injected 500s are retried until delivered, exactly once", "[notify]") {
    test::TestHttpServer server;
    server.script("POST", "/hook/audit", {{500, "boom"}, {502, ""}, {200, "{}"}});
    auto config = config_with({hook("audit", server.base_url() + "/hook/audit", "json")});
    config.notifications.webhooks[0].secret = "s3cret";
    Harness h(config);
    h.start().emit(event("sync_failed"));
    REQUIRE(h.wait_settled(1));
    auto rows = h.rows();
    CHECK(to_string(rows[0].state) == "delivered");
    CHECK(rows[0].attempts == 3);
    CHECK(rows[0].last_status == 200);
    auto requests = server.requests();
    REQUIRE(requests.size() == 3);
    for (const auto& r : requests) {
        CHECK(r.header("X-Rosterd-Delivery") == rows[0].uuid);  // stable across retries
        CHECK(r.header("X-Rosterd-Event") == "sync_failed");
        CHECK_THAT(r.header("X-Rosterd-Signature"), Catch::StartsWith("t="));
        CHECK_THAT(r.header("Content-Type"), Catch::StartsWith("application/json"));
    }
    test::run_for(h.loop(), 200ms);
    CHECK(server.request_count() == 3);  // nothing more after the success
}

TEST_CASE("429 with Retry-After holds the webhook for that long", "[notify]") {
    test::TestHttpServer server;
    server.script("POST", "/hook/chat", {{429, "slow down", {{"Retry-After", "1"}}}, {200, "ok"}});
    Harness h(config_with({hook("chat", server.base_url() + "/hook/chat", "slack")}));
    auto started = std::chrono::steady_clock::now();
    h.start().emit(event("sync_failed"));
    REQUIRE(h.wait_settled(1));
    auto waited = std::chrono::steady_clock::now() - started;
    CHECK(waited >= 1000ms);
    CHECK(to_string(h.rows()[0].state) == "delivered");
    CHECK(h.rows()[0].attempts == 2);
    CHECK(server.request_count() == 2);
}

TEST_CASE("a timeout counts as a failed attempt and is retried", "[notify]") {
    test::TestHttpServer server;
    test::Reply slow(200, "ok");
    slow.delay = 600ms;
    server.script("POST", "/hook/chat", {slow, {200, "ok"}});
    auto config = config_with({hook("chat", server.base_url() + "/hook/chat", "slack")});
    config.notifications.webhooks[0].timeout = 150ms;
    Harness h(config);
    h.start().emit(event("sync_failed"));
    REQUIRE(h.wait_settled(1));
    auto row = h.rows()[0];
    CHECK(to_string(row.state) == "delivered");
    CHECK(row.attempts == 2);
    CHECK(server.request_count() == 2);
}

TEST_CASE("Teams' error inside a 200 is not a delivery", "[notify]") {
    test::TestHttpServer server;
    server.script("POST", "/hook/teams",
                  {{200,
                    "Webhook message delivery failed with error: Microsoft Teams endpoint "
                    "returned HTTP error 429"},
                   {200, "1"}});
    Harness h(config_with({hook("teams", server.base_url() + "/hook/teams", "teams")}));
    h.start().emit(event("sync_failed"));
    REQUIRE(h.wait_settled(1));
    CHECK(h.rows()[0].attempts == 2);
    CHECK(to_string(h.rows()[0].state) == "delivered");
}

TEST_CASE("after the attempt limit a delivery is dead and visible", "[notify]") {
    test::TestHttpServer server;
    server.script("POST", "/hook/down", {{503, "maintenance"}});
    auto config = config_with({hook("down", server.base_url() + "/hook/down", "discord")});
    config.notifications.delivery.max_attempts = 3;
    Harness h(config);
    h.start().emit(event("sync_failed"));
    REQUIRE(h.wait_settled(1));
    auto row = h.rows()[0];
    CHECK(to_string(row.state) == "dead");
    CHECK(row.attempts == 3);
    CHECK(row.last_status == 503);
    CHECK(row.last_error == "HTTP 503: maintenance");
    CHECK(server.request_count() == 3);
}

TEST_CASE("a permanent failure is dead at once", "[notify]") {
    test::TestHttpServer server;
    server.script("POST", "/hook/gone", {{404, "{\"message\":\"Unknown Webhook\"}"}});
    Harness h(config_with({hook("gone", server.base_url() + "/hook/gone", "discord")}));
    h.start().emit(event("sync_failed"));
    REQUIRE(h.wait_settled(1));
    CHECK(to_string(h.rows()[0].state) == "dead");
    CHECK(h.rows()[0].attempts == 1);
}

TEST_CASE("events go to the webhooks that want them", "[notify]") {
    test::TestHttpServer server;
    server.script("POST", "/hook/.*", {{200, "{}"}});
    auto all = hook("all", server.base_url() + "/hook/all", "json");
    auto picky = hook("picky", server.base_url() + "/hook/picky", "json");
    picky.events = {"sync_succeeded"};
    Harness h(config_with({all, picky}));
    auto& service = h.start();
    service.emit(event("sync_failed"));     // all (default set)
    service.emit(event("sync_succeeded"));  // picky only: off unless listed
    REQUIRE(h.wait_settled(2));
    auto rows = h.rows();
    std::multiset<std::string> got;
    for (const auto& r : rows)
        got.insert(r.webhook + ":" + r.event_type);
    CHECK(got == std::multiset<std::string>{"all:sync_failed", "picky:sync_succeeded"});
}

TEST_CASE("a once-only notice is recorded and delivered once", "[notify]") {
    test::TestHttpServer server;
    server.script("POST", "/hook/a", {{200, "{}"}});
    Harness h(config_with({hook("a", server.base_url() + "/hook/a", "json")}));
    auto& service = h.start();
    std::vector<bool> recorded;
    service.emit_once(event("api_key_expiring"), "api_key_expiring:fp:7",
                      [&](bool r) { recorded.push_back(r); });
    service.emit_once(event("api_key_expiring"), "api_key_expiring:fp:7",
                      [&](bool r) { recorded.push_back(r); });
    REQUIRE(test::run_until(h.loop(), [&] { return recorded.size() == 2; }));
    CHECK(recorded == std::vector<bool>{true, false});
    REQUIRE(h.wait_settled(1));
    CHECK(server.request_count() == 1);
}

TEST_CASE("deliveries pending while the receiver is down go out after a restart", "[notify]") {
    int dead_port = test::unused_local_port();
    auto down = config_with(
        {hook("ops", "http://127.0.0.1:" + std::to_string(dead_port) + "/hook/ops", "json")});
    down.notifications.delivery.max_attempts = 50;
    Harness h(down);
    h.start().emit(event("sync_failed"));
    REQUIRE(test::run_until(h.loop(), [&] {
        auto rows = h.rows();
        return rows.size() == 1 && rows[0].attempts >= 1;
    }));
    auto before = h.rows()[0];
    CHECK(to_string(before.state) == "pending");
    CHECK_THAT(before.last_error, Catch::StartsWith("connect"));

    // The receiver comes back (at a new address, as after a url_file rotation) while rosterd
    // restarts: the pending delivery goes out once.
    test::TestHttpServer server;
    server.script("POST", "/hook/ops", {{200, "{}"}});
    h.restart(config_with({hook("ops", server.base_url() + "/hook/ops", "json")}));
    h.start();
    REQUIRE(h.wait_settled(1));
    auto after = h.rows()[0];
    CHECK(to_string(after.state) == "delivered");
    CHECK(after.uuid == before.uuid);
    CHECK(after.attempts >= 2);
    test::run_for(h.loop(), 200ms);
    CHECK(server.request_count() == 1);
    CHECK(server.requests()[0].header("X-Rosterd-Delivery") == before.uuid);
}
