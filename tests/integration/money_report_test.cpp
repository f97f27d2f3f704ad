// The HTML report in a real browser: headless Chromium (Debian's chromium package) loads the file
// with every request sent to a proxy this test listens on, so any network request is seen (the
// browser's own background calls to its update, time and account services, which it makes for
// about:blank too, are told apart by host; anything else fails); the console is logged to stderr;
// the DOM Chromium rendered is dumped and its figures compared with the dashboard's; a screenshot
// stays in the build tree (test-artifacts/money-report.png).
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "daemon_fixture.hpp"
#include "org_truth.hpp"
#include "sim_fixture.hpp"

using namespace rosterd::test;

namespace {

// A TCP listener on 127.0.0.1 that records the first line of every request made to it (the
// proxy request: "CONNECT host:443 HTTP/1.1" or "GET http://host/... HTTP/1.1").
class CountingProxy {
  public:
    CountingProxy() {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
        REQUIRE(::listen(fd_, 16) == 0);
        socklen_t length = sizeof address;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
        thread_ = std::thread([this] {
            while (!stop_) {
                pollfd p{fd_, POLLIN, 0};
                if (::poll(&p, 1, 100) > 0) {
                    int client = ::accept(fd_, nullptr, nullptr);
                    if (client >= 0) {
                        std::string line;
                        char c = 0;
                        pollfd in{client, POLLIN, 0};
                        while (line.size() < 2000 && ::poll(&in, 1, 1000) > 0 &&
                               ::read(client, &c, 1) == 1 && c != '\r' && c != '\n')
                            line += c;
                        std::lock_guard lock(mutex_);
                        requests_.push_back(line);
                        ::close(client);
                    }
                }
            }
        });
    }
    ~CountingProxy() {
        stop_ = true;
        thread_.join();
        ::close(fd_);
    }
    int port() const { return port_; }
    std::vector<std::string> requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }

  private:
    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    std::vector<std::string> requests_;
    std::thread thread_;
};

std::string chromium() {
    for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
        if (std::filesystem::exists(path))
            return path;
    FAIL("Chromium is missing: apt-get install chromium (in the Makefile's DEPS)");
    return "";
}

