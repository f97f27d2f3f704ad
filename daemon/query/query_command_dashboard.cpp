// `dashboard`: billable seats per product (all sites, or one), how many sit inactive, and what
// they cost.
#include "query_commands.hpp"
#include "query_service.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/control/db_reply.hpp"
#include "rosterd/query/held.hpp"
#include "rosterd/query/json.hpp"
#include "rosterd/query/query.hpp"

namespace rosterd::query {
namespace {

using control::ArgType;

void dashboard(QueryService& query, const control::Request& request,
               std::shared_ptr<control::Reply> reply) {
    const Config& config = *query.context().config;
    DashboardOptions options;
    options.now_ms = query.context().clock.now().time_since_epoch().count();
    options.default_days = config.inactivity.days;
    options.per_product = config.inactivity.per_product;
    options.pricing = Pricing::from_config(config.pricing);
    try {
        UserFilter normalized;  // the filter's site parser accepts URLs and any case
        if (auto site = request.string_arg("site")) {
            set_user_filter_field(normalized, "site", {{*site}, false});
            options.site = normalized.site;
        }
        if (auto days = request.int_arg("inactive-days")) {
            set_user_filter_field(normalized, "inactive-days", {{std::to_string(*days)}, false});
            options.inactive_days = normalized.inactive_days;
        }
    } catch (const FilterError& e) {
        reply->fail(control::kInvalidArgs, e.what());
        return;
    }
    query.context().db.read(
        [options, scope = request.caller.view_scope(),
         snapshots = query.snapshots()](store::Database& db) {
            SnapshotRead read(db, *snapshots);
            auto dashboard = compute_dashboard(*restrict_to_scope(read.index, scope), options);
            auto doc = std::make_shared<rapidjson::Document>();
            static_cast<rapidjson::Value&>(*doc) = dashboard_json(dashboard, doc->GetAllocator());
            return doc;
        },
        control::answer_with_document(reply));
}

}  // namespace

control::CommandSpec dashboard_command(QueryService& query) {
    return {.name = control::cmd::kDashboard,
            .summary =
                "Billable seats per product (all sites, or one), how many sit "
                "inactive, and what they cost",
            .level = control::AccessLevel::viewer,
            .args = {{control::arg::kSite, ArgType::string, false, "one site's figures (host)"},
                     {control::arg::kInactiveDays, ArgType::integer, false,
                      "inactive after N days without activity (1-3650; e.g. 3, 7, 14, 21, "
                      "30, 90, 180); overrides inactivity.days and per_product"}},
            .handler = [&query](const auto& request, auto reply) {
                dashboard(query, request, std::move(reply));
            }};
}

}  // namespace rosterd::query
