// rosterctl sync [--wait], rosterctl sync history.
#include <unistd.h>

#include <iostream>

#include "cli_common.hpp"
#include "ctl_table.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/control/commands.hpp"

namespace rosterd::cli {
namespace {

using control::json::int_of;

// A one-line progress display: a redrawn bar on a terminal, plain lines otherwise.
class ProgressPrinter {
  public:
    ProgressPrinter() : terminal_(::isatty(STDERR_FILENO) == 1) {}
    ~ProgressPrinter() {
        if (terminal_ && drawn_)
            std::cerr << "\n";
    }
    void operator()(const rapidjson::Value& p) {
        std::string phase = string_or(p, "phase", "?");
        auto fetched = int_of(p, "users_fetched");
        auto total = int_of(p, "users_total", -1);
        std::string line = "sync: " + phase + "  users " + std::to_string(fetched);
        if (total >= 0)
            line += "/" + std::to_string(total);
        line += "  requests " + std::to_string(int_of(p, "requests")) + "  retries " +
                std::to_string(int_of(p, "retries"));
        if (terminal_) {
            std::string bar;
            if (total > 0) {
                int filled = static_cast<int>(std::min<std::int64_t>(fetched, total) * 30 / total);
                bar = "[" + std::string(filled, '#') + std::string(30 - filled, '.') + "] ";
            }
            std::cerr << "\r\033[K" << bar << line << std::flush;
            drawn_ = true;
        } else {
            std::cerr << line << "\n";
        }
    }

  private:
    bool terminal_;
    bool drawn_ = false;
};

void render_outcome(const rapidjson::Value& r) {
    std::cout << "sync " << string_or(r, "run_id", "?") << " " << string_or(r, "outcome", "?")
              << ": " << string_or(r, "users", "0") << " users, " << string_or(r, "groups", "0")
              << " groups, " << string_or(r, "requests", "0") << " requests ("
              << string_or(r, "retries", "0") << " retries) in "
              << int_of(r, "duration_ms") / 1000.0 << " s\n";
}

void render_history(const rapidjson::Value& r) {
    Table table({"ID", "TRIGGER", "STARTED", "FINISHED", "OUTCOME", "USERS", "GROUPS", "REQUESTS",
                 "RETRIES", "ERROR"});
    for (const auto& run : r["runs"].GetArray())
        table.add_row({string_or(run, "id", ""), string_or(run, "trigger", ""),
                       string_or(run, "started_at", ""), string_or(run, "finished_at", "-"),
                       string_or(run, "outcome", ""), string_or(run, "users", "-"),
                       string_or(run, "groups", "-"), string_or(run, "requests", "0"),
                       string_or(run, "retries", "0"), string_or(run, "error", "")});
    table.print(std::cout);
}

}  // namespace

void install_sync_commands(CLI::App& app, CliOptions& options, int& exit_code) {
    auto* sync = app.add_subcommand("sync", "Start a sync of the organization now");
    auto wait = std::make_shared<bool>(false);
    sync->add_flag("-w,--wait", *wait, "Follow the sync with progress; exit non-zero if it fails");
    sync->callback([&options, &exit_code, sync, wait] {
        if (!sync->get_subcommands().empty())
            return;  // `sync history` ran instead
        rapidjson::Document args(rapidjson::kObjectType);
        args.AddMember(rapidjson::StringRef(control::arg::kWait), *wait, args.GetAllocator());
        if (*wait) {
            ProgressPrinter printer;
            exit_code = call_and_render(options, control::cmd::kSync, args, render_outcome,
                                        [&printer](const rapidjson::Value& p) { printer(p); });
        } else {
            exit_code =
                call_and_render(options, control::cmd::kSync, args, [](const rapidjson::Value& r) {
                    std::cout << (r["joined"].GetBool() ? "a sync is already running; joined it\n"
                                                        : "sync started\n");
                });
        }
    });
    auto* history = sync->add_subcommand("history", "Recent syncs and their outcomes");
    auto limit = std::make_shared<int>(20);
    history->add_option("-n,--limit", *limit, "How many runs")->capture_default_str();
    history->callback([&, limit] {
        rapidjson::Document args(rapidjson::kObjectType);
        args.AddMember(rapidjson::StringRef(control::arg::kLimit), *limit, args.GetAllocator());
        exit_code = call_and_render(options, control::cmd::kSyncHistory, args, render_history);
    });
}

}  // namespace rosterd::cli
