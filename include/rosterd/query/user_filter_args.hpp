#pragma once
// The filter fields as control-protocol arguments: every command that selects users (users,
// bulk) accepts the same fields, described once, from user_filter_fields().
#include <vector>

#include "rosterd/control/registry.hpp"

namespace rosterd {

std::vector<control::ArgSpec> user_filter_arg_specs();

}  // namespace rosterd
