#pragma once
// Route registration, one function per group of endpoints.
#include <httplib.h>

#include <string>

#include "gateway.hpp"
#include "sim_state.hpp"

namespace rosterd::sim {

// Registers handlers behind the gateway: a request the gateway has already answered (401,
// 429, injected failure, 415) never reaches its handler, so it changes nothing.
class Routes {
  public:
    explicit Routes(httplib::Server& server) : server_(server) {}
    void get(const std::string& pattern, httplib::Server::Handler handler) {
        server_.Get(pattern, behind_gateway(std::move(handler)));
    }
    void post(const std::string& pattern, httplib::Server::Handler handler) {
        server_.Post(pattern, behind_gateway(std::move(handler)));
    }
    void del(const std::string& pattern, httplib::Server::Handler handler) {
        server_.Delete(pattern, behind_gateway(std::move(handler)));
    }

  private:
    httplib::Server& server_;
};

void register_org_routes(Routes& server, SimState& state);         // orgs, directories
void register_domain_routes(Routes& server, SimState& state);      // verified domains
void register_workspace_routes(Routes& server, SimState& state);   // workspaces
void register_user_read_routes(Routes& server, SimState& state);   // search, count, details
void register_v1_user_routes(Routes& server, SimState& state);     // v1 users, last-active
void register_group_routes(Routes& server, SimState& state);       // search, details
void register_role_routes(Routes& server, SimState& state);        // role assignments
void register_membership_routes(Routes& server, SimState& state);  // suspend, groups
void register_lifecycle_routes(Routes& server, SimState& state);   // user management
void register_control_routes(Routes& server, SimState& state);     // /_sim
void register_sink_routes(Routes& server, SimState& state);        // /sink

// Path patterns shared by the route files.
inline constexpr const char* kSegment = "([^/]+)";

}  // namespace rosterd::sim
