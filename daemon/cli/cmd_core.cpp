// rosterctl status, help, whoami, reload.
#include <iostream>

#include "cli_common.hpp"
#include "ctl_table.hpp"
#include "rosterd/control/commands.hpp"

namespace rosterd::cli {
namespace {

void render_status(const rapidjson::Value& r) {
    std::cout << "rosterd " << string_or(r, "version", "?") << " (pid " << string_or(r, "pid", "?")
              << "), up "
              << format_duration_s(r.HasMember("uptime_s") ? r["uptime_s"].GetInt64() : -1) << "\n";
    std::cout << "config:  " << string_or(r, "config", "-") << "\n";
    if (r.HasMember("store"))
        std::cout << "store:   " << string_or(r["store"], "path", "-") << " (schema "
                  << string_or(r["store"], "schema_version", "?") << ")\n";
    if (r.HasMember("control"))
        std::cout << "socket:  " << string_or(r["control"], "socket", "-") << " ("
                  << string_or(r["control"], "connections", "?") << " connections)\n";
    // Every other object is a subsystem: print its scalar fields as "key: value" lines.
    for (const auto& member : r.GetObject()) {
        std::string name = member.name.GetString();
        if (!member.value.IsObject() || name == "store" || name == "control")
            continue;
        std::cout << "\n" << name << ":\n";
        for (const auto& field : member.value.GetObject()) {
            if (field.value.IsObject() || field.value.IsArray())
                continue;
            std::cout << "  " << field.name.GetString() << ": "
                      << string_or(member.value, field.name.GetString(), "-") << "\n";
        }
    }
}

void render_help(const rapidjson::Value& r) {
    if (r.HasMember("commands") && r["commands"].IsArray()) {
        Table table({"COMMAND", "LEVEL", "SUMMARY"});
        for (const auto& c : r["commands"].GetArray())
            table.add_row(
                {string_or(c, "name", ""), string_or(c, "level", ""), string_or(c, "summary", "")});
        table.print(std::cout);
        return;
    }
    std::cout << string_or(r, "name", "") << " (" << string_or(r, "level", "")
              << "): " << string_or(r, "summary", "") << "\n";
    if (r.HasMember("args") && r["args"].IsArray()) {
        for (const auto& a : r["args"].GetArray())
            std::cout << "  " << string_or(a, "name", "") << " (" << string_or(a, "type", "")
                      << (a.HasMember("required") && a["required"].GetBool() ? ", required" : "")
                      << "): " << string_or(a, "help", "") << "\n";
    }
}

// "alice (uid 1000, gid 1000): operator", then the scope of each level held.
void render_whoami(const rapidjson::Value& r) {
    std::cout << string_or(r, "user", "?") << " (uid " << string_or(r, "uid", "?") << ", gid "
              << string_or(r, "gid", "?") << ")\n";
    std::cout << "level: " << string_or(r, "level", "none") << "\n";
    std::cout << "scope: " << string_or(r, "scope", "?") << "\n";
}

}  // namespace

void install_core_commands(CLI::App& app, CliOptions& options, int& exit_code) {
    auto* status = app.add_subcommand("status", "Show the daemon's state");
    status->callback([&] {
        rapidjson::Value args(rapidjson::kObjectType);
        exit_code = call_and_render(options, control::cmd::kStatus, args, render_status);
    });

    auto* help =
        app.add_subcommand("help", "List the control commands you may run, or describe one");
    auto command_name = std::make_shared<std::string>();
    help->add_option("command", *command_name, "Describe one command");
    help->callback([&, command_name] {
        rapidjson::Document args(rapidjson::kObjectType);
        if (!command_name->empty())
            args.AddMember(rapidjson::StringRef(control::arg::kCommand),
                           rapidjson::Value(command_name->c_str(), args.GetAllocator()),
                           args.GetAllocator());
        exit_code = call_and_render(options, control::cmd::kHelp, args, render_help);
    });

    auto* whoami =
        app.add_subcommand("whoami", "Show who the daemon takes you for: level and scope");
    whoami->callback([&] {
        rapidjson::Value args(rapidjson::kObjectType);
        exit_code = call_and_render(options, control::cmd::kWhoami, args, render_whoami);
    });

    auto* reload = app.add_subcommand("reload", "Re-read the configuration file");
    reload->callback([&] {
        rapidjson::Value args(rapidjson::kObjectType);
        exit_code =
            call_and_render(options, control::cmd::kReload, args, [](const rapidjson::Value& r) {
                std::cout << "configuration reloaded from " << string_or(r, "config", "?") << "\n";
                if (r.HasMember("restart_needed"))
                    for (const auto& key : r["restart_needed"].GetArray())
                        std::cout << "note: " << key.GetString() << " changes after a restart\n";
            });
    });
}

}  // namespace rosterd::cli
