// rosterctl tasks, tasks run NAME [--apply], tasks enable NAME, tasks disable NAME.
#include <iostream>

#include "cli_common.hpp"
#include "ctl_table.hpp"
#include "rosterd/control/commands.hpp"
#include "run_render.hpp"

namespace rosterd::cli {
namespace {

void render_tasks(const rapidjson::Value& r) {
    Table table(
        {"NAME", "ACTIONS", "FILTER", "SCHEDULE", "MODE", "ENABLED", "LAST RUN", "NEXT RUN"});
    for (const auto& t : r["tasks"].GetArray()) {
        std::string last = "-";
        if (t.HasMember("last_run") && t["last_run"].IsObject()) {
            const auto& run = t["last_run"];
            last = string_or(run, "created_at", "") + " " + string_or(run, "mode", "") + " " +
                   string_or(run, "state", "") + " (" + string_or(run, "ok", "0") + " ok, " +
                   string_or(run, "failed", "0") + " failed, " + string_or(run, "skipped", "0") +
                   " skipped)";
        }
        table.add_row({string_or(t, "name", ""), string_or(t, "actions", ""),
                       string_or(t, "filter", ""), string_or(t, "schedule", ""),
                       string_or(t, "mode", ""), string_or(t, "enabled", ""), last,
                       string_or(t, "next_run_local", "-")});
    }
    if (table.row_count() == 0)
        std::cout << "no tasks configured (tasks: in the configuration)\n";
    else
        table.print(std::cout);
}

rapidjson::Document name_args(const std::string& name) {
    rapidjson::Document args(rapidjson::kObjectType);
    args.AddMember(rapidjson::StringRef(control::arg::kName),
                   rapidjson::Value(name.c_str(), args.GetAllocator()), args.GetAllocator());
    return args;
}

}  // namespace

void install_tasks_commands(CLI::App& app, CliOptions& options, int& exit_code) {
    auto* tasks = app.add_subcommand("tasks", "Automated tasks: list, run now, enable, disable");
    tasks->callback([&options, &exit_code, tasks] {
        if (!tasks->get_subcommands().empty())
            return;
        rapidjson::Document args(rapidjson::kObjectType);
        exit_code = call_and_render(options, control::cmd::kTasks, args, render_tasks);
    });
    auto name = std::make_shared<std::string>();
    auto* run = tasks->add_subcommand("run", "Run a task now (dry run unless --apply)");
    run->add_option("name", *name, "Task name")->required();
    auto apply = std::make_shared<bool>(false);
    run->add_flag("--apply", *apply, "Apply the plan (admin)");
    auto reason = std::make_shared<std::string>();
    add_reason_option(run, *reason);
    run->callback([&options, &exit_code, name, apply, reason] {
        auto args = name_args(*name);
        if (*apply)
            args.AddMember(rapidjson::StringRef(control::arg::kApply), true, args.GetAllocator());
        add_reason_arg(*reason, args);
        exit_code = call_run_command(options, control::cmd::kTasksRun, args);
    });
    for (bool on : {true, false}) {
        auto* cmd = tasks->add_subcommand(
            on ? "enable" : "disable",
            on ? "Let a task run on its schedule" : "Stop a task from running on its schedule");
        cmd->add_option("name", *name, "Task name")->required();
        cmd->callback([&options, &exit_code, name, on] {
            exit_code = call_and_render(
                options, on ? control::cmd::kTasksEnable : control::cmd::kTasksDisable,
                name_args(*name), [on](const rapidjson::Value& r) {
                    std::cout << "task " << string_or(r, "name", "?")
                              << (on ? " enabled" : " disabled") << "\n";
                });
        });
    }
}

}  // namespace rosterd::cli
