// Delegated administration (issue 19): the list form of control.access, how grants combine into
// a caller's scope, and the pure plan check, fuzzed over random scopes and plans.
#include <catch2/catch.hpp>

#include <random>

#include "rosterd/config/config.hpp"
#include "rosterd/control/access.hpp"
#include "rosterd/ops/scope.hpp"

using namespace rosterd;
using namespace rosterd::control;
using namespace rosterd::ops;

namespace {

ConfigError error_of(const std::string& yaml) {
    try {
        parse_config(yaml, "test.yaml");
    } catch (const ConfigError& e) {
        return e;
    }
    FAIL("expected a ConfigError for:\n" << yaml);
    throw;  // unreachable
}

ScopeRule rule(std::optional<std::vector<std::string>> sites,
               std::optional<std::vector<std::string>> products,
               std::optional<std::vector<std::string>> groups = std::nullopt) {
    return ScopeRule{std::move(sites), std::move(products), std::move(groups)};
}

Step role_step(const std::string& resource) {
    Step s;
    s.op = kOpRevokeRole;
    s.role = "atlassian/user";
    s.resource_id = resource;
    return s;
}

Step group_step(const std::string& op, const std::string& id) {
    Step s;
    s.op = op;
    s.group_id = id;
    return s;
}

// Two sites, two products: jira and confluence on each.
ScopeCatalog sample_catalog() {
    ScopeCatalog c;
    c.resources["ari:jira-eu"] = {"jira-software", "acme-eu.atlassian.net"};
    c.resources["ari:conf-eu"] = {"confluence", "acme-eu.atlassian.net"};
    c.resources["ari:jira-us"] = {"jira-software", "acme-us.atlassian.net"};
    c.resources["ari:conf-us"] = {"confluence", "acme-us.atlassian.net"};
    c.group_names = {{"g1", "contractors-eu"}, {"g2", "contractors-all"}, {"g3", "staff"}};
    c.group_grants["g1"] = {c.resources["ari:conf-eu"]};
    c.group_grants["g2"] = {c.resources["ari:conf-eu"], c.resources["ari:jira-us"]};
    return c;
}

}  // namespace

