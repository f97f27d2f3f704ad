// The API key's lifecycle against rosterd-sim: key set/check/show, the states, reminders at
// start-up (once, also across restarts), expiry, 401s and a replaced key. Secrets never reach
// the log.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <thread>

#include "daemon_fixture.hpp"
#include "notify_helpers.hpp"
#include "rosterd/keys/api_key_source.hpp"
#include "sim_fixture.hpp"

using namespace rosterd::test;

namespace {

const std::string kSimKey = "sim-test-key-0123456789";  // what SimFixture's key file holds
const std::string kSink = "keys-Zq81TOKENvx";           // the webhook URL's secret part
const std::string kSecret = "hmac-secret-4711";

std::string webhook_yaml(
    const SimFixture& sim, const std::string& reminder_days = "[30, 7]",
    const std::string& events = "[api_key_expiring, api_key_expired, api_key_rejected]") {
    return "notifications:\n  api_key_reminder_days: " + reminder_days +
           "\n  delivery: {backoff_initial_ms: 50, backoff_max_s: 1}\n  webhooks:\n"
           "    - name: keys\n      url: " +
           sim.base_url() + "/sink/" + kSink + "\n      format: json\n      secret: " + kSecret +
           "\n      events: " + events + "\n";
}

void check_no_secrets(const DaemonFixture& daemon, const std::vector<std::string>& more = {}) {
    std::string log = daemon.log();
    CHECK(log.find(kSimKey) == std::string::npos);
    CHECK(log.find(kSink) == std::string::npos);
    CHECK(log.find(kSecret) == std::string::npos);
    for (const auto& secret : more)
        CHECK(log.find(secret) == std::string::npos);
}

std::string key_state(const DaemonFixture& daemon) {
    return daemon.ctl_json({"key", "show"})["state"].GetString();
}

bool sync_succeeded(const DaemonFixture& daemon) {
    auto history = daemon.ctl_json({"sync", "history"});
    return history["runs"].Size() > 0 &&
           std::string(history["runs"][0]["outcome"].GetString()) == "succeeded";
}

}  // namespace

TEST_CASE(
    "key set checks the key with Atlassian, stores it 0600, names the organization and "
    "starts the first sync",
    "[integration][keys]") {
    SimFixture sim({"--users", "40", "--sites", "1", "--org-name", "Acme Sim Org"});
    std::string expires = date_from_today(100);
    DaemonFixture daemon("atlassian:\n  org_id: " + sim.org_id() + "\n  api_base: " +
                         sim.base_url() + "\n" + webhook_yaml(sim, "[7]", "[sync_succeeded]"));
    CHECK(key_state(daemon) == "missing");
    auto refused = daemon.ctl({"sync"});
    CHECK(refused.exit_code == 1);
    CHECK_THAT(refused.err, Catch::Contains("no organization API key: install one with "
                                            "`rosterctl key set --expires YYYY-MM-DD`"));

    // The key never goes on the command line: there is no option for it.
    CHECK(daemon.ctl({"key", "set", "--key", kSimKey}).exit_code == 2);

    std::string stored = (daemon.dir() / "state" / "api-key").string();
    auto wrong = daemon.ctl({"key", "set", "--expires", expires}, "not-the-sim-key-987\n");
    CHECK(wrong.exit_code == 1);
    CHECK_THAT(wrong.err, Catch::Contains("Atlassian rejected the key (HTTP 401)"));
    CHECK_THAT(wrong.err, Catch::Contains("nothing was stored"));
    CHECK_FALSE(std::filesystem::exists(stored));
    CHECK(key_state(daemon) == "missing");

    auto set = daemon.ctl({"key", "set", "--expires", expires}, kSimKey + "\n");
    INFO(set.out << set.err);
    REQUIRE(set.exit_code == 0);
    CHECK_THAT(set.out, Catch::Contains("key accepted by Atlassian for Acme Sim Org and stored"));
    CHECK_THAT(set.out, Catch::Contains("the first sync started"));
    CHECK(set.out.find(kSimKey) == std::string::npos);
    REQUIRE(std::filesystem::exists(stored));
    struct stat info {};
    REQUIRE(::stat(stored.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777) == 0600);
    CHECK(read_file(stored) == kSimKey + "\n");

    REQUIRE(wait_until([&] { return sync_succeeded(daemon); }, std::chrono::seconds(30)));
    auto show = daemon.ctl_json({"key", "show"});
    CHECK(std::string(show["state"].GetString()) == "ok");
    CHECK(std::string(show["source"].GetString()) == "stored");
    CHECK(std::string(show["fingerprint"].GetString()) == rosterd::key_fingerprint(kSimKey));
    CHECK(std::string(show["expires"].GetString()) == expires);
    CHECK(show["days_left"].GetInt64() == 100);
    CHECK(std::string(show["org_name"].GetString()) == "Acme Sim Org");
    CHECK(show["warning"].IsNull());
    auto human = daemon.ctl({"key", "show"});
    CHECK_THAT(human.out, Catch::Contains("fingerprint:  " + rosterd::key_fingerprint(kSimKey)));
    CHECK_THAT(human.out, Catch::Contains("(100 days left)"));

    // The sync's own event went through the outbox to the webhook that asked for it.
    REQUIRE(wait_until([&] { return sink_count(sim, kSink) == 1; }));
    auto received = sink_deliveries(sim, kSink);  // the delivery points into it
    auto delivery = received[0].GetObject();
    auto body = body_of(delivery);
    CHECK(std::string(body["event"].GetString()) == "sync_succeeded");
    CHECK(body["data"]["users"].GetInt64() == 40);
    CHECK(std::string(body["organization"]["name"].GetString()) == "Acme Sim Org");
    check_no_secrets(daemon, {"not-the-sim-key-987"});
}

