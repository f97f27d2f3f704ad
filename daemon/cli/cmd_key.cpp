// rosterctl key set|check|show. `key set` reads the key from stdin (with echo off on a terminal):
// a key on the command line would be visible to every user in ps and kept in shell history.
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <iterator>

#include "cli_common.hpp"
#include "rosterd/base/text.hpp"
#include "rosterd/control/commands.hpp"

namespace rosterd::cli {
namespace {

// Reads one line from the terminal without echoing it.
std::string prompt_hidden(const std::string& prompt) {
    std::cerr << prompt << std::flush;
    termios saved{};
    bool restore = ::tcgetattr(STDIN_FILENO, &saved) == 0;
    if (restore) {
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    std::string line;
    std::getline(std::cin, line);
    if (restore)
        ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::cerr << "\n";
    return line;
}

std::string read_key_from_stdin() {
    if (::isatty(STDIN_FILENO) == 1)
        return trimmed(prompt_hidden("Organization API key (input hidden): "));
    std::string all((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    return trimmed(all);
}

void render_key(const rapidjson::Value& r) {
    auto line = [](const char* label, const std::string& value) {
        std::cout << label << value << "\n";
    };
    line("state:        ", string_or(r, "state", "?"));
    std::string source = string_or(r, "source", "-");
    if (r.HasMember("path") && r["path"].IsString())
        source += " (" + std::string(r["path"].GetString()) + ")";
    line("source:       ", source);
    line("fingerprint:  ", string_or(r, "fingerprint", "-"));
    std::string expires = string_or(r, "expires", "unknown");
    if (r.HasMember("days_left") && r["days_left"].IsInt64())
        expires += " (" + std::to_string(r["days_left"].GetInt64()) + " days left)";
    line("expires:      ", expires);
    if (r.HasMember("reminder_days") && r["reminder_days"].IsArray()) {
        std::string days;
        for (const auto& d : r["reminder_days"].GetArray())
            days += (days.empty() ? "" : ", ") + std::to_string(d.GetInt64());
        std::string next = string_or(r, "next_reminder", "");
        line("reminders:    ",
             days + " days before expiry" + (next.empty() ? "" : "; next check " + next));
    }
    line("organization: ", string_or(r, "org_name", "-"));
    line("last checked: ", string_or(r, "last_checked", "never"));
    if (r.HasMember("rejected_at") && r["rejected_at"].IsString())
        line("rejected at:  ", r["rejected_at"].GetString());
    if (r.HasMember("warning") && r["warning"].IsString())
        std::cout << "warning: " << r["warning"].GetString() << "\n";
}

}  // namespace

void install_key_commands(CLI::App& app, CliOptions& options, int& exit_code) {
    auto* key = app.add_subcommand("key", "The organization API key: install, check, show");
    key->require_subcommand(1);

    auto* set = key->add_subcommand(
        "set", "Install a new key: read from stdin, checked with Atlassian, then stored (admin)");
    auto expires = std::make_shared<std::string>();
    auto no_expiry = std::make_shared<bool>(false);
    auto* expires_option =
        set->add_option("--expires", *expires,
                        "The key's expiry date YYYY-MM-DD, as chosen in admin.atlassian.com "
                        "(required: the reminders count down to it)");
    set->add_flag("--no-expiry-date", *no_expiry,
                  "The expiry date is unknown: store the key without one (no reminders)")
        ->excludes(expires_option);
    set->footer(
        "The key is read from stdin (a hidden prompt on a terminal), never from arguments:\n"
        "  rosterctl key set --expires 2027-01-31 < /path/to/key");
    set->callback([&options, &exit_code, expires, no_expiry] {
        if (expires->empty() && !*no_expiry) {
            // Before the key is read: nobody pastes a key only to have it refused.
            std::cerr << "rosterctl: key set: --expires YYYY-MM-DD is required (rosterd reminds "
                         "you before the key expires; admin.atlassian.com, Settings > API keys "
                         "shows the date); if you really do not know it, use --no-expiry-date\n";
            exit_code = kExitUsage;
            return;
        }
        std::string value = read_key_from_stdin();
        if (value.empty()) {
            print_error(options, "rosterctl: key set: no key on stdin", kCliUsage,
                        "key set: no key on stdin");
            exit_code = kExitUsage;
            return;
        }
        rapidjson::Document args(rapidjson::kObjectType);
        auto& a = args.GetAllocator();
        args.AddMember(rapidjson::StringRef(control::arg::kKey), rapidjson::Value(value.c_str(), a),
                       a);
        if (!expires->empty())
            args.AddMember(rapidjson::StringRef(control::arg::kExpires),
                           rapidjson::Value(expires->c_str(), a), a);
        if (*no_expiry)
            args.AddMember(rapidjson::StringRef(control::arg::kNoExpiryDate), true, a);
        exit_code =
            call_and_render(options, control::cmd::kKeySet, args, [](const rapidjson::Value& r) {
                std::cout << "key accepted by Atlassian for " << string_or(r, "org_name", "?")
                          << " and stored\n\n";
                render_key(r);
                std::string started = string_or(r, "sync_started", "");
                if (started == "initial")
                    std::cout
                        << "\nthe first sync started: follow it with `rosterctl sync --wait`\n";
                else if (!started.empty())
                    std::cout << "\na sync started, as the key replaces a rejected or expired one: "
                                 "follow it with `rosterctl sync --wait`\n";
            });
    });

    auto* check = key->add_subcommand("check", "Re-validate the key in use with Atlassian");
    check->callback([&options, &exit_code] {
        rapidjson::Value args(rapidjson::kObjectType);
        exit_code =
            call_and_render(options, control::cmd::kKeyCheck, args, [](const rapidjson::Value& r) {
                std::cout << "the key is valid for " << string_or(r, "org_name", "?") << "\n\n";
                render_key(r);
            });
    });

    auto* show = key->add_subcommand(
        "show", "Source, expiry, days left, state and fingerprint of the key (never the key)");
    show->callback([&options, &exit_code] {
        rapidjson::Value args(rapidjson::kObjectType);
        exit_code = call_and_render(options, control::cmd::kKeyShow, args, render_key);
    });
}

}  // namespace rosterd::cli
