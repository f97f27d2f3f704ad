// rosterctl dashboard, rosterctl user ID-OR-EMAIL, rosterctl filters.
#include <cmath>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli_common.hpp"
#include "ctl_table.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/model/inactivity.hpp"

namespace rosterd::cli {
namespace {

using control::json::int_of;

std::string number_text(const rapidjson::Value& v, const char* key, int decimals) {
    if (!v.IsObject() || !v.HasMember(key) || !v[key].IsNumber())
        return "-";
    std::ostringstream out;
    out << std::fixed << std::setprecision(decimals) << v[key].GetDouble();
    return out.str();
}

// "data as of 2026-05-01T05:00:03.120Z (2h 5m old)".
std::string data_age(const rapidjson::Value& r) {
    return "data as of " + string_or(r, "as_of", "?") + " (" +
           format_duration_s(int_of(r, "age_s", -1)) + " old, snapshot " +
           string_or(r, "snapshot", "?") + ")";
}

void render_dashboard(const rapidjson::Value& r) {
    const bool priced = r.HasMember("currency") && r["currency"].IsString();
    std::vector<std::string> headers = {"PRODUCT",  "NAME",       "TOTAL",   "ACTIVE",
                                        "INACTIVE", "INACTIVE %", "CAPACITY"};
    if (priced)
        headers.push_back("INACTIVE COST/MONTH");
    Table table(headers);
    std::string overrides;
    const auto default_days = int_of(r, "inactive_days", kDefaultInactiveDays);
    for (const auto& p : r["products"].GetArray()) {
        auto cost = [&](const rapidjson::Value& v) {
            return number_text(v, "inactive_monthly_cost", 2);
        };
        std::vector<std::string> row = {
            string_or(p, "product", ""),   string_or(p, "name", ""),
            string_or(p, "total", "0"),    string_or(p, "active", "0"),
            string_or(p, "inactive", "0"), number_text(p, "inactive_pct", 1) + "%",
            string_or(p, "capacity", "-")};
        if (priced)
            row.push_back(cost(p));
        table.add_row(row);
        if (int_of(p, "inactive_days", default_days) != default_days)
            overrides += (overrides.empty() ? "" : ", ") + string_or(p, "product", "") + ": " +
                         string_or(p, "inactive_days", "?");
        // Every site's share, under its product, when the figures span several sites.
        if (r["site"].IsNull() && p["sites"].Size() > 1)
            for (const auto& s : p["sites"].GetArray()) {
                std::vector<std::string> site_row = {
                    "  " + string_or(s, "site", ""), "",
                    string_or(s, "total", "0"),      string_or(s, "active", "0"),
                    string_or(s, "inactive", "0"),   number_text(s, "inactive_pct", 1) + "%",
                    string_or(s, "capacity", "-")};
                if (priced)
                    site_row.push_back(cost(s));
                table.add_row(site_row);
            }
    }
    std::cout << (r["site"].IsNull() ? std::string("All sites") : string_or(r, "site", ""))
              << " - inactive: no activity for " << default_days << " days"
              << (overrides.empty() ? "" : " (" + overrides + ")") << "\n";
    if (table.row_count() == 0)
        std::cout << "no products\n";
    else
        table.print(std::cout);
    if (priced)
        std::cout << "Inactive seats cost " << number_text(r, "inactive_monthly_cost", 2) << " "
                  << string_or(r, "currency", "") << " a month\n";
    std::cout << data_age(r) << "\n";
}

void render_user(const rapidjson::Value& r) {
    const auto& u = r["user"];
    std::cout << string_or(u, "name", "") << " <" << string_or(u, "email", "") << ">\n";
    for (const char* key :
         {"account_id", "status", "account_type", "account_status", "membership_status",
          "claim_status", "management_source", "directory_id", "added_to_org", "last_active"})
        std::cout << "  " << std::left << std::setw(18) << (std::string(key) + ":")
                  << string_or(u, key, "-") << "\n";
    std::string roles;
    for (const auto& role : u["platform_roles"].GetArray())
        roles += (roles.empty() ? "" : ", ") + std::string(role.GetString());
    std::cout << "  " << std::left << std::setw(18)
              << "platform_roles:" << (roles.empty() ? "-" : roles) << "\n\n";
    Table access({"SITE", "PRODUCT", "ROLE", "BILLABLE", "VIA", "LAST ACTIVE"});
    for (const auto& p : u["products"].GetArray())
        access.add_row({string_or(p, "site", ""), string_or(p, "product", ""),
                        string_or(p, "role", ""), string_or(p, "billable", ""),
                        string_or(p, "via", ""), string_or(p, "last_active", "never")});
    if (access.row_count() == 0)
        std::cout << "no product access\n";
    else
        access.print(std::cout);
    std::string groups;
    for (const auto& g : u["groups"].GetArray())
        groups += (groups.empty() ? "" : ", ") + string_or(g, "name", "");
    std::cout << "\ngroups: " << (groups.empty() ? "-" : groups) << "\n";
    if (r.HasMember("notices") && r["notices"].Size() > 0) {
        Table notices({"TASK", "NOTICE", "NOTICED", "DEADLINE", "MAIL", "REASON"});
        for (const auto& n : r["notices"].GetArray())
            notices.add_row({string_or(n, "task", ""), string_or(n, "state", ""),
                             string_or(n, "noticed_at", ""), string_or(n, "deadline", ""),
                             string_or(n, "mail", ""), string_or(n, "reason", "")});
        std::cout << "\n";
        notices.print(std::cout);
    }
    std::cout << data_age(r) << "\n";
}

void render_filters(const rapidjson::Value& r) {
    Table table({"NAME", "MATCHES", "FILTER"});
    for (const auto& f : r["filters"].GetArray())
        table.add_row({string_or(f, "name", ""), string_or(f, "count", "0"),
                       string_or(f, "description", "")});
    if (table.row_count() == 0)
        std::cout << "no saved filters (add them under filters: in the configuration)\n";
    else
        table.print(std::cout);
    std::cout << data_age(r) << "\n";
}

}  // namespace

void install_query_commands(CLI::App& app, CliOptions& options, int& exit_code) {
    auto* dashboard = app.add_subcommand(
        "dashboard", "Billable seats per product, how many are inactive, and their cost");
    auto site = std::make_shared<std::string>();
    auto days = std::make_shared<int>(0);
    dashboard->add_option("--site", *site, "Only this site (host, e.g. acme.atlassian.net)");
    dashboard
        ->add_option("--inactive-days", *days,
                     "Inactive after N days without activity (1-3650; presets: 3, 7, 14, 21, 30, "
                     "90, 180); default inactivity.days, per product inactivity.per_product")
        ->check(CLI::Range(1, 3650));
    dashboard->callback([&options, &exit_code, site, days] {
        rapidjson::Document args(rapidjson::kObjectType);
        auto& a = args.GetAllocator();
        if (!site->empty())
            args.AddMember(rapidjson::StringRef(control::arg::kSite),
                           rapidjson::Value(site->c_str(), a), a);
        if (*days > 0)
            args.AddMember(rapidjson::StringRef(control::arg::kInactiveDays), *days, a);
        exit_code = call_and_render(options, control::cmd::kDashboard, args, render_dashboard);
    });

    auto* user = app.add_subcommand("user", "Everything known about one user");
    auto who = std::make_shared<std::string>();
    user->add_option("user", *who, "Account id or email")->required();
    user->callback([&options, &exit_code, who] {
        rapidjson::Document args(rapidjson::kObjectType);
        args.AddMember(rapidjson::StringRef(control::arg::kUser),
                       rapidjson::Value(who->c_str(), args.GetAllocator()), args.GetAllocator());
        exit_code = call_and_render(options, control::cmd::kUser, args, render_user);
    });

    auto* filters = app.add_subcommand("filters", "Saved filters and how many users match now");
    filters->callback([&options, &exit_code] {
        rapidjson::Value args(rapidjson::kObjectType);
        exit_code = call_and_render(options, control::cmd::kFilters, args, render_filters);
    });

    install_users_command(app, options, exit_code);
}

}  // namespace rosterd::cli
