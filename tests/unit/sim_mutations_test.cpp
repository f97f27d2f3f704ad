// Mutations change the model (and the truth); conflicts answer the documented codes.
#include <catch2/catch.hpp>

#include <string>

#include "sim_live_server.hpp"

using namespace rosterd::sim;
using namespace rosterd::sim::test;

namespace {

rapidjson::Document user_state(LiveSim& sim, const std::string& id) {
    auto res = sim.anonymous.Get(("/_sim/users/" + id).c_str());
    REQUIRE(res);
    REQUIRE(res->status == 200);
    return parse_json(res->body);
}

// The first truth user matching the predicate.
template <typename Predicate>
std::string find_user(LiveSim& sim, Predicate predicate) {
    auto truth = sim.truth();
    for (const auto& user : truth["users"].GetArray()) {
        if (predicate(user))
            return user["account_id"].GetString();
    }
    FAIL("no user matches");
    return "";
}

bool is(const rapidjson::Value& user, const char* field, const char* value) {
    return user[field].IsString() && std::string(user[field].GetString()) == value;
}

const rapidjson::Value* access_on(const rapidjson::Value& user, const std::string& resource) {
    for (const auto& access : user["access"].GetArray()) {
        if (resource == access["resource_id"].GetString())
            return &access;
    }
    return nullptr;
}

}  // namespace

TEST_CASE("suspend and restore change status but keep access", "[sim]") {
    LiveSim sim;
    std::string id = find_user(sim, [](const auto& u) {
        return is(u, "status", "active") && is(u, "account_type", "atlassian") &&
               u["access"].Size() > 0;
    });
    std::size_t access_before = user_state(sim, id)["access"].Size();
    CHECK(user_state(sim, id)["billable_on"].Size() > 0);
    auto res = sim.post_json(sim.v2("/directories/-/users/" + id + "/suspend"), "{}");
    REQUIRE(res);
    CHECK(res->status == 204);
    CHECK(res->body.empty());
    auto suspended = user_state(sim, id);
    CHECK(suspended["status"] == "suspended");
    CHECK(suspended["membership_status"] == "suspended");
    CHECK(suspended["access"].Size() == access_before);
    CHECK(suspended["billable_on"].Size() == 0);
    auto search = sim.post_json(sim.v2("/directories/-/users/search"),
                                R"({"accountIds":[")" + id + R"("],"status":["suspended"]})");
    CHECK(parse_json(search->body)["data"].Size() == 1);
    CHECK(sim.post_json(sim.v2("/directories/-/users/" + id + "/restore"), "{}")->status == 204);
    CHECK(user_state(sim, id)["status"] == "active");
    CHECK(sim.post_json(sim.v2("/directories/-/users/557058:nobody/suspend"), "{}")->status == 404);
}

TEST_CASE("removing a user from the directory drops access, external users leave the org",
          "[sim]") {
    LiveSim sim;
    std::string managed = find_user(sim, [](const auto& u) {
        return is(u, "claim_status", "managed") && is(u, "status", "active") &&
               u["groups"].Size() > 0;
    });
    std::string external = find_user(sim, [](const auto& u) {
        return is(u, "claim_status", "unmanaged") && is(u, "status", "active");
    });
    CHECK(sim.client.Delete(sim.v2("/directories/-/users/" + managed).c_str())->status == 204);
    auto state = user_state(sim, managed);
    CHECK(state["status"] == "not_invited");
    CHECK(state["groups"].Size() == 0);
    CHECK(state["access"].Size() == 0);
    CHECK(sim.client.Delete(sim.v2("/directories/-/users/" + external).c_str())->status == 204);
    CHECK(sim.anonymous.Get(("/_sim/users/" + external).c_str())->status == 404);
    CHECK(sim.get(sim.v2("/directories/-/users/" + external))->status == 404);
    auto truth = sim.truth();
    for (const auto& user : truth["users"].GetArray())
        CHECK(external != user["account_id"].GetString());
}

