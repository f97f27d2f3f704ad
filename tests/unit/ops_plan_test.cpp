// Plans over the hand-made snapshot of query_fixture.hpp: protection reasons, the steps of each
// action, the notes of actions with nothing to do, inverses and the "already done" check.
#include <catch2/catch.hpp>

#include "query_fixture.hpp"
#include "rosterd/ops/plan.hpp"

using namespace rosterd;
using namespace rosterd::ops;
using rosterd::test::QuerySnapshot;

namespace {

struct Fixture {
    QuerySnapshot snapshot;
    std::shared_ptr<const query::SnapshotIndex> index = query::load_snapshot_index(snapshot.db());
    GroupGrants grants;
    Config::Protect protect;

    std::uint32_t user(const std::string& id) const { return *index->find_user(id); }
    Plan plan(std::vector<std::string> ids, std::vector<std::string> actions) const {
        std::vector<std::uint32_t> users;
        for (const auto& id : ids)
            users.push_back(user(id));
        std::vector<Action> parsed;
        for (const auto& a : actions)
            parsed.push_back(parse_action(a));
        return build_plan(*index, grants, users, parsed, protect);
    }
};

std::vector<std::string> descriptions(const PlannedUser& u) {
    std::vector<std::string> out;
    for (const auto& s : u.steps)
        out.push_back(describe(s));
    return out;
}

}  // namespace

TEST_CASE("protected users are skipped with the reason", "[ops]") {
    Fixture f;
    f.protect.users = {"ann@acme.com"};
    f.protect.groups = {"ops"};
    f.protect.domains = {"gmail.com"};
    auto reason = [&](const char* id) {
        return protection_reason(*f.index, f.user(id), f.protect).value_or("");
    };
    CHECK(reason("acc-04") == "protected: org admin");
    CHECK(reason("acc-07") == "protected: site admin");
    CHECK(reason("acc-06") == "protected: app account");
    CHECK(reason("acc-01") == "protected: listed under protect.users");
    CHECK(reason("acc-02") == "protected: member of ops (protect.groups)");
    CHECK(reason("acc-03") == "protected: domain gmail.com is listed under protect.domains");
    CHECK(reason("acc-08").empty());
    f.protect.users = {"acc-08"};  // by account id too
    CHECK(reason("acc-08") == "protected: listed under protect.users");

    auto plan = f.plan({"acc-04", "acc-08", "acc-01"}, {"suspend"});
    REQUIRE(plan.users.size() == 3);
    CHECK(plan.users[0].skipped == "protected: org admin");
    CHECK(plan.users[0].steps.empty());
    CHECK(plan.users[1].skipped == "protected: listed under protect.users");
    CHECK(plan.users[2].skipped.empty());
    CHECK(plan.acting() == 1);
    CHECK(plan.skipped() == 2);
}

TEST_CASE("each action plans its steps, and notes what needs nothing", "[ops]") {
    Fixture f;
    SECTION("suspend and restore follow the status") {
        auto plan = f.plan({"acc-01", "acc-08"}, {"suspend"});
        CHECK(descriptions(plan.users[0]) == std::vector<std::string>{"suspend"});
        CHECK(plan.users[0].steps[0].directory_id == "-");
        auto restore = f.plan({"acc-01"}, {"restore"});
        CHECK(restore.users[0].skipped == "restore: not suspended");
    }
    SECTION("deactivate acts on managed accounts only") {
        auto plan = f.plan({"acc-01", "acc-03"}, {"deactivate"});
        CHECK(descriptions(plan.users[0]) == std::vector<std::string>{"deactivate"});
        CHECK_THAT(plan.users[1].skipped, Catch::StartsWith("deactivate: unmanaged account"));
        auto again = f.plan({"acc-01"}, {"reactivate"});
        CHECK(again.users[0].skipped == "reactivate: already active");
    }
    SECTION("groups: by name or id, members and non-members") {
        auto plan = f.plan({"acc-01", "acc-08"}, {"add-to-groups:OPS,g-eng"});
        CHECK(descriptions(plan.users[0]) == std::vector<std::string>{"add-to-group ops"});
        CHECK(plan.users[0].notes == std::vector<std::string>{"add-to-groups: already in eng"});
        CHECK(descriptions(plan.users[1]) ==
              std::vector<std::string>{"add-to-group ops", "add-to-group eng"});
        auto removal = f.plan({"acc-01", "acc-08"}, {"remove-from-groups:eng"});
        CHECK(descriptions(removal.users[0]) == std::vector<std::string>{"remove-from-group eng"});
        CHECK(removal.users[1].skipped == "remove-from-groups: not in eng");
        f.grants.synced.insert("g-eng");
        auto synced = f.plan({"acc-01"}, {"remove-from-groups:eng"});
        CHECK_THAT(synced.users[0].skipped, Catch::Contains("synced from an identity provider"));
        CHECK_THROWS_AS(f.plan({"acc-01"}, {"add-to-groups:nope"}), PlanError);
    }
    SECTION("remove-product-access: the granting groups, then the direct role") {
        f.grants.resources_of["g-eng"] = {test::kJiraA};
        auto plan =
            f.plan({"acc-01", "acc-08"}, {"remove-product-access:jira-software@a.example.net"});
        CHECK(descriptions(plan.users[0]) ==
              std::vector<std::string>{
                  "remove-from-group eng",
                  "revoke-role atlassian/user on jira-software@a.example.net (if granted "
                  "directly)"});
        CHECK(plan.users[1].skipped ==
              "remove-product-access:jira-software@a.example.net: no access there");
        auto every_site = f.plan({"acc-08"}, {"remove-product-access:jira-software"});
        REQUIRE(every_site.users[0].steps.size() == 1);
        CHECK(every_site.users[0].steps[0].resource_id == test::kJiraB);
        f.grants.synced.insert("g-eng");
        auto idp = f.plan({"acc-01"}, {"remove-product-access:jira-software@a.example.net"});
        CHECK_THAT(idp.users[0].notes.at(0),
                   Catch::Contains("comes from group eng, synced from an identity provider"));
        CHECK_THROWS_WITH(f.plan({"acc-01"}, {"remove-product-access:trello"}),
                          Catch::Contains("no product 'trello'"));
    }
    SECTION("several actions run in order and never repeat a step") {
        auto plan =
            f.plan({"acc-01"}, {"remove-from-groups:eng", "suspend", "remove-from-groups:eng"});
        CHECK(descriptions(plan.users[0]) ==
              std::vector<std::string>{"remove-from-group eng", "suspend"});
    }
}