TEST_CASE("control.access list form: users, groups, levels and scopes", "[config][scope]") {
    auto config = parse_config(R"(
control:
  access:
    - { user: root, level: admin }
    - user: "0"
      level: operator
      scope: { sites: [HTTPS://Acme-EU.atlassian.net/], products: [confluence] }
    - group: "0"
      level: viewer
      scope: { groups: [contractors-*] }
)",
                               "test.yaml");
    const auto& entries = config.control.access.entries;
    REQUIRE(entries.size() == 3);
    CHECK(entries[0].uid == std::optional<std::uint32_t>(0));
    CHECK(entries[0].level == 2);
    CHECK(entries[0].scope.unscoped());
    CHECK(entries[1].level == 1);
    CHECK(entries[1].scope.sites == std::vector<std::string>{"acme-eu.atlassian.net"});
    CHECK(entries[1].scope.products == std::vector<std::string>{"confluence"});
    CHECK_FALSE(entries[1].scope.groups);
    CHECK(entries[1].line == 5);
    CHECK(entries[2].gid == std::optional<std::uint32_t>(0));
    CHECK(entries[2].scope.groups == std::vector<std::string>{"contractors-*"});
    CHECK(config.control.access.admin.uids.empty());  // the level-keyed form is not used
}

TEST_CASE("control.access list form: wrong types are errors with their line", "[config][scope]") {
    SECTION("sites not a list") {
        auto e = error_of(
            "control:\n  access:\n    - user: root\n      level: admin\n      scope: {sites: "
            "acme}\n");
        CHECK(e.line() == 5);
        CHECK(e.key_path() == "control.access[0].scope.sites");
        CHECK_THAT(e.detail(), Catch::StartsWith("expected a list"));
    }
    SECTION("unknown level") {
        auto e = error_of("control:\n  access:\n    - {user: root, level: boss}\n");
        CHECK(e.line() == 3);
        CHECK(e.key_path() == "control.access[0].level");
        CHECK(e.detail() == "'boss' is not one of: admin, operator, viewer");
    }
    SECTION("user and group both") {
        auto e = error_of("control:\n  access:\n    - {user: root, group: root, level: admin}\n");
        CHECK(e.line() == 3);
        CHECK(e.detail() == "an entry names exactly one of user and group");
    }
    SECTION("no level") {
        auto e = error_of("control:\n  access:\n    - {user: root}\n");
        CHECK(e.detail() == "missing level (viewer, operator or admin)");
    }
    SECTION("unknown scope key") {
        auto e = error_of(
            "control:\n  access:\n    - user: root\n      level: admin\n      scope:\n        "
            "projects: [x]\n");
        CHECK(e.line() == 6);
        CHECK(e.key_path() == "control.access[0].scope.projects");
    }
    SECTION("empty list") {
        auto e = error_of(
            "control:\n  access:\n    - {user: root, level: admin, scope: {products: []}}\n");
        CHECK(e.key_path() == "control.access[0].scope.products");
        CHECK(e.detail() == "an empty list reaches nothing; leave the key out to mean all");
    }
    SECTION("unknown user") {
        auto e = error_of("control:\n  access:\n    - {user: no-such-user-xyz, level: admin}\n");
        CHECK(e.key_path() == "control.access[0].user");
    }
}

TEST_CASE("the level-keyed form stays valid and unscoped", "[config][scope]") {
    auto config =
        parse_config("control:\n  access:\n    operator:\n      users: [\"0\"]\n", "test.yaml");
    CHECK(config.control.access.operator_.uids == std::vector<std::uint32_t>{0});
    CHECK(config.control.access.entries.empty());
    auto grants = resolve_access(config.control.access, 990, PeerIdentity{0, {}});
    REQUIRE(grants.size() == 1);
    CHECK(grants[0].scope.unscoped());
}

TEST_CASE("grants combine: union per level, the highest level only inside its scope",
          "[control][scope]") {
    AccessConfig config;
    config.viewer.uids = {1000};  // unscoped viewer (level-keyed form)
    ScopedAccessEntry op;
    op.uid = 1000;
    op.level = 1;
    op.scope = rule({{"acme-eu.atlassian.net"}}, {{"confluence"}});
    ScopedAccessEntry admin;
    admin.gid = 700;
    admin.level = 2;
    admin.scope = rule(std::nullopt, {{"jira-software"}}, {{"contractors-*"}});
    config.entries = {op, admin};

    Caller caller;
    caller.grants = resolve_access(config, 990, PeerIdentity{1000, {1000, 700}});
    caller.level = AccessLevel::admin;
    REQUIRE(caller.grants.size() == 3);
    CHECK(caller.view_scope().unscoped());
    auto operating = caller.scope_at(AccessLevel::operator_);
    CHECK_FALSE(operating.unscoped());
    CHECK(operating.rules.size() == 2);
    CHECK(operating.allows_resource({"confluence", "acme-eu.atlassian.net"}));
    CHECK(operating.allows_resource({"jira-software", "acme-us.atlassian.net"}));
    // The union is of whole rules: confluence on the US site is in neither.
    CHECK_FALSE(operating.allows_resource({"confluence", "acme-us.atlassian.net"}));
    auto applying = caller.scope_at(AccessLevel::admin);
    CHECK(applying.rules.size() == 1);
    CHECK_FALSE(applying.allows_resource({"confluence", "acme-eu.atlassian.net"}));
    CHECK(caller.describe_scope() ==
          "admin: products=[jira-software] groups=[contractors-*]; operator: "
          "sites=[acme-eu.atlassian.net] products=[confluence] | products=[jira-software] "
          "groups=[contractors-*]; viewer: unscoped");

    // Without the group, only the operator grant and the unscoped viewer remain.
    auto alone = resolve_access(config, 990, PeerIdentity{1000, {1000}});
    CHECK(alone.size() == 2);
    CHECK(resolve_access(config, 990, PeerIdentity{0, {}}) ==
          std::vector<LevelGrant>{{AccessLevel::admin, {}}});
    CHECK(resolve_access(config, 990, PeerIdentity{1234, {1234}}).empty());
}

TEST_CASE("plan check: each kind of step against each kind of scope", "[ops][scope]") {
    auto catalog = sample_catalog();
    Scope site_scope{{rule({{"acme-eu.atlassian.net"}}, std::nullopt)}};
    Scope product_scope{{rule(std::nullopt, {{"confluence"}})}};
    Scope group_scope{{rule(std::nullopt, std::nullopt, {{"contractors-*"}})}};

    CHECK_FALSE(step_violation(role_step("ari:jira-eu"), site_scope, catalog));
    CHECK(step_violation(role_step("ari:jira-us"), site_scope, catalog) ==
          "revoke-role atlassian/user on ari:jira-us: needs site acme-us.atlassian.net");
    CHECK(step_violation(role_step("ari:jira-eu"), product_scope, catalog) ==
          "revoke-role atlassian/user on ari:jira-eu: needs product jira-software");
    CHECK(step_violation(role_step("ari:unknown"), product_scope, catalog));
    CHECK_FALSE(step_violation(role_step("ari:conf-us"), group_scope, catalog));

    CHECK_FALSE(step_violation(group_step(kOpAddToGroup, "g1"), group_scope, catalog));
    CHECK(step_violation(group_step(kOpAddToGroup, "g3"), group_scope, catalog) ==
          "add-to-group g3: needs group staff (not matched by the scope's groups)");
    // contractors-eu grants Confluence on the EU site: inside the site and product scopes too.
    CHECK_FALSE(step_violation(group_step(kOpRemoveFromGroup, "g1"), site_scope, catalog));
    CHECK_FALSE(step_violation(group_step(kOpRemoveFromGroup, "g1"), product_scope, catalog));
    // contractors-all also grants Jira on the US site.
    CHECK(step_violation(group_step(kOpRemoveFromGroup, "g2"), site_scope, catalog) ==
          "remove-from-group g2: group contractors-all grants access outside the scope "
          "(jira-software@acme-us.atlassian.net)");

    Step suspend;
    suspend.op = kOpSuspend;
    for (const auto* scope : {&site_scope, &product_scope, &group_scope})
        CHECK(step_violation(suspend, *scope, catalog) ==
              "suspend: acts on the whole account and needs an unscoped caller");
    CHECK_FALSE(step_violation(suspend, Scope::unscoped_scope(), catalog));

    CHECK(
        action_violation(parse_action("remove-product-access:jira-software@acme-us.atlassian.net"),
                         site_scope) ==
        "remove-product-access:jira-software@acme-us.atlassian.net: needs site "
        "acme-us.atlassian.net");
    CHECK(action_violation(parse_action("remove-product-access:confluence"), site_scope));
    CHECK_FALSE(action_violation(parse_action("remove-product-access:confluence"), product_scope));
    CHECK(action_violation(parse_action("deactivate"), product_scope) ==
          "deactivate: acts on the whole account and needs an unscoped caller");
    CHECK(action_violation(parse_action("remove-from-directory"), group_scope));
    CHECK_FALSE(action_violation(parse_action("add-to-groups:staff"), group_scope));

    Plan plan;
    plan.users.push_back({"a1", "Ann", "ann@acme.com", {role_step("ari:conf-eu")}, "", {}});
    plan.users.push_back({"b2", "Bob", "bob@acme.com", {role_step("ari:conf-us")}, "", {}});
    CHECK(plan_violation(plan, site_scope, catalog) ==
          "revoke-role atlassian/user on ari:conf-us: needs site acme-us.atlassian.net (for "
          "bob@acme.com)");
    CHECK_FALSE(plan_violation(plan, product_scope, catalog));
}

namespace {

// The test's own reading of the rule, written apart from the implementation: a glob with '*'
// and '?' only, and a scope as a list of rules of which one must reach the whole step.
bool oracle_glob(const std::string& p, const std::string& t, std::size_t i = 0, std::size_t j = 0) {
    if (i == p.size())
        return j == t.size();
    if (p[i] == '*')
        return oracle_glob(p, t, i + 1, j) || (j < t.size() && oracle_glob(p, t, i, j + 1));
    return j < t.size() && (p[i] == '?' || p[i] == t[j]) && oracle_glob(p, t, i + 1, j + 1);
}

bool in(const std::optional<std::vector<std::string>>& list, const std::string& v) {
    return !list || std::count(list->begin(), list->end(), v) > 0;
}

bool oracle_allows(const Scope& scope, const Step& step, const ScopeCatalog& catalog) {
    for (const auto& r : scope.rules) {
        bool unlimited = !r.sites && !r.products && !r.groups;
        if (unlimited)
            return true;
        if (org_wide(step.op))
            continue;
        if (step.op == kOpRevokeRole || step.op == kOpAssignRole) {
            // A resource the snapshot does not know is reached only by a rule limiting neither
            // sites nor products.
            auto found = catalog.resources.find(step.resource_id);
            if (found == catalog.resources.end()
                    ? !r.sites && !r.products
                    : in(r.sites, found->second.site) && in(r.products, found->second.product))
                return true;
            continue;
        }
        const auto& name = catalog.group_names.at(step.group_id);
        bool name_ok = !r.groups || std::any_of(r.groups->begin(), r.groups->end(),
                                                [&](auto& p) { return oracle_glob(p, name); });
        bool grants_ok = true;
        if (auto g = catalog.group_grants.find(step.group_id); g != catalog.group_grants.end())
            for (const auto& res : g->second)
                grants_ok = grants_ok && in(r.sites, res.site) && in(r.products, res.product);
        if (name_ok && grants_ok)
            return true;
    }
    return false;
}

template <class T>
const T& pick(std::mt19937& rng, const std::vector<T>& from) {
    return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)];
}

