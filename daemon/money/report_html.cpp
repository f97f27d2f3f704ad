// The HTML report: one file a person forwards to finance. Inline CSS and SVG only (no script, no
// font, no URL), tables with words for every figure, so it reads the same printed in black and
// white. Figures carry data-key/data-value attributes so that tests compare them exactly.
#include <algorithm>
#include <set>

#include "rosterd/money/report.hpp"
#include "rosterd/query/json.hpp"

namespace rosterd::money {
namespace {

constexpr const char* kStyle = R"css(
body{font-family:sans-serif;margin:24px;color:#111;max-width:1000px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;border-bottom:1px solid #999;margin-top:28px}
h3{font-size:14px;margin:14px 0 4px}
table{border-collapse:collapse;margin:6px 0 12px;font-size:13px}
th,td{border:1px solid #999;padding:3px 8px;text-align:left}td.n,th.n{text-align:right}
.meta{color:#333;font-size:13px}.cards{display:flex;flex-wrap:wrap;gap:10px}
.card{border:1px solid #555;padding:8px 12px;min-width:150px}.card b{display:block;font-size:20px}
.warn{font-weight:bold}svg.chart{max-width:100%;height:auto;page-break-inside:avoid}
@media print{body{margin:0}h2{page-break-after:avoid}table,svg{page-break-inside:avoid}}
)css";

std::string date_of(std::int64_t ms) {
    return query::format_instant_ms(ms).substr(0, 10);
}
std::string when(std::int64_t ms) {
    auto text = query::format_instant_ms(ms);
    return text.substr(0, 10) + " " + text.substr(11, 5) + " UTC";
}

// A numeric cell with its exact value and a key for tests.
std::string cell(const std::string& key, std::int64_t value) {
    return "<td class=\"n\" data-key=\"" + html_escape(key) + "\" data-value=\"" +
           std::to_string(value) + "\">" + format_count(value) + "</td>";
}
std::string money_cell(const std::string& key, const std::optional<double>& value) {
    if (!value)
        return "<td class=\"n\">-</td>";
    return "<td class=\"n\" data-key=\"" + html_escape(key) + "\" data-value=\"" +
           format_money(*value) + "\">" + format_money(*value) + "</td>";
}
std::string text_cell(const std::string& text) {
    return "<td>" + html_escape(text) + "</td>";
}
std::string pct(std::int64_t part, std::int64_t whole) {
    if (whole <= 0)
        return "0.0%";
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%.1f%%",
                  static_cast<double>(part) * 100.0 / static_cast<double>(whole));
    return buffer;
}

std::string headline(const ReportData& d) {
    std::int64_t billable = 0, inactive = 0;
    std::optional<double> cost;
    for (const auto& p : d.dashboard.products) {
        billable += p.total;
        inactive += p.inactive;
        if (p.monthly_cost)
            cost = cost.value_or(0) + *p.monthly_cost;
    }
    const std::string cur = d.dashboard.currency.empty() ? "" : " " + d.dashboard.currency;
    auto card = [](const std::string& label, const std::string& key, const std::string& value,
                   const std::string& raw) {
        return "<div class=\"card\">" + html_escape(label) + "<b data-key=\"" + key +
               "\" data-value=\"" + raw + "\">" + html_escape(value) + "</b></div>";
    };
    std::string out = "<div class=\"cards\">";
    out +=
        card("Billable seats", "total.billable", format_count(billable), std::to_string(billable));
    out += card("Inactive seats (" + pct(inactive, billable) + ")", "total.inactive",
                format_count(inactive), std::to_string(inactive));
    if (cost)
        out += card("Seats cost a month", "total.monthly_cost", format_money(*cost) + cur,
                    format_money(*cost));
    if (d.savings.potential_monthly)
        out += card("Potential savings a month", "savings.potential",
                    format_money(*d.savings.potential_monthly) + cur,
                    format_money(*d.savings.potential_monthly));
    if (d.savings.realised_monthly)
        out +=
            card("Realised savings a month (" + format_count(d.savings.realised_seats) + " seats)",
                 "savings.realised", format_money(*d.savings.realised_monthly) + cur,
                 format_money(*d.savings.realised_monthly));
    std::string key = d.key.days_left ? std::to_string(*d.key.days_left) + " days left"
                                      : std::string("expiry unknown");
    out += "<div class=\"card\">API key (" + html_escape(d.key.state) +
           ")<b data-key=\"key.days_left\" data-value=\"" +
           (d.key.days_left ? std::to_string(*d.key.days_left) : std::string()) + "\">" +
           html_escape(key) + "</b></div></div>";
    return out;
}

std::string dashboard_table(const ReportData& d) {
    const bool priced = !d.dashboard.currency.empty();
    std::string out =
        "<table><tr><th>Product</th><th>Site</th><th class=\"n\">Billable</th><th "
        "class=\"n\">Active</th><th class=\"n\">Inactive</th><th class=\"n\">Inactive %</th><th "
        "class=\"n\">Capacity</th><th>Inactive after</th>";
    if (priced)
        out +=
            "<th>Pricing</th><th class=\"n\">Seat price</th><th class=\"n\">Cost/month</th><th "
            "class=\"n\">Inactive cost/month</th>";
    out += "</tr>";
    for (const auto& p : d.dashboard.products) {
        auto row = [&](const std::string& site, const std::string& key, std::int64_t total,
                       std::int64_t active, std::int64_t inactive,
                       const std::optional<std::int64_t>& capacity,
                       const std::optional<double>& price, const std::optional<double>& cost,
                       const std::optional<double>& idle_cost) {
            out += "<tr>" + text_cell(p.name + " (" + p.product + ")") + text_cell(site) +
                   cell(key + ".total", total) + cell(key + ".active", active) +
                   cell(key + ".inactive", inactive) + "<td class=\"n\">" + pct(inactive, total) +
                   "</td>" +
                   (capacity ? cell(key + ".capacity", *capacity) : "<td class=\"n\">-</td>") +
                   text_cell(std::to_string(p.inactive_days) + " days");
            if (priced)
                out += text_cell(p.pricing_model.empty() ? "no price" : p.pricing_model) +
                       money_cell(key + ".seat_price", price) +
                       money_cell(key + ".monthly_cost", cost) +
                       money_cell(key + ".inactive_monthly_cost", idle_cost);
            out += "</tr>";
        };
        row("all sites", p.product, p.total, p.active(), p.inactive, p.capacity,
            p.monthly_seat_price, p.monthly_cost, p.inactive_monthly_cost);
        for (const auto& s : p.sites)
            row(s.site, p.product + "@" + s.site, s.total, s.active(), s.inactive, s.capacity,
                s.monthly_seat_price, s.monthly_cost, s.inactive_monthly_cost);
    }
    return out + "</table>";
}

ChartSeries series_of(const std::string& label, const std::vector<HistoryPoint>& points,
                      std::int64_t HistoryPoint::*field) {
    ChartSeries s{label, {}};
    for (const auto& p : points)
        s.points.emplace_back(p.at_ms, static_cast<double>(p.*field));
    return s;
}

std::string trends(const ReportData& d) {
    auto sums = sum_history(d.history, true);
    std::string out;
    if (d.history.empty())
        return "<p>No history yet: every successful sync adds a point.</p>";
    for (const auto& [product, points] : sums) {
        std::string title = product.empty()
                                ? "All products"
                                : query::product_display_name(product) + " (" + product + ")";
        out += line_chart_svg(title + ": billable, active and inactive seats",
                              {series_of("billable", points, &HistoryPoint::billable),
                               series_of("active", points, &HistoryPoint::active),
                               series_of("inactive", points, &HistoryPoint::inactive)});
    }
    const auto& total = sums[""];
    if (!total.empty() && total.back().monthly_cost) {
        ChartSeries cost{"cost", {}}, idle{"inactive cost", {}};
        for (const auto& p : total) {
            if (p.monthly_cost)
                cost.points.emplace_back(p.at_ms, *p.monthly_cost);
            if (p.inactive_monthly_cost)
                idle.points.emplace_back(p.at_ms, *p.inactive_monthly_cost);
        }
        out += line_chart_svg(
            "Monthly cost of seats and of inactive seats (" + total.back().currency + ")",
            {cost, idle});
    }
    return out;
}

std::string savings_section(const ReportData& d) {
    const auto& s = d.savings;
    const std::string cur = s.currency.empty() ? "" : " (" + s.currency + ")";
    std::string out;
    // Potential against realised, as labelled bars (the widths follow the larger figure).
    if (s.potential_monthly && s.realised_monthly) {
        const double top = std::max({*s.potential_monthly, *s.realised_monthly, 1.0});
        auto bar = [&](int y, const std::string& label, double v, const char* fill) {
            const double w = 360.0 * v / top;
            return "<text x=\"0\" y=\"" + std::to_string(y + 14) + "\" font-size=\"12\">" + label +
                   "</text><rect x=\"130\" y=\"" + std::to_string(y) + "\" width=\"" +
                   std::to_string(std::max(0.0, w)) + "\" height=\"18\" fill=\"" + fill +
                   "\" stroke=\"#000\"/><text x=\"" + std::to_string(136 + std::max(0.0, w)) +
                   "\" y=\"" + std::to_string(y + 14) + "\" font-size=\"12\">" + format_money(v) +
                   " a month</text>";
        };
        out +=
            "<svg class=\"chart\" viewBox=\"0 0 640 56\" width=\"640\" height=\"56\" "
            "role=\"img\" aria-label=\"Potential and realised savings\"><title>Potential and "
            "realised savings</title>" +
            bar(2, "potential", *s.potential_monthly, "#ddd") +
            bar(30, "realised", *s.realised_monthly, "#555") + "</svg>";
    }
    out += "<p>Potential: what giving up today's " + format_count(s.inactive_seats) +
           " inactive seats would save a month. Realised: the " + format_count(s.realised_seats) +
           " seats rosterd's runs removed that are still removed at the latest sync (an undo or a "
           "re-grant takes a seat off). With tiered prices a saving is what the subscription would "
           "cost with the seats again, so a move into a dearer band shows as it is.</p>";
    out += "<h3>Realised, by product" + cur +
           "</h3><table><tr><th>Product</th><th>Site</th><th "
           "class=\"n\">Seats</th><th class=\"n\">Saved a month</th></tr>";
    for (const auto& c : s.by_product)
        out += "<tr>" + text_cell(c.product) + text_cell(c.site) +
               cell("realised." + c.product + "@" + c.site + ".seats", c.seats) +
               money_cell("realised." + c.product + "@" + c.site + ".monthly", c.monthly) + "</tr>";
    out +=
        "</table><h3>Realised, by "
        "run</h3><table><tr><th>Run</th><th>Kind</th><th>Task</th><th>Finished</th><th>Seats</"
        "th><th "
        "class=\"n\">Saved a month</th></tr>";
    for (const auto& r : s.runs) {
        std::string seats;
        for (const auto& c : r.seats)
            seats += (seats.empty() ? "" : ", ") + format_count(c.seats) + " " + c.product + "@" +
                     c.site;
        out += "<tr>" + text_cell(r.run_id) + text_cell(r.kind) +
               text_cell(r.task.empty() ? "-" : r.task) + text_cell(when(r.finished_at)) +
               text_cell(seats) + money_cell("realised.run." + r.run_id, r.monthly()) + "</tr>";
    }
    return out + "</table>";
}

std::string groups_section(const ReportData& d) {
    if (d.groups.empty())
        return "<p>No inactive seats.</p>";
    std::string out =
        "<table><tr><th>Product</th><th>By</th><th>Name</th><th class=\"n\">Inactive "
        "seats</th></tr>";
    for (const auto& g : d.groups)
        out += "<tr>" + text_cell(g.product) + text_cell(g.kind) + text_cell(g.name) +
               cell("group." + g.product + "." + g.kind + "." + g.name, g.inactive_seats) + "</tr>";
    return out + "</table>";
}

std::string runs_section(const ReportData& d) {
    if (d.runs.empty())
        return "<p>No runs yet.</p>";
    std::string out =
        "<table><tr><th>Run</th><th>Kind</th><th>Actions</th><th>Created</th><th>Outcome</th><th "
        "class=\"n\">Users</th><th class=\"n\">Changed</th><th class=\"n\">Failed</th><th "
        "class=\"n\">Skipped</th><th>Reason</th></tr>";
    for (const auto& r : d.runs)
        out += "<tr>" + text_cell(r.id) + text_cell(r.kind + (r.task.empty() ? "" : " " + r.task)) +
               text_cell(r.actions) + text_cell(when(r.created_at)) + text_cell(r.state) +
               cell("run." + r.id + ".users", r.users) +
               cell("run." + r.id + ".changed", r.changed) +
               cell("run." + r.id + ".failed", r.failed) +
               cell("run." + r.id + ".skipped", r.skipped) + text_cell(r.reason) + "</tr>";
    return out + "</table>";
}

}  // namespace

std::string render_report_html(const ReportData& d) {
    std::string title = "rosterd report" + (d.org_name.empty() ? "" : ": " + d.org_name);
    std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
                      html_escape(title) + "</title><style>" + kStyle + "</style></head><body>";
    out += "<h1>" + html_escape(title) + "</h1><p class=\"meta\">Generated " +
           when(d.generated_ms) + " by rosterd " + html_escape(d.version) + ". Data as of " +
           when(d.dashboard.snapshot.as_of_ms) + " (snapshot " +
           std::to_string(d.dashboard.snapshot.id) + ")" +
           (d.since_ms ? ", history and savings since " + date_of(*d.since_ms) : std::string()) +
           ".</p>";
    if (d.key.days_left && *d.key.days_left <= 14)
        out += "<p class=\"warn\">Warning: the organization API key expires in " +
               std::to_string(*d.key.days_left) + " days" +
               (d.key.expires ? " (" + *d.key.expires + ")" : std::string()) + ".</p>";
    out += headline(d);
    out += "<h2>Seats per product and site</h2>" + dashboard_table(d);
    out += "<h2>Trends</h2>" + trends(d);
    out += "<h2>Cost and savings</h2>" + savings_section(d);
    out += "<h2>Biggest inactive groups</h2>" + groups_section(d);
    out += "<h2>Recent runs</h2>" + runs_section(d);
    out += "<h2>API key</h2><p>State: " + html_escape(d.key.state) +
           (d.key.expires ? ", expires " + html_escape(*d.key.expires) : std::string()) +
           (d.key.days_left ? ", " + std::to_string(*d.key.days_left) + " days left"
                            : std::string(", expiry unknown")) +
           ".</p></body></html>\n";
    return out;
}

}  // namespace rosterd::money