TEST_CASE("every operation but removal has an inverse", "[ops]") {
    Step s;
    s.account_id = "a";
    s.group_id = "g";
    for (auto [op, back] :
         std::vector<std::pair<std::string, std::string>>{{kOpSuspend, kOpRestore},
                                                          {kOpRestore, kOpSuspend},
                                                          {kOpAddToGroup, kOpRemoveFromGroup},
                                                          {kOpRemoveFromGroup, kOpAddToGroup},
                                                          {kOpRevokeRole, kOpAssignRole},
                                                          {kOpDeactivate, kOpReactivate},
                                                          {kOpReactivate, kOpDeactivate}}) {
        s.op = op;
        auto inv = inverse(s);
        REQUIRE(inv);
        CHECK(inv->op == back);
        CHECK(inv->group_id == "g");
        CHECK(inverse(*inv)->op == op);
    }
    s.op = kOpRemoveFromDirectory;
    CHECK_FALSE(inverse(s));
}

TEST_CASE("a fresh read tells which steps are already done", "[ops]") {
    atlassian::DirectoryUser u;
    u.account_id = "a";
    u.status = "suspended";
    u.membership_status = "suspended";
    u.account_status = "active";
    u.groups = {{"g1", "one"}};
    Step s;
    s.op = kOpSuspend;
    CHECK(already_done(s, u));
    s.op = kOpRestore;
    CHECK_FALSE(already_done(s, u));
    s.op = kOpAddToGroup;
    s.group_id = "g1";
    CHECK(already_done(s, u));
    s.op = kOpRemoveFromGroup;
    CHECK_FALSE(already_done(s, u));
    s.group_id = "g2";
    CHECK(already_done(s, u));
    s.op = kOpDeactivate;
    CHECK_FALSE(already_done(s, u));
    s.op = kOpReactivate;
    CHECK(already_done(s, u));
}

TEST_CASE("a fresh read is judged by the one filter, with the snapshot's roles", "[ops]") {
    Fixture f;
    atlassian::DirectoryUser fresh;
    fresh.account_id = "acc-01";
    fresh.name = "Ann Alpha";
    fresh.email = "ann@acme.com";
    fresh.status = "active";
    fresh.membership_status = "active";
    fresh.account_status = "active";
    fresh.claim_status = "managed";
    fresh.product_access = {{test::kJiraA, "jira", test::days_ago(5)}};
    fresh.groups = {{"g-eng", "eng"}};
    auto index = fresh_user_index(*f.index, fresh);
    REQUIRE(index.users.size() == 1);
    UserFilter filter;
    set_user_filter_field(filter, "group", {{"eng"}, false});
    set_user_filter_field(filter, "product", {{"jira-software"}, false});
    CHECK(query::UserMatcher(index, filter, test::kQueryNow)(0));
    set_user_filter_field(filter, "inactive-days", {{"30"}, false});
    CHECK_FALSE(query::UserMatcher(index, filter, test::kQueryNow)(0));  // active 5 days ago
    fresh.platform_roles = {"atlassian/org-admin"};
    auto admin = fresh_user_index(*f.index, fresh);
    CHECK(protection_reason(admin, 0, {}) == std::optional<std::string>("protected: org admin"));
}
