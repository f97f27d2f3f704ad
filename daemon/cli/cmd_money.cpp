// rosterctl history, rosterctl savings, rosterctl report: the money commands (issue 18).
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "cli_common.hpp"
#include "ctl_table.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/query/csv.hpp"

namespace rosterd::cli {
namespace {

std::string amount(const rapidjson::Value& v, const char* key) {
    if (!v.IsObject() || !v.HasMember(key) || !v[key].IsNumber())
        return "-";
    std::ostringstream out;
    out << std::fixed << std::setprecision(2) << v[key].GetDouble();
    return out.str();
}

const std::vector<std::string> kHistoryColumns = {"at",
                                                  "product",
                                                  "site",
                                                  "inactive_days",
                                                  "billable",
                                                  "active",
                                                  "inactive",
                                                  "capacity",
                                                  "currency",
                                                  "monthly_cost",
                                                  "inactive_monthly_cost"};

std::string cell_text(const rapidjson::Value& point, const std::string& column) {
    if (column == "monthly_cost" || column == "inactive_monthly_cost") {
        auto text = amount(point, column.c_str());
        return text == "-" ? "" : text;
    }
    return string_or(point, column.c_str(), "");
}

void render_history_table(const rapidjson::Value& r) {
    Table table({"AT", "PRODUCT", "SITE", "BILLABLE", "ACTIVE", "INACTIVE", "CAPACITY",
                 "COST/MONTH", "INACTIVE COST/MONTH"});
    for (const auto& p : r["points"].GetArray())
        table.add_row({string_or(p, "at", ""), string_or(p, "product", ""),
                       string_or(p, "site", ""), string_or(p, "billable", "0"),
                       string_or(p, "active", "0"), string_or(p, "inactive", "0"),
                       string_or(p, "capacity", "-"), amount(p, "monthly_cost"),
                       amount(p, "inactive_monthly_cost")});
    if (table.row_count() == 0)
        std::cout << "no history yet (every successful sync adds a point)\n";
    else
        table.print(std::cout);
}

void render_history_csv(const rapidjson::Value& r) {
    std::cout << query::csv_record(kHistoryColumns);
    for (const auto& p : r["points"].GetArray()) {
        std::vector<std::string> cells;
        for (const auto& column : kHistoryColumns)
            cells.push_back(cell_text(p, column));
        std::cout << query::csv_record(cells);
    }
}

void render_savings(const rapidjson::Value& r) {
    const std::string currency = string_or(r, "currency", "");
    std::cout << "Potential savings: " << amount(r, "potential_monthly") << " " << currency
              << " a month (" << string_or(r, "inactive_seats", "0") << " inactive seats)\n";
    std::cout << "Realised savings:  " << amount(r, "realised_monthly") << " " << currency
              << " a month (" << string_or(r, "realised_seats", "0")
              << " seats removed by runs, still removed)\n";
    Table products({"PRODUCT", "SITE", "SEATS", "SAVED/MONTH"});
    for (const auto& c : r["by_product"].GetArray())
        products.add_row({string_or(c, "product", ""), string_or(c, "site", ""),
                          string_or(c, "seats", "0"), amount(c, "monthly")});
    if (products.row_count() > 0) {
        std::cout << "\nBy product\n";
        products.print(std::cout);
    }
    Table runs({"RUN", "KIND", "TASK", "FINISHED", "SEATS", "SAVED/MONTH"});
    for (const auto& run : r["runs"].GetArray())
        runs.add_row({string_or(run, "run_id", ""), string_or(run, "kind", ""),
                      string_or(run, "task", "-"), string_or(run, "finished_at", ""),
                      string_or(run, "seats", "0"), amount(run, "monthly")});
    if (runs.row_count() > 0) {
        std::cout << "\nBy run\n";
        runs.print(std::cout);
    }
}

struct HistoryOptions {
    std::string product, site, since, format = "table";
};

void add_string(rapidjson::Document& args, const char* name, const std::string& value) {
    if (!value.empty())
        args.AddMember(rapidjson::StringRef(name),
                       rapidjson::Value(value.c_str(), args.GetAllocator()), args.GetAllocator());
}

}  // namespace

void install_money_commands(CLI::App& app, CliOptions& options, int& exit_code) {
    auto h = std::make_shared<HistoryOptions>();
    auto* history = app.add_subcommand(
        "history", "Seat history per product and site: billable, active, inactive, cost");
    history->add_option("--product", h->product, "Only this product (key, e.g. jira-software)");
    history->add_option("--site", h->site, "Only this site (host)");
    history->add_option("--since", h->since, "From this date (YYYY-MM-DD)");
    history->add_option("--format", h->format, "table, json or csv")
        ->check(CLI::IsMember({"table", "json", "csv"}))
        ->capture_default_str();
    history->callback([&options, &exit_code, h] {
        rapidjson::Document args(rapidjson::kObjectType);
        add_string(args, control::arg::kProduct, h->product);
        add_string(args, control::arg::kSite, h->site);
        add_string(args, control::arg::kSince, h->since);
        CliOptions call = options;
        call.json = options.json || h->format == "json";
        exit_code = call_and_render(call, control::cmd::kHistory, args,
                                    h->format == "csv" ? render_history_csv : render_history_table);
    });

    auto since = std::make_shared<std::string>();
    auto* savings =
        app.add_subcommand("savings", "Potential and realised savings, by run, task and product");
    savings->add_option("--since", *since, "Only runs that finished from this date (YYYY-MM-DD)");
    savings->callback([&options, &exit_code, since] {
        rapidjson::Document args(rapidjson::kObjectType);
        add_string(args, control::arg::kSince, *since);
        exit_code = call_and_render(options, control::cmd::kSavings, args, render_savings);
    });

    auto report_since = std::make_shared<std::string>();
    auto output = std::make_shared<std::string>();
    auto* report = app.add_subcommand(
        "report", "Write the HTML report (dashboard, trends, savings, runs) to a file");
    // Accepted and unbound: HTML is the only format. (Bound to a variable it must outlive the
    // parse; a local one did not, and parsing --html wrote to freed memory.)
    report->add_flag("--html")->description("HTML (the only format, and the default)");
    report->add_option("-o,--output", *output, "The file to write")->required();
    report->add_option("--since", *report_since, "History and savings from this date (YYYY-MM-DD)");
    report->callback([&options, &exit_code, report_since, output] {
        rapidjson::Document args(rapidjson::kObjectType);
        add_string(args, control::arg::kSince, *report_since);
        CliOptions call = options;
        call.json = false;  // the answer is the file; --json describes it instead
        bool written = false;
        int code =
            call_and_render(call, control::cmd::kReport, args, [&](const rapidjson::Value& r) {
                std::ofstream out(*output, std::ios::binary | std::ios::trunc);
                const auto& text = r["html"];
                out.write(text.GetString(), text.GetStringLength());
                out.close();
                if (!out) {
                    print_error(options, "rosterctl: report: cannot write " + *output, "failed",
                                "cannot write " + *output);
                    return;
                }
                written = true;
                if (options.json)
                    std::cout << "{\"file\":\"" << *output
                              << "\",\"bytes\":" << text.GetStringLength() << "}\n";
                else
                    std::cout << "wrote " << *output << " (" << text.GetStringLength() << " bytes, "
                              << amount(r, "generate_ms") << " ms)\n";
            });
        exit_code = code == kExitOk && !written ? static_cast<int>(kExitFailed) : code;
    });
}

}  // namespace rosterd::cli
