// `history`: the seat history, the dashboard's figures per product and site at each sync.
#include "money_commands.hpp"
#include "money_json.hpp"
#include "money_service.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/control/db_reply.hpp"
#include "rosterd/money/report.hpp"
#include "rosterd/query/json.hpp"

namespace rosterd::money {
namespace {

namespace json = control::json;
using control::ArgType;

void history(MoneyService& money, const control::Request& request,
             std::shared_ptr<control::Reply> reply) {
    HistoryQuery query;
    if (!since_arg(request, reply, query.since_ms))
        return;
    query.product = request.string_arg("product");
    query.site = request.string_arg("site");
    auto scope = request.caller.view_scope();
    money.context().db.read(
        [query, scope](store::Database& db) {
            auto points = read_history(db, query);
            // A scoped caller sees the points of their products and sites only.
            if (!scope.sees_everything())
                std::erase_if(points, [&](const HistoryPoint& p) {
                    return !scope.allows_resource({p.product, p.site});
                });
            auto doc = object_document();
            auto& a = doc->GetAllocator();
            json::add(*doc, "since",
                      query.since_ms ? json::value(query::format_instant_ms(*query.since_ms), a)
                                     : rapidjson::Value(),
                      a);
            json::add(*doc, "points", history_json(points, a), a);
            return doc;
        },
        control::answer_with_document(reply));
}

}  // namespace

control::CommandSpec history_command(MoneyService& money) {
    return money_command(
        money, control::cmd::kHistory,
        "Seat history: the dashboard's figures per product and site at each "
        "sync (one point a day after 30 days)",
        {{control::arg::kProduct, ArgType::string, false, "one product (key)"},
         {control::arg::kSite, ArgType::string, false, "one site (host)"},
         {control::arg::kSince, ArgType::string, false, "from this date (YYYY-MM-DD)"}},
        history);
}

}  // namespace rosterd::money
