// The sync engine (SyncRun) against recorded Admin API pages and the fake clock: no simulator
// runs here, every figure comes from the recorded bodies themselves, and a request the recording
// does not hold is answered 404 naming it (so a change in what the engine asks shows up here).
//
// The recording, tests/unit/fixtures/sync_pages.json, is one sync of a small simulated
// organization (48 users, 2 sites with 2 products each, a few groups; pages of 2 where the client
// chooses the page size, so the workspaces come in a cursor chain). To record it again, after a
// change to the simulator or to the requests a sync sends:
//
//   cmake --build build --target record-sync-pages
//   build/tests/record-sync-pages tests/unit/fixtures/sync_pages.json
//
// The file is byte-identical from run to run (cursors get stable names); the ctest
// "recorded pages: the fixture is what record-sync-pages writes" fails when it is out of date.
// The figures below (requests per endpoint) are those of this recording.
#include <asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <ctime>
#include <map>
#include <set>

#include "recorded_pages.hpp"
#include "replay_server.hpp"
#include "rosterd/atlassian/parse.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/store/db_executor.hpp"
#include "rosterd/store/snapshot_slots.hpp"
#include "rosterd/store/store.hpp"
#include "rosterd/sync/sync.hpp"
#include "snapshot_reader.hpp"
#include "temp_dir.hpp"
#include "test_http_server.hpp"

using namespace rosterd;
using namespace std::chrono_literals;
using test::RecordedExchange;
using test::Recording;
using test::ReplayServer;

namespace {

const Recording& recording() {
    static const Recording loaded =
        Recording::load(std::string(ROSTERD_SOURCE_DIR) + "/tests/unit/fixtures/sync_pages.json");
    return loaded;
}

rapidjson::Document parse(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str(), text.size());
    REQUIRE_FALSE(doc.HasParseError());
    return doc;
}

// "Sat, 15 Aug 2026 12:00:02 GMT"
std::string http_date(SysTime at) {
    const std::time_t seconds =
        std::chrono::duration_cast<std::chrono::seconds>(at.time_since_epoch()).count();
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char text[64];
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return text;
}

// What the recorded bodies say the snapshot must hold.
struct RecordedTruth {
    std::map<std::string, std::string> status;  // account -> status
    std::map<std::pair<std::string, std::string>, std::optional<std::int64_t>> last_active;
    std::map<std::pair<std::string, std::string>, std::string> role;  // unambiguous ones
    std::int64_t memberships = 0;
    std::set<std::string> groups;
    std::set<std::string> sites;
    std::set<std::string> products;
};

// "ari:cloud:identity::group/<uuid>" (users' groups) or "<uuid>" (the groups API) -> "<uuid>".
std::string group_uuid(std::string id) {
    const auto slash = id.rfind('/');
    return slash == std::string::npos ? id : id.substr(slash + 1);
}

struct FilteredGroupSearch {
    std::set<std::string> named;     // roleIds or resourceIds
    std::set<std::string> returned;  // group ids
};

