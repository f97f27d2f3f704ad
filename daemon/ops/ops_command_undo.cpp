// `runs.undo`: a new run applying the inverse of a run (run_undo.hpp plans it).
#include "ops_commands.hpp"
#include "ops_service.hpp"
#include "rosterd/control/commands.hpp"

namespace rosterd::ops {
namespace {

void runs_undo(OpsService& ops, const control::Request& request,
               std::shared_ptr<control::Reply> reply) {
    RunRequest r;
    r.kind = RunKind::undo;
    r.command = control::cmd::kRunsUndo;
    r.undo_of = *request.string_arg("id");
    r.apply = request.bool_arg("apply").value_or(false);
    require_admin_to_apply(request, r.apply);
    r.max_users = cap_arg(request, ops.context().config->ops.max_users, r.cap_raised);
    r.reason = reason_of(request);
    r.caller = request.caller.describe();
    r.caller_uid = request.caller.uid;
    r.scope = run_scope(request, r.apply);
    r.reply = std::move(reply);
    ops.submit(std::move(r));
}

}  // namespace

control::CommandSpec runs_undo_command(OpsService& ops) {
    return {.name = control::cmd::kRunsUndo,
            .summary =
                "A new run applying the inverse of every operation of a run that changed "
                "something (dry run unless apply)",
            .level = control::AccessLevel::operator_,
            .args = {{control::arg::kId, control::ArgType::string, true, "the run to undo"},
                     {control::arg::kApply, control::ArgType::boolean, false,
                      "execute the undo (admin)"},
                     {control::arg::kMaxUsers, control::ArgType::integer, false,
                      "raise the cap for this run (an undo may always act on as many users as "
                      "the run it reverses changed)"},
                     reason_arg()},
            .handler = [&ops](const auto& request, auto reply) { runs_undo(ops, request, reply); },
            .streams_progress = true};
}

}  // namespace rosterd::ops
