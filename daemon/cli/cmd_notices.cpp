// rosterctl notices [--task NAME] [--state STATE] [--user ID] [--limit N] [--format
// table|json|csv], notices exempt USER [--until DATE] --reason TEXT.
#include <iostream>

#include "cli_common.hpp"
#include "ctl_table.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/query/csv.hpp"

namespace rosterd::cli {
namespace {

std::string activity_text(const rapidjson::Value& n) {
    std::string out;
    if (!n.HasMember("activity"))
        return out;
    for (const auto& a : n["activity"].GetArray()) {
        std::string when = a["last_active"].IsString()
                               ? std::string(a["last_active"].GetString()).substr(0, 10)
                               : "never";
        out += (out.empty() ? "" : ", ") + string_or(a, "product", "") + "@" +
               string_or(a, "site", "") + " " + when;
    }
    return out;
}

const std::vector<std::string> kColumns = {"account_id", "name",       "email",    "task",
                                           "state",      "noticed_at", "deadline", "days_left",
                                           "reason",     "mail",       "run_id",   "activity"};

std::vector<std::string> cells(const rapidjson::Value& n) {
    return {string_or(n, "account_id", ""), string_or(n, "name", ""),
            string_or(n, "email", ""),      string_or(n, "task", ""),
            string_or(n, "state", ""),      string_or(n, "noticed_at", ""),
            string_or(n, "deadline", ""),   string_or(n, "days_left", ""),
            string_or(n, "reason", ""),     string_or(n, "mail", ""),
            string_or(n, "run_id", ""),     activity_text(n)};
}

void render_notices(const rapidjson::Value& r) {
    Table table({"USER", "EMAIL", "TASK", "STATE", "DEADLINE", "DAYS LEFT", "MAIL", "LAST ACTIVITY",
                 "REASON"});
    for (const auto& n : r["notices"].GetArray())
        table.add_row({string_or(n, "name", ""), string_or(n, "email", ""),
                       string_or(n, "task", ""), string_or(n, "state", ""),
                       string_or(n, "deadline", ""), string_or(n, "days_left", "-"),
                       string_or(n, "mail", "") + (n.HasMember("mail_error")
                                                       ? " (" + string_or(n, "mail_error", "") + ")"
                                                       : std::string()),
                       activity_text(n), string_or(n, "reason", "")});
    if (table.row_count() == 0)
        std::cout << "no notices\n";
    else
        table.print(std::cout);
}

void render_csv(const rapidjson::Value& r) {
    std::cout << query::csv_record(kColumns);
    for (const auto& n : r["notices"].GetArray())
        std::cout << query::csv_record(cells(n));
}

}  // namespace

void install_notices_commands(CLI::App& app, CliOptions& options, int& exit_code) {
    auto* notices = app.add_subcommand(
        "notices", "Users on notice before a task acts on them, released, acted on, exempt");
    auto task = std::make_shared<std::string>();
    auto state = std::make_shared<std::string>();
    auto user = std::make_shared<std::string>();
    auto format = std::make_shared<std::string>("table");
    auto limit = std::make_shared<int>(0);
    notices->add_option("--task", *task, "Only this task's notices");
    notices->add_option("--state", *state, "on-notice, released, acted or exempt")
        ->check(CLI::IsMember({"on-notice", "released", "acted", "exempt"}));
    notices->add_option("--user", *user, "Only this user (account id)");
    notices->add_option("--limit", *limit, "At most this many, newest first (default 1000)")
        ->check(CLI::Range(1, 100000));
    notices->add_option("--format", *format, "table (default), json or csv")
        ->check(CLI::IsMember({"table", "json", "csv"}));
    notices->callback([&options, &exit_code, notices, task, state, user, limit, format] {
        if (notices->get_subcommands().size() > 0)
            return;
        rapidjson::Document args(rapidjson::kObjectType);
        auto& a = args.GetAllocator();
        if (!task->empty())
            args.AddMember(rapidjson::StringRef(control::arg::kTask),
                           rapidjson::Value(task->c_str(), a), a);
        if (!state->empty())
            args.AddMember(rapidjson::StringRef(control::arg::kState),
                           rapidjson::Value(state->c_str(), a), a);
        if (!user->empty())
            args.AddMember(rapidjson::StringRef(control::arg::kUser),
                           rapidjson::Value(user->c_str(), a), a);
        if (*limit > 0)
            args.AddMember(rapidjson::StringRef(control::arg::kLimit), *limit, a);
        CliOptions effective = options;
        effective.json = options.json || *format == "json";
        exit_code = call_and_render(effective, control::cmd::kNotices, args,
                                    *format == "csv" ? render_csv : render_notices);
    });

    auto* exempt = notices->add_subcommand(
        "exempt",
        "Exempt a user from every notice task: released now, not noticed again until "
        "the date (admin)");
    auto who = std::make_shared<std::string>();
    auto until = std::make_shared<std::string>();
    auto reason = std::make_shared<std::string>();
    exempt->add_option("user", *who, "Account id or email")->required();
    exempt->add_option("--until", *until, "YYYY-MM-DD (UTC); without it, until lifted");
    exempt->add_option("--reason", *reason, "Why (kept with the exemption)")->required();
    exempt->callback([&options, &exit_code, who, until, reason] {
        rapidjson::Document args(rapidjson::kObjectType);
        auto& a = args.GetAllocator();
        args.AddMember(rapidjson::StringRef(control::arg::kUser), rapidjson::Value(who->c_str(), a),
                       a);
        args.AddMember(rapidjson::StringRef(control::arg::kReason),
                       rapidjson::Value(reason->c_str(), a), a);
        if (!until->empty())
            args.AddMember(rapidjson::StringRef(control::arg::kUntil),
                           rapidjson::Value(until->c_str(), a), a);
        exit_code = call_and_render(
            options, control::cmd::kNoticesExempt, args, [](const rapidjson::Value& r) {
                std::cout << string_or(r, "account_id", "?") << " exempted from notice tasks "
                          << (r["until"].IsString() ? "until " + string_or(r, "until", "")
                                                    : std::string("until lifted"))
                          << "; " << string_or(r, "notices_ended", "0") << " notice(s) ended\n";
            });
    });
}

}  // namespace rosterd::cli
