#include "subsystems.hpp"

#include "../sync/sync_service.hpp"

namespace rosterd {

std::vector<std::unique_ptr<Subsystem>> make_subsystems(DaemonContext& context) {
    std::vector<std::unique_ptr<Subsystem>> list;
    list.push_back(std::make_unique<sync::SyncService>(context));
    return list;
}

}  // namespace rosterd
