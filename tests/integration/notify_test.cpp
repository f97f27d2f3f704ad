// The outbox against rosterd-sim's webhook sink: every format, injected 500s, 429 with
// Retry-After, a stalled receiver, the attempt limit with `notify retry`, and a receiver that is
// down while rosterd restarts. Webhook URLs and secrets never reach the log.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "daemon_fixture.hpp"
#include "notify_helpers.hpp"
#include "rosterd/store/store.hpp"
#include "sim_fixture.hpp"
#include "test_http_server.hpp"

using namespace rosterd::test;

namespace {

const std::string kToken = "Wh00kT0ken";  // in every sink name: the URL's secret part
const std::string kSecret = "sig-secret-0815";

std::string sink(const std::string& name) {
    return name + "-" + kToken;
}

std::string delivery_yaml(int max_attempts = 6) {
    return "  delivery: {max_attempts: " + std::to_string(max_attempts) +
           ", backoff_initial_ms: 50, backoff_max_s: 1}\n";
}

std::string hook_yaml(const std::string& name, const std::string& url, const std::string& format,
                      const std::string& extra = "") {
    return "    - name: " + name + "\n      url: " + url + "\n      format: " + format + "\n" +
           extra;
}

void check_no_secrets(const DaemonFixture& daemon) {
    std::string log = daemon.log();
    CHECK(log.find(kToken) == std::string::npos);
    CHECK(log.find(kSecret) == std::string::npos);
}

// The delivery rows, newest first.
rapidjson::Document deliveries(const DaemonFixture& daemon, const std::string& state = "") {
    if (state.empty())
        return daemon.ctl_json({"notify", "list"});
    return daemon.ctl_json({"notify", "list", "--state", state});
}

bool newest_is(const DaemonFixture& daemon, const std::string& state) {
    auto list = deliveries(daemon);
    return list["deliveries"].Size() > 0 &&
           std::string(list["deliveries"][0]["state"].GetString()) == state;
}

}  // namespace

TEST_CASE("notify test reaches every format and the json envelope is signed",
          "[integration][notify]") {
    SimFixture sim({"--users", "10", "--sites", "1"});
    std::string base = sim.base_url() + "/sink/";
    DaemonFixture daemon(
        "notifications:\n" + delivery_yaml() + "  webhooks:\n" +
        hook_yaml("slack", base + sink("slack"), "slack") +
        hook_yaml("teams", base + sink("teams"), "teams") +
        hook_yaml("chat", base + sink("chat"), "google-chat") +
        hook_yaml("discord", base + sink("discord"), "discord") +
        hook_yaml("audit", base + sink("audit"), "json", "      secret: " + kSecret + "\n"));

    for (const std::string name : {"slack", "teams", "chat", "discord", "audit"}) {
        auto r = daemon.ctl({"notify", "test", name});
        INFO(name << ": " << r.out << r.err);
        CHECK(r.exit_code == 0);
        CHECK_THAT(r.out, Catch::StartsWith("test message delivered to " + name));
        CHECK(sink_count(sim, sink(name)) == 1);
    }
    auto slack = body_of(sink_deliveries(sim, sink("slack"))[0]);
    CHECK_THAT(slack["text"].GetString(), Catch::Contains("can deliver notifications to webhook "
                                                          "'slack'"));
    CHECK(std::string(slack["blocks"][0]["type"].GetString()) == "header");
    auto teams = body_of(sink_deliveries(sim, sink("teams"))[0]);
    CHECK(std::string(teams["attachments"][0]["content"]["type"].GetString()) == "AdaptiveCard");
    auto chat = body_of(sink_deliveries(sim, sink("chat"))[0]);
    CHECK(std::string(chat["cardsV2"][0]["card"]["header"]["title"].GetString()) ==
          "Test message from rosterd");
    auto discord = body_of(sink_deliveries(sim, sink("discord"))[0]);
    CHECK(std::string(discord["embeds"][0]["title"].GetString()) == "Test message from rosterd");

    auto audit_deliveries = sink_deliveries(sim, sink("audit"));
    const auto& audit = audit_deliveries[0];
    auto envelope = body_of(audit);
    CHECK(envelope["version"].GetInt() == 1);
    CHECK(std::string(envelope["event"].GetString()) == "test");
    CHECK(std::string(envelope["data"]["webhook"].GetString()) == "audit");
    CHECK(header_of(audit, "X-Rosterd-Event") == "test");
    CHECK(header_of(audit, "X-Rosterd-Delivery") == envelope["delivery_id"].GetString());
    CHECK_THAT(header_of(audit, "Content-Type"), Catch::StartsWith("application/json"));
    CHECK(signature_problem(header_of(audit, "X-Rosterd-Signature"), kSecret,
                            audit["body"].GetString()) == "");
    // A tampered body does not verify.
    CHECK(signature_problem(header_of(audit, "X-Rosterd-Signature"), kSecret,
                            std::string(audit["body"].GetString()) + " ") != "");
    // Only the json format carries rosterd's headers.
    CHECK(header_of(sink_deliveries(sim, sink("slack"))[0], "X-Rosterd-Signature").empty());

    auto unknown = daemon.ctl({"notify", "test", "nope"});
    CHECK(unknown.exit_code == 1);
    CHECK_THAT(unknown.err,
               Catch::Contains("no webhook named 'nope' (configured: slack, teams, chat, discord, "
                               "audit)"));
    auto status = daemon.ctl({"status"});
    CHECK(status.out.find(kToken) == std::string::npos);
    check_no_secrets(daemon);
}

