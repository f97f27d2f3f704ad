// OpenAPI conformance: the simulator's responses (and the requests these tests send) validate
// against Atlassian's published documents.
#include <catch2/catch.hpp>

#include <string>

#include "openapi_validator.hpp"
#include "sim_live_server.hpp"

using namespace rosterd::sim;
using namespace rosterd::sim::test;
using rosterd::test::OpenApiDocument;
using rosterd::test::validate_against;
using rosterd::test::validate_request_against;

namespace {

const std::string kOrgSpec =
    std::string(ROSTERD_SOURCE_DIR) + "/tests/data/openapi/atlassian_org_openapi.json";
const std::string kUmSpec =
    std::string(ROSTERD_SOURCE_DIR) + "/tests/data/openapi/atlassian_user_management_openapi.json";

// Sends the request and checks the response (and a JSON request body) against the document.
void conforms(LiveSim& sim, const std::string& method, const std::string& path, int expected_status,
              const std::string& body = "", const std::string& spec = kOrgSpec) {
    httplib::Result res = method == "GET" ? sim.client.Get(path.c_str())
                          : method == "DELETE"
                              ? sim.client.Delete(path.c_str())
                              : sim.client.Post(path.c_str(), body, "application/json");
    REQUIRE(res);
    INFO(method << " " << path << " -> " << res->status << " " << res->body.substr(0, 400));
    CHECK(res->status == expected_status);
    auto problem = validate_against(spec, path, method, res->status, res->body);
    CHECK(problem.value_or("") == "");
    if (method == "POST" && !body.empty() && res->status < 300) {
        auto request_problem = validate_request_against(spec, path, method, body);
        // Body-less actions (suspend, restore) document no request body; everything else must.
        if (request_problem &&
            request_problem->find("takes no request body") == std::string::npos) {
            CHECK(*request_problem == "");
        }
    }
}

}  // namespace

TEST_CASE("the validator translates nullable and catches enum violations", "[sim][openapi]") {
    OpenApiDocument doc(kOrgSpec);
    CHECK(doc.match_path("/admin/v2/orgs/abc/directories/-/users/count") ==
          std::string("/v2/orgs/{orgId}/directories/{directoryId}/users/count"));
    CHECK(doc.match_path("/admin/v2/orgs/abc/directories/-/users/557058:x", "GET") ==
          std::string("/v2/orgs/{orgId}/directories/{directoryId}/users/{userId}"));
    CHECK(doc.match_path("/admin/v2/orgs/abc/directories/-/users/557058:x", "DELETE") ==
          std::string("/v2/orgs/{orgId}/directories/{directoryId}/users/{accountId}"));
    CHECK_FALSE(doc.match_path("/admin/v9/nothing"));
    // v2 accountType allows only "atlassian": "app" must fail.
    CHECK_FALSE(doc.validate_schema("MultiDirectoryUser",
                                    R"({"accountId":"a","accountType":"atlassian"})"));
    auto app =
        doc.validate_schema("MultiDirectoryUser", R"({"accountId":"a","accountType":"app"})");
    REQUIRE(app);
    CHECK(app->find("accountType") != std::string::npos);
    // managementSource is nullable: null passes, other values must be in the enum.
    CHECK_FALSE(doc.validate_schema("MultiDirectoryUser", R"({"managementSource":null})"));
    CHECK(doc.validate_schema("MultiDirectoryUser", R"({"managementSource":"magic"})"));
    CHECK_FALSE(doc.validate_schema("MultiDirectoryUser", R"({"managementSource":"synced"})"));
    // A nullable $ref and a nullable object.
    CHECK_FALSE(
        doc.validate_schema("MultiDirectoryUserRoleAssignment", R"({"userDirectoryStatus":null})"));
    CHECK(doc.validate_schema("MultiDirectoryUserRoleAssignment",
                              R"({"userDirectoryStatus":"gone"})"));
    CHECK_FALSE(doc.validate_schema("WorkspaceModel",
                                    R"({"attributes":{"sandbox":null,"capacity":null}})"));
    CHECK(doc.validate_schema("WorkspaceModel", R"({"attributes":{"capacity":"ten"}})"));
    // Responses and request bodies by path.
    CHECK(doc.validate_response("/admin/v2/orgs/o/directories/-/users/count", "GET", 200,
                                R"({"count":"3"})"));
    CHECK_FALSE(doc.validate_response("/admin/v2/orgs/o/directories/-/users/count", "GET", 200,
                                      R"({"count":3})"));
    CHECK(doc.validate_response("/admin/v2/orgs/o/directories/-/users/count", "GET", 418, "{}"));
    CHECK(doc.validate_request("/admin/v2/orgs/o/directories/-/users/search", "POST",
                               R"({"limit":1000})"));
    CHECK_FALSE(doc.validate_request("/admin/v2/orgs/o/directories/-/users/search", "POST",
                                     R"({"limit":100,"expand":["groups"]})"));
    CHECK(
        doc.validate_response("/admin/v2/orgs/o/directories/-/users/x/suspend", "POST", 204, "{}"));
    OpenApiDocument um(kUmSpec);
    CHECK_FALSE(um.validate_response(
        "/users/557058:abc/manage/lifecycle/disable", "POST", 409,
        R"({"key":"conflict.lifecycleErrors","context":{"accountId":"557058:abc","message":"m","errorCodes":[{"code":"c"}]}})"));
}

