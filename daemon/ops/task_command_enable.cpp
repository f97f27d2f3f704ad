// `tasks.enable` and `tasks.disable`: whether a task runs on its schedule, kept in task_state.
#include "rosterd/base/json.hpp"
#include "rosterd/control/commands.hpp"
#include "task_commands.hpp"
#include "task_service.hpp"
#include "task_store.hpp"

namespace rosterd::ops {
namespace {

namespace json = control::json;

void tasks_enable(TaskService& service, bool on, const control::Request& request,
                  std::shared_ptr<control::Reply> reply) {
    auto name = *request.string_arg("name");
    if (!service.find(name))
        throw control::CommandError("no task named '" + name + "' under tasks:",
                                    control::kInvalidArgs);
    service.set_enabled(name, on);
    service.context().db.write(
        [name, on](store::Database& db) {
            save_task_enabled(db, name, on);
            return true;
        },
        [reply, name, on](store::DbResult<bool> r) {
            if (!r.ok())
                return reply->fail(control::kFailed, r.error);
            rapidjson::Document doc(rapidjson::kObjectType);
            json::add(doc, "name", name, doc.GetAllocator());
            json::add(doc, "enabled", on, doc.GetAllocator());
            reply->ok(doc);
        });
}

}  // namespace

control::CommandSpec tasks_enable_command(TaskService& service, bool on) {
    return {.name = on ? control::cmd::kTasksEnable : control::cmd::kTasksDisable,
            .summary = on ? "Let a task run on its schedule (kept across restarts and reloads)"
                          : "Stop a task from running on its schedule (kept across restarts "
                            "and reloads)",
            .level = control::AccessLevel::admin,
            .args = {{control::arg::kName, control::ArgType::string, true, "the task"}},
            .handler = [&service, on](const auto& request, auto reply) {
                tasks_enable(service, on, request, reply);
            }};
}

}  // namespace rosterd::ops