RecordedTruth recorded_truth() {
    RecordedTruth truth;
    std::vector<FilteredGroupSearch> role_searches, product_searches;
    std::map<std::pair<std::string, std::string>, std::set<std::string>> roles_found;
    std::set<std::string> admin_holders;                     // hold admin somewhere
    std::map<std::string, std::set<std::string>> admin_on;   // group -> products
    std::map<std::string, std::set<std::string>> groups_of;  // account -> groups
    for (const auto& x : recording().exchanges) {
        const auto path = test::target_path(x.target);
        auto body = parse(x.body);
        if (path.ends_with("/users/search")) {
            auto request = parse(x.request_body);
            if (request.HasMember("roleIds") && !request.HasMember("resourceIds")) {
                // Who holds roleIds[0] anywhere.
                for (const auto& u : body["data"].GetArray())
                    admin_holders.insert(u["accountId"].GetString());
                continue;
            }
            if (request.HasMember("roleIds")) {
                // A role query: who holds roleIds[0] on resourceIds[0] (of everyone, or of the
                // accounts its emails or accountIds name). A question naming several products
                // returns, with their product access, accounts that reach one of them: that one.
                const std::string role = request["roleIds"][0].GetString();
                const auto& named = request["resourceIds"];
                for (const auto& u : body["data"].GetArray()) {
                    std::string resource = named[0].GetString();
                    if (named.Size() > 1) {
                        std::vector<std::string> reached;
                        for (const auto& a : u["productAccess"].GetArray())
                            for (const auto& n : named.GetArray())
                                if (std::string(n.GetString()) == a["id"].GetString())
                                    reached.push_back(n.GetString());
                        REQUIRE(reached.size() == 1);
                        resource = reached[0];
                    }
                    roles_found[{u["accountId"].GetString(), resource}].insert(role);
                }
                continue;
            }
            for (const auto& u : body["data"].GetArray()) {
                const std::string account = u["accountId"].GetString();
                truth.status[account] = u["status"].GetString();
                truth.memberships += u["groups"].Size();
                for (const auto& g : u["groups"].GetArray())
                    groups_of[account].insert(group_uuid(g["id"].GetString()));
                for (const auto& p : u["productAccess"].GetArray()) {
                    std::optional<std::int64_t> last;
                    if (p.HasMember("lastActiveTimestamp") && p["lastActiveTimestamp"].IsString())
                        last = parse_iso8601_ms(p["lastActiveTimestamp"].GetString());
                    truth.last_active[{account, p["id"].GetString()}] = last;
                }
            }
        } else if (path.ends_with("/role-assignments")) {
            // .../groups/<id>/role-assignments
            const auto groups_at = path.find("/groups/") + 8;
            const auto group = path.substr(groups_at, path.find('/', groups_at) - groups_at);
            for (const auto& a : body["data"].GetArray())
                for (const auto& role : a["roles"].GetArray())
                    if (std::string(role.GetString()) == "atlassian/admin")
                        admin_on[group].insert(a["resourceId"].GetString());
        } else if (path.ends_with("/groups/search")) {
            auto request = parse(x.request_body);
            const bool by_role = request.HasMember("roleIds");
            if (!by_role && !request.HasMember("resourceIds")) {
                for (const auto& g : body["data"].GetArray())
                    truth.groups.insert(g["id"].GetString());
                continue;
            }
            // A filtered search: the groups granting one of these roles, or something on one of
            // these products.
            FilteredGroupSearch search;
            for (const auto& v : request[by_role ? "roleIds" : "resourceIds"].GetArray())
                search.named.insert(v.GetString());
            for (const auto& g : body["data"].GetArray())
                search.returned.insert(g["id"].GetString());
            (by_role ? role_searches : product_searches).push_back(std::move(search));
        } else if (path.ends_with("/workspaces")) {
            for (const auto& w : body["data"].GetArray()) {
                truth.products.insert(w["id"].GetString());
                truth.sites.insert(w["attributes"]["hostUrl"].GetString());
            }
        }
    }
    // A group the filtered searches returned grants what every search that returned it names and
    // no search that left it out does: one role on one product, or it is not decided here.
    auto only_candidate = [](const std::vector<FilteredGroupSearch>& searches,
                             const std::string& group) -> std::optional<std::string> {
        std::optional<std::set<std::string>> candidates;
        for (const auto& s : searches) {
            if (!s.returned.count(group))
                continue;
            std::set<std::string> kept;
            for (const auto& v : s.named)
                if (!candidates || candidates->count(v))
                    kept.insert(v);
            candidates = std::move(kept);
        }
        if (!candidates)
            return std::nullopt;
        for (const auto& s : searches)
            if (!s.returned.count(group))
                for (const auto& v : s.named)
                    candidates->erase(v);
        if (candidates->size() != 1)
            return std::nullopt;
        return *candidates->begin();
    };
    std::set<std::string> filtered_groups;
    for (const auto& s : role_searches)
        filtered_groups.insert(s.returned.begin(), s.returned.end());
    for (const auto& group : filtered_groups) {
        auto role = only_candidate(role_searches, group);
        auto product = only_candidate(product_searches, group);
        if (role && product && *role == "atlassian/admin")
            admin_on[group].insert(*product);
    }
    // A holder administers every product one of their groups grants admin on.
    for (const auto& account : admin_holders)
        for (const auto& group : groups_of[account])
            for (const auto& product : admin_on[group])
                roles_found[{account, product}].insert("atlassian/admin");
    // Everyone with access holds atlassian/user unless a role query found otherwise; admin
    // outranks the rest. Two non-admin roles on one product are left out (either may win).
    for (const auto& [key, last] : truth.last_active) {
        auto found = roles_found.find(key);
        if (found == roles_found.end())
            truth.role[key] = "atlassian/user";
        else if (found->second.count("atlassian/admin"))
            truth.role[key] = "atlassian/admin";
        else if (found->second.size() == 1)
            truth.role[key] = *found->second.begin();
    }
    return truth;
}

