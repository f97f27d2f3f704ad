// `savings`: potential savings (inactive seats now) and realised savings (seats runs removed
// that are still removed), by run, task and product.
#include "money_commands.hpp"
#include "money_json.hpp"
#include "money_service.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/control/db_reply.hpp"
#include "rosterd/money/report.hpp"
#include "rosterd/query/held.hpp"
#include "rosterd/query/json.hpp"

namespace rosterd::money {
namespace {

namespace json = control::json;
using control::ArgType;

void savings(MoneyService& money, const control::Request& request,
             std::shared_ptr<control::Reply> reply) {
    std::optional<std::int64_t> since;
    if (!since_arg(request, reply, since))
        return;
    auto options = dashboard_options(*money.context().config,
                                     money.context().clock.now().time_since_epoch().count());
    money.context().db.read(
        [options, since, scope = request.caller.view_scope(),
         snapshots = money.context().snapshots](store::Database& db) {
            SnapshotRead read(db, *snapshots);
            // A scoped caller's figures come from the in-scope view: its products and sites,
            // its users, so no total counts what the scope does not reach.
            auto index = query::restrict_to_scope(read.index, scope);
            auto dashboard = query::compute_dashboard(*index, options);
            auto result =
                compute_savings(*index, dashboard, read_journal(db), options.pricing, since);
            auto doc = object_document();
            auto& a = doc->GetAllocator();
            static_cast<rapidjson::Value&>(*doc) = savings_json(result, a);
            query::add_snapshot_fields(*doc, read.index->info, options.now_ms, a);
            json::add(*doc, "since",
                      since ? json::value(query::format_instant_ms(*since), a) : rapidjson::Value(),
                      a);
            return doc;
        },
        control::answer_with_document(reply));
}

}  // namespace

control::CommandSpec savings_command(MoneyService& money) {
    return money_command(money, control::cmd::kSavings,
                         "Potential savings (inactive seats now) and realised savings (seats "
                         "runs removed that are still removed), by run, task and product",
                         {{control::arg::kSince, ArgType::string, false,
                           "only runs that finished from this date (YYYY-MM-DD)"}},
                         savings);
}

}  // namespace rosterd::money
