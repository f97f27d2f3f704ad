// Directory membership (v2): suspend, restore and remove users; add and remove group members.
#include "field_source.hpp"
#include "json_util.hpp"
#include "route_util.hpp"
#include "routes.hpp"

namespace rosterd::sim {

namespace {

constexpr const char* kDirectoryPath = "/admin/v2/orgs/([^/]+)/directories/([^/]+)";

// The user named in the path, who must be in the path's directory.
std::size_t path_user(const Model& model, const httplib::Request& req, std::size_t match) {
    auto directory = path_directory(model, req.matches[2].str());
    auto index = model.find_user(req.matches[match].str());
    if (!index || (directory && model.users[*index].directory != *directory)) {
        throw NotFound(8, "User not found");
    }
    return *index;
}

std::size_t path_group(const Model& model, const httplib::Request& req) {
    auto directory = path_directory(model, req.matches[2].str());
    auto index = model.find_group(req.matches[3].str());
    if (!index || (directory && model.groups[*index].directory != *directory)) {
        throw NotFound(10, "Group not found");
    }
    return *index;
}

enum class MembershipAction { Suspend, Restore, Remove };

void change_membership(SimState& state, const httplib::Request& req, httplib::Response& res,
                       MembershipAction action) {
    if (!check_org(state, req, res, req.matches[1].str()))
        return;
    std::unique_lock lock(state.model_mutex);
    Model& model = state.model;
    std::size_t user = path_user(model, req, 3);
    Change change = action == MembershipAction::Suspend   ? model.suspend(user)
                    : action == MembershipAction::Restore ? model.restore(user)
                                                          : model.remove_from_directory(user);
    if (change == Change::NoMembership)
        throw NotFound(8, "User is not a member of the directory");
    // Suspending a suspended user or restoring an active one is a no-op answered 204.
    send_no_content(res);
}

void add_member(SimState& state, const httplib::Request& req, httplib::Response& res) {
    if (!check_org(state, req, res, req.matches[1].str()))
        return;
    rapidjson::Document body = parse_body_object(req);
    auto account_id = JsonFields(body).string("accountId");
    if (!account_id)
        throw BadRequest("accountId is required");
    std::unique_lock lock(state.model_mutex);
    Model& model = state.model;
    std::size_t group = path_group(model, req);
    auto user = model.find_user(*account_id);
    if (!user)
        throw NotFound(8, "User not found");
    switch (model.add_member(group, *user)) {
        case Change::Done:
            send_no_content(res);
            return;
        case Change::AlreadyMember:
            send_api_error(req, res, 409, 28, "The user is already a member of the group");
            return;
        case Change::SyncedGroup:
            send_api_error(req, res, 403, 5,
                           "The group is synced from an identity provider and cannot be changed");
            return;
        case Change::WrongDirectory:
            send_api_error(req, res, 400, 4, "The user is not in the group's directory");
            return;
        default:
            send_api_error(req, res, 400, 4, "The user is not a member of the directory");
            return;
    }
}

void remove_member(SimState& state, const httplib::Request& req, httplib::Response& res) {
    if (!check_org(state, req, res, req.matches[1].str()))
        return;
    std::unique_lock lock(state.model_mutex);
    Model& model = state.model;
    std::size_t group = path_group(model, req);
    auto user = model.find_user(req.matches[4].str());
    if (!user)
        throw NotFound(8, "User not found");
    switch (model.remove_member(group, *user)) {
        case Change::Done:
            send_no_content(res);
            return;
        case Change::SyncedGroup:
            send_api_error(req, res, 403, 5,
                           "The group is synced from an identity provider and cannot be changed");
            return;
        default:
            send_api_error(req, res, 404, 8, "The user is not a member of the group");
            return;
    }
}

}  // namespace

void register_membership_routes(Routes& server, SimState& state) {
    const std::string users = std::string(kDirectoryPath) + "/users/([^/]+)";
    server.post(users + "/suspend", [&state](const httplib::Request& req, httplib::Response& res) {
        guarded(req, res, [&] { change_membership(state, req, res, MembershipAction::Suspend); });
    });
    server.post(users + "/restore", [&state](const httplib::Request& req, httplib::Response& res) {
        guarded(req, res, [&] { change_membership(state, req, res, MembershipAction::Restore); });
    });
    server.del(users, [&state](const httplib::Request& req, httplib::Response& res) {
        guarded(req, res, [&] { change_membership(state, req, res, MembershipAction::Remove); });
    });
    const std::string memberships = std::string(kDirectoryPath) + "/groups/([^/]+)/memberships";
    server.post(memberships, [&state](const httplib::Request& req, httplib::Response& res) {
        guarded(req, res, [&] { add_member(state, req, res); });
    });
    server.del(memberships + "/([^/]+)",
               [&state](const httplib::Request& req, httplib::Response& res) {
                   guarded(req, res, [&] { remove_member(state, req, res); });
               });
}

}  // namespace rosterd::sim
