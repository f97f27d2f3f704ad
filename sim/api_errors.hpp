#pragma once
// Error bodies, one helper per shape the Admin APIs use (reference section 4):
//   ProxyError {"code":401,"message":"..."}            gateway: 401, 429, 503
//   ApplicationError list {"errors":[{id,status,code,title,detail}]}   v1 and v2 endpoints
//   flat ApplicationError {id,status,code,title,detail}              workspaces only
//   NoPermsError {timestamp,path,status:403,error,message,requestId}  authorization layer
//   user-management key errors {"key":"...","context":{...}}
#include <string>
#include <string_view>

namespace rosterd::sim {

// Which error shape a path's family uses.
enum class ApiFamily {
    OrgV1,           // /admin/v1/...
    OrgV1Roles,      // /admin/v1/orgs/{id}/users/{id}/roles|role-assignments (ADMIN-UAM-* codes)
    OrgV2,           // /admin/v2/... (except workspaces)
    Workspaces,      // /admin/v2/orgs/{id}/workspaces (flat error object)
    UserManagement,  // /users/{id}/manage/...
    NotApi,
};

ApiFamily family_of(std::string_view path);
bool is_api_path(std::string_view path);

std::string reason_phrase(int status);

std::string proxy_error(int code, std::string_view message);
std::string application_errors(int status, std::string_view code, std::string_view title,
                               std::string_view detail);
std::string flat_error(int status, std::string_view code, std::string_view title,
                       std::string_view detail);
std::string no_perms_error(std::string_view path, std::string_view timestamp);
std::string um_key_error(std::string_view key);
std::string um_forbidden_action(std::string_view reason_key);
std::string um_lifecycle_conflict(std::string_view account_id, std::string_view message);

// The error code family prefix for a path: "ADMIN" or "ADMIN-UAM".
std::string error_code(ApiFamily family, int status, int number = 1);

// The body for a failure of `status` that is not about the request itself (injected errors,
// forced failures, unknown routes, 401/429 from the gateway), in the shape the path's family uses.
std::string failure_body(std::string_view path, int status, std::string_view detail);

}  // namespace rosterd::sim
