// The inline SVG line chart: self-contained, every series told apart without colour (dash,
// marker, label), round ticks from zero, escaped text, and the empty and one-point cases.
#include <catch2/catch.hpp>

#include <regex>

#include "rosterd/money/report.hpp"

using namespace rosterd::money;

namespace {

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
        ++n;
    return n;
}

constexpr std::int64_t kT0 = 1'780'272'000'000;  // 2026-06-01

}  // namespace

TEST_CASE("a line chart draws each series with its own dash, marker and label", "[money][svg]") {
    std::vector<ChartSeries> series = {
        {"billable", {{kT0, 120}, {kT0 + kDayMs, 118}, {kT0 + 2 * kDayMs, 110}}},
        {"active", {{kT0, 100}, {kT0 + kDayMs, 100}, {kT0 + 2 * kDayMs, 101}}},
        {"inactive", {{kT0, 20}, {kT0 + kDayMs, 18}, {kT0 + 2 * kDayMs, 9}}}};
    auto svg = line_chart_svg("Jira <all sites> & more", series);
    CHECK(svg.rfind("<svg ", 0) == 0);
    CHECK(svg.substr(svg.size() - 6) == "</svg>");
    CHECK(svg.find("<title>Jira &lt;all sites&gt; &amp; more</title>") != std::string::npos);
    CHECK(svg.find("<all") == std::string::npos);
    // No reference to anything outside the file.
    CHECK(svg.find("http") == std::string::npos);
    CHECK(svg.find("href") == std::string::npos);
    CHECK(count(svg, "<polyline") == 3);
    // Three dash patterns: solid, dashed, dotted.
    CHECK(svg.find("stroke-dasharray=\"\"") != std::string::npos);
    CHECK(svg.find("stroke-dasharray=\"7 4\"") != std::string::npos);
    CHECK(svg.find("stroke-dasharray=\"2 3\"") != std::string::npos);
    // Markers: circles for the first series, squares for the second, triangles for the third
    // (three points and one legend sample each).
    CHECK(count(svg, "<circle") == 4);
    CHECK(count(svg, "<rect") == 4);
    CHECK(count(svg, "Z\"/>") == 4);
    // The last value of each line is written beside it.
    CHECK(svg.find(">billable 110</text>") != std::string::npos);
    CHECK(svg.find(">active 101</text>") != std::string::npos);
    CHECK(svg.find(">inactive 9</text>") != std::string::npos);
    // y ticks: 0 to 150 by 50 (four steps around 120); x: the dates of both ends.
    for (const char* tick : {">0</text>", ">50</text>", ">100</text>", ">150</text>"})
        CHECK(svg.find(tick) != std::string::npos);
    CHECK(svg.find(">200</text>") == std::string::npos);
    CHECK(svg.find(">2026-06-01</text>") != std::string::npos);
    CHECK(svg.find(">2026-06-03</text>") != std::string::npos);
    // The x of the first and last points are the plot's edges (56 and 640 - 130).
    std::regex first_point("points=\"56,[0-9.]+ ");
    CHECK(std::regex_search(svg, first_point));
    CHECK(svg.find(" 510,") != std::string::npos);
}

TEST_CASE("a chart with one sync centres it, one without data says so", "[money][svg]") {
    auto one = line_chart_svg("One", {{"billable", {{kT0, 5}}}});
    CHECK(count(one, "<polyline") == 1);
    CHECK(one.find("points=\"283,") != std::string::npos);  // 56 + 454 / 2
    CHECK(one.find(">billable 5</text>") != std::string::npos);
    auto none = line_chart_svg("None", {{"billable", {}}});
    CHECK(none.find("no history yet") != std::string::npos);
    CHECK(count(none, "<polyline") == 0);
}

TEST_CASE("money and counts are written with separators", "[money][svg]") {
    CHECK(format_count(0) == "0");
    CHECK(format_count(999) == "999");
    CHECK(format_count(1000) == "1,000");
    CHECK(format_count(-1234567) == "-1,234,567");
    CHECK(format_money(1204.8) == "1,204.80");
    CHECK(format_money(-6) == "-6.00");
    CHECK(format_money(0.004) == "0.00");
    CHECK(html_escape("a<b>&\"'") == "a&lt;b&gt;&amp;&quot;&#39;");
}
