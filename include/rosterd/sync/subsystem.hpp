#pragma once
// The sync subsystem as the daemon assembles it: a Subsystem that others reach through
// SyncControl. The implementation (daemon/sync/) stays private to the module.
#include <memory>

#include "rosterd/keys/keys.hpp"
#include "rosterd/service/subsystem.hpp"
#include "rosterd/service/sync_control.hpp"

namespace rosterd::sync {

class SyncSubsystem : public Subsystem, public SyncControl {};

// `keys` decides which key a sync uses, or why none may run; it hears about 401s.
std::unique_ptr<SyncSubsystem> make_sync_subsystem(DaemonContext& context, keys::KeyGate& keys);

}  // namespace rosterd::sync
