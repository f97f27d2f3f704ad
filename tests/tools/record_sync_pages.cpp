// record-sync-pages: records the Admin API answers to one sync of a small simulated organization,
// for the sync engine's unit tests (tests/unit/sync_recorded_test.cpp replays them).
//
//   build/tests/record-sync-pages tests/unit/fixtures/sync_pages.json
//
// rosterd-sim's server runs in-process with a fixed organization (kGenerator below: seed, size,
// reference instant); a recording proxy stands between it and one sync::SyncRun (the engine the
// daemon runs, with the fake clock). The proxy forwards each request, renames every cursor token
// in the answers to a stable name derived from the request that issued it (and back again on the
// way to the simulator), and keeps each distinct exchange once with how often it was sent. The
// same build therefore writes a byte-identical file every time ("recorded pages: the fixture is
// what record-sync-pages writes" checks that); a change to the simulator or the engine's requests
// shows up as a diff of the fixture.
#include <httplib.h>
#include <rapidjson/document.h>

#include <asio/io_context.hpp>
#include <cstdio>
#include <map>
#include <mutex>

#include "generator.hpp"
#include "prng.hpp"
#include "recorded_pages.hpp"
#include "rosterd/atlassian/parse.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/store/db_executor.hpp"
#include "rosterd/store/store.hpp"
#include "rosterd/sync/sync.hpp"
#include "sim_server.hpp"
#include "temp_dir.hpp"
#include "test_http_server.hpp"

using namespace rosterd;
using namespace std::chrono_literals;

namespace {

// The organization (tens of users, a few groups, sites and products). Changing any of these
// changes the fixture; the tests derive their figures from the recorded bodies, not from here.
constexpr std::size_t kUsers = 48;
constexpr std::size_t kSites = 2;
constexpr std::size_t kProductsPerSite = 2;
constexpr std::size_t kGroups = 6;
constexpr std::uint64_t kSeed = 16;
constexpr const char* kNow = "2026-08-15T12:00:00Z";
// Pages of two for the listings that take the client's page size (workspaces, directories, group
// role assignments), so the recording holds cursor chains; users and groups are asked for 100.
constexpr int kPageLimit = 2;
constexpr const char* kStableOrigin = "https://api.atlassian.com";

void replace_all(std::string& text, const std::string& from, const std::string& to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
}

// Forwards to the simulator and records; cursor tokens are renamed both ways.
class RecordingProxy {
  public:
    explicit RecordingProxy(int sim_port)
        : sim_("127.0.0.1", sim_port), sim_origin_("http://127.0.0.1:" + std::to_string(sim_port)) {
        sim_.set_read_timeout(30, 0);
        auto handler = [this](const httplib::Request& req, httplib::Response& res) {
            forward(req, res);
        };
        server_.route("GET", ".*", handler);
        server_.route("POST", ".*", handler);
    }

    std::string url() const { return server_.base_url(); }

    test::Recording recording(const std::string& generator) const {
        std::lock_guard lock(mutex_);
        test::Recording r;
        r.generator = generator;
        for (const auto& [key, exchange] : exchanges_)
            r.exchanges.push_back(exchange);
        return r;
    }
    bool consistent() const { return consistent_; }

  private:
    // The stable names in a request, swapped for the simulator's tokens.
    std::string to_sim(std::string text, bool in_query) const {
        std::lock_guard lock(mutex_);
        for (const auto& [name, token] : tokens_)
            replace_all(text, name, in_query ? atlassian::percent_encode(token) : token);
        return text;
    }

    // Renames the cursors in the answer's "links" to names derived from the request.
    std::string from_sim(std::string body, const std::string& request_key) {
        // Links name the simulator's ephemeral port: a stable origin instead.
        replace_all(body, sim_origin_, kStableOrigin);
        rapidjson::Document doc;
        doc.Parse(body.c_str(), body.size());
        if (doc.HasParseError() || !doc.IsObject())
            return body;
        auto links = doc.FindMember("links");
        if (links == doc.MemberEnd() || !links->value.IsObject())
            return test::canonical_json(body);
        for (auto& link : links->value.GetObject()) {
            if (!link.value.IsString())
                continue;
            const std::string value = link.value.GetString();
            auto token = atlassian::extract_cursor(value);
            if (!token)
                continue;
            char hex[17];
            std::snprintf(hex, sizeof hex, "%016llx",
                          static_cast<unsigned long long>(
                              sim::fnv1a64(request_key + "#" + link.name.GetString())));
            const std::string name = std::string("cursor-") + hex;
            {
                std::lock_guard lock(mutex_);
                tokens_[name] = *token;
            }
            std::string renamed = name;
            if (value.starts_with("http://") || value.starts_with("https://")) {
                // An absolute link (v1): the same path on a stable origin, the cursor renamed.
                auto path_at = value.find('/', value.find("://") + 3);
                auto query_at = value.find('?');
                renamed =
                    kStableOrigin + value.substr(path_at, query_at - path_at) + "?cursor=" + name;
            }
            link.value.SetString(renamed.c_str(), doc.GetAllocator());
        }
        return test::compact_json(doc);
    }

