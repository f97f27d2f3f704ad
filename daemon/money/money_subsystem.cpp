#include "money_service.hpp"
#include "rosterd/money/subsystem.hpp"

namespace rosterd::money {

std::unique_ptr<Subsystem> make_money_subsystem(DaemonContext& context, SyncControl& sync,
                                                const Subsystem& keys) {
    return std::make_unique<MoneyService>(context, sync, keys);
}

}  // namespace rosterd::money
