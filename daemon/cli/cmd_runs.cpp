// rosterctl runs [-n N], runs show ID, runs cancel ID, runs undo ID [--apply] [--max-users N]
// [--reason TEXT].
#include <iostream>

#include "cli_common.hpp"
#include "ctl_table.hpp"
#include "rosterd/control/commands.hpp"
#include "run_render.hpp"

namespace rosterd::cli {
namespace {

void render_runs(const rapidjson::Value& r) {
    Table table({"ID", "KIND", "TASK", "MODE", "STATE", "CREATED", "USERS", "OK", "FAILED",
                 "SKIPPED", "CALLER"});
    for (const auto& run : r["runs"].GetArray())
        table.add_row({string_or(run, "id", ""), string_or(run, "kind", ""),
                       string_or(run, "task", "-"), string_or(run, "mode", ""),
                       string_or(run, "state", ""), string_or(run, "created_at", ""),
                       string_or(run, "users", "0"), string_or(run, "ok", "0"),
                       string_or(run, "failed", "0"), string_or(run, "skipped", "0"),
                       string_or(run, "caller", "")});
    if (table.row_count() == 0)
        std::cout << "no runs yet\n";
    else
        table.print(std::cout);
}

rapidjson::Document id_args(const std::string& id) {
    rapidjson::Document args(rapidjson::kObjectType);
    args.AddMember(rapidjson::StringRef(control::arg::kId),
                   rapidjson::Value(id.c_str(), args.GetAllocator()), args.GetAllocator());
    return args;
}

}  // namespace

void install_runs_commands(CLI::App& app, CliOptions& options, int& exit_code) {
    auto* runs = app.add_subcommand("runs", "Bulk and task runs: list, show, cancel, undo");
    auto limit = std::make_shared<int>(20);
    runs->add_option("-n,--limit", *limit, "How many runs")->capture_default_str();
    runs->callback([&options, &exit_code, runs, limit] {
        if (!runs->get_subcommands().empty())
            return;
        rapidjson::Document args(rapidjson::kObjectType);
        args.AddMember(rapidjson::StringRef(control::arg::kLimit), *limit, args.GetAllocator());
        exit_code = call_and_render(options, control::cmd::kRuns, args, render_runs);
    });

    auto id = std::make_shared<std::string>();
    auto* show = runs->add_subcommand("show",
                                      "One run: every user and operation (the audit "
                                      "document with --json)");
    show->add_option("id", *id, "Run id")->required();
    show->callback([&options, &exit_code, id] {
        exit_code = call_and_render(options, control::cmd::kRunsShow, id_args(*id), render_run);
    });

    auto* cancel = runs->add_subcommand("cancel", "Stop a run after the operation in flight");
    cancel->add_option("id", *id, "Run id")->required();
    cancel->callback([&options, &exit_code, id] {
        exit_code = call_and_render(options, control::cmd::kRunsCancel, id_args(*id),
                                    [](const rapidjson::Value& r) {
                                        std::cout << "run " << string_or(r, "id", "?")
                                                  << " stops after the operation in flight\n";
                                    });
    });

    auto* undo = runs->add_subcommand(
        "undo",
        "Undo a run: the inverse of every operation that changed something (dry run "
        "unless --apply)");
    undo->add_option("id", *id, "Run id")->required();
    auto apply = std::make_shared<bool>(false);
    auto max_users = std::make_shared<int>(0);
    undo->add_flag("--apply", *apply, "Execute the undo (admin)");
    undo->add_option("--max-users", *max_users, "Raise the cap for this run")
        ->check(CLI::Range(1, 1000000));
    auto reason = std::make_shared<std::string>();
    add_reason_option(undo, *reason);
    undo->callback([&options, &exit_code, id, apply, max_users, reason] {
        auto args = id_args(*id);
        add_reason_arg(*reason, args);
        if (*apply)
            args.AddMember(rapidjson::StringRef(control::arg::kApply), true, args.GetAllocator());
        if (*max_users > 0)
            args.AddMember(rapidjson::StringRef(control::arg::kMaxUsers), *max_users,
                           args.GetAllocator());
        exit_code = call_run_command(options, control::cmd::kRunsUndo, args);
    });
}

}  // namespace rosterd::cli