std::optional<std::vector<std::string>> maybe_subset(std::mt19937& rng,
                                                     const std::vector<std::string>& from) {
    if (rng() % 3 == 0)
        return std::nullopt;
    std::vector<std::string> out;
    for (const auto& v : from)
        if (rng() % 2)
            out.push_back(v);
    if (out.empty())
        out.push_back(pick(rng, from));
    return out;
}

}  // namespace

TEST_CASE("fuzz: no accepted plan contains an out-of-scope operation", "[ops][scope][fuzz]") {
    const std::vector<std::string> sites = {"a.atlassian.net", "b.atlassian.net",
                                            "c.atlassian.net"};
    const std::vector<std::string> products = {"jira-software", "confluence", "jira-servicedesk"};
    const std::vector<std::string> patterns = {"team-*", "team-?", "ops", "*-eu", "x*"};
    const std::vector<std::string> group_names = {"team-a", "team-ab", "ops", "ops-eu", "xy"};
    const std::vector<std::string> ops = {
        kOpSuspend,    kOpRestore,    kOpAddToGroup, kOpRemoveFromGroup,    kOpRevokeRole,
        kOpAssignRole, kOpDeactivate, kOpReactivate, kOpRemoveFromDirectory};
    std::mt19937 rng(19);
    int accepted = 0, refused = 0, wrongly_accepted = 0, wrongly_refused = 0;
    for (int round = 0; round < 3000; ++round) {
        ScopeCatalog catalog;
        std::vector<std::string> resources;
        for (const auto& s : sites)
            for (const auto& p : products)
                if (rng() % 4) {
                    auto id = "ari:" + p + "@" + s;
                    catalog.resources[id] = {p, s};
                    resources.push_back(id);
                }
        resources.push_back("ari:not-in-snapshot");
        for (std::size_t g = 0; g < group_names.size(); ++g) {
            auto id = "g" + std::to_string(g);
            catalog.group_names[id] = group_names[g];
            for (int n = rng() % 3; n > 0 && !catalog.resources.empty(); --n) {
                auto it = catalog.resources.begin();
                std::advance(it, rng() % catalog.resources.size());
                catalog.group_grants[id].push_back(it->second);
            }
        }
        Scope scope;
        for (int n = 1 + rng() % 3; n > 0; --n)
            scope.rules.push_back({maybe_subset(rng, sites), maybe_subset(rng, products),
                                   maybe_subset(rng, patterns)});
        Plan plan;
        bool all_inside = true;
        for (int u = rng() % 4; u > 0; --u) {
            PlannedUser user{"id" + std::to_string(u), "", "", {}, "", {}};
            for (int n = 1 + rng() % 3; n > 0; --n) {
                Step s;
                s.op = pick(rng, ops);
                s.resource_id = pick(rng, resources);
                s.group_id = "g" + std::to_string(rng() % group_names.size());
                if (s.op != kOpRevokeRole && s.op != kOpAssignRole)
                    s.resource_id.clear();
                if (s.op != kOpAddToGroup && s.op != kOpRemoveFromGroup)
                    s.group_id.clear();
                all_inside = all_inside && oracle_allows(scope, s, catalog);
                user.steps.push_back(s);
            }
            plan.users.push_back(user);
        }
        bool ok = !plan_violation(plan, scope, catalog);
        (ok ? accepted : refused)++;
        if (ok && !all_inside)
            ++wrongly_accepted;
        if (!ok && all_inside)
            ++wrongly_refused;
    }
    CHECK(wrongly_accepted == 0);
    CHECK(wrongly_refused == 0);
    // The generator reaches both outcomes often enough for the property to mean something.
    CHECK(accepted > 300);
    CHECK(refused > 300);
}
