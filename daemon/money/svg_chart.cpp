// Line charts as inline SVG. Each series differs by dash pattern and point marker as well as by
// colour, and is named in a legend and at the end of its line, so that a black-and-white print
// still tells them apart.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "rosterd/money/report.hpp"
#include "rosterd/query/json.hpp"

namespace rosterd::money {
namespace {

constexpr const char* kColours[] = {"#1f5fa8", "#2e7d32", "#c62828", "#6a1b9a"};
constexpr const char* kDashes[] = {"", "7 4", "2 3", "10 3 2 3"};
constexpr int kStyles = 4;

std::string num(double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f", v);
    std::string text = buffer;
    if (text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0)
        text.resize(text.size() - 2);
    return text;
}

// A round step for about `ticks` gridlines up to `top`: 1, 2, 2.5 or 5 times a power of ten.
double nice_step(double top, int ticks) {
    double raw = top / ticks;
    double power = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (raw <= m * power)
            return std::max(1.0, m * power);
    return std::max(1.0, 10 * power);
}

std::string marker(int style, double x, double y) {
    const std::string cx = num(x), cy = num(y);
    switch (style % kStyles) {
        case 0:
            return "<circle cx=\"" + cx + "\" cy=\"" + cy + "\" r=\"3\"/>";
        case 1:
            return "<rect x=\"" + num(x - 3) + "\" y=\"" + num(y - 3) +
                   "\" width=\"6\" height=\"6\"/>";
        case 2:
            return "<path d=\"M" + num(x) + " " + num(y - 4) + "L" + num(x + 4) + " " + num(y + 3) +
                   "L" + num(x - 4) + " " + num(y + 3) + "Z\"/>";
        default:
            return "<path d=\"M" + num(x) + " " + num(y - 4) + "L" + num(x + 4) + " " + cy + "L" +
                   cx + " " + num(y + 4) + "L" + num(x - 4) + " " + cy + "Z\"/>";
    }
}

// Dates, or day and time when the chart spans less than two days (a new history).
std::string x_label(std::int64_t ms, bool short_span) {
    auto text = query::format_instant_ms(ms);
    return short_span ? text.substr(5, 5) + " " + text.substr(11, 5) : text.substr(0, 10);
}

}  // namespace

std::string html_escape(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string line_chart_svg(const std::string& title, const std::vector<ChartSeries>& series,
                           int width, int height) {
    const double left = 56, right = 130, top = 40, bottom = 34;
    const double plot_w = width - left - right, plot_h = height - top - bottom;
    std::int64_t t0 = 0, t1 = 0;
    double vmax = 0;
    bool any = false;
    for (const auto& s : series)
        for (const auto& [t, v] : s.points) {
            t0 = any ? std::min(t0, t) : t;
            t1 = any ? std::max(t1, t) : t;
            vmax = std::max(vmax, v);
            any = true;
        }
    if (t0 == t1) {  // one sync: centre it
        t0 -= 43'200'000;
        t1 += 43'200'000;
    }
    const double step = nice_step(vmax > 0 ? vmax : 1, 4);
    const double ymax = std::ceil((vmax > 0 ? vmax : 1) / step) * step;
    auto x_of = [&](std::int64_t t) {
        return left + plot_w * static_cast<double>(t - t0) / static_cast<double>(t1 - t0);
    };
    auto y_of = [&](double v) { return top + plot_h - plot_h * v / ymax; };

    std::string svg = "<svg class=\"chart\" viewBox=\"0 0 " + std::to_string(width) + " " +
                      std::to_string(height) + "\" width=\"" + std::to_string(width) +
                      "\" height=\"" + std::to_string(height) + "\" role=\"img\" aria-label=\"" +
                      html_escape(title) + "\">";
    svg += "<title>" + html_escape(title) + "</title>";
    svg += "<text x=\"" + num(left) + "\" y=\"14\" font-size=\"13\" font-weight=\"bold\">" +
           html_escape(title) + "</text>";
    if (!any) {
        svg += "<text x=\"" + num(left) + "\" y=\"" + num(top + plot_h / 2) +
               "\" font-size=\"12\">no history yet</text></svg>";
        return svg;
    }
    // Grid and y axis.
    svg += "<g font-size=\"10\" fill=\"#333\">";
    for (double v = 0; v <= ymax + step / 2; v += step) {
        const auto y = num(y_of(v));
        svg += "<line x1=\"" + num(left) + "\" x2=\"" + num(left + plot_w) + "\" y1=\"" + y +
               "\" y2=\"" + y + "\" stroke=\"#ccc\" stroke-width=\"0.5\"/>";
        svg += "<text x=\"" + num(left - 4) + "\" y=\"" + num(y_of(v) + 3) +
               "\" text-anchor=\"end\">" + format_count(static_cast<std::int64_t>(v)) + "</text>";
    }
    // x axis: dates at both ends and in between.
    const int labels = plot_w > 300 ? 4 : 2;
    for (int i = 0; i <= labels; ++i) {
        auto t = t0 + (t1 - t0) * i / labels;
        svg += "<text x=\"" + num(x_of(t)) + "\" y=\"" + num(top + plot_h + 16) +
               "\" text-anchor=\"middle\">" + x_label(t, t1 - t0 < 2 * kDayMs) + "</text>";
    }
    svg += "<line x1=\"" + num(left) + "\" x2=\"" + num(left + plot_w) + "\" y1=\"" +
           num(top + plot_h) + "\" y2=\"" + num(top + plot_h) + "\" stroke=\"#333\"/></g>";

    // Legend: a sample of each line (dash and marker) with its label.
    double lx = left;
    for (std::size_t i = 0; i < series.size(); ++i) {
        const int style = static_cast<int>(i) % kStyles;
        svg += "<g class=\"legend\" stroke=\"" + std::string(kColours[style]) + "\" fill=\"" +
               kColours[style] + "\"><line x1=\"" + num(lx) + "\" x2=\"" + num(lx + 24) +
               "\" y1=\"28\" y2=\"28\" stroke-width=\"2\" stroke-dasharray=\"" + kDashes[style] +
               "\"/>" + marker(style, lx + 12, 28) + "<text x=\"" + num(lx + 28) +
               "\" y=\"32\" font-size=\"11\" stroke=\"none\" fill=\"#000\">" +
               html_escape(series[i].label) + "</text></g>";
        lx += 40 + 7.0 * static_cast<double>(series[i].label.size());
    }
    // The lines, markers (every point when few, else the ends) and the last value.
    for (std::size_t i = 0; i < series.size(); ++i) {
        const auto& s = series[i];
        if (s.points.empty())
            continue;
        const int style = static_cast<int>(i) % kStyles;
        svg += "<g class=\"series\" stroke=\"" + std::string(kColours[style]) + "\" fill=\"" +
               kColours[style] +
               "\"><polyline fill=\"none\" stroke-width=\"2\" "
               "stroke-dasharray=\"" +
               kDashes[style] + "\" points=\"";
        for (const auto& [t, v] : s.points)
            svg += num(x_of(t)) + "," + num(y_of(v)) + " ";
        svg.back() = '"';
        svg += "/>";
        const bool every = s.points.size() <= 40;
        for (std::size_t p = 0; p < s.points.size(); ++p)
            if (every || p == 0 || p + 1 == s.points.size())
                svg += marker(style, x_of(s.points[p].first), y_of(s.points[p].second));
        const auto& last = s.points.back();
        svg += "<text x=\"" + num(x_of(last.first) + 8) + "\" y=\"" + num(y_of(last.second) + 4) +
               "\" font-size=\"11\" stroke=\"none\" fill=\"#000\">" + html_escape(s.label) + " " +
               format_count(static_cast<std::int64_t>(std::llround(last.second))) + "</text></g>";
    }
    svg += "</svg>";
    return svg;
}

std::string format_count(std::int64_t count) {
    std::string digits = std::to_string(count < 0 ? -count : count), out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    return (count < 0 ? "-" : "") + out;
}

std::string format_money(double amount) {
    const auto cents = std::llround(std::fabs(amount) * 100.0);
    char frac[4];
    std::snprintf(frac, sizeof frac, "%02lld", static_cast<long long>(cents % 100));
    return std::string(amount < 0 && cents > 0 ? "-" : "") + format_count(cents / 100) + "." + frac;
}

}  // namespace rosterd::money