TEST_CASE("group membership: add 204, again 409, synced 403, remove 204, again 404", "[sim]") {
    GeneratorOptions options = small_org();
    options.groups = 60;  // enough plain groups for some to be IdP-synced
    LiveSim sim(options);
    auto truth = sim.truth();
    std::string group_id;
    std::string resource;
    std::string synced_id;
    for (const auto& group : truth["groups"].GetArray()) {
        if (group_id.empty() && std::string(group["name"].GetString()) == "confluence-users-acme") {
            group_id = group["id"].GetString();
            resource = group["roles"][0]["resource_id"].GetString();
        }
        if (synced_id.empty() && group["external_synced"].GetBool())
            synced_id = group["id"].GetString();
    }
    REQUIRE_FALSE(group_id.empty());
    REQUIRE_FALSE(synced_id.empty());
    std::string id = find_user(sim, [&](const auto& u) {
        return is(u, "status", "active") && u["access"].Size() > 0 && !access_on(u, resource);
    });
    std::string members = sim.v2("/directories/-/groups/" + group_id + "/memberships");
    auto added = sim.post_json(members, R"({"accountId":")" + id + "\"}");
    REQUIRE(added);
    CHECK(added->status == 204);
    auto state = user_state(sim, id);
    const auto* access = access_on(state, resource);
    REQUIRE(access);
    CHECK((*access)["role"] == "atlassian/user");
    CHECK((*access)["via"] == "group");

    auto again = sim.post_json(members, R"({"accountId":")" + id + "\"}");
    CHECK(again->status == 409);
    CHECK(parse_json(again->body)["errors"][0]["code"] == "ADMIN-409-28");
    auto synced = sim.post_json(sim.v2("/directories/-/groups/" + synced_id + "/memberships"),
                                R"({"accountId":")" + id + "\"}");
    CHECK(synced->status == 403);
    CHECK(sim.post_json(members, "{}")->status == 400);

    CHECK(sim.client.Delete((members + "/" + id).c_str())->status == 204);
    CHECK_FALSE(access_on(user_state(sim, id), resource));
    auto missing = sim.client.Delete((members + "/" + id).c_str());
    CHECK(missing->status == 404);
    CHECK(sim.post_json(sim.v2("/directories/-/groups/no-such-group/memberships"),
                        R"({"accountId":")" + id + "\"}")
              ->status == 404);
}

TEST_CASE("direct roles: assign 204, again 409, revoke 204, bad input 400/404", "[sim]") {
    LiveSim sim;
    auto truth = sim.truth();
    std::string jsm = truth["sites"][0]["products"][2]["resource_id"].GetString();
    std::string id = find_user(sim, [&](const auto& u) {
        return is(u, "status", "active") && !access_on(u, jsm) && u["platform_roles"].Size() == 0;
    });
    std::string roles = sim.v1("/users/" + id + "/roles");
    std::string body = R"({"role":"atlassian/customer","resource":")" + jsm + "\"}";
    CHECK(sim.post_json(roles + "/assign", body)->status == 204);
    auto state = user_state(sim, id);
    REQUIRE(access_on(state, jsm));
    CHECK((*access_on(state, jsm))["via"] == "direct");
    for (const auto& billable : state["billable_on"].GetArray())
        CHECK(jsm != billable.GetString());
    auto again = sim.post_json(roles + "/assign", body);
    CHECK(again->status == 409);
    CHECK(parse_json(again->body)["errors"][0]["code"] == "ADMIN-UAM-409-2");

    auto role_list = parse_json(
        sim.get(sim.v2("/directories/-/users/" + id + "/role-assignments?resourceIds=" + jsm))
            ->body);
    REQUIRE(role_list["data"].Size() == 1);
    CHECK(role_list["data"][0]["roleAssignments"][0]["roleAssignmentMethods"][0] == "direct");

    CHECK(sim.post_json(roles + "/revoke", body)->status == 204);
    CHECK_FALSE(access_on(user_state(sim, id), jsm));

    auto unknown_resource = sim.post_json(
        roles + "/assign", R"({"role":"atlassian/user","resource":"ari:cloud:jira::site/none"})");
    CHECK(unknown_resource->status == 404);
    CHECK(parse_json(unknown_resource->body)["errors"][0]["code"] == "ADMIN-UAM-404-1");
    auto bad_role = sim.post_json(roles + "/assign",
                                  R"({"role":"atlassian/wizard","resource":")" + jsm + "\"}");
    CHECK(bad_role->status == 400);
    CHECK(parse_json(bad_role->body)["errors"][0]["code"] == "ADMIN-UAM-400-1");
    std::string confluence = truth["sites"][0]["products"][1]["resource_id"].GetString();
    auto wrong_product = sim.post_json(
        roles + "/assign", R"({"role":"atlassian/customer","resource":")" + confluence + "\"}");
    CHECK(wrong_product->status == 400);
    CHECK(parse_json(wrong_product->body)["errors"][0]["code"] == "ADMIN-UAM-400-3");
}

TEST_CASE("group roles: assign 200 grants members, revoke 204 takes it back", "[sim]") {
    LiveSim sim;
    auto truth = sim.truth();
    std::string jpd_less_resource = truth["sites"][1]["products"][2]["resource_id"].GetString();
    std::string group_id;
    for (const auto& group : truth["groups"].GetArray()) {
        if (group["roles"].Size() == 0 && !group["external_synced"].GetBool()) {
            group_id = group["id"].GetString();
            break;
        }
    }
    REQUIRE_FALSE(group_id.empty());
    std::string member = find_user(sim, [&](const auto& u) {
        for (const auto& g : u["groups"].GetArray()) {
            if (group_id == g.GetString())
                return !access_on(u, jpd_less_resource);
        }
        return false;
    });
    std::string path = sim.v2("/directories/-/groups/" + group_id + "/role-assignments");
    std::string body = R"({"resourceId":")" + jpd_less_resource + R"(","roleId":"atlassian/user"})";
    auto assigned = sim.post_json(path + "/assign", body);
    REQUIRE(assigned);
    CHECK(assigned->status == 200);
    auto member_state = user_state(sim, member);  // access points into it
    const auto* access = access_on(member_state, jpd_less_resource);
    REQUIRE(access);
    CHECK((*access)["via"] == "group");
    auto listed = parse_json(sim.get(path)->body);
    REQUIRE(listed["data"].Size() == 1);
    CHECK(listed["data"][0]["roles"][0] == "atlassian/user");
    CHECK(sim.post_json(path + "/revoke", body)->status == 204);
    CHECK_FALSE(access_on(user_state(sim, member), jpd_less_resource));
    CHECK(sim.post_json(path + "/assign", R"({"resourceId":"nope","roleId":"atlassian/user"})")
              ->status == 404);
}