TEST_CASE("a daemon started inside the reminder window reminds once, not again after a restart",
          "[integration][keys]") {
    SimFixture sim({"--users", "20", "--sites", "1"});
    std::string expires = date_from_today(3);
    DaemonFixture daemon(sim.atlassian_yaml() + "  api_key_expires: " + expires + "\n" +
                         webhook_yaml(sim));
    REQUIRE(wait_until([&] { return sink_count(sim, kSink) == 1; }));
    auto deliveries = sink_deliveries(sim, kSink);
    const auto& delivery = deliveries[0];
    auto body = body_of(delivery);
    CHECK(std::string(body["event"].GetString()) == "api_key_expiring");
    CHECK(body["data"]["lead_days"].GetInt64() == 7);  // the nearest window only, not 30
    CHECK(body["data"]["days_left"].GetInt64() == 3);
    CHECK(std::string(body["data"]["expires"].GetString()) == expires);
    CHECK(std::string(body["data"]["fingerprint"].GetString()) ==
          rosterd::key_fingerprint(kSimKey));
    CHECK(std::string(body["data"]["source"].GetString()) == "api_key_file");
    CHECK(header_of(delivery, "X-Rosterd-Event") == "api_key_expiring");
    CHECK(header_of(delivery, "X-Rosterd-Delivery") == body["delivery_id"].GetString());
    CHECK(signature_problem(header_of(delivery, "X-Rosterd-Signature"), kSecret,
                            delivery["body"].GetString()) == "");
    CHECK(key_state(daemon) == "expiring");

    REQUIRE(daemon.stop() == 0);
    daemon.start();
    // The restarted daemon evaluates the key at once; give it time to (wrongly) send again.
    REQUIRE(wait_until([&] { return key_state(daemon) == "expiring"; }));
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    CHECK(sink_count(sim, kSink) == 1);
    auto list = daemon.ctl_json({"notify", "list"});
    REQUIRE(list["deliveries"].Size() == 1);
    CHECK(std::string(list["deliveries"][0]["state"].GetString()) == "delivered");
    check_no_secrets(daemon);
}

TEST_CASE("a key past its date refuses syncs and sends api_key_expired once",
          "[integration][keys]") {
    SimFixture sim({"--users", "20", "--sites", "1"});
    std::string expired = date_from_today(-1);
    DaemonFixture daemon(sim.atlassian_yaml() + "  api_key_expires: " + expired + "\n" +
                         webhook_yaml(sim));
    REQUIRE(wait_until([&] { return sink_count(sim, kSink) == 1; }));
    auto body = body_of(sink_deliveries(sim, kSink)[0]);
    CHECK(std::string(body["event"].GetString()) == "api_key_expired");
    CHECK(std::string(body["severity"].GetString()) == "critical");
    auto refused = daemon.ctl({"sync"});
    CHECK(refused.exit_code == 1);
    CHECK_THAT(refused.err, Catch::Contains("the organization API key expired on " + expired));
    auto status = daemon.ctl_json({"status"});
    CHECK(std::string(status["key"]["state"].GetString()) == "expired");
    CHECK(std::string(status["sync"]["state"].GetString()) == "never");  // no initial sync
    REQUIRE(daemon.stop() == 0);
    daemon.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    CHECK(sink_count(sim, kSink) == 1);
    check_no_secrets(daemon);
}

