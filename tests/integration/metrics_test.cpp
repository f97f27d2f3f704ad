// The Prometheus endpoint (metrics.listen) against rosterd-sim's ground truth and the dashboard:
// Debian's promtool accepts the text, every seat figure equals `rosterctl --json dashboard` and
// the truth at the instant the metrics say they were measured, the small figures equal what the
// other commands report, and the endpoint answers while a sync runs.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "daemon_fixture.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/version.hpp"
#include "sim_fixture.hpp"

using namespace rosterd::test;

namespace {

constexpr std::int64_t kDay = 86'400'000;

// A port nobody listens on now (the kernel's next ephemeral one).
int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

// Sends `request` as it is, returns everything the server sent until it closed.
std::string exchange(int fd, const std::string& request,
                     std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    REQUIRE(fd >= 0);
    if (!request.empty())
        REQUIRE(::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
                static_cast<ssize_t>(request.size()));
    std::string out;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    char buffer[65536];
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 100) <= 0)
            continue;
        auto n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0)
            break;
        out.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
}

int tcp_connect(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

int unix_connect(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

struct HttpReply {
    int status = 0;
    std::string head, body;
};

HttpReply parse_reply(const std::string& raw) {
    HttpReply r;
    auto end = raw.find("\r\n\r\n");
    REQUIRE(end != std::string::npos);
    r.head = raw.substr(0, end);
    r.body = raw.substr(end + 4);
    REQUIRE(r.head.rfind("HTTP/1.1 ", 0) == 0);
    r.status = std::stoi(r.head.substr(9, 3));
    return r;
}

HttpReply get(int port, const std::string& path = "/metrics") {
    return parse_reply(exchange(tcp_connect(port), "GET " + path +
                                                       " HTTP/1.1\r\nHost: localhost\r\n"
                                                       "Accept: text/plain\r\n\r\n"));
}

// "name{labels}" -> value, for every sample line.
std::map<std::string, double> samples(const std::string& text) {
    std::map<std::string, double> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#')
            continue;
        auto space = line.rfind(' ');
        out[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
    return out;
}

std::string seat(const std::string& metric, const std::string& product, const std::string& site) {
    return metric + "{product=\"" + product + "\",site=\"" + site + "\"}";
}

// promtool from Debian's prometheus package: `make deps` installs it; a missing one fails.
std::string promtool() {
    for (const char* candidate : {"/usr/bin/promtool", "/usr/local/bin/promtool"})
        if (std::filesystem::exists(candidate))
            return candidate;
    FAIL("promtool not found: install Debian's prometheus package (make deps)");
    return "";
}

const char* kConfig = R"(
inactivity:
  days: 30
  per_product:
    confluence: 60
pricing:
  currency: EUR
  monthly_per_seat:
    jira-software: 7.5
notifications:
  delivery:
    max_attempts: 1
  webhooks:
    - name: nowhere
      url: http://127.0.0.1:9/hook
      format: json
      events: [sync_succeeded]
)";

}  // namespace

TEST_CASE("/metrics passes promtool and equals the dashboard, the truth and the other commands",
          "[integration][metrics]") {
    SimFixture sim({"--users", "600", "--sites", "3", "--products-per-site", "4", "--seed", "21"});
    const int port = free_port();
    // The key expires in 20 days: 00:00 UTC twenty days after today's.
    const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
    const std::string expires =
        rosterd::format_iso8601_s((now_ms / kDay + 20) * kDay).substr(0, 10);
    DaemonFixture daemon(sim.atlassian_yaml() + "  api_key_expires: " + expires + "\n" + kConfig +
                         "metrics:\n  listen: 127.0.0.1:" + std::to_string(port) + "\n");

    // Before the first sync: the endpoint answers, without seat figures.
    auto early = get(port);
    REQUIRE(early.status == 200);
    CHECK(early.body.find("rosterd_seats_billable") == std::string::npos);

    auto synced = daemon.ctl({"sync", "--wait"});
    INFO(synced.out << synced.err);
    REQUIRE(synced.exit_code == 0);
    // The sync_succeeded delivery fails once and is dead (max_attempts 1).
    REQUIRE(wait_until([&] {
        return daemon.ctl_json({"notify", "list", "--state", "dead"})["deliveries"].Size() == 1;
    }));
    auto planned = daemon.ctl({"bulk", "suspend", "--domain", "nowhere.example"});
    REQUIRE(planned.exit_code == 0);

    auto reply = get(port);
    REQUIRE(reply.status == 200);
    CHECK_THAT(reply.head, Catch::Contains("Content-Type: text/plain; version=0.0.4"));
    INFO(reply.body);

    // promtool parses and lints it: no complaint at all.
    auto checked = run_command({promtool(), "check", "metrics"}, reply.body);
    INFO("promtool: " << checked.out << checked.err);
    CHECK(checked.exit_code == 0);
    CHECK(checked.out.empty());
    CHECK(checked.err.empty());

    auto m = samples(reply.body);
    auto dashboard = daemon.ctl_json({"dashboard"});
    const auto truth = sim.truth();
    const auto measured =
        static_cast<std::int64_t>(m.at("rosterd_seats_measured_timestamp_seconds") * 1000);
    CHECK(m.at("rosterd_snapshot_id") == dashboard["snapshot"].GetInt64());
    CHECK(std::llabs(measured - dashboard["now_ms"].GetInt64()) < 60'000);

    // Expected from the truth at the instant the metrics measured inactivity.
    std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, std::int64_t>> expected;
    for (const auto& b : truth["billable"].GetArray()) {
        std::string product = b["product"].GetString(), site = b["site"].GetString();
        int days = product == "confluence" ? 60 : 30;
        auto& cell = expected[{product, site}];
        for (const auto& u : b["users"].GetArray()) {
            ++cell.first;
            auto since = u["last_active_ms"].IsNull() ? u["added_to_org_ms"].GetInt64()
                                                      : u["last_active_ms"].GetInt64();
            if (since <= measured - days * kDay)
                ++cell.second;
        }
    }
    std::size_t site_rows = 0;
    double total_cost = 0;
    for (const auto& p : dashboard["products"].GetArray()) {
        std::string product = p["product"].GetString();
        CHECK(m.at("rosterd_seats_inactive_threshold_seconds{product=\"" + product + "\"}") ==
              p["inactive_days"].GetInt() * 86400);
        for (const auto& s : p["sites"].GetArray()) {
            std::string site = s["site"].GetString();
            INFO(product << " @ " << site);
            ++site_rows;
            CHECK(m.at(seat("rosterd_seats_billable", product, site)) == s["total"].GetInt64());
            CHECK(m.at(seat("rosterd_seats_active", product, site)) == s["active"].GetInt64());
            CHECK(m.at(seat("rosterd_seats_inactive", product, site)) == s["inactive"].GetInt64());
            auto cell = expected[{product, site}];
            CHECK(m.at(seat("rosterd_seats_billable", product, site)) == cell.first);
            CHECK(m.at(seat("rosterd_seats_inactive", product, site)) == cell.second);
            if (s["capacity"].IsNull())
                CHECK(m.count(seat("rosterd_seats_capacity", product, site)) == 0);
            else
                CHECK(m.at(seat("rosterd_seats_capacity", product, site)) ==
                      s["capacity"].GetInt64());
            auto cost = "rosterd_seats_inactive_monthly_cost{product=\"" + product + "\",site=\"" +
                        site + "\",currency=\"EUR\"}";
            if (product == "jira-software") {
                CHECK(m.at(cost) == Approx(s["inactive_monthly_cost"].GetDouble()));
                CHECK(m.at(cost) == Approx(7.5 * static_cast<double>(cell.second)));
                total_cost += m.at(cost);
            } else {
                CHECK(m.count(cost) == 0);
            }
        }
    }
    CHECK(site_rows == 12);  // 3 sites x 4 products
    CHECK(total_cost == Approx(dashboard["inactive_monthly_cost"].GetDouble()));
    CHECK(total_cost > 0);

    // Sync: as `sync history` and `status` say.
    auto history = daemon.ctl_json({"sync", "history"});
    const auto& last = history["runs"][0];
    CHECK(m.at("rosterd_last_sync_requests") == last["requests"].GetInt64());
    CHECK(m.at("rosterd_last_sync_requests") > 0);
    CHECK(m.at("rosterd_last_sync_retries") == last["retries"].GetInt64());
    CHECK(m.at("rosterd_last_sync_success") == 1);
    CHECK(m.at("rosterd_sync_running") == 0);
    // One sync, or two when the start-up sync finished before `sync --wait` asked for one.
    std::int64_t succeeded = 0;
    for (const auto& run : history["runs"].GetArray())
        succeeded += std::string(run["outcome"].GetString()) == "succeeded";
    CHECK(m.at("rosterd_syncs_total{outcome=\"succeeded\"}") == succeeded);
    CHECK(m.at("rosterd_last_sync_duration_seconds") > 0);
    CHECK(m.at("rosterd_last_sync_duration_seconds") < 60);
    auto status = daemon.ctl_json({"status"});
    CHECK(m.at("rosterd_last_successful_sync_timestamp_seconds") ==
          Approx(static_cast<double>(dashboard["now_ms"].GetInt64() -
                                     dashboard["age_s"].GetInt64() * 1000) /
                 1000.0)
              .margin(1.0));
    CHECK(std::string(status["sync"]["last_success"].GetString()).size() > 0);

    // Key: 20 days left, state ok (the reminder comes at 7), as `key show` says.
    auto key = daemon.ctl_json({"key", "show"});
    CHECK(std::string(key["state"].GetString()) == "ok");
    CHECK(m.at("rosterd_api_key_expiry_timestamp_seconds") ==
          static_cast<double>((now_ms / kDay + 20) * kDay / 1000));
    const double remaining = m.at("rosterd_api_key_remaining_seconds");
    CHECK(std::ceil(remaining / 86400) == 20);
    std::string state = key["state"].GetString();
    CHECK(m.at("rosterd_api_key_state{state=\"" + state + "\"}") == 1);
    double states = 0;
    for (auto s : {"missing", "ok", "expiring", "expired", "rejected"})
        states += m.at(std::string("rosterd_api_key_state{state=\"") + s + "\"}");
    CHECK(states == 1);
    CHECK(std::ceil(remaining / 86400) == key["days_left"].GetInt64());

    // Outbox and runs.
    CHECK(m.at("rosterd_outbox_deliveries{state=\"dead\"}") == 1);
    CHECK(m.at("rosterd_outbox_deliveries{state=\"pending\"}") == 0);
    CHECK(m.at("rosterd_runs_total{state=\"planned\"}") == 1);
    CHECK(m.at("rosterd_runs_total{state=\"succeeded\"}") == 0);
    CHECK(m.at("rosterd_runs_in_progress{state=\"running\"}") == 0);
    CHECK(m.at("rosterd_build_info{version=\"" + std::string(rosterd::kVersion) + "\"}") == 1);
    // Notices do not exist yet (docs/metrics.md says so).
    CHECK(reply.body.find("notice") == std::string::npos);

    // docs/metrics.md has a row for every family served, and the example Grafana dashboard asks
    // only for families that are served.
    const std::string doc = read_file(ROSTERD_SOURCE_DIR "/docs/metrics.md");
    std::set<std::string> families;
    std::istringstream lines(reply.body);
    for (std::string line; std::getline(lines, line);)
        if (line.rfind("# TYPE ", 0) == 0)
            families.insert(line.substr(7, line.find(' ', 7) - 7));
    CHECK(families.size() == 22);
    for (const auto& family : families) {
        INFO("docs/metrics.md has no row for " << family);
        CHECK(doc.find("| `" + family + "` |") != std::string::npos);
    }
    const std::string grafana = read_file(ROSTERD_SOURCE_DIR "/docs/grafana-dashboard.json");
    rapidjson::Document dashboard_json;
    REQUIRE_FALSE(dashboard_json.Parse(grafana.c_str()).HasParseError());
    std::size_t asked = 0;
    for (std::size_t at = grafana.find("rosterd_"); at != std::string::npos;
         at = grafana.find("rosterd_", at + 1)) {
        auto end = grafana.find_first_not_of("abcdefghijklmnopqrstuvwxyz_", at);
        std::string name = grafana.substr(at, end - at);
        INFO("the Grafana dashboard asks for " << name);
        CHECK(families.count(name) == 1);
        ++asked;
    }
    CHECK(asked >= 10);
}

TEST_CASE("/metrics answers 404, 405, 400 and 431 and refuses slow or oversized requests",
          "[integration][metrics]") {
    const int port = free_port();
    DaemonFixture daemon("metrics:\n  listen: 127.0.0.1:" + std::to_string(port) + "\n");
    REQUIRE(wait_until([&] {
        int fd = tcp_connect(port);
        if (fd < 0)
            return false;
        ::close(fd);
        return true;
    }));
    CHECK(get(port, "/").status == 404);
    CHECK(get(port, "/metricsx").status == 404);
    CHECK(get(port, "/metrics?x=1").status == 200);
    auto post = parse_reply(exchange(tcp_connect(port), "POST /metrics HTTP/1.1\r\n\r\n"));
    CHECK(post.status == 405);
    CHECK_THAT(post.head, Catch::Contains("Allow: GET, HEAD"));
    auto head = parse_reply(exchange(tcp_connect(port), "HEAD /metrics HTTP/1.1\r\n\r\n"));
    CHECK(head.status == 200);
    CHECK(head.body.empty());
    CHECK(parse_reply(exchange(tcp_connect(port), "nonsense\r\n\r\n")).status == 400);
    auto big = parse_reply(exchange(
        tcp_connect(port), "GET /metrics HTTP/1.1\r\nX: " + std::string(20000, 'a') + "\r\n\r\n"));
    CHECK(big.status == 431);
    // A client that never finishes its request is answered 408 and closed (10 s).
    auto started = std::chrono::steady_clock::now();
    auto slow = parse_reply(exchange(tcp_connect(port), "GET /metr", std::chrono::seconds(20)));
    CHECK(slow.status == 408);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(15));
    // The daemon still serves.
    CHECK(get(port).status == 200);
    CHECK(daemon.ctl({"status"}).exit_code == 0);
}

TEST_CASE("the endpoint answers at once while a sync runs, and over a UNIX socket",
          "[integration][metrics]") {
    SimFixture sim({"--users", "1500", "--sites", "2", "--seed", "11"});
    const std::string path = (std::filesystem::temp_directory_path() /
                              ("rosterd-metrics-" + std::to_string(::getpid()) + ".sock"))
                                 .string();
    DaemonFixture daemon(sim.atlassian_yaml() + "metrics:\n  listen: " + path + "\n");
    auto unix_get = [&] {
        return parse_reply(exchange(unix_connect(path), "GET /metrics HTTP/1.1\r\n\r\n"));
    };
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    auto before = samples(unix_get().body);
    REQUIRE(before.at("rosterd_snapshot_id") > 0);

    sim.configure(R"({"latency_ms": 150})");
    REQUIRE(daemon.ctl({"sync"}).exit_code == 0);
    for (int i = 0; i < 5; ++i) {
        auto started = std::chrono::steady_clock::now();
        auto during = unix_get();
        auto took = std::chrono::steady_clock::now() - started;
        REQUIRE(during.status == 200);
        auto m = samples(during.body);
        CHECK(m.at("rosterd_sync_running") == 1);
        // The previous snapshot's figures, unchanged, while the new one is being written.
        CHECK(m.at("rosterd_snapshot_id") == before.at("rosterd_snapshot_id"));
        for (const auto& [name, value] : before)
            if (name.rfind("rosterd_seats_billable", 0) == 0)
                CHECK(m.at(name) == value);
        CHECK(took < std::chrono::milliseconds(500));
    }
    sim.configure(R"({"latency_ms": 0})");
    REQUIRE(wait_until([&] { return samples(unix_get().body).at("rosterd_sync_running") == 0; },
                       std::chrono::seconds(60)));
    auto after = samples(unix_get().body);
    CHECK(after.at("rosterd_snapshot_id") > before.at("rosterd_snapshot_id"));
    CHECK(after.at("rosterd_syncs_total{outcome=\"succeeded\"}") ==
          before.at("rosterd_syncs_total{outcome=\"succeeded\"}") + 1);
    daemon.stop();
    CHECK_FALSE(std::filesystem::exists(path));  // the socket file goes with the daemon
}

TEST_CASE("a metrics.listen other hosts can reach is refused unless allowed",
          "[integration][metrics]") {
    DaemonFixture daemon("", false);
    auto check = [&](const std::string& yaml) {
        daemon.write_raw_config(yaml);
        return run_command({rosterd_binary(), "--check-config", daemon.config_path()});
    };
    auto refused = check("metrics:\n  listen: 0.0.0.0:9817\n");
    CHECK(refused.exit_code == 1);
    CHECK_THAT(refused.out + refused.err,
               Catch::Contains("metrics.listen: 0.0.0.0 is not a loopback address") &&
                   Catch::Contains("metrics.allow_remote: true"));
    CHECK(check("metrics:\n  listen: 0.0.0.0:9817\n  allow_remote: true\n").exit_code == 0);
    CHECK(check("metrics:\n  listen: \"[::1]:9817\"\n").exit_code == 0);
    CHECK(check("metrics:\n  listen: localhost:9817\n").exit_code == 0);
    CHECK(check("metrics:\n  listen: /run/rosterd/metrics.sock\n").exit_code == 0);
    CHECK(check("metrics:\n  listen: 192.168.1.5:9817\n").exit_code == 1);
    CHECK(check("metrics:\n  listen: example.com:9817\n").exit_code == 1);
    CHECK(check("metrics:\n  listen: 127.0.0.1:0\n").exit_code == 1);
}