std::int64_t recorded_requests() {
    std::int64_t total = 0;
    for (const auto& x : recording().exchanges)
        total += x.times;
    return total;
}

// The org id and page size the recording was made with.
std::string recorded_org_id() {
    const auto& target = recording().exchanges.front().target;  // GET /admin/v1/orgs/<id>
    const auto at = target.find("/orgs/") + 6;
    return target.substr(at, target.find('/', at) - at);
}

// The published snapshot, as far as these tests look at it.
struct StoredView {
    test::SnapshotView base;
    std::int64_t memberships = 0;
    std::int64_t sites = 0;
    std::int64_t products = 0;
};

StoredView read_stored(const std::string& path) {
    StoredView view;
    view.base = test::read_snapshot(path);
    REQUIRE(view.base.snapshot_id.has_value());
    auto db = store::Database::open(path, store::Database::Mode::read_only);
    auto slot = db->prepare("SELECT slot FROM snapshots WHERE id = ?");
    slot.bind(1, *view.base.snapshot_id);
    REQUIRE(slot.step());
    const int s = static_cast<int>(slot.int64(0));
    auto count = [&](const std::string& sql) {
        auto q = db->prepare(sql);
        q.bind(1, *view.base.snapshot_id);
        REQUIRE(q.step());
        return q.int64(0);
    };
    view.memberships = count("SELECT count(*) FROM " + store::slot_table("user_groups", s) +
                             " WHERE snapshot_id = ?");
    view.sites = count("SELECT count(*) FROM sites WHERE snapshot_id = ?");
    view.products = count("SELECT count(*) FROM products WHERE snapshot_id = ?");
    return view;
}

// Exactly what the recorded bodies hold.
void check_matches_recording(const StoredView& view) {
    const auto truth = recorded_truth();
    CHECK(view.base.user_status == truth.status);
    CHECK(view.base.groups == static_cast<std::int64_t>(truth.groups.size()));
    CHECK(view.memberships == truth.memberships);
    CHECK(view.sites == static_cast<std::int64_t>(truth.sites.size()));
    CHECK(view.products == static_cast<std::int64_t>(truth.products.size()));
    // Admins and a non-billable role are among what the recording decides: the role checks below
    // can fail.
    std::set<std::string> roles;
    for (const auto& [key, role] : truth.role)
        roles.insert(role);
    CHECK(roles.count("atlassian/admin") == 1);
    CHECK(roles.size() >= 3);
    REQUIRE(view.base.access.size() == truth.last_active.size());
    for (const auto& [key, last] : truth.last_active) {
        INFO("access of " << key.first << " to " << key.second);
        auto found = view.base.access.find(key);
        REQUIRE(found != view.base.access.end());
        INFO("stored last active " << found->second.last_active.value_or(-1) << ", recorded "
                                   << last.value_or(-1) << " (-1: none)");
        CHECK(found->second.last_active == last);
        if (auto role = truth.role.find(key); role != truth.role.end())
            CHECK(found->second.role == role->second);
    }
}