TEST_CASE("lifecycle disable/enable only for managed, non-synced accounts", "[sim]") {
    LiveSim sim;
    std::string invited = find_user(sim, [](const auto& u) {
        return is(u, "claim_status", "managed") && is(u, "management_source", "invited") &&
               is(u, "status", "active") && u["access"].Size() > 0;
    });
    std::string external =
        find_user(sim, [](const auto& u) { return is(u, "claim_status", "unmanaged"); });
    std::string synced =
        find_user(sim, [](const auto& u) { return is(u, "management_source", "synced"); });

    std::string disable = "/users/" + invited + "/manage/lifecycle/disable";
    CHECK(sim.post_json(disable, R"({"message":"bye"})")->status == 204);
    auto state = user_state(sim, invited);
    CHECK(state["status"] == "deactivated");
    CHECK(state["account_status"] == "inactive");
    CHECK(state["billable_on"].Size() == 0);
    auto again = sim.post_json(disable, "{}");
    CHECK(again->status == 409);
    CHECK(parse_json(again->body)["key"] == "conflict.lifecycleErrors");
    CHECK(sim.post_json("/users/" + invited + "/manage/lifecycle/enable", "{}")->status == 204);
    CHECK(user_state(sim, invited)["status"] == "active");

    auto forbidden = sim.post_json("/users/" + external + "/manage/lifecycle/disable", "{}");
    CHECK(forbidden->status == 403);
    CHECK(parse_json(forbidden->body)["key"] == "forbidden.action");
    auto scim = sim.post_json("/users/" + synced + "/manage/lifecycle/disable", "{}");
    CHECK(scim->status == 403);
    CHECK(parse_json(scim->body)["context"]["reason"]["key"] == "externalDirectory.scim");
}

TEST_CASE("test control moves activity, and reset restores the start-up org", "[sim]") {
    LiveSim sim;
    auto truth = sim.truth();
    std::string before = sim.anonymous.Get("/_sim/truth")->body;
    std::string id;
    std::string resource;
    for (const auto& user : truth["users"].GetArray()) {
        if (user["access"].Size() > 0) {
            id = user["account_id"].GetString();
            resource = user["access"][0]["resource_id"].GetString();
            break;
        }
    }
    auto moved = sim.anonymous.Post("/_sim/activity",
                                    R"({"account_id":")" + id + R"(","resource_id":")" + resource +
                                        R"(","last_active":"2026-08-14T10:00:00.123456789Z"})",
                                    "application/json");
    REQUIRE(moved);
    CHECK(moved->status == 200);
    auto state = user_state(sim, id);  // access points into it
    const auto* access = access_on(state, resource);
    REQUIRE(access);
    CHECK((*access)["last_active_ms"].GetInt64() == 1786701600123LL);
    CHECK((*access)["last_active"] == "2026-08-14T10:00:00.123456789Z");
    auto search =
        parse_json(sim.post_json(sim.v2("/directories/-/users/search"),
                                 R"({"accountIds":[")" + id + R"("],"expand":["productAccess"]})")
                       ->body);
    bool served = false;
    for (const auto& product : search["data"][0]["productAccess"].GetArray()) {
        if (resource == product["id"].GetString()) {
            served = product["lastActiveTimestamp"] == "2026-08-14T10:00:00.123456789Z";
        }
    }
    CHECK(served);
    auto dates = parse_json(sim.get(sim.v1("/directory/users/" + id + "/last-active-dates"))->body);
    bool dated = false;
    for (const auto& product : dates["data"]["product_access"].GetArray()) {
        if (resource == product["id"].GetString()) {
            dated = product["last_active"] == "2026-08-14" &&
                    product["last_active_timestamp"] == "2026-08-14T10:00:00Z";
        }
    }
    CHECK(dated);
    CHECK(sim.anonymous
              .Post("/_sim/activity", R"({"account_id":"x","resource_id":"y","last_active":null})",
                    "application/json")
              ->status == 404);
    CHECK(sim.anonymous
              .Post("/_sim/activity",
                    R"({"account_id":")" + id + R"(","resource_id":")" + resource +
                        R"(","last_active":"yesterday"})",
                    "application/json")
              ->status == 400);
    CHECK(sim.anonymous.Post("/_sim/reset", "{}", "application/json")->status == 200);
    CHECK(sim.anonymous.Get("/_sim/truth")->body == before);
}
