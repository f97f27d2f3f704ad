// `bulk`: plan (dry run) or apply actions to the users a filter or a list selects.
#include <spdlog/spdlog.h>

#include "ops_commands.hpp"
#include "ops_service.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/query/user_filter_args.hpp"

namespace rosterd::ops {
namespace {

using control::ArgSpec;
using control::ArgType;

// The bulk command's own arguments; every other argument is a filter field.
const std::vector<ArgSpec>& bulk_own_args() {
    static const std::vector<ArgSpec> args = {
        {control::arg::kActions, ArgType::array, true,
         "the actions, run in this order for each user: " + action_syntax_help()},
        {control::arg::kApply, ArgType::boolean, false,
         "execute the plan (admin); without it, a dry run that changes nothing"},
        {control::arg::kForce, ArgType::boolean, false,
         "required for destructive actions (remove-from-directory)"},
        {control::arg::kMaxUsers, ArgType::integer, false,
         "raise the cap (ops.max_users) on how many users this run may act on"},
        {control::arg::kUsers, ArgType::array, false,
         "these users (account ids or emails) instead of a filter"},
        {control::arg::kFilter, ArgType::string, false,
         "start from this saved filter; other fields narrow it"},
        reason_arg()};
    return args;
}

std::vector<ArgSpec> bulk_args() {
    std::vector<ArgSpec> args = bulk_own_args();
    for (auto& field : user_filter_arg_specs())
        args.push_back(std::move(field));
    return args;
}

void bulk(OpsService& ops, const control::Request& request, std::shared_ptr<control::Reply> reply) {
    const Config& config = *ops.context().config;
    RunRequest r;
    r.command = control::cmd::kBulk;
    r.apply = request.bool_arg("apply").value_or(false);
    require_admin_to_apply(request, r.apply);
    try {
        for (const auto& text : string_array(request.arg("actions"), "actions"))
            r.actions.push_back(parse_action(text));
    } catch (const ActionError& e) {
        throw control::CommandError(std::string("actions: ") + e.what(), control::kInvalidArgs);
    }
    if (r.actions.empty())
        throw control::CommandError("actions: give at least one (" + action_syntax_help() + ")",
                                    control::kInvalidArgs);
    bool force = request.bool_arg("force").value_or(false);
    for (const auto& a : r.actions)
        if (a.destructive() && !force)
            throw control::CommandError(
                to_string(a) + " is destructive and cannot be undone: add --force",
                control::kInvalidArgs);
    r.users = string_array(request.arg("users"), "users");
    try {
        if (auto saved = request.string_arg("filter")) {
            auto found = config.filters.find(*saved);
            if (found == config.filters.end())
                throw FilterError("filter", "no saved filter named '" + *saved + "'");
            r.saved_filter = *saved;
            r.filters.push_back(found->second);
        }
        auto inline_filter = user_filter_from_args(request.args(), bulk_own_args());
        if (!inline_filter.empty())
            r.filters.push_back(inline_filter);
    } catch (const FilterError& e) {
        throw control::CommandError(e.what(), control::kInvalidArgs);
    }
    if (!r.users.empty() && !r.filters.empty())
        throw control::CommandError("give either users or a filter, not both",
                                    control::kInvalidArgs);
    if (r.users.empty() && r.filters.empty())
        throw control::CommandError(
            "select the users: filter flags, --filter NAME, --users or --from-file (a run over "
            "every user needs an explicit filter)",
            control::kInvalidArgs);
    r.max_users = cap_arg(request, config.ops.max_users, r.cap_raised);
    r.reason = reason_of(request);
    r.caller = request.caller.describe();
    r.caller_uid = request.caller.uid;
    r.scope = run_scope(request, r.apply);
    r.reply = std::move(reply);
    spdlog::info("ops: bulk {} by {}", r.apply ? "apply" : "dry run", r.caller);
    ops.submit(std::move(r));
}

}  // namespace

control::CommandSpec bulk_command(OpsService& ops) {
    return {.name = control::cmd::kBulk,
            .summary =
                "Plan (dry run) or apply actions to the users a filter selects; "
                "applying streams progress and answers with the run's result",
            .level = control::AccessLevel::operator_,
            .args = bulk_args(),
            .handler = [&ops](const auto& request, auto reply) { bulk(ops, request, reply); },
            .streams_progress = true};
}

}  // namespace rosterd::ops