class ReplayHarness {
  public:
    ReplayHarness()
        : replay_(recording()),
          clock_(SysTime(std::chrono::milliseconds(
              *parse_iso8601_ms(parse(recording().generator)["now"].GetString())))) {
        path_ = (dir_ / "rosterd.db").string();
        auto db = store::Database::open(path_);
        store::migrate(*db);
        db_ = std::make_unique<store::DbExecutor>(loop_, path_);
    }
    ~ReplayHarness() { db_->stop(); }

    ReplayServer& replay() { return replay_; }
    const std::string& path() const { return path_; }
    SysTime now() const { return clock_.now(); }

    sync::SyncOutcome sync() {
        atlassian::ClientConfig c;
        c.api_base = replay_.base_url();
        c.org_id = recorded_org_id();
        c.api_key = [] { return std::string("replay-key"); };
        c.page_limit = parse(recording().generator)["page_limit"].GetInt();
        c.clock = std::shared_ptr<const Clock>(&clock_, [](const Clock*) {});
        c.jitter_seed = 1;
        c.retry.max_attempts = 3;
        c.retry.base_delay = 10ms;
        c.retry.max_delay = 40ms;
        c.retry.request_budget = 10s;
        c.retry.total_budget = 20s;
        auto run = std::make_shared<sync::SyncRun>(loop_, *db_, clock_, c, sync::SyncRunOptions{});
        std::optional<sync::SyncOutcome> outcome;
        run->start([&](const sync::SyncOutcome& o) { outcome = o; });
        REQUIRE(test::run_until(
            loop_, [&] { return outcome.has_value(); }, 30s));
        clock_.advance(1h);
        return *outcome;
    }

    bool settle_until(const std::function<bool()>& done) {
        return test::run_until(loop_, done, 10s);
    }

  private:
    ReplayServer replay_;
    test::TempDir dir_;
    std::string path_;
    asio::io_context loop_;
    FakeClock clock_;
    std::unique_ptr<store::DbExecutor> db_;
};

// Requests per endpoint, by the end of their path ("users/count", "workspaces", ...).
std::map<std::string, int> per_endpoint(const std::vector<ReplayServer::Seen>& seen) {
    std::map<std::string, int> counts;
    for (const auto& s : seen) {
        std::string path = s.path;
        if (path.ends_with("/role-assignments"))
            path = "role-assignments";
        else if (path.find("/directories/-/") != std::string::npos)
            path = path.substr(path.find("/directories/-/") + 15);
        else
            path = path.substr(path.rfind('/') + 1);
        ++counts[s.method + " " + path];
    }
    return counts;
}

}  // namespace

TEST_CASE("sync recorded: a sync stores exactly what the recorded pages hold", "[sync][recorded]") {
    ReplayHarness h;
    auto outcome = h.sync();
    INFO(outcome.error);
    REQUIRE(to_string(outcome.outcome) == "succeeded");
    CHECK(h.replay().unrecorded().empty());
    CHECK(outcome.org_name == "Simulated Org");
    CHECK(outcome.progress.users_fetched == 48);
    CHECK(outcome.progress.groups == 10);
    auto view = read_stored(h.path());
    // The recording's figures, then everything the bodies say user by user.
    CHECK(view.base.user_status.size() == 48);
    CHECK(view.base.groups == 10);
    CHECK(view.sites == 2);
    CHECK(view.products == 4);
    check_matches_recording(view);
    CHECK(test::recorded_generations(h.path()) == 1);
}