CommandResult run_chromium(const std::string& profile, int proxy_port,
                           const std::vector<std::string>& extra) {
    std::vector<std::string> argv = {chromium(),
                                     "--headless",
                                     "--no-sandbox",
                                     "--disable-gpu",
                                     "--disable-quic",
                                     "--no-first-run",
                                     "--disable-background-networking",
                                     "--disable-component-update",
                                     "--disable-sync",
                                     "--user-data-dir=" + profile,
                                     "--proxy-server=127.0.0.1:" + std::to_string(proxy_port),
                                     "--proxy-bypass-list=<-loopback>",
                                     "--enable-logging=stderr",
                                     "--v=0"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_command(argv, "", std::chrono::seconds(90));
}

// The host a proxy request line names.
std::string host_of(const std::string& request) {
    std::smatch m;
    if (std::regex_search(request, m, std::regex("^CONNECT ([^: ]+)")) ||
        std::regex_search(request, m, std::regex("^[A-Z]+ [a-z]+://([^:/ ]+)")))
        return m[1];
    return request;
}

// What headless Chromium asks for by itself, whatever the page (seen for about:blank as well).
bool browser_service(const std::string& host) {
    static const std::set<std::string> own = {"clients2.google.com", "update.googleapis.com",
                                              "accounts.google.com"};
    return own.count(host) > 0;
}

std::string read_all(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("the HTML report renders in Chromium offline, with the dashboard's figures",
          "[integration][money][browser]") {
    SimFixture sim({"--users", "300", "--sites", "2", "--products-per-site", "3", "--seed", "5"});
    DaemonFixture daemon(sim.atlassian_yaml() + "  api_key_expires: 2999-12-31\n" +
                         "pricing:\n  currency: EUR\n  monthly_per_seat:\n    jira-software: 7.5\n"
                         "  tiers:\n    confluence:\n      bands:\n        - up_to: 20\n"
                         "          per_seat: 6\n        - per_seat: 5\n");
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    auto org = load(sim.truth());
    std::vector<std::string> some;
    for (const auto& u : org.users)
        if (ordinary(u) && some.size() < 2)
            some.push_back(u.id);
    REQUIRE(daemon.ctl_json({"bulk", "suspend", "--users", joined(some), "--apply"}).IsObject());
    wait_quiet(daemon);

    const std::filesystem::path artefacts = ROSTERD_TEST_ARTIFACTS;
    std::filesystem::create_directories(artefacts);
    const auto html_path = artefacts / "money-report.html";
    const auto png_path = artefacts / "money-report.png";
    std::filesystem::remove(png_path);
    auto written = daemon.ctl({"report", "--html", "-o", html_path.string()});
    INFO(written.out << written.err);
    REQUIRE(written.exit_code == 0);
    auto dashboard = daemon.ctl_json({"dashboard"});

    // Self-contained: nothing that could load from elsewhere.
    const auto html = read_all(html_path);
    for (const char* outside : {"http:", "https:", "//", "<script", "<link", "<img", "<iframe",
                                "src=", "href=", "url(", "@import", "@font-face"})
        CHECK(html.find(outside) == std::string::npos);

    CountingProxy proxy;
    const auto url = "file://" + html_path.string();
    auto dom =
        run_chromium((daemon.dir() / "chromium-dom").string(), proxy.port(), {"--dump-dom", url});
    INFO(dom.err.substr(0, 4000));
    REQUIRE(dom.exit_code == 0);
    auto shot = run_chromium((daemon.dir() / "chromium-shot").string(), proxy.port(),
                             {"--window-size=1100,2600", "--screenshot=" + png_path.string(), url});
    REQUIRE(shot.exit_code == 0);
    // No network request for the page: only the browser's own background calls reach the proxy.
    for (const auto& request : proxy.requests()) {
        INFO(request);
        CHECK(browser_service(host_of(request)));
    }
    CHECK(dom.err.find("CONSOLE") == std::string::npos);
    CHECK(shot.err.find("CONSOLE") == std::string::npos);
    const auto png = read_all(png_path);
    REQUIRE(png.size() > 20'000);
    CHECK(png.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);

    // The rendered DOM: the browser parsed every figure, and each equals the dashboard's.
    CHECK(dom.out.find("<svg class=\"chart\"") != std::string::npos);
    std::map<std::string, std::string> figures;
    std::regex figure("data-key=\"([^\"]+)\" data-value=\"([^\"]*)\"");
    for (auto it = std::sregex_iterator(dom.out.begin(), dom.out.end(), figure);
         it != std::sregex_iterator(); ++it)
        figures[(*it)[1]] = (*it)[2];
    std::int64_t billable = 0, inactive = 0;
    std::size_t compared = 0;
    auto same = [&](const std::string& key, const rapidjson::Value& v) {
        INFO(key);
        REQUIRE(figures.count(key));
        CHECK(figures[key] == std::to_string(v.GetInt64()));
        ++compared;
    };
    char cost[32];
    for (const auto& p : dashboard["products"].GetArray()) {
        const std::string product = p["product"].GetString();
        same(product + ".total", p["total"]);
        same(product + ".active", p["active"]);
        same(product + ".inactive", p["inactive"]);
        billable += p["total"].GetInt64();
        inactive += p["inactive"].GetInt64();
        if (p["inactive_monthly_cost"].IsNumber()) {
            std::snprintf(cost, sizeof cost, "%.2f", p["inactive_monthly_cost"].GetDouble());
            CHECK(figures[product + ".inactive_monthly_cost"] == cost);
        }
        for (const auto& s : p["sites"].GetArray()) {
            const std::string key = product + "@" + s["site"].GetString();
            same(key + ".total", s["total"]);
            same(key + ".inactive", s["inactive"]);
        }
    }
    CHECK(compared > 12);
    CHECK(figures["total.billable"] == std::to_string(billable));
    CHECK(figures["total.inactive"] == std::to_string(inactive));
    auto savings = daemon.ctl_json({"savings"});
    CHECK(figures.count("savings.realised") == 1);
    CHECK(savings["realised_seats"].GetInt64() > 0);
    CHECK(dom.out.find("Recent runs") != std::string::npos);
    auto key = daemon.ctl_json({"key", "show"});
    INFO(compact(key));
    REQUIRE(key.HasMember("days_left"));
    CHECK(figures["key.days_left"] == std::to_string(key["days_left"].GetInt64()));
}
