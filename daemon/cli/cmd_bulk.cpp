// rosterctl bulk ACTION [ACTION ...] [filter flags | --filter NAME | --users ID,... |
//                --from-file F] [--apply] [--force] [--max-users N]
//                [--reason TEXT]
#include <fstream>
#include <iostream>

#include "cli_common.hpp"
#include "filter_flags.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/model/action.hpp"
#include "run_render.hpp"

namespace rosterd::cli {
namespace {

struct BulkOptions {
    std::vector<std::string> actions;
    FilterFlags filter;
    std::vector<std::string> users;
    std::string from_file;
    bool apply = false;
    bool force = false;
    int max_users = 0;
    std::string reason;
};

// One user per line: an account id or an email, optionally the first column of a CSV (such as
// `rosterctl users --format csv`); blank lines, '#' comments and a header line are ignored.
std::vector<std::string> read_user_file(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        throw CLI::ValidationError("--from-file", "cannot read " + path);
    std::vector<std::string> users;
    std::string line;
    while (std::getline(in, line)) {
        auto cell = line.substr(0, line.find(','));
        auto first = cell.find_first_not_of(" \t\r\"");
        if (first == std::string::npos || cell[first] == '#')
            continue;
        cell = cell.substr(first, cell.find_last_not_of(" \t\r\"") - first + 1);
        if (cell == "account_id" || cell == "email")
            continue;
        users.push_back(cell);
    }
    return users;
}

}  // namespace

void install_bulk_command(CLI::App& app, CliOptions& options, int& exit_code) {
    auto* bulk = app.add_subcommand(
        "bulk", "Plan (dry run) or apply actions to users; actions: " + ops::action_syntax_help());
    auto o = std::make_shared<BulkOptions>();
    bulk->add_option("actions", o->actions, "Actions, run in this order for each user")->required();
    add_filter_flags(bulk, o->filter);
    bulk->add_option("--users", o->users, "These users (account ids or emails) instead of a filter")
        ->delimiter(',');
    bulk->add_option("--from-file", o->from_file,
                     "Users from a file: one account id or email per line (or a CSV's first "
                     "column)");
    bulk->add_flag("--apply", o->apply, "Execute the plan (admin); without it nothing changes");
    bulk->add_flag("--force", o->force, "Allow destructive actions (remove-from-directory)");
    bulk->add_option("--max-users", o->max_users,
                     "Raise the cap on how many users this run may act on (ops.max_users)")
        ->check(CLI::Range(1, 1000000));
    add_reason_option(bulk, o->reason);
    bulk->callback([&options, &exit_code, o] {
        rapidjson::Document args(rapidjson::kObjectType);
        auto& a = args.GetAllocator();
        rapidjson::Value actions(rapidjson::kArrayType);
        for (const auto& action : o->actions)
            actions.PushBack(rapidjson::Value(action.c_str(), a), a);
        args.AddMember(rapidjson::StringRef(control::arg::kActions), actions, a);
        add_filter_args(o->filter, args);
        auto users = o->users;
        if (!o->from_file.empty()) {
            auto more = read_user_file(o->from_file);
            users.insert(users.end(), more.begin(), more.end());
        }
        if (!users.empty()) {
            rapidjson::Value list(rapidjson::kArrayType);
            for (const auto& u : users)
                list.PushBack(rapidjson::Value(u.c_str(), a), a);
            args.AddMember(rapidjson::StringRef(control::arg::kUsers), list, a);
        }
        if (o->apply)
            args.AddMember(rapidjson::StringRef(control::arg::kApply), true, a);
        if (o->force)
            args.AddMember(rapidjson::StringRef(control::arg::kForce), true, a);
        if (o->max_users > 0)
            args.AddMember(rapidjson::StringRef(control::arg::kMaxUsers), o->max_users, a);
        add_reason_arg(o->reason, args);
        exit_code = call_run_command(options, control::cmd::kBulk, args);
    });
}

}  // namespace rosterd::cli