TEST_CASE("sync recorded: a sync sends each recorded request as often as recorded, no other",
          "[sync][recorded]") {
    ReplayHarness h;
    auto outcome = h.sync();
    REQUIRE(to_string(outcome.outcome) == "succeeded");
    const auto seen = h.replay().seen();
    CHECK(h.replay().unrecorded().empty());
    CHECK(static_cast<std::int64_t>(seen.size()) == recorded_requests());
    CHECK(seen.size() == 34);
    CHECK(outcome.progress.requests == 34);
    CHECK(outcome.progress.retries == 0);
    // Each request as often as while recording: once. The lister counts each listed partition
    // before listing (the plan: no last counts) and after it the whole organization (the check),
    // which agrees: no partition is counted again, and the split one (the managed users, listed by
    // email domain instead) not at all.
    const auto sent = h.replay().sent();
    for (const auto& x : recording().exchanges) {
        INFO(x.key());
        CHECK(sent.count(x.key()) == 1);
        CHECK(sent.at(x.key()) == x.times);
        CHECK(x.times == 1);
        CHECK_FALSE((x.target.ends_with("claimStatus=managed") &&
                     x.target.find("emailDomains") == std::string::npos));
    }
    const std::map<std::string, int> expected = {
        {"GET 3f9c1b2e-5d4a-4c1e-9b7a-2a6d8e0f1c35", 1},  // the organization
        {"GET domains", 1},
        {"GET directories", 1},
        // 5 of the users: the 3 domain parts of the managed users and the unmanaged users
        // before listing, the organization after; 5 of the roles but admin: guests are granted
        // by a group on the 2 Confluence products, so one count of the other 4 roles there and
        // one of all 5 on the 2 Jira products, which finds someone; then by halves: guests,
        // customers and contributors (nobody), so basic users or stakeholders: basic users (all
        // of them), then stakeholders (nobody)
        {"GET users/count", 10},
        // The group listing; what the 10 granting groups grant (one role on one product each):
        // 4 searches by role bit, 4 by product bit (4 products, two bits each)
        {"POST groups/search", 9},
        // 4 partition pages, the admin holders, 1 question about an admin's product, guests on
        // the 2 Confluence products and basic users on the 2 Jira products
        {"POST users/search", 10},
        {"POST workspaces", 2},  // 4 workspaces, pages of 2
    };
    CHECK(per_endpoint(seen) == expected);
}

TEST_CASE("sync recorded: a 429 with Retry-After is waited out by the fake clock",
          "[sync][recorded][retry]") {
    ReplayHarness h;
    // The third users/search answers 429, retry at an HTTP date 2 s after the fake clock's now.
    // Only a client reading the fake clock waits; by the real clock that date is long past.
    h.replay().inject({"POST", "/users/search", "", 3, 1,
                       ReplayServer::status(429, {{"Retry-After", http_date(h.now() + 2s)}})});
    auto outcome = h.sync();
    INFO(outcome.error);
    REQUIRE(to_string(outcome.outcome) == "succeeded");
    CHECK(outcome.progress.retries == 1);
    CHECK(outcome.progress.requests == recorded_requests() + 1);
    const auto seen = h.replay().seen();
    CHECK(static_cast<std::int64_t>(seen.size()) == recorded_requests() + 1);
    std::optional<ReplayServer::Seen> limited, retried;
    for (const auto& s : seen) {
        if (s.faulted)
            limited = s;
        else if (limited && !retried && s.key == limited->key)
            retried = s;
    }
    REQUIRE(limited);
    CHECK(limited->status == 429);
    REQUIRE(retried);
    CHECK(retried->status == 200);
    const auto waited = retried->at - limited->at;
    CHECK(waited >= 1900ms);
    CHECK(waited < 10s);
    check_matches_recording(read_stored(h.path()));
}

TEST_CASE("sync recorded: a truncated page once is fetched again, the snapshot the same",
          "[sync][recorded][retry]") {
    ReplayHarness h;
    h.replay().inject({"POST", "/groups/search", "", 1, 1, ReplayServer::truncated()});
    auto outcome = h.sync();
    INFO(outcome.error);
    REQUIRE(to_string(outcome.outcome) == "succeeded");
    CHECK(outcome.progress.retries == 1);
    CHECK(static_cast<std::int64_t>(h.replay().seen().size()) == recorded_requests() + 1);
    check_matches_recording(read_stored(h.path()));
}

