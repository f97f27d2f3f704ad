// Role assignments: reading a user's or a group's roles (v2), granting and revoking roles to
// groups (v2) and directly to users (v1 roles/assign|revoke, ADMIN-UAM-* errors).
#include <algorithm>

#include "field_source.hpp"
#include "json_util.hpp"
#include "route_util.hpp"
#include "routes.hpp"

namespace rosterd::sim {

namespace {

constexpr const char* kDirectoryPath = "/admin/v2/orgs/([^/]+)/directories/([^/]+)";

struct RoleListFilters {
    std::vector<std::string> directory_ids;
    std::vector<std::string> resource_ids;
    std::vector<std::string> resource_owners;
    std::vector<std::string> role_ids;
    int limit = 20;
    std::optional<std::string> cursor;

    std::string canonical() const {
        std::string out;
        for (const auto* list : {&directory_ids, &resource_ids, &resource_owners, &role_ids}) {
            std::vector<std::string> sorted = *list;
            std::sort(sorted.begin(), sorted.end());
            for (const auto& value : sorted)
                out += value + ",";
            out += "|";
        }
        return out;
    }

    bool accepts(const Product& product, std::string_view role) const {
        auto has = [](const std::vector<std::string>& list, std::string_view value) {
            return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
        };
        return has(resource_ids, product.resource_id) &&
               has(resource_owners, product.catalogue->type_key) && has(role_ids, role);
    }
};

RoleListFilters read_role_filters(const FieldSource& fields) {
    RoleListFilters filters;
    auto list = [&](const char* name, std::size_t max) {
        auto values = fields.strings(name);
        if (!values)
            return std::vector<std::string>{};
        check_list_size(name, *values, max);
        return *values;
    };
    filters.directory_ids = list("directoryIds", 10);
    filters.resource_ids = list("resourceIds", 20);
    filters.resource_owners = list("resourceOwners", 10);
    filters.role_ids = list("roleIds", 10);
    for (const auto& role : filters.role_ids) {
        if (!is_known_role_id(role))
            throw BadRequest("roleIds has an invalid value: " + role);
    }
    filters.limit = read_limit(fields, 20, 100);
    filters.cursor = read_cursor(fields);
    return filters;
}

// Resolves the cursor of a role listing and writes the page's links.
std::size_t start_of(SimState& state, CursorKind kind, const RoleListFilters& filters,
                     std::uint64_t hash) {
    if (!filters.cursor)
        return 0;
    return resolve_cursor(state, kind, *filters.cursor, hash, true).position;
}

void write_links(JsonWriter& w, SimState& state, CursorKind kind, std::size_t start,
                 std::size_t end, std::size_t total, std::uint64_t hash,
                 const std::string& canonical) {
    key(w, "links");
    w.StartObject();
    key(w, "self");
    put(w, issue_cursor(state, kind, start, hash, canonical));
    if (end < total) {
        key(w, "next");
        put(w, issue_cursor(state, kind, end, hash, canonical));
    }
    w.EndObject();
}

void user_role_assignments(SimState& state, const httplib::Request& req, httplib::Response& res) {
    if (!check_org(state, req, res, req.matches[1].str()))
        return;
    RoleListFilters filters = read_role_filters(QueryFields(req.params));
    std::string canonical = filters.canonical();
    std::uint64_t hash = filter_hash(canonical, req.path);
    std::size_t start = start_of(state, CursorKind::UserRoles, filters, hash);

    std::shared_lock lock(state.model_mutex);
    const Model& model = state.model;
    auto directory = path_directory(model, req.matches[2].str());
    auto index = model.find_user(req.matches[3].str());
    if (!index || (directory && model.users[*index].directory != *directory)) {
        throw NotFound(8, "User not found");
    }
    const User& user = model.users[*index];
    const std::string& directory_id = model.directories[user.directory].id;
    std::vector<const Access*> entries;
    if (filters.directory_ids.empty() ||
        std::find(filters.directory_ids.begin(), filters.directory_ids.end(), directory_id) !=
            filters.directory_ids.end()) {
        for (const auto& access : user.access) {
            if (filters.accepts(model.products[access.resource], role_id(access.role))) {
                entries.push_back(&access);
            }
        }
    }
    start = std::min(start, entries.size());
    std::size_t end = std::min(entries.size(), start + static_cast<std::size_t>(filters.limit));

    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    key(w, "data");
    w.StartArray();
    for (std::size_t i = start; i < end; ++i) {
        const Access& access = *entries[i];
        const Product& product = model.products[access.resource];
        bool via_group = std::any_of(user.groups.begin(), user.groups.end(), [&](std::size_t g) {
            const auto& roles = model.groups[g].roles;
            return std::find(roles.begin(), roles.end(), Grant{access.resource, access.role}) !=
                   roles.end();
        });
        w.StartObject();
        key(w, "resourceId");
        put(w, product.resource_id);
        key(w, "resourceOwner");
        put(w, product.catalogue->type_key);
        key(w, "directoryId");
        put(w, directory_id);
        key(w, "userDirectoryStatus");
        put(w, to_string(user.membership));
        key(w, "roleAssignments");
        w.StartArray();
        w.StartObject();
        key(w, "role");
        put(w, role_id(access.role));
        key(w, "roleAssignmentMethods");
        w.StartArray();
        if (access.direct)
            put(w, "direct");
        if (via_group)
            put(w, "group_direct");
        w.EndArray();
        w.EndObject();
        w.EndArray();
        key(w, "roles");
        w.StartArray();
        put(w, role_id(access.role));
        w.EndArray();
        w.EndObject();
    }
    w.EndArray();
    write_links(w, state, CursorKind::UserRoles, start, end, entries.size(), hash, canonical);
    w.EndObject();
    send_json(res, 200, to_string(buffer));
}

void group_role_assignments(SimState& state, const httplib::Request& req, httplib::Response& res) {
    if (!check_org(state, req, res, req.matches[1].str()))
        return;
    RoleListFilters filters = read_role_filters(QueryFields(req.params));
    std::string canonical = filters.canonical();
    std::uint64_t hash = filter_hash(canonical, req.path);
    std::size_t start = start_of(state, CursorKind::GroupRoles, filters, hash);

    std::shared_lock lock(state.model_mutex);
    const Model& model = state.model;
    auto directory = path_directory(model, req.matches[2].str());
    auto group_index = model.find_group(req.matches[3].str());
    if (!group_index || (directory && model.groups[*group_index].directory != *directory)) {
        throw NotFound(10, "Group not found");
    }
    const Group& group = model.groups[*group_index];
    // One entry per resource, listing every role the group grants there.
    std::vector<std::pair<std::size_t, std::vector<Role>>> entries;
    for (const auto& grant : group.roles) {
        if (!filters.accepts(model.products[grant.resource], role_id(grant.role)))
            continue;
        auto it = std::find_if(entries.begin(), entries.end(),
                               [&](const auto& entry) { return entry.first == grant.resource; });
        if (it == entries.end()) {
            entries.push_back({grant.resource, {grant.role}});
        } else {
            it->second.push_back(grant.role);
        }
    }
    start = std::min(start, entries.size());
    std::size_t end = std::min(entries.size(), start + static_cast<std::size_t>(filters.limit));

    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    key(w, "data");
    w.StartArray();
    for (std::size_t i = start; i < end; ++i) {
        const Product& product = model.products[entries[i].first];
        w.StartObject();
        key(w, "resourceId");
        put(w, product.resource_id);
        key(w, "resourceOwner");
        put(w, product.catalogue->type_key);
        key(w, "roles");
        w.StartArray();
        for (Role role : entries[i].second)
            put(w, role_id(role));
        w.EndArray();
        key(w, "defaultRole");
        w.Null();
        w.EndObject();
    }
    w.EndArray();
    write_links(w, state, CursorKind::GroupRoles, start, end, entries.size(), hash, canonical);
    w.EndObject();
    send_json(res, 200, to_string(buffer));
}

void change_group_role(SimState& state, const httplib::Request& req, httplib::Response& res,
                       bool assign) {
    if (!check_org(state, req, res, req.matches[1].str()))
        return;
    rapidjson::Document body = parse_body_object(req);
    JsonFields fields(body);
    auto resource_id = fields.string("resourceId");
    auto role_text = fields.string("roleId");
    if (!resource_id || !role_text)
        throw BadRequest("resourceId and roleId are required");

    std::unique_lock lock(state.model_mutex);
    Model& model = state.model;
    auto directory = path_directory(model, req.matches[2].str());
    auto group = model.find_group(req.matches[3].str());
    if (!group || (directory && model.groups[*group].directory != *directory)) {
        throw NotFound(10, "Group not found");
    }
    auto resource = model.find_product(*resource_id);
    if (!resource)
        throw NotFound(1, "Unknown resource");
    auto role = parse_role(*role_text);
    if (!role)
        throw BadRequest("roleId is not a product role the simulator grants: " + *role_text);
    Change change = assign ? model.assign_group_role(*group, *resource, *role)
                           : model.revoke_group_role(*group, *resource, *role);
    if (change == Change::InvalidRoleForResource) {
        send_api_error(req, res, 400, 4, "The role is not valid for this resource");
        return;
    }
    if (assign) {
        res.status = 200;  // assign answers 200 (no body), revoke 204
    } else {
        send_no_content(res);
    }
}

void change_user_role(SimState& state, const httplib::Request& req, httplib::Response& res,
                      bool assign) {
    if (!check_org(state, req, res, req.matches[1].str()))
        return;
    rapidjson::Document body = parse_body_object(req);
    JsonFields fields(body);
    auto role_text = fields.string("role");
    if (!role_text)
        throw BadRequest("role is required");
    if (!is_known_role_id(*role_text) || *role_text == "atlassian/ai-access") {
        throw BadRequest("role is not a valid role: " + *role_text);
    }
    auto resource_id = fields.string("resource");

    std::unique_lock lock(state.model_mutex);
    Model& model = state.model;
    auto user = model.find_user(req.matches[2].str());
    if (!user)
        throw NotFound(1, "User not found");
    std::optional<std::size_t> resource;
    bool platform_role = *role_text == kOrgAdmin || *role_text == kSiteAdmin;
    if (!platform_role) {
        if (!resource_id)
            throw BadRequest("resource is required for this role");
        resource = model.find_product(*resource_id);
        if (!resource)
            throw NotFound(1, "Unknown resource");
    }
    Change change = assign ? model.assign_user_role(*user, resource, *role_text)
                           : model.revoke_user_role(*user, resource, *role_text);
    switch (change) {
        case Change::Done:
            send_no_content(res);
            return;
        case Change::AlreadyHeld:
            send_api_error(req, res, 409, 2, "The user already has this role on the resource");
            return;
        case Change::InactiveUser:
            send_api_error(req, res, 400, 2, "The user is inactive");
            return;
        case Change::NoMembership:
            send_api_error(req, res, 400, 1, "The user is not a member of the organization");
            return;
        default:
            send_api_error(req, res, 400, 3, "The role is not valid for this resource");
            return;
    }
}

// Org-level role (experimental): only atlassian/org-admin.
void change_org_role(SimState& state, const httplib::Request& req, httplib::Response& res,
                     bool assign) {
    if (!check_org(state, req, res, req.matches[1].str()))
        return;
    rapidjson::Document body = parse_body_object(req);
    auto role_text = JsonFields(body).string("role");
    if (role_text != std::string(kOrgAdmin))
        throw BadRequest("role must be atlassian/org-admin");
    std::unique_lock lock(state.model_mutex);
    Model& model = state.model;
    auto user = model.find_user(req.matches[2].str());
    if (!user)
        throw NotFound(8, "User not found");
    if (assign) {
        model.assign_user_role(*user, std::nullopt, kOrgAdmin);
    } else {
        model.revoke_user_role(*user, std::nullopt, kOrgAdmin);
    }
    send_no_content(res);
}

}  // namespace

void register_role_routes(Routes& server, SimState& state) {
    const std::string directory = kDirectoryPath;
    server.get(directory + "/users/([^/]+)/role-assignments",
               [&state](const httplib::Request& req, httplib::Response& res) {
                   guarded(req, res, [&] { user_role_assignments(state, req, res); });
               });
    server.get(directory + "/groups/([^/]+)/role-assignments",
               [&state](const httplib::Request& req, httplib::Response& res) {
                   guarded(req, res, [&] { group_role_assignments(state, req, res); });
               });
    for (bool assign : {true, false}) {
        std::string action = assign ? "assign" : "revoke";
        server.post(directory + "/groups/([^/]+)/role-assignments/" + action,
                    [&state, assign](const httplib::Request& req, httplib::Response& res) {
                        guarded(req, res, [&] { change_group_role(state, req, res, assign); });
                    });
        server.post("/admin/v1/orgs/([^/]+)/users/([^/]+)/roles/" + action,
                    [&state, assign](const httplib::Request& req, httplib::Response& res) {
                        guarded(req, res, [&] { change_user_role(state, req, res, assign); });
                    });
        server.post("/admin/v1/orgs/([^/]+)/users/([^/]+)/role-assignments/" + action,
                    [&state, assign](const httplib::Request& req, httplib::Response& res) {
                        guarded(req, res, [&] { change_org_role(state, req, res, assign); });
                    });
    }
}

}  // namespace rosterd::sim
