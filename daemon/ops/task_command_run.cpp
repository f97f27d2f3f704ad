// `tasks.run`: run a task now, a dry run unless apply.
#include "rosterd/control/commands.hpp"
#include "task_commands.hpp"
#include "task_service.hpp"

namespace rosterd::ops {
namespace {

void tasks_run(TaskService& service, const control::Request& request,
               std::shared_ptr<control::Reply> reply) {
    auto name = *request.string_arg("name");
    const auto* task = service.find(name);
    if (!task)
        throw control::CommandError("no task named '" + name + "' under tasks:",
                                    control::kInvalidArgs);
    bool apply = request.bool_arg("apply").value_or(false);
    if (apply && !request.caller.may_run(control::AccessLevel::admin))
        throw control::CommandError("applying a task needs the admin level", control::kForbidden);
    service.run_task(*task, apply, request.caller.describe(), request.caller.uid, std::move(reply),
                     reason_of(request), run_scope(request, apply));
}

}  // namespace

control::CommandSpec tasks_run_command(TaskService& service) {
    return {.name = control::cmd::kTasksRun,
            .summary = "Run a task now: a dry run unless apply (admin)",
            .level = control::AccessLevel::operator_,
            .args = {{control::arg::kName, control::ArgType::string, true, "the task"},
                     {control::arg::kApply, control::ArgType::boolean, false,
                      "apply the plan instead of a dry run"},
                     reason_arg()},
            .handler = [&service](const auto& request,
                                  auto reply) { tasks_run(service, request, reply); },
            .streams_progress = true};
}

}  // namespace rosterd::ops
