#pragma once
// The filter fields as control-protocol arguments: every command that selects users (users,
// bulk) accepts the same fields, described once, from user_filter_fields().
#include <span>
#include <vector>

#include "rosterd/control/registry.hpp"
#include "rosterd/model/user_filter.hpp"

namespace rosterd {

std::vector<control::ArgSpec> user_filter_arg_specs();

// The filter in a request's arguments: every argument but the command's own (`own`, the ArgSpecs
// it declares besides the filter fields, so that their names are written once) is a filter field.
// Throws FilterError.
UserFilter user_filter_from_args(const rapidjson::Value& args,
                                 std::span<const control::ArgSpec> own);

}  // namespace rosterd