TEST_CASE("500s and 429 with Retry-After are retried until delivered exactly once",
          "[integration][notify]") {
    SimFixture sim({"--users", "10", "--sites", "1"});
    std::string name = sink("flaky");
    DaemonFixture daemon("notifications:\n" + delivery_yaml() + "  webhooks:\n" +
                         hook_yaml("flaky", sim.base_url() + "/sink/" + name, "json"));

    sink_script(sim, name, R"({"status":500,"body":"boom","times":2})");
    auto first = daemon.ctl({"notify", "test", "flaky"});
    CHECK(first.exit_code == 1);
    CHECK_THAT(first.err, Catch::Contains("failed: HTTP 500: boom (it will be retried"));
    REQUIRE(wait_until([&] { return newest_is(daemon, "delivered"); }));
    auto list = deliveries(daemon);  // the row points into it
    auto row = list["deliveries"][0].GetObject();
    CHECK(row["attempts"].GetInt() == 3);
    CHECK(row["last_status"].GetInt() == 200);
    auto received = sink_deliveries(sim, name);
    REQUIRE(received.Size() == 3);
    std::string id = header_of(received[0], "X-Rosterd-Delivery");
    for (const auto& d : received.GetArray())
        CHECK(header_of(d, "X-Rosterd-Delivery") == id);  // one delivery, three attempts

    sim.http("DELETE", "/_sim/sink/" + name);
    sink_script(sim, name, R"({"status":429,"body":"slow down","retry_after":1,"times":1})");
    CHECK(daemon.ctl({"notify", "test", "flaky"}).exit_code == 1);
    REQUIRE(wait_until([&] { return newest_is(daemon, "delivered"); }));
    received = sink_deliveries(sim, name);
    REQUIRE(received.Size() == 2);
    CHECK(received[1]["t"].GetInt64() - received[0]["t"].GetInt64() >= 1000);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(sink_count(sim, name) == 2);  // nothing after the success
    check_no_secrets(daemon);
}

TEST_CASE("a receiver that stays down: dead after the limit, listed, requeued by notify retry",
          "[integration][notify]") {
    SimFixture sim({"--users", "10", "--sites", "1"});
    std::string name = sink("down");
    DaemonFixture daemon("notifications:\n" + delivery_yaml(3) + "  webhooks:\n" +
                         hook_yaml("down", sim.base_url() + "/sink/" + name, "slack"));
    sink_script(sim, name, R"({"status":503,"body":"maintenance","times":3})");
    CHECK(daemon.ctl({"notify", "test", "down"}).exit_code == 1);
    REQUIRE(wait_until([&] { return deliveries(daemon, "dead")["deliveries"].Size() == 1; }));
    auto dead = deliveries(daemon, "dead");
    const auto& row = dead["deliveries"][0];
    CHECK(row["attempts"].GetInt() == 3);
    CHECK(std::string(row["last_error"].GetString()) == "HTTP 503: maintenance");
    CHECK(sink_count(sim, name) == 3);
    auto human = daemon.ctl({"notify", "list"});
    CHECK_THAT(human.out, Catch::Contains("dead"));
    CHECK_THAT(human.out, Catch::Contains("HTTP 503: maintenance"));
    CHECK(daemon.ctl_json({"status"})["notify"]["dead"].GetInt() == 1);

    std::string id = std::to_string(row["id"].GetInt64());
    auto retry = daemon.ctl({"notify", "retry", id});
    CHECK(retry.exit_code == 0);
    REQUIRE(wait_until([&] { return newest_is(daemon, "delivered"); }));
    CHECK(sink_count(sim, name) == 4);
    auto again = daemon.ctl({"notify", "retry", id});
    CHECK(again.exit_code == 1);
    CHECK_THAT(again.err, Catch::Contains("is not dead"));
    CHECK(daemon.ctl({"notify", "retry", "9999"}).exit_code == 1);
    check_no_secrets(daemon);
}

