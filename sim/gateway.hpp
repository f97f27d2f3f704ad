#pragma once
// The "gateway" in front of the API routes: latency, authentication, key expiry, forced and
// random failures, rate limits, the 415 rule, truncated bodies, dropped connections, the
// request log and JSON bodies for unknown routes. Applies to /admin and /users paths only,
// never to /_sim or /sink.
#include <httplib.h>

#include "sim_state.hpp"

namespace rosterd::sim {

// Installs the pre-routing decision, the post-routing faults, the request log and the JSON
// bodies of unknown routes.
void install_gateway(httplib::Server& server, SimState& state);

// Wraps a route handler: when the gateway has decided the answer (pre-routing cannot answer
// itself, because httplib reads a request body only after it), the handler does not run.
httplib::Server::Handler behind_gateway(httplib::Server::Handler handler);

}  // namespace rosterd::sim
