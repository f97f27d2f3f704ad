#pragma once
// Resolves user and group names (or numeric ids) from control.access to ids.
#include <cstdint>
#include <optional>
#include <string>

namespace rosterd::config_detail {

std::optional<std::uint32_t> lookup_uid(const std::string& name_or_id);
std::optional<std::uint32_t> lookup_gid(const std::string& name_or_id);

}  // namespace rosterd::config_detail
