// User management API (managed accounts): lifecycle disable/enable and the profile. Errors use
// the {"key": ...} shape of that API.
#include "field_source.hpp"
#include "json_util.hpp"
#include "render.hpp"
#include "route_util.hpp"
#include "routes.hpp"

namespace rosterd::sim {

namespace {

void change_lifecycle(SimState& state, const httplib::Request& req, httplib::Response& res,
                      bool enable) {
    try {
        parse_body_object(req);
    } catch (const BadRequest&) {
        send_json(res, 400, um_key_error("bodyParseFailure"));
        return;
    }
    std::unique_lock lock(state.model_mutex);
    Model& model = state.model;
    const std::string account_id = req.matches[1].str();
    auto user = model.find_user(account_id);
    if (!user) {
        send_json(res, 404, um_key_error("accountNotFound"));
        return;
    }
    switch (model.set_account_enabled(*user, enable)) {
        case Change::Done:
            send_no_content(res);
            return;
        case Change::UnmanagedAccount:
            send_json(res, 403, um_forbidden_action("managedAccount"));
            return;
        case Change::SyncedAccount:
            send_json(res, 403, um_forbidden_action("externalDirectory.scim"));
            return;
        default:
            send_json(
                res, 409,
                um_lifecycle_conflict(account_id, enable ? "The account is already active"
                                                         : "The account is already deactivated"));
            return;
    }
}

void get_profile(SimState& state, const httplib::Request& req, httplib::Response& res) {
    std::shared_lock lock(state.model_mutex);
    const Model& model = state.model;
    auto index = model.find_user(req.matches[1].str());
    if (!index) {
        send_json(res, 404, um_key_error("accountNotFound"));
        return;
    }
    const User& user = model.users[*index];
    if (user.claim != ClaimStatus::Managed) {
        send_json(res, 403, um_key_error("forbidden"));
        return;
    }
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    key(w, "account");
    w.StartObject();
    key(w, "account_id");
    put(w, user.account_id);
    key(w, "account_type");
    put(w, user.app ? "app" : "atlassian");
    key(w, "account_status");
    put(w, to_string(user.account_status));
    key(w, "name");
    put(w, user.name);
    key(w, "nickname");
    put(w, user.nickname);
    key(w, "email");
    put(w, user.email);
    key(w, "picture");
    put(w, picture_url(user));
    w.EndObject();
    w.EndObject();
    send_json(res, 200, to_string(buffer));
}

}  // namespace

void register_lifecycle_routes(Routes& server, SimState& state) {
    for (bool enable : {true, false}) {
        server.post(
            std::string("/users/([^/]+)/manage/lifecycle/") + (enable ? "enable" : "disable"),
            [&state, enable](const httplib::Request& req, httplib::Response& res) {
                change_lifecycle(state, req, res, enable);
            });
    }
    server.get("/users/([^/]+)/manage/profile",
               [&state](const httplib::Request& req, httplib::Response& res) {
                   get_profile(state, req, res);
               });
}

}  // namespace rosterd::sim
