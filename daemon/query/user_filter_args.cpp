#include "rosterd/query/user_filter_args.hpp"

#include "rosterd/model/user_filter.hpp"

namespace rosterd {
namespace {

control::ArgType arg_type(FilterFieldKind kind) {
    switch (kind) {
        case FilterFieldKind::integer:
            return control::ArgType::integer;
        case FilterFieldKind::flag:
        case FilterFieldKind::boolean:
            return control::ArgType::boolean;
        case FilterFieldKind::list:
            return control::ArgType::any;  // one string or a list of strings
        default:
            return control::ArgType::string;
    }
}

}  // namespace

std::vector<control::ArgSpec> user_filter_arg_specs() {
    std::vector<control::ArgSpec> args;
    for (const auto& field : user_filter_fields())
        args.push_back(
            {std::string(field.name), arg_type(field.kind), false, std::string(field.help)});
    return args;
}

}  // namespace rosterd
