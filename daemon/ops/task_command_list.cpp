// `tasks`: every configured task with its schedule, state, last run and next run.
#include "rosterd/base/json.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/control/db_reply.hpp"
#include "task_commands.hpp"
#include "task_service.hpp"
#include "task_store.hpp"

namespace rosterd::ops {
namespace {

namespace json = control::json;

void tasks(TaskService& service, const control::Request&, std::shared_ptr<control::Reply> reply) {
    auto rows = service.rows();
    auto zone = service.zone();
    service.context().db.read(
        [rows, zone](store::Database& db) {
            auto doc = std::make_shared<rapidjson::Document>(rapidjson::kObjectType);
            auto& a = doc->GetAllocator();
            rapidjson::Value list(rapidjson::kArrayType);
            for (const auto& r : rows) {
                rapidjson::Value item(rapidjson::kObjectType);
                json::add(item, "name", r.name, a);
                json::add(item, "filter", r.filter, a);
                json::add(item, "actions", r.actions, a);
                json::add(item, "schedule", r.schedule, a);
                json::add(item, "mode", r.mode, a);
                json::add(item, "enabled", r.enabled, a);
                json::add(item, "max_users", r.max_users, a);
                json::add(item, "pending", r.pending, a);
                json::add(item, "next_run",
                          r.next_ms ? std::optional<std::string>(format_iso8601_s(*r.next_ms))
                                    : std::nullopt,
                          a);
                if (r.next_ms)
                    json::add(item, "next_run_local",
                              format_local(SysTime(std::chrono::milliseconds(*r.next_ms)), zone),
                              a);
                if (auto run = last_run_of_task(db, r.name))
                    json::add(item, "last_run", run_summary_json(*run, run->counts(), a), a);
                else
                    json::add(item, "last_run", std::optional<std::string>(), a);
                list.PushBack(item, a);
            }
            doc->AddMember("tasks", list, a);
            return doc;
        },
        control::answer_with_document(reply));
}

}  // namespace

control::CommandSpec tasks_command(TaskService& service) {
    return {
        .name = control::cmd::kTasks,
        .summary = "The automated tasks: actions, schedule, enabled, last run and next run",
        .level = control::AccessLevel::viewer,
        .args = {},
        .handler = [&service](const auto& request, auto reply) { tasks(service, request, reply); }};
}

}  // namespace rosterd::ops
