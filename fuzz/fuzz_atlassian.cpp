// libFuzzer target: every Admin API response parser on the same body (the first byte picks the
// HTTP status for the error parser). Each must return a value or an error, never crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "rosterd/atlassian_parse.hpp"

using namespace rosterd::atlassian;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    const int status = 400 + data[0] % 200;
    std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
    (void)parse_org(body);
    (void)parse_orgs_page(body);
    (void)parse_workspaces_page(body);
    (void)parse_directories_page(body);
    (void)parse_users_page(body);
    (void)parse_user(body);
    (void)parse_groups_page(body);
    (void)parse_group_roles_page(body);
    (void)parse_user_roles_page(body);
    (void)parse_last_active_dates(body);
    (void)parse_count(body);
    (void)parse_api_error(status, body);
    (void)extract_cursor(body);
    (void)normalize_group_id(body);
    (void)percent_decode(body);
    (void)percent_encode(body);
    return 0;
}
