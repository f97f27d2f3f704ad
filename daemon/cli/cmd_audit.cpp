// rosterctl audit [--since DATE] [--user NAME] [--command C] [-n N]: the audit trail.
#include <iostream>

#include "cli_common.hpp"
#include "ctl_table.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/control/commands.hpp"

namespace rosterd::cli {
namespace {

struct AuditOptions {
    std::string since, user, command;
    int limit = 50;
};

// The arguments as "key=value key=value" for a table cell.
std::string args_text(const rapidjson::Value& entry) {
    if (!entry.HasMember("args") || !entry["args"].IsObject())
        return "";
    std::string text;
    for (auto it = entry["args"].MemberBegin(); it != entry["args"].MemberEnd(); ++it) {
        std::string value =
            it->value.IsString() ? it->value.GetString() : control::json::to_compact(it->value);
        text += (text.empty() ? "" : " ") + std::string(it->name.GetString()) + "=" + value;
    }
    return text;
}

void render_audit(const rapidjson::Value& r) {
    Table table({"AT", "CALLER", "LEVEL", "COMMAND", "OUTCOME", "RUN", "ARGUMENTS / DETAIL"});
    for (const auto& e : r["entries"].GetArray()) {
        std::string detail = args_text(e);
        std::string more = string_or(e, "detail", "");
        if (!more.empty())
            detail += (detail.empty() ? "" : "; ") + more;
        table.add_row({string_or(e, "at", ""), string_or(e, "caller", ""),
                       string_or(e, "caller_level", "-"), string_or(e, "command", ""),
                       string_or(e, "outcome", ""), string_or(e, "run_id", "-"), detail});
    }
    if (table.row_count() == 0)
        std::cout << "no audit entries match\n";
    else
        table.print(std::cout);
}

}  // namespace

void install_audit_command(CLI::App& app, CliOptions& options, int& exit_code) {
    auto o = std::make_shared<AuditOptions>();
    auto* audit = app.add_subcommand(
        "audit", "Who ran which changing command, when, with which arguments and how it ended");
    audit->add_option("--since", o->since, "Only entries at or after this date (YYYY-MM-DD)");
    audit->add_option("--user", o->user, "Only this caller (user name or uid)");
    audit->add_option("--command", o->command,
                      "Only this command (e.g. bulk, key.set; 'tasks.' for every tasks command)");
    audit->add_option("-n,--limit", o->limit, "How many entries, newest first")
        ->check(CLI::Range(1, 10000))
        ->capture_default_str();
    audit->callback([&options, &exit_code, o] {
        rapidjson::Document args(rapidjson::kObjectType);
        auto& a = args.GetAllocator();
        if (!o->since.empty())
            args.AddMember(rapidjson::StringRef(control::arg::kSince),
                           rapidjson::Value(o->since.c_str(), a), a);
        if (!o->user.empty())
            args.AddMember(rapidjson::StringRef(control::arg::kUser),
                           rapidjson::Value(o->user.c_str(), a), a);
        if (!o->command.empty())
            args.AddMember(rapidjson::StringRef(control::arg::kCommand),
                           rapidjson::Value(o->command.c_str(), a), a);
        args.AddMember(rapidjson::StringRef(control::arg::kLimit), o->limit, a);
        exit_code = call_and_render(options, control::cmd::kAudit, args, render_audit);
    });
}

}  // namespace rosterd::cli
