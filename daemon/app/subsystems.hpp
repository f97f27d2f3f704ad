#pragma once
// The one place that lists the daemon's subsystems, in start-up order.
#include <memory>
#include <vector>

#include "rosterd/app/daemon.hpp"
#include "rosterd/service/subsystem.hpp"

namespace rosterd {

std::vector<std::unique_ptr<Subsystem>> make_subsystems(DaemonContext& context);

}  // namespace rosterd
