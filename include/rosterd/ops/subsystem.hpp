#pragma once
// The ops subsystems (bulk runs, and the tasks that schedule them) as the daemon assembles them.
// They take keys from the KeyGate and wait for syncs through SyncControl.
#include <functional>
#include <memory>
#include <vector>

#include "rosterd/config/config.hpp"
#include "rosterd/keys/keys.hpp"
#include "rosterd/ops/run_stage.hpp"
#include "rosterd/service/subsystem.hpp"
#include "rosterd/service/sync_control.hpp"

namespace rosterd::ops {

// A stage for one run of a task that asks for one (its notice: block); null for none.
using StageFactory = std::function<std::shared_ptr<RunStage>(const TaskConfig&)>;

// Runs first, tasks second. `stages` may be empty (then task runs have no stage).
std::vector<std::unique_ptr<Subsystem>> make_ops_subsystems(DaemonContext& context,
                                                            keys::KeyGate& keys, SyncControl& sync,
                                                            StageFactory stages);

}  // namespace rosterd::ops
