#include "rosterd/query/user_filter_args.hpp"

#include <string_view>

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

UserFilter user_filter_from_args(const rapidjson::Value& args,
                                 std::span<const control::ArgSpec> own) {
    std::vector<std::string_view> own_names;
    own_names.reserve(own.size());
    for (const auto& spec : own)
        own_names.emplace_back(spec.name);
    return user_filter_from_json(args, own_names);
}

}  // namespace rosterd
