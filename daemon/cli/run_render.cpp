#include "run_render.hpp"

#include <iostream>

#include "cli_common.hpp"
#include "ctl_table.hpp"
#include "notice_render.hpp"
#include "rosterd/control/commands.hpp"

namespace rosterd::cli {

void render_run(const rapidjson::Value& r) {
    std::string mode = string_or(r, "mode", "dry-run");
    std::string state = string_or(r, "state", "?");
    std::string actions;
    if (r.HasMember("actions"))
        for (const auto& a : r["actions"].GetArray())
            actions += (actions.empty() ? "" : ", ") + std::string(a.GetString());
    std::cout << "run " << string_or(r, "id", "?") << " (" << string_or(r, "kind", "bulk")
              << (r.HasMember("task") && r["task"].IsString()
                      ? " " + std::string(r["task"].GetString())
                      : std::string())
              << ", " << mode << "): " << actions << "\n";
    if (r.HasMember("reason") && r["reason"].IsString())
        std::cout << "reason: " << r["reason"].GetString() << "\n";
    render_seat_target(r);
    Table table({"USER", "EMAIL", "OUTCOME", "OPERATIONS / REASON"});
    if (r.HasMember("results"))
        for (const auto& u : r["results"].GetArray()) {
            std::string detail;
            for (const auto& op : u["operations"].GetArray()) {
                std::string item = string_or(op, "description", "");
                std::string op_state = string_or(op, "state", "");
                if (op_state == "failed")
                    item += " [failed: " + string_or(op, "error", "") + "]";
                else if (op.HasMember("confirmed"))
                    item += " [done by this run (confirmed after restart)]";
                else if (op.HasMember("already") && string_or(op, "op", "") == "revoke-role")
                    item += " [no direct grant: nothing sent]";
                else if (op.HasMember("already"))
                    item += " [already so: nothing changed]";
                else if (op_state == "skipped")
                    item += " [skipped: " + string_or(op, "error", "") + "]";
                detail += (detail.empty() ? "" : "; ") + item;
            }
            if (u.HasMember("reason"))
                detail += (detail.empty() ? "" : "; ") + string_or(u, "reason", "");
            for (const auto& n : u["notes"].GetArray())
                detail += (detail.empty() ? "" : "; ") + std::string("(") + n.GetString() + ")";
            table.add_row({string_or(u, "name", ""), string_or(u, "email", ""),
                           string_or(u, "outcome", ""), detail});
        }
    if (table.row_count() > 0)
        table.print(std::cout);
    render_notice_stage(r);
    std::cout << string_or(r, "users", "0") << " users: ";
    if (state == "planned") {
        std::cout << string_or(r, "ok", "0") << " to act on, " << string_or(r, "skipped", "0")
                  << " skipped. Dry run: nothing was changed; ";
        if (r.HasMember("needs_max_users")) {
            std::string n = string_or(r, "needs_max_users", "?");
            std::cout << "the plan is over the cap of " << string_or(r, "max_users", "?")
                      << ": applying it needs "
                      << (string_or(r, "kind", "") == "task" ? "max_users: " + n + " on the task"
                                                             : "--apply --max-users " + n)
                      << ".\n";
        } else {
            std::cout << "apply with --apply.\n";
        }
    } else if (state == "nothing_to_do") {
        std::cout << string_or(r, "ok", "0") << " ok, " << string_or(r, "skipped", "0")
                  << " skipped. Run nothing_to_do: nothing needed changing.\n";
    } else {
        std::cout << string_or(r, "ok", "0") << " ok, " << string_or(r, "failed", "0")
                  << " failed, " << string_or(r, "skipped", "0") << " skipped. Run " << state;
        if (r.HasMember("error") && r["error"].IsString())
            std::cout << ": " << r["error"].GetString();
        std::cout << ".\n";
    }
}

int run_exit_code(const rapidjson::Value& r) {
    std::string state = string_or(r, "state", "");
    return state == "planned" || state == "succeeded" || state == "nothing_to_do" ? kExitOk
                                                                                  : kExitFailed;
}

void add_reason_option(CLI::App* command, std::string& reason) {
    command->add_option("--reason", reason,
                        "Why: kept with the run, shown by runs show, sent in its webhook events "
                        "and kept in the audit trail");
}

void add_reason_arg(const std::string& reason, rapidjson::Document& args) {
    if (!reason.empty())
        args.AddMember(rapidjson::StringRef(control::arg::kReason),
                       rapidjson::Value(reason.c_str(), args.GetAllocator()), args.GetAllocator());
}

void print_run_progress(const rapidjson::Value& p) {
    if (p.HasMember("account_id")) {
        std::cerr << "[" << string_or(p, "done", "?") << "/" << string_or(p, "total", "?") << "] "
                  << string_or(p, "email", string_or(p, "account_id", "")) << ": "
                  << string_or(p, "outcome", "")
                  << (p.HasMember("reason") ? " (" + string_or(p, "reason", "") + ")"
                                            : std::string())
                  << "\n";
    } else if (p.HasMember("run_id")) {
        std::cerr << "run " << string_or(p, "run_id", "") << " " << string_or(p, "state", "")
                  << " (" << string_or(p, "total", "?")
                  << " users); rosterctl runs cancel ID stops it\n";
    } else {
        std::cerr << string_or(p, "state", "") << "\n";
    }
}

int call_run_command(const CliOptions& options, const std::string& command,
                     const rapidjson::Value& args) {
    int run_code = kExitOk;
    int exit_code = call_and_render(
        options, command, args,
        [&run_code](const rapidjson::Value& r) {
            render_run(r);
            run_code = run_exit_code(r);
        },
        [](const rapidjson::Value& p) { print_run_progress(p); });
    if (exit_code == kExitOk && !options.json)
        exit_code = run_code;
    return exit_code;
}

}  // namespace rosterd::cli
