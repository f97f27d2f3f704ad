// v1 user endpoints: GET /admin/v1/orgs/{orgId}/users (managed accounts, snake_case, absolute
// links.next URLs whose cursor contains + / =) and the per-user last-active dates.
#include "field_source.hpp"
#include "json_util.hpp"
#include "render.hpp"
#include "route_util.hpp"
#include "routes.hpp"

namespace rosterd::sim {

namespace {

void list_managed_users(SimState& state, const httplib::Request& req, httplib::Response& res) {
    if (!check_org(state, req, res, req.matches[1].str()))
        return;
    const std::string org_id = req.matches[1].str();
    const std::size_t page_size = static_cast<std::size_t>(state.knobs().page_size);
    const std::uint64_t hash = filter_hash("managed", "v1/users");
    std::size_t start = 0;
    auto cursor = read_cursor(QueryFields(req.params));
    if (cursor) {
        start = resolve_cursor(state, CursorKind::V1Users, *cursor, hash, true, true).position;
    }

    std::shared_lock lock(state.model_mutex);
    const Model& model = state.model;
    std::vector<std::size_t> page;
    std::optional<std::size_t> next;
    for (std::size_t i = start; i < model.users.size(); ++i) {
        const User& user = model.users[i];
        if (user.removed || user.claim != ClaimStatus::Managed)
            continue;
        if (page.size() == page_size) {
            next = i;
            break;
        }
        page.push_back(i);
    }

    const std::string host = request_host(req);
    const std::string base = "http://" + host + "/admin/v1/orgs/" + org_id + "/users";
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    key(w, "data");
    w.StartArray();
    for (std::size_t i : page)
        write_v1_user(w, model, model.users[i], host);
    w.EndArray();
    key(w, "meta");
    w.StartObject();
    key(w, "total");
    w.Uint64(model.managed_count());
    w.EndObject();
    key(w, "links");
    w.StartObject();
    key(w, "self");
    put(w, cursor ? base + "?cursor=" + percent_encode(*cursor) : base);
    if (next) {
        key(w, "next");
        put(w, base + "?cursor=" +
                   percent_encode(
                       issue_cursor(state, CursorKind::V1Users, *next, hash, "managed", true)));
    }
    w.EndObject();
    w.EndObject();
    send_json(res, 200, to_string(buffer));
}

void last_active_dates(SimState& state, const httplib::Request& req, httplib::Response& res) {
    if (!check_org(state, req, res, req.matches[1].str()))
        return;
    // Everything fits in one page; a cursor can only be one we never issued.
    if (auto cursor = read_cursor(QueryFields(req.params))) {
        throw InvalidCursor("Invalid page cursor");
    }
    std::shared_lock lock(state.model_mutex);
    const Model& model = state.model;
    auto index = model.find_user(req.matches[2].str());
    if (!index)
        throw NotFound(8, "User not found");
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    write_last_active(w, model, model.users[*index]);
    send_json(res, 200, to_string(buffer));
}

}  // namespace

void register_v1_user_routes(Routes& server, SimState& state) {
    server.get("/admin/v1/orgs/([^/]+)/users",
               [&state](const httplib::Request& req, httplib::Response& res) {
                   guarded(req, res, [&] { list_managed_users(state, req, res); });
               });
    server.get("/admin/v1/orgs/([^/]+)/directory/users/([^/]+)/last-active-dates",
               [&state](const httplib::Request& req, httplib::Response& res) {
                   guarded(req, res, [&] { last_active_dates(state, req, res); });
               });
}

}  // namespace rosterd::sim
