// Groups (v2): POST groups/search, deprecated GET groups and GET groups/{groupId}.
#include <algorithm>

#include "group_query.hpp"
#include "json_util.hpp"
#include "render.hpp"
#include "route_util.hpp"
#include "routes.hpp"

namespace rosterd::sim {

namespace {

constexpr const char* kGroupsPath = "/admin/v2/orgs/([^/]+)/directories/([^/]+)/groups";

void search_groups(SimState& state, const httplib::Request& req, httplib::Response& res,
                   const FieldSource& fields) {
    if (!check_org(state, req, res, req.matches[1].str()))
        return;
    GroupQuery query = read_group_query(fields);
    // A role id the API might not take in a group search (the refuse_group_role_id knob).
    const std::string refused = state.knobs().refuse_group_role_id;
    if (!refused.empty() &&
        std::find(query.role_ids.begin(), query.role_ids.end(), refused) != query.role_ids.end())
        throw BadRequest("roleIds has an invalid value: " + refused);
    int limit = read_limit(fields, 20, 100);
    GroupCountsExpand expand = read_group_expand(fields);
    std::string scope = "groups/" + req.matches[2].str();
    std::string canonical = query.canonical_json();
    std::uint64_t hash = filter_hash(canonical, scope);
    std::size_t start = 0;
    if (auto cursor = read_cursor(fields)) {
        bool has_filters = canonical != "{}";
        auto resolution = resolve_cursor(state, CursorKind::Groups, *cursor, hash, has_filters);
        if (resolution.recalled) {
            rapidjson::Document recalled;
            recalled.Parse(resolution.recalled->c_str());
            query = read_group_query(JsonFields(recalled));
            canonical = query.canonical_json();
            hash = filter_hash(canonical, scope);
            if (hash != resolution.filter_hash)
                throw InvalidCursor("Invalid page cursor");
        }
        start = resolution.position;
    }

    std::shared_lock lock(state.model_mutex);
    const Model& model = state.model;
    auto directory = path_directory(model, req.matches[2].str());
    std::vector<std::size_t> groups = matching_groups(model, query, directory);
    start = std::min(start, groups.size());
    std::size_t end = std::min(groups.size(), start + static_cast<std::size_t>(limit));

    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    key(w, "data");
    w.StartArray();
    for (std::size_t i = start; i < end; ++i)
        write_group(w, model, groups[i], expand);
    w.EndArray();
    key(w, "links");
    w.StartObject();
    key(w, "self");
    put(w, issue_cursor(state, CursorKind::Groups, start, hash, canonical));
    if (end < groups.size()) {
        key(w, "next");
        put(w, issue_cursor(state, CursorKind::Groups, end, hash, canonical));
    }
    w.EndObject();
    w.EndObject();
    send_json(res, 200, to_string(buffer));
}

void group_details(SimState& state, const httplib::Request& req, httplib::Response& res) {
    if (!check_org(state, req, res, req.matches[1].str()))
        return;
    std::shared_lock lock(state.model_mutex);
    const Model& model = state.model;
    auto directory = path_directory(model, req.matches[2].str());
    auto group = model.find_group(req.matches[3].str());
    if (!group || (directory && model.groups[*group].directory != *directory)) {
        throw NotFound(10, "Group not found");
    }
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    key(w, "data");
    write_group(w, model, *group, GroupCountsExpand{true, true});
    w.EndObject();
    send_json(res, 200, to_string(buffer));
}

}  // namespace

void register_group_routes(Routes& server, SimState& state) {
    const std::string groups = kGroupsPath;
    server.post(groups + "/search", [&state](const httplib::Request& req, httplib::Response& res) {
        guarded(req, res, [&] {
            rapidjson::Document body = parse_body_object(req);
            search_groups(state, req, res, JsonFields(body));
        });
    });
    server.get(groups, [&state](const httplib::Request& req, httplib::Response& res) {
        guarded(req, res, [&] { search_groups(state, req, res, QueryFields(req.params)); });
    });
    server.get(groups + "/" + kSegment,
               [&state](const httplib::Request& req, httplib::Response& res) {
                   guarded(req, res, [&] { group_details(state, req, res); });
               });
}

}  // namespace rosterd::sim