TEST_CASE("a stalled receiver times out and the next attempt delivers", "[integration][notify]") {
    std::atomic<int> connections{0};
    RawTcpServer server([&](const std::string&) {
        if (connections++ == 0)
            return RawTcpServer::Action{"", true};  // accept, read, never answer
        return RawTcpServer::Action{
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok", false};
    });
    DaemonFixture daemon(
        "notifications:\n" + delivery_yaml() + "  webhooks:\n" +
        hook_yaml("slow", server.base_url() + "/hook/" + kToken, "slack", "      timeout_s: 1\n"));
    auto first = daemon.ctl({"notify", "test", "slow"});
    CHECK(first.exit_code == 1);
    CHECK_THAT(first.err, Catch::Contains("failed: timeout"));
    REQUIRE(wait_until([&] { return newest_is(daemon, "delivered"); }));
    CHECK(deliveries(daemon)["deliveries"][0]["attempts"].GetInt() == 2);
    check_no_secrets(daemon);
}

TEST_CASE("a delivery pending while the receiver is down survives a restart and goes out once",
          "[integration][notify]") {
    SimFixture sim({"--users", "10", "--sites", "1"});
    std::string name = sink("later");
    TempDir files;
    auto url_file = files.write(
        "url", "http://127.0.0.1:" + std::to_string(unused_local_port()) + "/sink/" + name);
    DaemonFixture daemon("notifications:\n" + delivery_yaml(50) + "  webhooks:\n" +
                         "    - name: later\n      url_file: " + url_file.string() +
                         "\n      format: json\n");
    auto refused = daemon.ctl({"notify", "test", "later"});
    CHECK(refused.exit_code == 1);
    CHECK_THAT(refused.err, Catch::Contains("failed: connect"));
    REQUIRE(daemon.stop() == 0);
    {
        auto db = rosterd::store::Database::open(daemon.db_path(),
                                                 rosterd::store::Database::Mode::read_only);
        auto row = db->prepare("SELECT state, attempts FROM notify_deliveries");
        REQUIRE(row.step());
        CHECK(row.text(0) == "pending");
        CHECK(row.int64(1) >= 1);
    }

    // The receiver comes back at its real address while rosterd is down.
    files.write("url", sim.base_url() + "/sink/" + name + "\n");
    daemon.start();
    REQUIRE(wait_until([&] { return newest_is(daemon, "delivered"); }));
    CHECK(sink_count(sim, name) == 1);
    auto list = deliveries(daemon);  // the row points into it
    auto row = list["deliveries"][0].GetObject();
    CHECK(row["attempts"].GetInt() >= 2);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(sink_count(sim, name) == 1);
    check_no_secrets(daemon);
}

TEST_CASE("a receiver that echoes the bare token of its URL: the token is redacted everywhere",
          "[integration][notify]") {
    SimFixture sim({"--users", "10", "--sites", "1"});
    // A Slack-like URL whose last segment is the credential; the receiver quotes it alone.
    const std::string token = "echo-" + kToken + "-Zq81xQWERTY";
    DaemonFixture daemon("notifications:\n" + delivery_yaml(2) + "  webhooks:\n" +
                         hook_yaml("echo", sim.base_url() + "/sink/" + token, "slack"));
    sink_script(sim, token,
                R"({"status":400,"body":"{\"ok\":false,\"error\":\"invalid_token\",\"token\":\")" +
                    token + R"(\"}","times":5})");
    auto sent = daemon.ctl({"notify", "test", "echo"});
    CHECK(sent.exit_code == 1);
    CHECK(sent.err.find(token) == std::string::npos);
    CHECK_THAT(sent.err, Catch::Contains("\"token\":\"<redacted>\""));
    REQUIRE(wait_until([&] { return newest_is(daemon, "dead"); }));

    auto list = daemon.ctl({"--json", "notify", "list"});
    REQUIRE(list.exit_code == 0);
    CHECK(list.out.find(token) == std::string::npos);
    auto rows = deliveries(daemon);
    CHECK(std::string(rows["deliveries"][0]["last_error"].GetString()) ==
          "HTTP 400: {\"ok\":false,\"error\":\"invalid_token\",\"token\":\"<redacted>\"}");
    auto status = daemon.ctl({"--json", "status"});
    REQUIRE(status.exit_code == 0);
    CHECK(status.out.find(token) == std::string::npos);
    CHECK_THAT(status.out, Catch::Contains("<redacted>"));
    CHECK(daemon.log().find(token) == std::string::npos);
    CHECK_THAT(daemon.log(), Catch::Contains("<redacted>"));
    REQUIRE(daemon.stop() == 0);  // the WAL is checkpointed into the database file
    for (const auto& file : std::filesystem::directory_iterator(daemon.dir() / "state")) {
        INFO(file.path());
        CHECK(read_file(file.path()).find(token) == std::string::npos);
    }
    check_no_secrets(daemon);
}
