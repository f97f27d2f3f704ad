#pragma once
// What rosterd draws and writes about money: line charts as inline SVG, the self-contained HTML
// report and the weekly digest's figures. Pure functions of values, unit-tested.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rosterd/money/money.hpp"

namespace rosterd::money {

// ---- Charts ----

struct ChartSeries {
    std::string label;  // shown in the legend and at the line's end: never colour alone
    std::vector<std::pair<std::int64_t, double>> points;  // (epoch ms, value), by time
};

// A line chart: time on x (dates), values on y from 0 with round ticks, each series its own
// dash pattern and point marker besides its colour, a legend and the last value written at the
// end of each line. Self-contained SVG (no external references), escaped text.
std::string line_chart_svg(const std::string& title, const std::vector<ChartSeries>& series,
                           int width = 640, int height = 260);

// "<" -> "&lt;" and so on, for text and attribute values.
std::string html_escape(const std::string& text);

// "1,234.50" with a thousands separator.
std::string format_money(double amount);
std::string format_count(std::int64_t count);

// ---- Report ----

struct ReportRun {
    std::string id, kind, task, state, actions, reason;
    std::int64_t created_at = 0;
    std::optional<std::int64_t> finished_at;
    std::int64_t users = 0, ok = 0, failed = 0, skipped = 0, changed = 0;
};

struct InactiveGroup {
    std::string product;  // "" for every product
    std::string kind;     // "domain" or "group"
    std::string name;
    std::int64_t inactive_seats = 0;
    std::optional<double> monthly;  // flat price x seats where there is one (see report_data)
};

struct KeyInfo {
    std::string state;  // ok, expiring, expired, unknown, ...
    std::optional<std::int64_t> days_left;
    std::optional<std::string> expires;
};

struct ReportData {
    std::string org_name;
    std::int64_t generated_ms = 0;
    std::optional<std::int64_t> since_ms;
    query::Dashboard dashboard;
    std::vector<HistoryPoint> history;  // per product and site, since since_ms
    Savings savings;
    std::vector<InactiveGroup> groups;  // the biggest first
    std::vector<ReportRun> runs;        // newest first
    KeyInfo key;
    std::string version;
};

// The biggest inactive groups of billable seats, by product: by email domain and by group, the
// top `limit` of each kind per product.
std::vector<InactiveGroup> biggest_inactive_groups(const query::SnapshotIndex& index,
                                                   const query::Dashboard& dashboard,
                                                   const query::DashboardOptions& options,
                                                   std::size_t limit);

// One HTML file: inline CSS and SVG, no script, no external URL of any kind.
std::string render_report_html(const ReportData& data);

// ---- Digest ----

// The headline figures now and a week earlier (the newest history point at or before then).
struct DigestFigures {
    std::string currency;
    std::int64_t billable = 0, active = 0, inactive = 0;
    std::optional<double> monthly_cost, inactive_monthly_cost;
    std::optional<std::int64_t> week_ago_at;
    std::optional<std::int64_t> billable_change, inactive_change;
    std::optional<double> inactive_cost_change;
    std::optional<double> realised_monthly;
    std::int64_t realised_seats = 0;
    std::int64_t runs_this_week = 0;
};
DigestFigures digest_figures(const std::vector<HistoryPoint>& history, const Savings& savings,
                             std::int64_t now_ms, std::int64_t runs_this_week);

}  // namespace rosterd::money