TEST_CASE(
    "a 401 makes the key rejected: one notice, refused syncs, kept across a restart, "
    "cleared by key check",
    "[integration][keys]") {
    SimFixture sim({"--users", "30", "--sites", "1"});
    DaemonFixture daemon(sim.atlassian_yaml() + webhook_yaml(sim));
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    auto show = daemon.ctl_json({"key", "show"});
    CHECK(std::string(show["state"].GetString()) == "ok");
    CHECK_THAT(show["warning"].GetString(), Catch::StartsWith("the key's expiry date is unknown"));

    sim.configure(R"({"key_expired": true})");
    CHECK(daemon.ctl({"sync", "--wait"}).exit_code == 1);
    REQUIRE(wait_until([&] { return sink_count(sim, kSink) == 1; }));
    CHECK(std::string(body_of(sink_deliveries(sim, kSink)[0])["event"].GetString()) ==
          "api_key_rejected");
    auto refused = daemon.ctl({"sync"});
    CHECK(refused.exit_code == 1);
    CHECK_THAT(refused.err, Catch::Contains("rejected by Atlassian (HTTP 401)"));
    CHECK(key_state(daemon) == "rejected");

    REQUIRE(daemon.stop() == 0);
    daemon.start();
    REQUIRE(wait_until([&] { return key_state(daemon) == "rejected"; }));
    CHECK(daemon.ctl({"sync"}).exit_code == 1);
    auto still = daemon.ctl({"key", "check"});
    CHECK(still.exit_code == 1);
    CHECK_THAT(still.err, Catch::Contains("Atlassian rejected the key (HTTP 401)"));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(sink_count(sim, kSink) == 1);  // once, whatever the number of 401s

    sim.configure(R"({"key_expired": false})");
    auto check = daemon.ctl({"key", "check"});
    INFO(check.out << check.err);
    CHECK(check.exit_code == 0);
    CHECK_THAT(check.out, Catch::Contains("the key is valid for"));
    CHECK(key_state(daemon) == "ok");
    CHECK(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    check_no_secrets(daemon);
}

TEST_CASE("a replaced key gets its own reminders", "[integration][keys]") {
    SimFixture sim({"--users", "20", "--sites", "1"});
    DaemonFixture daemon(sim.atlassian_yaml() + "  api_key_expires: " + date_from_today(3) + "\n" +
                         webhook_yaml(sim));
    REQUIRE(wait_until([&] { return sink_count(sim, kSink) == 1; }));
    // The initial sync finishes with the first key; a sync still running when the simulator
    // switches keys would meet a 401 and add an api_key_rejected notice for the old key.
    REQUIRE(wait_until([&] { return sync_succeeded(daemon); }));

    const std::string second = "second-sim-key-ABCDEF0123";
    sim.configure(R"({"api_key": ")" + second + R"("})");
    auto set = daemon.ctl({"key", "set", "--expires", date_from_today(2)}, second);
    INFO(set.out << set.err);
    REQUIRE(set.exit_code == 0);
    REQUIRE(wait_until([&] { return sink_count(sim, kSink) == 2; }));
    auto deliveries = sink_deliveries(sim, kSink);
    auto first = body_of(deliveries[0]);
    auto again = body_of(deliveries[1]);
    CHECK(std::string(first["data"]["fingerprint"].GetString()) ==
          rosterd::key_fingerprint(kSimKey));
    CHECK(std::string(again["data"]["fingerprint"].GetString()) ==
          rosterd::key_fingerprint(second));
    CHECK(std::string(again["data"]["source"].GetString()) == "stored");
    CHECK(again["data"]["days_left"].GetInt64() == 2);
    CHECK(again["data"]["lead_days"].GetInt64() == 7);
    auto show = daemon.ctl_json({"key", "show"});
    CHECK(std::string(show["fingerprint"].GetString()) == rosterd::key_fingerprint(second));
    check_no_secrets(daemon, {second});
}

namespace {

std::string rosterd_config(const TempDir& dir, const std::string& atlassian) {
    return "atlassian:\n  org_id: org-1\n" + atlassian +
           "storage:\n  path: " + (dir / "state" / "rosterd.db").string() +
           "\ncontrol:\n  socket: " + (dir / "ctl.sock").string() + "\n";
}

void set_mode(const std::filesystem::path& path, ::mode_t mode) {
    REQUIRE(::chmod(path.c_str(), mode) == 0);
}

}  // namespace

TEST_CASE("check-config and start-up refuse a missing or readable api_key_file, as ssh does",
          "[integration][keys]") {
    TempDir dir;
    auto key = dir / "api-key";
    auto config =
        dir.write("rosterd.yaml", rosterd_config(dir, "  api_key_file: " + key.string() + "\n"));
    auto check = [&](const std::map<std::string, std::string>& env = {}) {
        return run_command({ROSTERD_BIN, "--check-config", config.string()}, "",
                           std::chrono::seconds(30), env);
    };

    SECTION("missing: an error naming the file and the ways to provide a key") {
        auto r = check();
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.err, Catch::StartsWith(config.string() + ": atlassian.api_key_file: " +
                                            key.string() + " does not exist"));
        CHECK_THAT(r.err, Catch::Contains("rosterctl key set --expires YYYY-MM-DD"));
        // Start-up says the same and does not start.
        auto start =
            run_command({ROSTERD_BIN, "--config", config.string()}, "", std::chrono::seconds(30));
        CHECK(start.exit_code == 1);
        CHECK_THAT(start.err, Catch::Contains(key.string() + " does not exist"));
        CHECK_FALSE(std::filesystem::exists(dir / "ctl.sock"));
    }
    SECTION("missing, but a key was installed with key set: fine") {
        std::filesystem::create_directories(dir / "state");
        set_mode(dir.write("state/api-key", "stored-key-0123456789\n"), 0600);
        auto r = check();
        INFO(r.err);
        CHECK(r.exit_code == 0);
    }
    SECTION("missing, but a systemd credential holds the key: fine") {
        std::filesystem::create_directories(dir / "creds");
        set_mode(dir.write("creds/api-key", "credential-key-0123456789\n"), 0400);
        auto r = check({{"CREDENTIALS_DIRECTORY", (dir / "creds").string()}});
        INFO(r.err);
        CHECK(r.exit_code == 0);
    }
    SECTION("readable by group or others: refused with the mode and the fix") {
        dir.write("api-key", "file-key-0123456789\n");
        for (::mode_t mode : {0644, 0640, 0604}) {
            set_mode(key, mode);
            auto r = check();
            CHECK(r.exit_code == 1);
            char octal[8];
            std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(mode));
            CHECK(r.err == config.string() + ": atlassian.api_key_file: permissions " + octal +
                               " for " + key.string() +
                               " are too open: the API key must not be readable by other users; "
                               "run `chmod 600 " +
                               key.string() + "`\n");
            CHECK(r.err.find("file-key-0123456789") == std::string::npos);
        }
        set_mode(key, 0600);
        CHECK(check().exit_code == 0);
        set_mode(key, 0400);
        CHECK(check().exit_code == 0);
    }
}

