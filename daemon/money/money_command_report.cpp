// `report`: the self-contained HTML report (dashboard, trends, cost and savings, inactive groups,
// recent runs, the API key).
#include "money_commands.hpp"
#include "money_json.hpp"
#include "money_service.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/control/db_reply.hpp"
#include "rosterd/money/report.hpp"
#include "rosterd/ops/run_store.hpp"
#include "rosterd/query/held.hpp"
#include "rosterd/query/json.hpp"
#include "rosterd/version.hpp"

namespace rosterd::money {
namespace {

namespace json = control::json;
using control::ArgType;

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items)
        out += (out.empty() ? "" : " ") + item;
    return out;
}

void report(MoneyService& money, const control::Request& request,
            std::shared_ptr<control::Reply> reply) {
    std::optional<std::int64_t> since;
    if (!since_arg(request, reply, since))
        return;
    auto now = money.context().clock.now().time_since_epoch().count();
    auto options = dashboard_options(*money.context().config, now);
    // The key's state as `key show` tells it (read on the loop, where the key service lives).
    rapidjson::Document key_doc(rapidjson::kObjectType);
    money.keys().write_status(key_doc, key_doc.GetAllocator());
    KeyInfo key;
    key.state = key_doc.HasMember("state") && key_doc["state"].IsString()
                    ? key_doc["state"].GetString()
                    : "unknown";
    if (key_doc.HasMember("days_left") && key_doc["days_left"].IsInt64())
        key.days_left = key_doc["days_left"].GetInt64();
    if (key_doc.HasMember("expires") && key_doc["expires"].IsString())
        key.expires = key_doc["expires"].GetString();
    auto scope = request.caller.view_scope();
    // A scoped caller's report holds its products and sites only, and the runs they started.
    std::optional<std::int64_t> own_runs;
    if (!scope.sees_everything())
        own_runs = static_cast<std::int64_t>(request.caller.uid);
    money.context().db.read(
        [options, since, now, key, scope, own_runs,
         snapshots = money.context().snapshots](store::Database& db) {
            auto start = Clock::now();
            SnapshotRead read(db, *snapshots);
            auto index = query::restrict_to_scope(read.index, scope);
            ReportData data;
            data.org_name = read.index->info.org_name;
            data.generated_ms = now;
            data.since_ms = since;
            data.dashboard = query::compute_dashboard(*index, options);
            data.history = read_history(db, {std::nullopt, std::nullopt, since});
            if (!scope.sees_everything())
                std::erase_if(data.history, [&](const HistoryPoint& p) {
                    return !scope.allows_resource({p.product, p.site});
                });
            data.savings =
                compute_savings(*index, data.dashboard, read_journal(db), options.pricing, since);
            data.groups = biggest_inactive_groups(*index, data.dashboard, options, 5);
            for (const auto& [run, counts] : ops::list_runs(db, own_runs ? 1000 : 20)) {
                if (own_runs && run.caller_uid != *own_runs)
                    continue;
                if (data.runs.size() == 20)
                    break;
                ReportRun r{run.id,
                            std::string(ops::to_string(run.kind)),
                            run.task,
                            std::string(ops::to_string(run.state)),
                            joined(run.actions),
                            run.reason,
                            run.created_at,
                            run.finished_at,
                            counts.users,
                            counts.ok,
                            counts.failed,
                            counts.skipped,
                            counts.changed};
                data.runs.push_back(std::move(r));
            }
            data.key = key;
            data.version = kVersion;
            auto html = render_report_html(data);
            auto doc = object_document();
            auto& a = doc->GetAllocator();
            query::add_snapshot_fields(*doc, read.index->info, now, a);
            json::add(*doc, "generate_ms", ms_since(start), a);
            json::add(*doc, "bytes", html.size(), a);
            json::add(*doc, "html", html, a);
            return doc;
        },
        control::answer_with_document(reply));
}

}  // namespace

control::CommandSpec report_command(MoneyService& money) {
    return money_command(money, control::cmd::kReport,
                         "The HTML report: dashboard, trends, cost and savings, inactive "
                         "groups, recent runs, the API key (one self-contained file)",
                         {{control::arg::kSince, ArgType::string, false,
                           "history and savings from this date (YYYY-MM-DD)"}},
                         report);
}

}  // namespace rosterd::money
