// "Hold or held" (issue 19): a scoped view keeps the users whose in-scope access a rosterd run
// took away, known from the run journal, over the hand-made snapshot of query_fixture.hpp.
#include <catch2/catch.hpp>

#include "query_fixture.hpp"
#include "rosterd/ops/run_store.hpp"
#include "rosterd/query/held.hpp"
#include "rosterd/query/query.hpp"
#include "rosterd/query/snapshot.hpp"

using namespace rosterd;
using namespace rosterd::test;

namespace {

std::vector<std::string> ids(const query::SnapshotIndex& index) {
    std::vector<std::string> out;
    for (auto u : query::select_users(index, {{}, query::UserSort::name, kQueryNow}))
        out.emplace_back(index.users[u].account_id);
    std::sort(out.begin(), out.end());
    return out;
}

const Scope kConfluence{{ScopeRule{std::nullopt, {{"confluence"}}, std::nullopt}}};

// An applying run that did `steps` (state, already) to `account`.
void journal(store::Database& db, const std::string& run_id, const std::string& account,
             std::vector<ops::StepRecord> steps, bool apply = true) {
    ops::RunRecord run;
    run.id = run_id;
    run.apply = apply;
    run.state = apply ? ops::RunState::succeeded : ops::RunState::planned;
    run.selection = "{}";
    run.created_at = kQueryNow;
    ops::UserRecord user;
    user.account_id = account;
    user.state = ops::UserState::done;
    int seq = 0;
    for (auto& s : steps) {
        s.seq = seq++;
        s.step.account_id = account;
    }
    user.steps = steps;
    run.users.push_back(std::move(user));
    ops::insert_run(db, run, "", "");
    // As the executor records each answer (insert_run journals the plan only).
    for (const auto& step : steps)
        ops::save_step(db, run_id, 0, step, kQueryNow);
}

ops::StepRecord revoke_step(const std::string& resource, std::string state = "ok",
                            bool already = false) {
    ops::StepRecord s;
    s.step.op = ops::kOpRevokeRole;
    s.step.role = "atlassian/user";
    s.step.resource_id = resource;
    s.state = *ops::step_state_from(state);
    s.already = already;
    return s;
}

}  // namespace

TEST_CASE("a scoped view keeps users whose in-scope access a run took away", "[query][scope]") {
    QuerySnapshot s;
    auto base = query::load_snapshot_index(s.db());
    // Confluence is held by acc-01 and acc-05 only.
    CHECK(ids(*query::scoped_view(s.db(), base, kConfluence)) ==
          std::vector<std::string>{"acc-01", "acc-05"});

    SECTION("from the journal: in-scope removals count, out-of-scope ones and non-changes do not") {
        journal(s.db(), "run-1", "acc-08", {revoke_step(kConfluenceA)});  // took Confluence
        journal(s.db(), "run-2", "acc-09", {revoke_step(kJiraB)});        // out of scope
        journal(s.db(), "run-3", "acc-03", {revoke_step(kConfluenceA, "ok", true)});  // already so
        journal(s.db(), "run-4", "acc-02", {revoke_step(kConfluenceA, "failed")});
        journal(s.db(), "run-5", "acc-10", {revoke_step(kConfluenceA)}, false);  // a dry run
        auto held = query::read_held_access(s.db(), 1);
        CHECK(held.resources_of.at("acc-08") == std::vector<std::string>{kConfluenceA});
        CHECK(held.resources_of.count("acc-03") == 0);
        CHECK(held.resources_of.count("acc-02") == 0);
        CHECK(held.resources_of.count("acc-10") == 0);
        auto view = query::scoped_view(s.db(), base, kConfluence);
        CHECK(ids(*view) == std::vector<std::string>{"acc-01", "acc-05", "acc-08"});
        // Held, not holding: shown with their in-scope access, which is none now.
        auto gus = query::find_user(*view, "acc-08");
        REQUIRE(gus);
        CHECK(query::make_user_row(*view, *gus, {}).access.empty());
        CHECK_FALSE(query::find_user(*view, "acc-09"));
        // Unscoped callers see everyone anyway.
        CHECK(query::scoped_view(s.db(), base, Scope::unscoped_scope()) == base);
    }
    SECTION("a group a run removed the user from took what it grants") {
        s.db().exec(
            "INSERT INTO group_roles (snapshot_id, group_id, resource_id, role) VALUES "
            "(1, 'g-ops', '" +
            std::string(kConfluenceA) + "', 'atlassian/user')");
        ops::StepRecord leave;
        leave.step.op = ops::kOpRemoveFromGroup;
        leave.step.group_id = "g-ops";
        leave.state = ops::StepState::ok;
        journal(s.db(), "run-6", "acc-04", {leave});
        auto view = query::scoped_view(s.db(), base, kConfluence);
        CHECK(ids(*view) == std::vector<std::string>{"acc-01", "acc-04", "acc-05"});
        // The same run seen by a Jira-only scope: acc-04 holds Jira@a anyway; a site-b scope
        // does not see the Confluence@a group removal.
        Scope site_b{{ScopeRule{{{"b.example.net"}}, std::nullopt, std::nullopt}}};
        CHECK(ids(*query::scoped_view(s.db(), base, site_b)) ==
              std::vector<std::string>{"acc-07", "acc-08", "acc-09"});
    }
}
