#include "subsystems.hpp"

#include "rosterd/audit/subsystem.hpp"
#include "rosterd/keys/subsystem.hpp"
#include "rosterd/metrics/subsystem.hpp"
#include "rosterd/money/subsystem.hpp"
#include "rosterd/notice/subsystem.hpp"
#include "rosterd/notify/subsystem.hpp"
#include "rosterd/ops/subsystem.hpp"
#include "rosterd/query/subsystem.hpp"
#include "rosterd/seats/subsystem.hpp"
#include "rosterd/sync/subsystem.hpp"

namespace rosterd {

// The composition root: the only place that knows every module, and it knows each only by its
// public subsystem header (rosterd/<module>/subsystem.hpp).
std::vector<std::unique_ptr<Subsystem>> make_subsystems(DaemonContext& context) {
    std::vector<std::unique_ptr<Subsystem>> list;
    // The outbox first: every other subsystem reports its events through it.
    auto notify = notify::make_notify_subsystem(context);
    context.events = notify.get();
    auto keys = keys::make_key_subsystem(context, notify.get());
    auto sync = sync::make_sync_subsystem(context, *keys);
    keys->set_sync_starter([sync = sync.get()](bool replaces_broken) {
        std::optional<std::string> trigger;
        if (!sync->has_snapshot())
            trigger = "initial";
        else if (replaces_broken)
            trigger = "new-key";
        if (trigger && sync->request_sync(*trigger))
            trigger.reset();  // refused (the refusal is logged by the sync service)
        return trigger;
    });
    // Memory over latency while a sync runs: the published snapshot's query index (500k users:
    // ~190 MB) is let go, so the daemon's peak is the sync's own, not the sync's plus the index.
    // A question asked meanwhile loads it again from the published snapshot (500k: ~2.3 s); a
    // daily sync at night usually meets none.
    sync->on_start([snapshots = context.snapshots] { snapshots->release(); });
    auto notices =
        notice::make_notice_subsystem(context, [outbox = notify.get()] { outbox->wake(); });
    auto ops = ops::make_ops_subsystems(
        context, *keys, *sync,
        [stages = notices.get()](const TaskConfig& task) { return stages->make_stage(task); });
    const SyncControl* sync_ptr = sync.get();
    const keys::KeySubsystem* keys_ptr = keys.get();
    auto money = money::make_money_subsystem(context, *sync, *keys);
    auto alerts = seats::make_seat_alert_subsystem(context, *sync, *notify);
    list.push_back(std::move(notify));
    list.push_back(std::move(keys));
    list.push_back(std::move(sync));
    list.push_back(query::make_query_subsystem(context));
    for (auto& subsystem : ops)  // runs, then tasks
        list.push_back(std::move(subsystem));
    list.push_back(std::move(notices));
    list.push_back(std::move(money));
    list.push_back(std::move(alerts));
    list.push_back(audit::make_audit_subsystem(context));
    // Last: it reads what the others know, on the loop, at each scrape.
    list.push_back(metrics::make_metrics_subsystem(
        context,
        metrics::MetricsSources{
            .sync_running = [sync = sync_ptr] { return sync->running(); },
            .key_state = [keys =
                              keys_ptr] { return std::string(to_string(keys->current_state())); },
            .key_expiry_ms =
                [keys = keys_ptr] {
                    auto at = keys->current_expiry();
                    return at ? std::optional<std::int64_t>(at->time_since_epoch().count())
                              : std::nullopt;
                },
        }));
    return list;
}

}  // namespace rosterd
