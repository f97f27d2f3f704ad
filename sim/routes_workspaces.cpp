// POST /admin/v2/orgs/{orgId}/workspaces: sites and products. Errors here are flat objects,
// and a request carrying a cursor must carry nothing else.
#include <algorithm>

#include "field_source.hpp"
#include "json_util.hpp"
#include "render.hpp"
#include "route_util.hpp"
#include "routes.hpp"
#include "user_query.hpp"

namespace rosterd::sim {

namespace {

std::optional<std::string> workspace_field(const Model& model, std::size_t index,
                                           std::string_view name) {
    const Product& product = model.products[index];
    if (name == "id")
        return product.resource_id;
    if (name == "attributes.type")
        return std::string(product.catalogue->type);
    if (name == "attributes.typeKey")
        return std::string(product.catalogue->type_key);
    if (name == "attributes.status")
        return std::string("online");
    if (name == "attributes.name")
        return model.sites[product.site].name;
    if (name == "attributes.hostUrl")
        return model.sites[product.site].url();
    return std::nullopt;
}

// Evaluates the query variants of SearchWorkspacesRequestV2 (and, nor, field, searchWorkspaces).
bool matches_query(const Model& model, std::size_t index, const rapidjson::Value& query) {
    if (query.IsNull())
        return true;
    if (!query.IsObject())
        throw BadRequest("query must be an object");
    if (auto all = query.FindMember("and"); all != query.MemberEnd()) {
        if (!all->value.IsArray())
            throw BadRequest("query.and must be an array");
        return std::all_of(all->value.Begin(), all->value.End(), [&](const rapidjson::Value& q) {
            return matches_query(model, index, q);
        });
    }
    if (auto none = query.FindMember("nor"); none != query.MemberEnd()) {
        if (!none->value.IsArray())
            throw BadRequest("query.nor must be an array");
        return std::none_of(none->value.Begin(), none->value.End(), [&](const rapidjson::Value& q) {
            return matches_query(model, index, q);
        });
    }
    if (auto field = query.FindMember("field"); field != query.MemberEnd()) {
        auto name = optional_string(field->value, "name");
        if (!name)
            throw BadRequest("query.field.name is required");
        auto value = workspace_field(model, index, *name);
        if (!value)
            throw BadRequest("query.field.name is not a searchable field: " + *name);
        auto values = string_array(field->value, "values");
        if (values.empty())
            return true;  // "Absent of values makes this operator no-op."
        return std::find(values.begin(), values.end(), *value) != values.end();
    }
    if (auto search = query.FindMember("searchWorkspaces"); search != query.MemberEnd()) {
        std::string text = search->value.IsString() ? search->value.GetString()
                                                    : optional_string(query, "value").value_or("");
        std::string needle = lower_ascii(text);
        return lower_ascii(*workspace_field(model, index, "attributes.name")).find(needle) !=
                   std::string::npos ||
               lower_ascii(*workspace_field(model, index, "attributes.hostUrl")).find(needle) !=
                   std::string::npos;
    }
    throw BadRequest("query variant is not supported by the simulator");
}

void search_workspaces(SimState& state, const httplib::Request& req, httplib::Response& res) {
    if (!check_org(state, req, res, req.matches[1].str()))
        return;
    rapidjson::Document body = parse_body_object(req);
    std::size_t start = 0;
    rapidjson::Document filters;  // the body that defines the listing (cursor-less)
    // A null or empty cursor counts as none.
    if (body.HasMember("cursor") &&
        (body["cursor"].IsNull() ||
         (body["cursor"].IsString() && body["cursor"].GetStringLength() == 0))) {
        body.RemoveMember("cursor");
    }
    if (body.HasMember("cursor")) {
        if (body.MemberCount() != 1) {
            throw BadRequest(
                "When a cursor is provided in the request body, no other properties may be "
                "present");
        }
        if (!body["cursor"].IsString())
            throw BadRequest("cursor must be a string");
        auto resolution =
            resolve_cursor(state, CursorKind::Workspaces, body["cursor"].GetString(), 0, false);
        start = resolution.position;
        filters.Parse(resolution.recalled.value_or("{}").c_str());
    } else {
        filters.CopyFrom(body, filters.GetAllocator());
        filters.RemoveMember("cursor");
    }
    std::string canonical = to_json(filters);
    std::uint64_t hash = filter_hash(canonical, "workspaces");

    JsonFields fields(filters);
    int limit = read_limit(fields, 20, 1000);
    std::vector<SortSpec> sort = fields.sort("sort").value_or(std::vector<SortSpec>{});

    std::shared_lock lock(state.model_mutex);
    const Model& model = state.model;
    std::vector<std::size_t> matching;
    const rapidjson::Value* query = filters.HasMember("query") ? &filters["query"] : nullptr;
    for (std::size_t p = 0; p < model.products.size(); ++p) {
        if (!query || matches_query(model, p, *query))
            matching.push_back(p);
    }
    for (auto it = sort.rbegin(); it != sort.rend(); ++it) {
        const SortSpec spec = *it;
        if (!workspace_field(model, 0, spec.field) && !model.products.empty()) {
            throw BadRequest("sort field is not sortable: " + spec.field);
        }
        std::stable_sort(matching.begin(), matching.end(), [&](std::size_t a, std::size_t b) {
            auto va = *workspace_field(model, a, spec.field);
            auto vb = *workspace_field(model, b, spec.field);
            return spec.descending ? vb < va : va < vb;
        });
    }
    start = std::min(start, matching.size());
    std::size_t end = std::min(matching.size(), start + static_cast<std::size_t>(limit));

    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    key(w, "data");
    w.StartArray();
    for (std::size_t i = start; i < end; ++i)
        write_workspace(w, model, matching[i]);
    w.EndArray();
    key(w, "links");
    w.StartObject();
    key(w, "self");
    put(w, issue_cursor(state, CursorKind::Workspaces, start, hash, canonical));
    if (end < matching.size()) {
        key(w, "next");
        put(w, issue_cursor(state, CursorKind::Workspaces, end, hash, canonical));
    }
    w.EndObject();
    key(w, "meta");
    w.StartObject();
    key(w, "pageSize");
    w.Int(limit);
    key(w, "startIndex");
    w.Uint64(start);
    key(w, "endIndex");
    if (end > start) {
        w.Uint64(end - 1);
    } else {
        w.Null();
    }
    key(w, "total");
    w.Uint64(matching.size());
    w.EndObject();
    w.EndObject();
    send_json(res, 200, to_string(buffer));
}

}  // namespace

void register_workspace_routes(Routes& server, SimState& state) {
    server.post(std::string("/admin/v2/orgs/") + kSegment + "/workspaces",
                [&state](const httplib::Request& req, httplib::Response& res) {
                    guarded(req, res, [&] { search_workspaces(state, req, res); });
                });
}

}  // namespace rosterd::sim
