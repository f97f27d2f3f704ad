// GET /admin/v1/orgs, GET /admin/v1/orgs/{orgId}, GET /admin/v2/orgs/{orgId}/directories.
#include <algorithm>

#include "field_source.hpp"
#include "json_util.hpp"
#include "route_util.hpp"
#include "routes.hpp"
#include "user_query.hpp"

namespace rosterd::sim {

namespace {

void write_org(JsonWriter& w, const Org& org, const std::string& base) {
    std::string self = base + "/admin/v1/orgs/" + org.id;
    w.StartObject();
    key(w, "id");
    put(w, org.id);
    key(w, "type");
    put(w, "orgs");
    key(w, "attributes");
    w.StartObject();
    key(w, "name");
    put(w, org.name);
    w.EndObject();
    key(w, "relationships");
    w.StartObject();
    for (const char* related : {"domains", "users"}) {
        key(w, related);
        w.StartObject();
        key(w, "links");
        w.StartObject();
        key(w, "related");
        put(w, self + "/" + related);
        w.EndObject();
        w.EndObject();
    }
    w.EndObject();
    key(w, "links");
    w.StartObject();
    key(w, "self");
    put(w, self);
    w.EndObject();
    w.EndObject();
}

void list_orgs(SimState& state, const httplib::Request& req, httplib::Response& res) {
    // One org per key: a single page. A cursor we never issued is still rejected.
    if (auto cursor = read_cursor(QueryFields(req.params))) {
        if (!state.cursors.decode_v1(*cursor))
            throw InvalidCursor("Invalid page cursor");
    }
    std::string base = "http://" + request_host(req);
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    key(w, "data");
    w.StartArray();
    {
        std::shared_lock lock(state.model_mutex);
        write_org(w, state.model.org, base);
    }
    w.EndArray();
    key(w, "links");
    w.StartObject();
    key(w, "self");
    put(w, base + "/admin/v1/orgs");
    w.EndObject();
    w.EndObject();
    send_json(res, 200, to_string(buffer));
}

void get_org(SimState& state, const httplib::Request& req, httplib::Response& res) {
    if (!check_org(state, req, res, req.matches[1].str()))
        return;
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    key(w, "data");
    {
        std::shared_lock lock(state.model_mutex);
        write_org(w, state.model.org, "http://" + request_host(req));
    }
    w.EndObject();
    send_json(res, 200, to_string(buffer));
}

void list_directories(SimState& state, const httplib::Request& req, httplib::Response& res) {
    if (!check_org(state, req, res, req.matches[1].str()))
        return;
    QueryFields fields(req.params);
    int limit = read_limit(fields, 20, 100);
    auto account_id = fields.string("accountId");
    std::vector<std::string> directory_ids;
    if (auto ids = fields.strings("directoryIds")) {
        check_list_size("directoryIds", *ids, 10);
        directory_ids = *ids;
    }
    auto search = fields.string("searchTerm");

    std::string canonical = "accountId=" + account_id.value_or("") +
                            "&searchTerm=" + search.value_or("") + "&directoryIds=";
    for (const auto& id : directory_ids)
        canonical += id + ",";
    std::uint64_t hash = filter_hash(canonical, "directories");
    std::size_t start = 0;
    if (auto cursor = read_cursor(fields)) {
        start = resolve_cursor(state, CursorKind::Directories, *cursor, hash, true).position;
    }

    std::shared_lock lock(state.model_mutex);
    const Model& model = state.model;
    std::optional<std::size_t> user_directory;
    if (account_id) {
        auto user = model.find_user(*account_id);
        user_directory = user ? std::optional(model.users[*user].directory)
                              : std::optional<std::size_t>(model.directories.size());
    }
    std::vector<std::size_t> matching;
    for (std::size_t d = 0; d < model.directories.size(); ++d) {
        const Directory& directory = model.directories[d];
        if (user_directory && *user_directory != d)
            continue;
        if (!directory_ids.empty() && std::find(directory_ids.begin(), directory_ids.end(),
                                                directory.id) == directory_ids.end()) {
            continue;
        }
        if (search && lower_ascii(directory.name).find(lower_ascii(*search)) == std::string::npos) {
            continue;
        }
        matching.push_back(d);
    }
    std::size_t end = std::min(matching.size(), start + static_cast<std::size_t>(limit));
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    key(w, "data");
    w.StartArray();
    for (std::size_t i = start; i < end; ++i) {
        const Directory& directory = model.directories[matching[i]];
        w.StartObject();
        key(w, "directoryId");
        put(w, directory.id);
        key(w, "name");
        put(w, directory.name);
        key(w, "icon");
        put(w, "https://sim.invalid/icons/directory.png");
        w.EndObject();
    }
    w.EndArray();
    key(w, "links");
    w.StartObject();
    key(w, "self");
    put(w, issue_cursor(state, CursorKind::Directories, start, hash, canonical));
    if (end < matching.size()) {
        key(w, "next");
        put(w, issue_cursor(state, CursorKind::Directories, end, hash, canonical));
    }
    w.EndObject();
    w.EndObject();
    send_json(res, 200, to_string(buffer));
}

}  // namespace

void register_org_routes(Routes& server, SimState& state) {
    server.get("/admin/v1/orgs", [&state](const httplib::Request& req, httplib::Response& res) {
        guarded(req, res, [&] { list_orgs(state, req, res); });
    });
    server.get(std::string("/admin/v1/orgs/") + kSegment,
               [&state](const httplib::Request& req, httplib::Response& res) {
                   guarded(req, res, [&] { get_org(state, req, res); });
               });
    server.get(std::string("/admin/v2/orgs/") + kSegment + "/directories",
               [&state](const httplib::Request& req, httplib::Response& res) {
                   guarded(req, res, [&] { list_directories(state, req, res); });
               });
}

}  // namespace rosterd::sim
