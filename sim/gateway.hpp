#pragma once
// The "gateway" in front of the API routes: latency, authentication, key expiry, forced and
// random failures, rate limits, the 415 rule, truncated bodies, dropped connections, the
// request log and JSON bodies for unknown routes. Applies to /admin and /users paths only,
// never to /_sim or /sink.
#include <httplib.h>

#include "sim_state.hpp"

namespace rosterd::sim {

void install_gateway(httplib::Server& server, SimState& state);

}  // namespace rosterd::sim