TEST_CASE("the simulator's read endpoints conform to the Organizations API document",
          "[sim][openapi]") {
    LiveSim sim;
    auto truth = sim.truth();
    std::string user = truth["users"][0]["account_id"].GetString();
    std::string group;
    for (const auto& g : truth["groups"].GetArray()) {
        if (g["roles"].Size() > 0) {
            group = g["id"].GetString();
            break;
        }
    }
    conforms(sim, "GET", "/admin/v1/orgs", 200);
    conforms(sim, "GET", sim.v1(""), 200);
    conforms(sim, "POST", sim.v2("/workspaces"), 200, R"({"limit":3})");
    conforms(
        sim, "POST", sim.v2("/workspaces"), 200,
        R"({"limit":100,"query":{"and":[{"field":{"name":"attributes.type","values":["jira"]}}]},"sort":[{"field":"attributes.name","order":"asc"}]})");
    conforms(sim, "GET", sim.v2("/directories"), 200);
    conforms(
        sim, "POST", sim.v2("/directories/-/users/search"), 200,
        R"({"limit":100,"expand":["platformRoles","counts.resources","productAccess","groups"]})");
    conforms(
        sim, "POST", sim.v2("/directories/-/users/search"), 200,
        R"({"limit":20,"status":["suspended","deactivated","not_invited"],"claimStatus":"managed"})");
    conforms(sim, "GET", sim.v2("/directories/-/users?limit=50"), 200);
    conforms(sim, "GET", sim.v2("/directories/-/users/count?status=active"), 200);
    conforms(sim, "GET", sim.v2("/directories/-/users/" + user), 200);
    conforms(sim, "GET", sim.v2("/directories/-/users/" + user + "/role-assignments"), 200);
    conforms(sim, "POST", sim.v2("/directories/-/groups/search"), 200,
             R"({"limit":100,"expand":["counts.resources","counts.users"]})");
    conforms(sim, "GET", sim.v2("/directories/-/groups"), 200);
    conforms(sim, "GET", sim.v2("/directories/-/groups/" + group), 200);
    conforms(sim, "GET", sim.v2("/directories/-/groups/" + group + "/role-assignments"), 200);
    conforms(sim, "GET", sim.v1("/directory/users/" + user + "/last-active-dates"), 200);

    // Every user of the org in the v1 list and in users/search validates (all kinds of users).
    sim.configure(R"({"page_size":1000})");
    conforms(sim, "GET", sim.v1("/users"), 200);
}

TEST_CASE("the simulator's errors conform to the documents", "[sim][openapi]") {
    LiveSim sim;
    conforms(sim, "POST", sim.v2("/directories/-/users/search"), 400, R"({"limit":0})");
    conforms(sim, "GET", sim.v2("/directories/-/users/nobody"), 404);
    conforms(sim, "GET", sim.v2("/directories/-/users/count?status=bogus"), 400);
    conforms(sim, "POST", "/admin/v2/orgs/other/workspaces", 404, "{}");
    conforms(sim, "POST", sim.v2("/workspaces"), 400, R"({"cursor":"x","limit":2})");
    conforms(sim, "GET", "/admin/v1/orgs/other", 404);
    conforms(sim, "GET", sim.v1("/directory/users/nobody/last-active-dates"), 404);
    conforms(sim, "POST", sim.v2("/directories/-/groups/search"), 400, R"({"limit":1000})");
    sim.configure(R"({"rate_limit":1,"last_active_limit":1})");
    conforms(sim, "GET", sim.v1(""), 200);
    // The last-active call above already used this minute's single request.
    conforms(sim, "GET", sim.v1("/directory/users/nobody/last-active-dates"), 429);
    conforms(sim, "POST", sim.v2("/directories/-/users/search"), 429, "{}");
    sim.configure(R"({"rate_limit":0,"key_expired":true})");
    conforms(sim, "GET", sim.v1("/directory/users/nobody/last-active-dates"), 401);
    conforms(sim, "POST", sim.v2("/workspaces"), 401, "{}");
    conforms(sim, "POST", "/users/nobody/manage/lifecycle/enable", 401, "{}", kUmSpec);
}

