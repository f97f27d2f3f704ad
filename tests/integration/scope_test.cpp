// Delegated administration (issue 19) end to end: real uids (setpriv) with scoped access see
// exactly the simulator's truth restricted to their scope, are refused every out-of-scope action
// with a message naming the operation and what the scope lacks (and nothing reaches the sim), and
// may act, undo included, inside it. Runs and the audit trail carry the caller's scope.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <map>
#include <set>

#include "as_user.hpp"
#include "daemon_fixture.hpp"
#include "org_truth.hpp"
#include "sim_fixture.hpp"

using namespace rosterd::test;

namespace {

constexpr std::uint32_t kSiteUid = 65534;     // operator, one site
constexpr std::uint32_t kProductUid = 65533;  // admin, Confluence only
constexpr std::uint32_t kGroupUid = 65532;    // admin, groups confluence-users-* only

using Resource = SiteProduct;

rapidjson::Document parsed(const CommandResult& r) {
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    rapidjson::Document doc;
    doc.Parse(r.out.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    return doc;
}

std::set<std::string> ids_of(const rapidjson::Value& users_answer) {
    std::set<std::string> ids;
    for (const auto& u : users_answer["users"].GetArray())
        ids.insert(u["account_id"].GetString());
    return ids;
}

// Per product and site of a dashboard answer: total and inactive.
std::map<std::string, std::pair<std::int64_t, std::int64_t>> figures(const rapidjson::Value& d) {
    std::map<std::string, std::pair<std::int64_t, std::int64_t>> out;
    for (const auto& p : d["products"].GetArray())
        for (const auto& s : p["sites"].GetArray())
            out[std::string(p["product"].GetString()) + "@" + s["site"].GetString()] = {
                s["total"].GetInt64(), s["inactive"].GetInt64()};
    return out;
}

}  // namespace

TEST_CASE("delegated scopes: each caller sees and changes only its sites, products and groups",
          "[integration][scope][root]") {
    require_root();
    SimFixture sim({"--users", "240", "--sites", "2", "--seed", "19"});
    auto truth_doc = sim.truth();
    auto org = load(truth_doc);
    auto catalogue = site_catalogue(truth_doc);
    const auto& hosts = catalogue.hosts;
    const auto& resources = catalogue.resources;
    REQUIRE(hosts.size() == 2);
    const std::string eu = hosts[0], us = hosts[1];
    // The group granting exactly Confluence on `eu`.
    std::string conf_group, conf_group_id, jira_group, jira_group_id;
    for (const auto& [id, g] : org.groups) {
        if (g.resources.size() != 1)
            continue;
        const auto& r = resources.at(*g.resources.begin());
        if (r.site == eu && r.product == "confluence" && g.name.rfind("confluence-users-", 0) == 0)
            conf_group = g.name, conf_group_id = id;
        if (r.site == eu && g.name.rfind("jira-software-users-", 0) == 0)
            jira_group = g.name, jira_group_id = id;
    }
    REQUIRE_FALSE(conf_group.empty());
    REQUIRE_FALSE(jira_group.empty());

    DaemonFixture daemon("", false);
    // The fixture's base config already has a control section: write the file by hand.
    daemon.write_raw_config(
        "storage:\n  path: " + daemon.db_path() + "\ncontrol:\n  socket: " + daemon.socket_path() +
        "\n  access:\n"
        "    - {user: \"65534\", level: operator, scope: {sites: [" +
        eu +
        "]}}\n"
        "    - {user: \"65533\", level: admin, scope: {products: [confluence]}}\n"
        "    - {user: \"65532\", level: admin, scope: {groups: [confluence-users-*]}}\n"
        "    - {user: \"65531\", level: viewer, scope: {sites: [nowhere.atlassian.net], "
        "products: [jira-softwear]}}\n" +
        sim.atlassian_yaml() +
        // Tasks from the configuration: one all in Confluence, one reaching Jira too.
        "tasks:\n"
        "  - {name: reclaim-confluence, filter: {status: active}, schedule: weekly mon 06:00,\n"
        "     actions: [\"remove-product-access:confluence@" +
        eu +
        "\"]}\n"
        "  - {name: reclaim-both, filter: {status: active}, schedule: weekly mon 06:00,\n"
        "     actions: [\"remove-product-access:confluence@" +
        eu + "\", \"remove-product-access:jira-software@" + eu + "\"]}\n");
    daemon.start();
    open_socket_to_nogroup(daemon);
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    sim.clear_requests();
    // Scopes naming what the organization lacks are warned about once the first sync knows it.
    CHECK(wait_until(
        [&] {
            return daemon.log().find("jira-softwear is not in the organization") !=
                   std::string::npos;
        },
        std::chrono::seconds(10)));
    CHECK_THAT(daemon.log(),
               Catch::Contains("site nowhere.atlassian.net is not in the organization"));

    // Everything, as root sees it: the reference for the figures the scopes cut down.
    auto all_users = daemon.ctl_json({"users", "--limit", "5000"});
    auto all_dashboard = daemon.ctl_json({"dashboard"});
    REQUIRE(all_users["total"].GetInt64() == static_cast<std::int64_t>(org.users.size()));

    // The truth restricted to a scope: users with access to an in-scope resource.
    auto truth_in_scope = [&](auto in_scope) {
        std::set<std::string> ids;
        for (const auto& u : org.users)
            for (const auto& [resource, role] : u.access)
                if (resources.count(resource) && in_scope(resources.at(resource)))
                    ids.insert(u.id);
        return ids;
    };
    auto check_sees = [&](std::uint32_t uid, auto in_scope) {
        auto expected = truth_in_scope(in_scope);
        REQUIRE_FALSE(expected.empty());
        REQUIRE(expected.size() < org.users.size());
        auto users = parsed(ctl_as(daemon, uid, {"--json", "users", "--limit", "5000"}));
        CHECK(users["total"].GetInt64() == static_cast<std::int64_t>(expected.size()));
        CHECK(ids_of(users) == expected);
        std::size_t rows = 0;
        for (const auto& u : users["users"].GetArray())
            for (const auto& a : u["products"].GetArray()) {
                CHECK(in_scope(Resource{a["product"].GetString(), a["site"].GetString()}));
                ++rows;
            }
        CHECK(rows >= expected.size());  // each user seen holds or held in-scope access
        // The dashboard: exactly root's figures for the in-scope products and sites, no others.
        std::map<std::string, std::pair<std::int64_t, std::int64_t>> want;
        for (const auto& [key, f] : figures(all_dashboard)) {
            auto at = key.find('@');
            if (in_scope(Resource{key.substr(0, at), key.substr(at + 1)}))
                want[key] = f;
        }
        auto dashboard = parsed(ctl_as(daemon, uid, {"--json", "dashboard"}));
        CHECK(figures(dashboard) == want);
        // Someone out of scope is unknown to this caller.
        for (const auto& u : org.users)
            if (!expected.count(u.id)) {
                auto one = ctl_as(daemon, uid, {"user", u.id});
                CHECK(one.exit_code == 1);
                CHECK_THAT(ctl_text(one), Catch::Contains("found in your scope"));
                break;
            }
        return expected;
    };
    auto refused = [&](std::uint32_t uid, const std::vector<std::string>& args,
                       const std::string& message) {
        auto r = ctl_as(daemon, uid, args);
        INFO(ctl_text(r));
        CHECK(r.exit_code == 1);
        CHECK_THAT(ctl_text(r), Catch::Contains(message));
        CHECK_THAT(ctl_text(r), Catch::Contains("[forbidden]"));
    };
    auto refused_text = [&](std::uint32_t uid, const std::vector<std::string>& args,
                            const std::string& message) {
        auto r = ctl_as(daemon, uid, args);
        INFO(ctl_text(r));
        CHECK(r.exit_code == 1);
        CHECK_THAT(ctl_text(r), Catch::Contains(message));
    };
    // An ordinary user with Confluence on the EU site, directly or through conf_group only.
    std::string target;
    for (const auto& u : org.users) {
        if (!ordinary(u))
            continue;
        bool conf_eu = false, other_groups_grant = false;
        for (const auto& [r, role] : u.access)
            conf_eu = conf_eu || (resources.count(r) && resources.at(r).product == "confluence" &&
                                  resources.at(r).site == eu);
        for (const auto& g : u.groups)
            if (g != conf_group_id && !org.groups.at(g).resources.empty())
                for (const auto& r : org.groups.at(g).resources)
                    other_groups_grant =
                        other_groups_grant ||
                        (resources.count(r) && resources.at(r).product == "confluence" &&
                         resources.at(r).site == eu);
        if (conf_eu && !other_groups_grant && u.access.size() > 1) {
            target = u.id;
            break;
        }
    }
    REQUIRE_FALSE(target.empty());
    // A change of the group's membership that plans a step for the target, whichever it is.
    auto group_change = [&](const std::string& name, const std::string& id) {
        return (org.user(target).groups.count(id) ? "remove-from-groups:" : "add-to-groups:") +
               name;
    };

    SECTION("whoami tells each caller their level and scope") {
        auto me = parsed(ctl_as(daemon, kSiteUid, {"--json", "whoami"}));
        CHECK(std::string(me["level"].GetString()) == "operator");
        CHECK(std::string(me["scope"].GetString()) ==
              "operator: sites=[" + eu + "]; viewer: sites=[" + eu + "]");
        auto text = ctl_as(daemon, kProductUid, {"whoami"});
        CHECK(text.exit_code == 0);
        CHECK_THAT(text.out, Catch::Contains("level: admin"));
        CHECK_THAT(text.out, Catch::Contains("scope: admin: products=[confluence]"));
        auto root = daemon.ctl_json({"whoami"});
        CHECK(std::string(root["scope"].GetString()) == "unscoped");
    }

    SECTION("a site scope: one site's users and figures; other sites and org-wide refused") {
        auto in_eu = [&](const Resource& r) { return r.site == eu; };
        auto seen = check_sees(kSiteUid, in_eu);
        CHECK(seen.count(target));
        std::string us_only;
        for (const auto& u : org.users)
            if (!seen.count(u.id) && ordinary(u) && !u.access.empty())
                us_only = u.id;
        REQUIRE_FALSE(us_only.empty());
        refused(kSiteUid, {"bulk", "remove-product-access:jira-software@" + us, "--users", target},
                "remove-product-access:jira-software@" + us + ": needs site " + us);
        refused(kSiteUid, {"bulk", "suspend", "--users", target},
                "suspend: acts on the whole account and needs an unscoped caller");
        refused(kSiteUid, {"bulk", "remove-product-access:confluence", "--users", target},
                "remove-product-access:confluence: means every site");
        // A user of the other site only is not there to act on.
        auto hidden =
            ctl_as(daemon, kSiteUid,
                   {"bulk", "remove-product-access:confluence@" + eu, "--users", us_only});
        CHECK(hidden.exit_code == 1);
        CHECK_THAT(ctl_text(hidden), Catch::Contains("found in your scope"));
        // In scope: the dry run plans (an operator reviews; applying needs admin).
        auto dry = parsed(ctl_as(
            daemon, kSiteUid,
            {"--json", "bulk", "remove-product-access:confluence@" + eu, "--users", target}));
        CHECK(std::string(dry["state"].GetString()) == "planned");
        CHECK(std::string(dry["caller_scope"].GetString()) == "sites=[" + eu + "]");
        CHECK(mutations_settled(sim, 0).empty());
        // The report of a site scope names its site and never the other one.
        // rosterctl runs as the scoped uid: it writes into a directory that uid may write to.
        auto out_dir = daemon.dir() / "reports";
        std::filesystem::create_directories(out_dir);
        std::filesystem::permissions(out_dir, std::filesystem::perms::all);
        std::filesystem::permissions(daemon.dir().path(), std::filesystem::perms::others_exec,
                                     std::filesystem::perm_options::add);
        auto file = (out_dir / "site-report.html").string();
        auto made = ctl_as(daemon, kSiteUid, {"report", "--html", "-o", file});
        INFO(ctl_text(made));
        REQUIRE(made.exit_code == 0);
        std::ifstream in(file);
        std::string html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        // The site column of the dashboard, the history and the savings tables: the caller's
        // site only (the other may appear in the actions of its own refused runs, as typed).
        const std::string eu_cell = "<td>" + eu + "</td>", us_cell = "<td>" + us + "</td>";
        CHECK_THAT(html, Catch::Contains(eu_cell));
        CHECK_THAT(html, !Catch::Contains(us_cell));
        auto root_file = (daemon.dir() / "root-report.html").string();
        REQUIRE(daemon.ctl({"report", "--html", "-o", root_file}).exit_code == 0);
        std::ifstream root_in(root_file);
        std::string root_html((std::istreambuf_iterator<char>(root_in)),
                              std::istreambuf_iterator<char>());
        CHECK_THAT(root_html, Catch::Contains(us_cell));
    }

    SECTION("a product scope: Confluence only; applies and undoes inside it") {
        auto confluence = [](const Resource& r) { return r.product == "confluence"; };
        check_sees(kProductUid, confluence);
        refused(kProductUid,
                {"bulk", "remove-product-access:jira-software@" + eu, "--users", target, "--apply"},
                "needs product jira-software");
        refused(
            kProductUid,
            {"bulk", group_change(jira_group, jira_group_id), "--users", target, "--apply"},
            "group " + jira_group + " grants access outside the scope (jira-software@" + eu + ")");
        refused(kProductUid, {"bulk", "deactivate", "--users", target, "--apply"},
                "deactivate: acts on the whole account");
        // tasks run: only when every action of the task is in scope.
        refused(kProductUid, {"tasks", "run", "reclaim-both"},
                "remove-product-access:jira-software@" + eu + ": needs product jira-software");
        auto task =
            parsed(ctl_as(daemon, kProductUid, {"--json", "tasks", "run", "reclaim-confluence"}));
        CHECK(std::string(task["state"].GetString()) == "planned");
        CHECK(task["ok"].GetInt64() > 0);
        CHECK(mutations_settled(sim, 0).empty());

        auto before = sim.truth();
        auto run = parsed(ctl_as(daemon, kProductUid,
                                 {"--json", "bulk", "remove-product-access:confluence@" + eu,
                                  "--users", target, "--apply"}));
        REQUIRE(std::string(run["state"].GetString()) == "succeeded");
        CHECK(std::string(run["caller_scope"].GetString()) == "products=[confluence]");
        auto after = load(sim.truth()).user(target);
        for (const auto& [r, role] : after.access)
            CHECK_FALSE((resources.at(r).product == "confluence" && resources.at(r).site == eu));
        CHECK_FALSE(mutations(sim).empty());
        wait_quiet(daemon);
        auto undo = parsed(ctl_as(daemon, kProductUid,
                                  {"--json", "runs", "undo", run["id"].GetString(), "--apply"}));
        CHECK(std::string(undo["state"].GetString()) == "succeeded");
        CHECK(compact(sim.truth()["users"]) == compact(before["users"]));
        // The audit trail says who, and within which scope.
        auto audit = daemon.ctl_json({"audit", "--command", "bulk"});
        bool found = false;
        for (const auto& e : audit["entries"].GetArray())
            if (std::string(e["outcome"].GetString()) == "ok" &&
                e["caller_uid"].GetInt64() == kProductUid) {
                CHECK(std::string(e["caller_scope"].GetString()) ==
                      "admin: products=[confluence]; operator: products=[confluence]; viewer: "
                      "products=[confluence]");
                found = true;
            }
        CHECK(found);

        // Runs, history, savings and the report: a scoped caller sees its own runs only, the
        // history of its products, and no organization-wide totals.
        auto foreign = daemon.ctl_json({"bulk", "suspend", "--users", target});  // root's dry run
        auto runs = parsed(ctl_as(daemon, kProductUid, {"--json", "runs", "-n", "100"}));
        CHECK(runs["runs"].Size() >= 3);  // its task dry run, its run and its undo
        for (const auto& r : runs["runs"].GetArray())
            CHECK(r["caller_uid"].GetInt64() == kProductUid);
        refused_text(kProductUid, {"runs", "show", foreign["id"].GetString()}, "in your scope");
        auto history = parsed(ctl_as(daemon, kProductUid, {"--json", "history"}));
        REQUIRE(history["points"].Size() > 0);
        for (const auto& p : history["points"].GetArray())
            CHECK(std::string(p["product"].GetString()) == "confluence");
        CHECK(daemon.ctl_json({"history"})["points"].Size() > history["points"].Size());
        // Savings and the report: in-scope figures only.
        auto savings = parsed(ctl_as(daemon, kProductUid, {"--json", "savings"}));
        auto scoped_dashboard = parsed(ctl_as(daemon, kProductUid, {"--json", "dashboard"}));
        std::int64_t inactive = 0;
        for (const auto& p : scoped_dashboard["products"].GetArray())
            inactive += p["inactive"].GetInt64();
        CHECK(savings["inactive_seats"].GetInt64() == inactive);
        CHECK(inactive < [&] {
            std::int64_t all = 0;
            auto dashboard = daemon.ctl_json({"dashboard"});
            for (const auto& p : dashboard["products"].GetArray())
                all += p["inactive"].GetInt64();
            return all;
        }());
    }

    SECTION("a groups scope: sees everything, changes only matching groups granting in scope") {
        auto users = parsed(ctl_as(daemon, kGroupUid, {"--json", "users", "--limit", "5000"}));
        CHECK(ids_of(users) == ids_of(all_users));
        auto dashboard = parsed(ctl_as(daemon, kGroupUid, {"--json", "dashboard"}));
        CHECK(figures(dashboard) == figures(all_dashboard));
        refused(kGroupUid,
                {"bulk", group_change(jira_group, jira_group_id), "--users", target, "--apply"},
                ": needs group " + jira_group + " (not matched by the scope's groups)");
        refused(kGroupUid, {"bulk", "restore", "--users", target, "--apply"},
                "restore: acts on the whole account");
        CHECK(mutations_settled(sim, 0).empty());
        auto run = parsed(ctl_as(daemon, kGroupUid,
                                 {"--json", "bulk", group_change(conf_group, conf_group_id),
                                  "--users", target, "--apply"}));
        CHECK(std::string(run["state"].GetString()) == "succeeded");
        CHECK(run["changed"].GetInt64() == 1);
    }
}