TEST_CASE("a reload that would drop the working key, or expose it, is refused",
          "[integration][keys]") {
    SimFixture sim({"--users", "20", "--sites", "1"});
    DaemonFixture daemon(sim.atlassian_yaml());
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);

    // The same configuration without api_key_file: no key would be left.
    daemon.rewrite_config("atlassian:\n  org_id: " + sim.org_id() +
                          "\n  api_base: " + sim.base_url() + "\n");
    auto dropped = daemon.ctl({"reload"});
    CHECK(dropped.exit_code == 1);
    CHECK_THAT(dropped.err, Catch::Contains("the new configuration drops the API key in use "
                                            "(api_key_file " +
                                            sim.key_file() + ")"));
    CHECK_THAT(dropped.err, Catch::Contains("the running configuration stays"));
    auto show = daemon.ctl_json({"key", "show"});
    CHECK(std::string(show["state"].GetString()) == "ok");
    CHECK(std::string(show["source"].GetString()) == "api_key_file");
    CHECK(daemon.ctl({"sync", "--wait"}).exit_code == 0);

    // A key file others may read is refused on reload too (and by SIGHUP, logged).
    daemon.rewrite_config(sim.atlassian_yaml());
    set_mode(sim.key_file(), 0644);
    auto exposed = daemon.ctl({"reload"});
    CHECK(exposed.exit_code == 1);
    CHECK_THAT(exposed.err,
               Catch::Contains("permissions 0644 for " + sim.key_file() + " are too open"));
    set_mode(sim.key_file(), 0600);
    CHECK(daemon.ctl({"reload"}).exit_code == 0);
    check_no_secrets(daemon);
}