TEST_CASE(
    "sync recorded: a malformed page or a persistent 500 fails the sync, the published "
    "generation stays",
    "[sync][recorded][failure]") {
    struct Case {
        const char* name;
        ReplayServer::Fault fault;
        const char* error;
    };
    const std::vector<Case> cases = {
        {"a malformed users page, every time",
         {"POST", "/users/search", "", 1, 0, ReplayServer::malformed()},
         "parse"},
        {"500 from users/count, every time",
         {"GET", "/users/count", "", 1, 0, ReplayServer::status(500)},
         "500"},
        {"500 from the workspaces' second page, every time",
         {"POST", "/workspaces", "cursor", 1, 0, ReplayServer::status(500)},
         "500"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        ReplayHarness h;
        auto first = h.sync();
        REQUIRE(to_string(first.outcome) == "succeeded");
        const auto before = read_stored(h.path());

        h.replay().inject(c.fault);
        auto failed = h.sync();
        CHECK(to_string(failed.outcome) == "failed");
        CHECK_FALSE(failed.key_rejected);
        CHECK(failed.error.find(c.error) != std::string::npos);
        CHECK(failed.error.find("3 attempts") != std::string::npos);  // retry.max_attempts
        // This second sync plans over the first one's snapshot: its role counts name the
        // products the snapshot did not see each role on, which the recorded first sync did not
        // ask. Nothing else it sent may be missing from the recording.
        for (const auto& u : h.replay().unrecorded()) {
            INFO("unrecorded: " << u);
            CHECK(u.find("/users/count?") != std::string::npos);
            CHECK(u.find("roleIds=") != std::string::npos);
        }
        // Nothing published: the first sync's generation is the one readers see, unchanged.
        auto after = read_stored(h.path());
        CHECK(after.base.snapshot_id == before.base.snapshot_id);
        CHECK(after.base.user_status == before.base.user_status);
        CHECK(after.base.access.size() == before.base.access.size());
        check_matches_recording(after);
        // The failed generation's rows are gone from the shared tables.
        CHECK(h.settle_until([&] { return test::recorded_generations(h.path()) == 1; }));
    }
}

TEST_CASE("sync recorded: a cursor that points back at its own page is refused",
          "[sync][recorded][failure]") {
    ReplayHarness h;
    // The workspaces' first page names the cursor of the second; the second answers with that
    // same cursor as its next page, a listing that would go round forever.
    std::string second;
    for (const auto& x : recording().exchanges)
        if (x.target.ends_with("/workspaces") && x.request_body.find("cursor") == std::string::npos)
            second = parse(x.body)["links"]["next"].GetString();
    REQUIRE(second.starts_with("cursor-"));
    h.replay().inject({"POST", "/workspaces", second, 1, 0,
                       ReplayServer::edited([second](rapidjson::Document& doc) {
                           doc["links"].AddMember(
                               "next", rapidjson::Value(second.c_str(), doc.GetAllocator()),
                               doc.GetAllocator());
                       })});
    auto outcome = h.sync();
    CHECK(to_string(outcome.outcome) == "failed");
    CHECK(outcome.error.find("pagination cursor did not advance") != std::string::npos);
    // The second page was asked for once: the loop is refused, not retried.
    int second_pages = 0;
    for (const auto& s : h.replay().seen())
        if (s.key.find(second) != std::string::npos)
            ++second_pages;
    CHECK(second_pages == 1);
    CHECK_FALSE(test::read_snapshot(h.path()).snapshot_id.has_value());
}

TEST_CASE("sync recorded: a request the recording does not hold fails the sync naming it",
          "[sync][recorded][failure]") {
    ReplayHarness h;
    // The groups' page names a next cursor nobody recorded.
    h.replay().inject(
        {"POST", "/groups/search", "", 1, 1, ReplayServer::edited([](rapidjson::Document& doc) {
             doc["links"].AddMember("next", "cursor-not-recorded", doc.GetAllocator());
         })});
    auto outcome = h.sync();
    CHECK(to_string(outcome.outcome) == "failed");
    REQUIRE(h.replay().unrecorded().size() == 1);
    CHECK(h.replay().unrecorded().front().find("cursor-not-recorded") != std::string::npos);
    CHECK(outcome.error.find("404") != std::string::npos);
    CHECK(outcome.error.find("/groups/search") != std::string::npos);
    CHECK_FALSE(test::read_snapshot(h.path()).snapshot_id.has_value());
}
