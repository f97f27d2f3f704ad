#pragma once
// Pure parsers for Admin API response bodies, separate from I/O so they can be unit-tested and
// fuzzed. None of them throws: malformed JSON or unexpected types come back as an ApiError of
// kind parse with a message naming the offending field.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rosterd/atlassian/types.hpp"

namespace rosterd::atlassian {

Result<Org> parse_org(std::string_view body);              // GET /v1/orgs/{orgId}
Result<Page<Org>> parse_orgs_page(std::string_view body);  // GET /v1/orgs
// GET /v1/orgs/{orgId}/domains: the names of the verified ones ("" for the others).
Result<Page<std::string>> parse_domains_page(std::string_view body);
Result<Page<Workspace>> parse_workspaces_page(std::string_view body);
Result<Page<Directory>> parse_directories_page(std::string_view body);
Result<Page<DirectoryUser>> parse_users_page(std::string_view body);
Result<DirectoryUser> parse_user(std::string_view body);  // {"data": {...}} user details
Result<Page<Group>> parse_groups_page(std::string_view body);
Result<Page<GroupRoleAssignment>> parse_group_roles_page(std::string_view body);
Result<Page<UserRoleAssignment>> parse_user_roles_page(std::string_view body);
// The activity plus the (rare) links.next cursor.
Result<std::pair<UserActivity, std::optional<std::string>>> parse_last_active_dates(
    std::string_view body);
Result<std::int64_t> parse_count(std::string_view body);  // {"count": n}

// Builds an ApiError from an error response, whatever its body: ProxyError {code:number,
// message}, {errors:[{status,code,title,detail}]}, NoPermsError {status,error,message,...},
// user-management {key, context}, the workspaces endpoint's flat {code,title,detail,...}, or an
// HTML/empty/garbage body from a proxy. Kind: auth_rejected for 401, rate_limited for 429,
// otherwise http; retryable for 429 and 5xx.
ApiError parse_api_error(int status, std::string_view body);

// The cursor for the next page from links.next: an absolute URL with ?cursor=<percent-encoded>
// (v1 lists) gives the decoded token; a bare token (v2) is returned as is. Empty -> nullopt.
// A literal '+' stays '+': cursors are base64, not form-encoded text.
std::optional<std::string> extract_cursor(std::string_view next_link);

// Strips "ari:cloud:identity::group/" from a group id; bare UUIDs are returned unchanged.
std::string normalize_group_id(std::string_view id);

// RFC 3986 percent-encoding of everything except unreserved characters (and, for path
// segments, ':' and '@', which account ids use).
std::string percent_encode(std::string_view text);
std::string percent_encode_path_segment(std::string_view text);
// Decodes %XX escapes; malformed escapes are kept literally.
std::string percent_decode(std::string_view text);

}  // namespace rosterd::atlassian
