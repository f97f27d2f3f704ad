#include "sync_service.hpp"

namespace rosterd::sync {

std::unique_ptr<SyncSubsystem> make_sync_subsystem(DaemonContext& context, keys::KeyGate& keys) {
    return std::make_unique<SyncService>(context, keys);
}

}  // namespace rosterd::sync
