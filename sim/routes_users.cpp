// Users in directories (v2): POST users/search, deprecated GET users, GET users/count and
// GET users/{accountId}.
#include "churn.hpp"
#include "field_source.hpp"
#include "json_util.hpp"
#include "render.hpp"
#include "route_util.hpp"
#include "routes.hpp"
#include "user_query.hpp"

namespace rosterd::sim {

namespace {

constexpr const char* kUsersPath = "/admin/v2/orgs/([^/]+)/directories/([^/]+)/users";

struct UserPage {
    std::vector<std::size_t> users;
    std::optional<std::size_t> next;  // position of the first match after the page
};

// Walks the users in the query's order from `start`, so a page costs O(page), not O(users).
// After filling the page it looks ahead for one more match: the last page has no next link.
UserPage scan_users(const Model& model, const UserMatcher& matcher, const UserQuery& query,
                    std::size_t start, std::size_t limit) {
    UserPage page;
    if (!query.sort && (!query.emails.empty() || !query.account_ids.empty())) {
        // A query naming its users: only those (positions are model indexes when unsorted).
        const auto named = model.users_named(query.emails, query.account_ids);
        for (auto it = std::lower_bound(named.begin(), named.end(), start); it != named.end();
             ++it) {
            if (!matcher.matches(model.users[*it]))
                continue;
            if (page.users.size() == limit) {
                page.next = *it;
                break;
            }
            page.users.push_back(*it);
        }
        return page;
    }
    const std::size_t total = model.users.size();
    auto at = [&](std::size_t position) -> std::size_t {
        if (!query.sort)
            return position;
        const auto& order = model.nickname_order();
        return query.sort->descending ? order[total - 1 - position] : order[position];
    };
    for (std::size_t position = start; position < total; ++position) {
        std::size_t index = at(position);
        if (!matcher.matches(model.users[index]))
            continue;
        if (page.users.size() == limit) {
            page.next = position;
            break;
        }
        page.users.push_back(index);
    }
    return page;
}

struct SearchRequest {
    UserQuery query;
    int limit = 50;
    UserExpand expand;
    std::optional<std::string> cursor;
};

void search_users(SimState& state, const httplib::Request& req, httplib::Response& res,
                  const FieldSource& fields, bool is_post) {
    if (!check_org(state, req, res, req.matches[1].str()))
        return;
    SearchRequest search;
    search.query = read_user_query(fields, is_post);
    search.limit = read_limit(fields, is_post ? 50 : 20, 100);
    search.expand = read_user_expand(fields);
    search.cursor = read_cursor(fields);
    std::string scope = "users/" + req.matches[2].str();

    std::string canonical = search.query.canonical_json();
    std::uint64_t hash = filter_hash(canonical, scope);
    std::size_t start = 0;
    if (search.cursor) {
        auto resolution = resolve_cursor(state, CursorKind::Users, *search.cursor, hash,
                                         search.query.has_filters());
        if (resolution.recalled) {
            rapidjson::Document recalled;
            recalled.Parse(resolution.recalled->c_str());
            search.query = read_user_query(JsonFields(recalled), true);
            canonical = search.query.canonical_json();
            hash = filter_hash(canonical, scope);
            if (hash != resolution.filter_hash)
                throw InvalidCursor("Invalid page cursor");
        }
        start = resolution.position;
    }

    if (auto churn = state.churn.on_users_search()) {
        // Users move between partitions between two pages of a listing (POST /_sim/churn).
        std::unique_lock write(state.model_mutex);
        state.churn.record(apply_churn(state.model, *churn));
    }
    std::shared_lock lock(state.model_mutex);
    const Model& model = state.model;
    auto directory = path_directory(model, req.matches[2].str());
    UserMatcher matcher(model, search.query, directory);
    UserPage page =
        scan_users(model, matcher, search.query, start, static_cast<std::size_t>(search.limit));

    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    key(w, "data");
    w.StartArray();
    for (std::size_t index : page.users)
        write_v2_user(w, model, model.users[index], search.expand);
    w.EndArray();
    key(w, "links");
    w.StartObject();
    key(w, "self");
    put(w, issue_cursor(state, CursorKind::Users, start, hash, canonical));
    if (page.next) {
        key(w, "next");
        put(w, issue_cursor(state, CursorKind::Users, *page.next, hash, canonical));
    }
    w.EndObject();
    w.EndObject();
    send_json(res, 200, to_string(buffer));
}

void count_users(SimState& state, const httplib::Request& req, httplib::Response& res) {
    if (!check_org(state, req, res, req.matches[1].str()))
        return;
    QueryFields fields(req.params);
    UserQuery query = read_user_query(fields, false);
    std::shared_lock lock(state.model_mutex);
    const Model& model = state.model;
    auto directory = path_directory(model, req.matches[2].str());
    UserMatcher matcher(model, query, directory);
    std::size_t count = 0;
    for (const auto& user : model.users)
        count += matcher.matches(user) ? 1 : 0;
    send_json(res, 200, "{\"count\":" + std::to_string(count) + "}");
}

void user_details(SimState& state, const httplib::Request& req, httplib::Response& res) {
    if (!check_org(state, req, res, req.matches[1].str()))
        return;
    std::shared_lock lock(state.model_mutex);
    const Model& model = state.model;
    auto directory = path_directory(model, req.matches[2].str());
    auto index = model.find_user(req.matches[3].str());
    if (!index || (directory && model.users[*index].directory != *directory)) {
        throw NotFound(8, "User not found");
    }
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    key(w, "data");
    write_v2_user_details(w, model, model.users[*index]);
    w.EndObject();
    send_json(res, 200, to_string(buffer));
}

}  // namespace

void register_user_read_routes(Routes& server, SimState& state) {
    const std::string users = kUsersPath;
    server.post(users + "/search", [&state](const httplib::Request& req, httplib::Response& res) {
        guarded(req, res, [&] {
            rapidjson::Document body = parse_body_object(req);
            search_users(state, req, res, JsonFields(body), true);
        });
    });
    server.get(users, [&state](const httplib::Request& req, httplib::Response& res) {
        guarded(req, res, [&] { search_users(state, req, res, QueryFields(req.params), false); });
    });
    server.get(users + "/count", [&state](const httplib::Request& req, httplib::Response& res) {
        guarded(req, res, [&] { count_users(state, req, res); });
    });
    server.get(users + "/" + kSegment,
               [&state](const httplib::Request& req, httplib::Response& res) {
                   guarded(req, res, [&] { user_details(state, req, res); });
               });
}

}  // namespace rosterd::sim
