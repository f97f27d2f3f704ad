// `filters`: the saved filters (filters: in the configuration) with their current match counts.
#include "query_commands.hpp"
#include "query_service.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/control/db_reply.hpp"
#include "rosterd/query/held.hpp"
#include "rosterd/query/json.hpp"
#include "rosterd/query/query.hpp"

namespace rosterd::query {
namespace {

namespace json = control::json;

void filters(QueryService& query, const control::Request& request,
             std::shared_ptr<control::Reply> reply) {
    auto saved = query.context().config->filters;
    auto now = query.context().clock.now().time_since_epoch().count();
    query.context().db.read(
        [saved, now, scope = request.caller.view_scope(),
         snapshots = query.snapshots()](store::Database& db) {
            SnapshotRead read(db, *snapshots);
            auto view = scoped_view(db, read.index, scope);
            auto doc = std::make_shared<rapidjson::Document>(rapidjson::kObjectType);
            auto& a = doc->GetAllocator();
            add_snapshot_fields(*doc, read.index->info, now, a);
            rapidjson::Value list(rapidjson::kArrayType);
            for (const auto& [name, filter] : saved) {
                rapidjson::Value item(rapidjson::kObjectType);
                json::add(item, "name", name, a);
                json::add(item, "description", describe_user_filter(filter), a);
                json::add(item, "filter", user_filter_to_json(filter, a), a);
                json::add(item, "count", count_users(*view, {{filter}, {}, now}), a);
                list.PushBack(item, a);
            }
            json::add(*doc, "filters", std::move(list), a);
            return doc;
        },
        control::answer_with_document(reply));
}

}  // namespace

control::CommandSpec filters_command(QueryService& query) {
    return {.name = control::cmd::kFilters,
            .summary = "The saved filters with their current match counts",
            .level = control::AccessLevel::viewer,
            .args = {},
            .handler = [&query](const auto& request, auto reply) {
                filters(query, request, std::move(reply));
            }};
}

}  // namespace rosterd::query
