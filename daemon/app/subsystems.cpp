#include "subsystems.hpp"

#include "../audit/audit_service.hpp"
#include "../keys/key_service.hpp"
#include "../money/money_service.hpp"
#include "../notify/notify_service.hpp"
#include "../ops/ops_service.hpp"
#include "../ops/task_service.hpp"
#include "../query/query_service.hpp"
#include "../sync/sync_service.hpp"

namespace rosterd {

std::vector<std::unique_ptr<Subsystem>> make_subsystems(DaemonContext& context) {
    std::vector<std::unique_ptr<Subsystem>> list;
    // The outbox first: every other subsystem reports its events through it.
    auto notify = std::make_unique<notify::NotifyService>(context);
    context.events = notify.get();
    auto keys = std::make_unique<keys::KeyService>(context, notify.get());
    auto sync = std::make_unique<sync::SyncService>(context, *keys);
    keys->set_initial_sync_starter(
        [sync = sync.get()] { return !sync->has_snapshot() && !sync->request_sync("initial"); });
    auto ops = std::make_unique<ops::OpsService>(context, *keys, *sync);
    auto tasks = std::make_unique<ops::TaskService>(context, *ops, *sync);
    auto money = std::make_unique<money::MoneyService>(context, *sync, *keys);
    list.push_back(std::move(notify));
    list.push_back(std::move(keys));
    list.push_back(std::move(sync));
    list.push_back(std::make_unique<query::QueryService>(context));
    list.push_back(std::move(ops));
    list.push_back(std::move(tasks));
    list.push_back(std::move(money));
    list.push_back(std::make_unique<audit::AuditService>(context));
    return list;
}

}  // namespace rosterd
