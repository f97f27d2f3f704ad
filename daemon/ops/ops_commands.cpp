// The bulk and runs commands (docs/control-protocol.md, docs/operations.md): what they share, and
// their registration. Each handler lives in its own file (ops_command_*.cpp).
#include "ops_commands.hpp"

#include "ops_service.hpp"
#include "rosterd/control/commands.hpp"

namespace rosterd::ops {

control::ArgSpec reason_arg() {
    return {control::arg::kReason, control::ArgType::string, false,
            "why (kept with the run, shown by runs show, sent in its webhook, audited)"};
}

std::string reason_of(const control::Request& request) {
    auto reason = request.string_arg("reason").value_or("");
    if (reason.size() > kMaxReasonLength)
        throw control::CommandError(
            "reason: at most " + std::to_string(kMaxReasonLength) + " characters",
            control::kInvalidArgs);
    for (unsigned char c : reason)
        if (c < 0x20 && c != '\t')
            throw control::CommandError("reason: control characters are not allowed",
                                        control::kInvalidArgs);
    return reason;
}

std::vector<std::string> string_array(const rapidjson::Value* value, const char* name) {
    std::vector<std::string> out;
    if (!value)
        return out;
    for (const auto& item : value->GetArray()) {
        if (!item.IsString())
            throw control::CommandError(std::string(name) + ": expected an array of strings",
                                        control::kInvalidArgs);
        out.emplace_back(item.GetString());
    }
    return out;
}

std::int64_t cap_arg(const control::Request& request, std::int64_t fallback, bool& raised) {
    auto cap = request.int_arg("max_users");
    raised = cap.has_value();
    if (cap && (*cap < 1 || *cap > 1000000))
        throw control::CommandError("max_users: expected 1 to 1000000", control::kInvalidArgs);
    return cap.value_or(fallback);
}

std::optional<std::int64_t> own_runs_only(const control::Request& request) {
    if (request.caller.view_scope().sees_everything())
        return std::nullopt;
    return static_cast<std::int64_t>(request.caller.uid);
}

void require_admin_to_apply(const control::Request& request, bool apply) {
    if (apply && !request.caller.may_run(control::AccessLevel::admin))
        throw control::CommandError("applying a run needs the admin level; " +
                                        request.caller.describe() + " may only review dry runs",
                                    control::kForbidden);
}

Scope run_scope(const control::Request& request, bool apply) {
    // A dry run needs operator and an applying run admin: each reaches what that level's grants
    // reach (the highest level wins only inside the scope granting it).
    return request.caller.scope_at(apply ? control::AccessLevel::admin
                                         : control::AccessLevel::operator_);
}

void OpsService::register_commands(control::CommandRegistry& registry) {
    registry.add(bulk_command(*this));
    registry.add(runs_command(*this));
    registry.add(runs_show_command(*this));
    registry.add(runs_cancel_command(*this));
    registry.add(runs_undo_command(*this));
}

}  // namespace rosterd::ops
