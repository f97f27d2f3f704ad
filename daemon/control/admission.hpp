#pragma once
// Whether the control server lets one more connection in: a pure function of the limits, what is
// open, and who asks, so that every rule is tested with made-up callers.
#include <cstddef>
#include <optional>
#include <string>

#include "rosterd/control/access.hpp"
#include "rosterd/control/server.hpp"

namespace rosterd::control::detail {

// nullopt: admitted. Otherwise the message the refused client receives (code `unavailable`).
// - Nobody beyond limits.max_connections.
// - Anyone below admin only while fewer than max_connections - admin_reserve are open: the rest
//   is kept so that an admin can always get in and see what is going on.
// - Anyone below admin at most limits.max_per_user connections, counted by the kernel's uid of the
//   peer. Admins (root and the daemon's user included) are trusted with the whole: they can
//   stop the daemon anyway.
std::optional<std::string> admission_refusal(const ConnectionLimits& limits, std::size_t open,
                                             std::size_t open_by_caller, const Caller& caller);

}  // namespace rosterd::control::detail
