#pragma once
// Route registration, one function per group of endpoints.
#include <httplib.h>

#include "sim_state.hpp"

namespace rosterd::sim {

void register_org_routes(httplib::Server& server, SimState& state);        // orgs, directories
void register_workspace_routes(httplib::Server& server, SimState& state);  // workspaces
void register_user_read_routes(httplib::Server& server, SimState& state);  // search, count, details
void register_v1_user_routes(httplib::Server& server, SimState& state);    // v1 users, last-active
void register_group_routes(httplib::Server& server, SimState& state);      // search, details
void register_role_routes(httplib::Server& server, SimState& state);       // role assignments
void register_membership_routes(httplib::Server& server, SimState& state);  // suspend, groups
void register_lifecycle_routes(httplib::Server& server, SimState& state);  // user management
void register_control_routes(httplib::Server& server, SimState& state);    // /_sim
void register_sink_routes(httplib::Server& server, SimState& state);       // /sink

// Path patterns shared by the route files.
inline constexpr const char* kSegment = "([^/]+)";

}  // namespace rosterd::sim
