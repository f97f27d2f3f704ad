#include "filter_flags.hpp"

#include "rosterd/control/commands.hpp"
#include "rosterd/model/user_filter.hpp"

namespace rosterd::cli {

void add_filter_flags(CLI::App* command, FilterFlags& o) {
    std::map<std::string, CLI::Option*> made;
    for (const auto& field : user_filter_fields()) {
        std::string name(field.name);
        std::string flag = "--" + name;
        std::string help(field.help);
        switch (field.kind) {
            case FilterFieldKind::flag:
            case FilterFieldKind::boolean:
                made[name] = command->add_flag(flag, o.flags[name], help);
                break;
            case FilterFieldKind::list:
                made[name] = command->add_option(flag, o.values[name], help + " (repeatable)");
                break;
            case FilterFieldKind::integer:
                made[name] = command->add_option(flag, o.values[name], help)
                                 ->expected(1)
                                 ->check(CLI::Range(1, 3650));
                break;
            default:
                made[name] = command->add_option(flag, o.values[name], help)->expected(1);
                break;
        }
    }
    made["managed"]->excludes(made["unmanaged"]);
    made["admins"]->excludes(made["no-admins"]);
    command->add_option("--filter", o.saved_filter,
                        "Start from this saved filter (see rosterctl filters); flags narrow it");
}

void add_filter_args(const FilterFlags& o, rapidjson::Document& args) {
    auto& a = args.GetAllocator();
    for (const auto& [name, items] : o.values) {
        if (items.empty())
            continue;
        const auto* spec = find_user_filter_field(name);
        rapidjson::Value key(name.c_str(), a);
        if (spec->kind == FilterFieldKind::list) {
            rapidjson::Value list(rapidjson::kArrayType);
            for (const auto& item : items)
                list.PushBack(rapidjson::Value(item.c_str(), a), a);
            args.AddMember(key, list, a);
        } else if (spec->kind == FilterFieldKind::integer) {
            args.AddMember(key, std::stoi(items.back()), a);
        } else {
            args.AddMember(key, rapidjson::Value(items.back().c_str(), a), a);
        }
    }
    for (const auto& [name, set] : o.flags)
        if (set)
            args.AddMember(rapidjson::Value(name.c_str(), a), rapidjson::Value(true), a);
    if (!o.saved_filter.empty())
        args.AddMember(rapidjson::StringRef(control::arg::kFilter),
                       rapidjson::Value(o.saved_filter.c_str(), a), a);
}

}  // namespace rosterd::cli