TEST_CASE("the simulator's mutations answer the documented codes", "[sim][openapi]") {
    LiveSim sim;
    auto truth = sim.truth();
    std::string jsm = truth["sites"][0]["products"][2]["resource_id"].GetString();
    auto holds_any = [](const rapidjson::Value& u, const std::string& resource) {
        for (const auto& a : u["access"].GetArray()) {
            if (resource == a["resource_id"].GetString())
                return true;
        }
        return false;
    };
    std::string user;
    std::string invited;
    std::string external;
    for (const auto& u : truth["users"].GetArray()) {
        std::string status = u["status"].GetString();
        std::string claim = u["claim_status"].GetString();
        if (user.empty() && status == "active" && u["access"].Size() > 0)
            user = u["account_id"].GetString();
        if (invited.empty() && status == "active" && claim == "managed" &&
            u["management_source"] == "invited" && user != u["account_id"].GetString() &&
            u["platform_roles"].Empty() && !holds_any(u, jsm)) {
            invited = u["account_id"].GetString();
        }
        if (external.empty() && claim == "unmanaged")
            external = u["account_id"].GetString();
    }
    std::string group;
    for (const auto& g : truth["groups"].GetArray()) {
        if (!g["external_synced"].GetBool() && g["roles"].Size() == 0) {
            group = g["id"].GetString();
            break;
        }
    }
    std::string users = sim.v2("/directories/-/users/" + user);
    conforms(sim, "POST", users + "/suspend", 204, "{}");
    conforms(sim, "POST", users + "/restore", 204, "{}");
    std::string members = sim.v2("/directories/-/groups/" + group + "/memberships");
    std::string membership_body = R"({"accountId":")" + user + "\"}";
    sim.client.Delete((members + "/" + user).c_str());
    conforms(sim, "POST", members, 204, membership_body);
    conforms(sim, "POST", members, 409, membership_body);
    conforms(sim, "DELETE", members + "/" + user, 204);
    conforms(sim, "DELETE", members + "/" + user, 404);
    std::string grant = R"({"resourceId":")" + jsm + R"(","roleId":"atlassian/user"})";
    conforms(sim, "POST", sim.v2("/directories/-/groups/" + group + "/role-assignments/assign"),
             200, grant);
    conforms(sim, "POST", sim.v2("/directories/-/groups/" + group + "/role-assignments/revoke"),
             204, grant);
    std::string role = R"({"role":"atlassian/admin","resource":")" + jsm + "\"}";
    conforms(sim, "POST", sim.v1("/users/" + invited + "/roles/assign"), 204, role);
    conforms(sim, "POST", sim.v1("/users/" + invited + "/roles/assign"), 409, role);
    conforms(sim, "POST", sim.v1("/users/" + invited + "/roles/revoke"), 204, role);
    conforms(sim, "POST", "/users/" + invited + "/manage/lifecycle/disable", 204,
             R"({"message":"bye"})", kUmSpec);
    conforms(sim, "POST", "/users/" + invited + "/manage/lifecycle/disable", 409, "{}", kUmSpec);
    conforms(sim, "POST", "/users/" + invited + "/manage/lifecycle/enable", 204, "{}", kUmSpec);
    conforms(sim, "POST", "/users/" + external + "/manage/lifecycle/disable", 403, "{}", kUmSpec);
    conforms(sim, "POST", "/users/nobody/manage/lifecycle/disable", 404, "{}", kUmSpec);
    conforms(sim, "GET", "/users/" + invited + "/manage/profile", 200, "", kUmSpec);
    conforms(sim, "DELETE", users, 204);
}