TEST_CASE("key set needs --expires unless --no-expiry-date says the date is unknown",
          "[integration][keys]") {
    SimFixture sim({"--users", "20", "--sites", "1", "--org-name", "Acme Sim Org"});
    DaemonFixture daemon("atlassian:\n  org_id: " + sim.org_id() +
                         "\n  api_base: " + sim.base_url() + "\n");
    std::string stored = (daemon.dir() / "state" / "api-key").string();

    auto bare = daemon.ctl({"key", "set"}, kSimKey + "\n");
    CHECK(bare.exit_code == 2);
    CHECK_THAT(bare.err, Catch::Contains("--expires YYYY-MM-DD is required"));
    CHECK_THAT(bare.err, Catch::Contains("--no-expiry-date"));
    CHECK_FALSE(std::filesystem::exists(stored));
    // The daemon refuses it too, whatever client sends it.
    auto raw = raw_exchange(daemon.socket_path(),
                            R"({"id":1,"command":"key.set","args":{"key":")" + kSimKey + "\"}}\n");
    CHECK_THAT(raw, Catch::Contains(R"("code":"invalid_args")"));
    CHECK_THAT(raw, Catch::Contains("--expires YYYY-MM-DD is required"));
    CHECK(raw.find(kSimKey) == std::string::npos);
    CHECK_FALSE(std::filesystem::exists(stored));
    CHECK(daemon
              .ctl({"key", "set", "--expires", date_from_today(30), "--no-expiry-date"},
                   kSimKey + "\n")
              .exit_code == 2);

    auto unknown = daemon.ctl({"key", "set", "--no-expiry-date"}, kSimKey + "\n");
    INFO(unknown.out << unknown.err);
    REQUIRE(unknown.exit_code == 0);
    CHECK(std::filesystem::exists(stored));
    auto show = daemon.ctl_json({"key", "show"});
    CHECK(std::string(show["source"].GetString()) == "stored");
    CHECK(show["expires"].IsNull());
    CHECK(show["expiry_known"].GetBool() == false);
    CHECK_THAT(show["warning"].GetString(), Catch::StartsWith("the key's expiry date is unknown"));
    CHECK_THAT(daemon.ctl({"key", "show"}).out, Catch::Contains("expires:      unknown\n"));
    auto status = daemon.ctl_json({"status"});
    CHECK(status["key"]["expiry_known"].GetBool() == false);
    check_no_secrets(daemon);
}

TEST_CASE("a new key that replaces a rejected one starts a sync at once", "[integration][keys]") {
    SimFixture sim({"--users", "30", "--sites", "1"});
    // No schedule can start it: the daily sync is hours away.
    DaemonFixture daemon(sim.atlassian_yaml());
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    sim.configure(R"({"key_expired": true})");
    CHECK(daemon.ctl({"sync", "--wait"}).exit_code == 1);
    REQUIRE(wait_until([&] { return key_state(daemon) == "rejected"; }));
    auto runs_before = daemon.ctl_json({"sync", "history"})["runs"].Size();

    const std::string second = "replacement-sim-key-0042";
    sim.configure(R"({"key_expired": false, "api_key": ")" + second + R"("})");
    auto set = daemon.ctl({"key", "set", "--expires", date_from_today(90)}, second + "\n");
    INFO(set.out << set.err);
    REQUIRE(set.exit_code == 0);
    CHECK_THAT(set.out, Catch::Contains("a sync started, as the key replaces a rejected or "
                                        "expired one"));
    REQUIRE(wait_until(
        [&] {
            auto history = daemon.ctl_json({"sync", "history"});  // owns what `runs` views
            auto runs = history["runs"].GetArray();
            return runs.Size() == runs_before + 1 &&
                   std::string(runs[0]["outcome"].GetString()) == "succeeded";
        },
        std::chrono::seconds(30)));
    auto history = daemon.ctl_json({"sync", "history"});
    auto newest = history["runs"][0].GetObject();
    CHECK(std::string(newest["trigger"].GetString()) == "new-key");
    CHECK(key_state(daemon) == "ok");
    check_no_secrets(daemon, {second});
}

TEST_CASE("key show names the organization and the last check for a key from api_key_file",
          "[integration][keys]") {
    SimFixture sim({"--users", "20", "--sites", "1", "--org-name", "Acme Sim Org"});
    DaemonFixture daemon(sim.atlassian_yaml());
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    auto show = daemon.ctl_json({"key", "show"});
    CHECK(std::string(show["source"].GetString()) == "api_key_file");
    REQUIRE(show["org_name"].IsString());
    CHECK(std::string(show["org_name"].GetString()) == "Acme Sim Org");
    REQUIRE(show["last_checked"].IsString());
    auto human = daemon.ctl({"key", "show"});
    CHECK_THAT(human.out, Catch::Contains("organization: Acme Sim Org\n"));
    CHECK(human.out.find("last checked: never") == std::string::npos);
    // Remembered across a restart, like a key installed with key set.
    REQUIRE(daemon.stop() == 0);
    daemon.start();
    REQUIRE(wait_until([&] {
        auto again = daemon.ctl_json({"key", "show"});
        return again["org_name"].IsString() &&
               std::string(again["org_name"].GetString()) == "Acme Sim Org";
    }));
}
