#include "subsystems.hpp"

#include "../audit/audit_service.hpp"
#include "../keys/key_service.hpp"
#include "../metrics/metrics_service.hpp"
#include "../money/money_service.hpp"
#include "../notice/notice_service.hpp"
#include "../notify/notify_service.hpp"
#include "../ops/ops_service.hpp"
#include "../ops/task_service.hpp"
#include "../query/query_service.hpp"
#include "../seats/seat_alert_service.hpp"
#include "../sync/sync_service.hpp"

namespace rosterd {

std::vector<std::unique_ptr<Subsystem>> make_subsystems(DaemonContext& context) {
    std::vector<std::unique_ptr<Subsystem>> list;
    // The outbox first: every other subsystem reports its events through it.
    auto notify = std::make_unique<notify::NotifyService>(context);
    context.events = notify.get();
    auto keys = std::make_unique<keys::KeyService>(context, notify.get());
    auto sync = std::make_unique<sync::SyncService>(context, *keys);
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
    auto ops = std::make_unique<ops::OpsService>(context, *keys, *sync);
    auto tasks = std::make_unique<ops::TaskService>(context, *ops, *sync);
    auto notices = std::make_unique<notice::NoticeService>(
        context, [outbox = notify.get()] { outbox->wake(); });
    tasks->set_stage_factory(
        [stages = notices.get()](const TaskConfig& task) { return stages->make_stage(task); });
    const sync::SyncService* sync_ptr = sync.get();
    const keys::KeyService* keys_ptr = keys.get();
    auto money = std::make_unique<money::MoneyService>(context, *sync, *keys);
    auto alerts = std::make_unique<seats::SeatAlertService>(context, *sync, *notify);
    list.push_back(std::move(notify));
    list.push_back(std::move(keys));
    list.push_back(std::move(sync));
    list.push_back(std::make_unique<query::QueryService>(context));
    list.push_back(std::move(ops));
    list.push_back(std::move(tasks));
    list.push_back(std::move(notices));
    list.push_back(std::move(money));
    list.push_back(std::move(alerts));
    list.push_back(std::make_unique<audit::AuditService>(context));
    // Last: it reads what the others know, on the loop, at each scrape.
    list.push_back(std::make_unique<metrics::MetricsService>(
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
