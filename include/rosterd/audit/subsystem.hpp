#pragma once
// The audit subsystem (the `audit` command) as the daemon assembles it.
#include <memory>

#include "rosterd/service/subsystem.hpp"

namespace rosterd::audit {

std::unique_ptr<Subsystem> make_audit_subsystem(DaemonContext& context);

}  // namespace rosterd::audit