    void forward(const httplib::Request& req, httplib::Response& res) {
        const std::string request_body = test::canonical_json(req.body);
        const std::string key =
            test::RecordedExchange::request_key(req.method, req.target, request_body);
        httplib::Headers headers;
        for (const char* name : {"Authorization", "Accept"})
            if (req.has_header(name))
                headers.emplace(name, req.get_header_value(name));
        const std::string target = to_sim(req.target, true);
        httplib::Result answer = req.method == "GET"
                                     ? sim_.Get(target, headers)
                                     : sim_.Post(target, headers, to_sim(req.body, false),
                                                 req.get_header_value("Content-Type").empty()
                                                     ? "application/json"
                                                     : req.get_header_value("Content-Type"));
        if (!answer) {
            res.status = 502;
            return;
        }
        test::RecordedExchange x;
        x.method = req.method;
        x.target = req.target;
        x.request_body = request_body;
        x.status = answer->status;
        if (answer->has_header("Retry-After"))
            x.headers["Retry-After"] = answer->get_header_value("Retry-After");
        x.body = from_sim(answer->body, key);
        {
            std::lock_guard lock(mutex_);
            auto [at, fresh] = exchanges_.emplace(key, x);
            if (!fresh) {
                // The same request twice (users/count before and after the listing): the
                // organization does not change, so neither may the answer.
                ++at->second.times;
                if (at->second.body != x.body || at->second.status != x.status)
                    consistent_ = false;
            }
        }
        res.status = x.status;
        for (const auto& [name, value] : x.headers)
            res.set_header(name, value);
        res.set_content(x.body, answer->get_header_value("Content-Type").empty()
                                    ? "application/json"
                                    : answer->get_header_value("Content-Type"));
    }

    httplib::Client sim_;
    const std::string sim_origin_;
    mutable std::mutex mutex_;
    std::map<std::string, std::string> tokens_;  // stable name -> the simulator's token
    std::map<std::string, test::RecordedExchange> exchanges_;
    bool consistent_ = true;
    test::TestHttpServer server_;  // last: stops before the maps go
};

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2 || std::string(argv[1]).starts_with("-")) {
        std::fprintf(stderr, "usage: record-sync-pages OUT.json\n");
        return 2;
    }
    sim::GeneratorOptions options;
    options.users = kUsers;
    options.sites = kSites;
    options.products_per_site = kProductsPerSite;
    options.groups = kGroups;
    options.seed = kSeed;
    options.now_ms = *parse_iso8601_ms(kNow);
    sim::SimServer sim(sim::generate_model(options));
    const int sim_port = sim.start("127.0.0.1", 0);
    RecordingProxy proxy(sim_port);

    test::TempDir dir;
    const std::string db_path = (dir / "rosterd.db").string();
    {
        auto db = store::Database::open(db_path);
        store::migrate(*db);
    }
    asio::io_context loop;
    store::DbExecutor db(loop, db_path);
    FakeClock clock(SysTime(std::chrono::milliseconds(options.now_ms)));
    atlassian::ClientConfig config;
    config.api_base = proxy.url();
    config.org_id = options.org_id;
    config.api_key = [] { return std::string("sim-key"); };
    config.jitter_seed = 1;
    config.page_limit = kPageLimit;
    config.clock = std::shared_ptr<const Clock>(&clock, [](const Clock*) {});
    auto run = std::make_shared<sync::SyncRun>(loop, db, clock, config, sync::SyncRunOptions{});
    std::optional<sync::SyncOutcome> outcome;
    run->start([&](const sync::SyncOutcome& o) { outcome = o; });
    test::run_until(
        loop, [&] { return outcome.has_value(); }, 120s);
    db.stop();
    if (!outcome || outcome->outcome != sync::SyncResult::succeeded) {
        std::fprintf(stderr, "record-sync-pages: the sync did not succeed: %s\n",
                     outcome ? outcome->error.c_str() : "it did not finish in 120 s");
        return 1;
    }
    if (!proxy.consistent()) {
        std::fprintf(stderr, "record-sync-pages: a request sent twice was answered differently\n");
        return 1;
    }
    const std::string generator =
        "{\"users\":" + std::to_string(kUsers) + ",\"sites\":" + std::to_string(kSites) +
        ",\"products_per_site\":" + std::to_string(kProductsPerSite) +
        ",\"groups\":" + std::to_string(kGroups) + ",\"seed\":" + std::to_string(kSeed) +
        ",\"now\":\"" + kNow + "\",\"page_limit\":" + std::to_string(kPageLimit) + "}";
    auto recording = proxy.recording(generator);
    recording.save(argv[1]);
    std::printf("record-sync-pages: %zu exchanges, %lld requests -> %s\n",
                recording.exchanges.size(), static_cast<long long>(outcome->progress.requests),
                argv[1]);
    return 0;
}
