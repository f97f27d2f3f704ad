#pragma once
// The query subsystem (dashboard, users, exports) as the daemon assembles it.
#include <memory>

#include "rosterd/service/subsystem.hpp"

namespace rosterd::query {

std::unique_ptr<Subsystem> make_query_subsystem(DaemonContext& context);

}  // namespace rosterd::query
