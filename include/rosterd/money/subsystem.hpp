#pragma once
// The money subsystem (seat history, savings, report, digest) as the daemon assembles it.
#include <memory>

#include "rosterd/service/subsystem.hpp"
#include "rosterd/service/sync_control.hpp"

namespace rosterd::money {

// Records the history after each successful sync of `sync`; `keys` is the key subsystem, whose
// status goes into the report.
std::unique_ptr<Subsystem> make_money_subsystem(DaemonContext& context, SyncControl& sync,
                                                const Subsystem& keys);

}  // namespace rosterd::money
