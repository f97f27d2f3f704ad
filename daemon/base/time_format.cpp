#include "rosterd/base/time_format.hpp"

#include <date/date.h>

#include <cctype>
#include <charconv>

namespace rosterd {
namespace {

// Reads exactly `width` decimal digits at `pos`, advancing it.
bool read_digits(std::string_view s, std::size_t& pos, int width, int& out) {
    if (pos + width > s.size())
        return false;
    int value = 0;
    for (int i = 0; i < width; ++i) {
        char c = s[pos + i];
        if (c < '0' || c > '9')
            return false;
        value = value * 10 + (c - '0');
    }
    pos += width;
    out = value;
    return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) {
    if (pos >= s.size() || s[pos] != c)
        return false;
    ++pos;
    return true;
}

std::optional<date::sys_days> read_date(std::string_view s, std::size_t& pos) {
    int y = 0, m = 0, d = 0;
    if (!read_digits(s, pos, 4, y) || !expect(s, pos, '-') || !read_digits(s, pos, 2, m) ||
        !expect(s, pos, '-') || !read_digits(s, pos, 2, d))
        return std::nullopt;
    date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(m)},
                             date::day{static_cast<unsigned>(d)}};
    if (!ymd.ok())
        return std::nullopt;
    return date::sys_days{ymd};
}

}  // namespace

std::optional<std::int64_t> parse_iso8601_ms(std::string_view s) {
    std::size_t pos = 0;
    auto day = read_date(s, pos);
    if (!day)
        return std::nullopt;
    std::int64_t ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(day->time_since_epoch()).count();
    if (pos == s.size())
        return ms;
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ')
        return std::nullopt;
    ++pos;
    int hh = 0, mm = 0, ss = 0;
    if (!read_digits(s, pos, 2, hh) || !expect(s, pos, ':') || !read_digits(s, pos, 2, mm) ||
        !expect(s, pos, ':') || !read_digits(s, pos, 2, ss))
        return std::nullopt;
    if (hh > 23 || mm > 59 || ss > 60)
        return std::nullopt;
    std::int64_t frac_ms = 0;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
        ++pos;
        int digits = 0;
        while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
            if (digits < 3)
                frac_ms = frac_ms * 10 + (s[pos] - '0');
            ++digits;
            ++pos;
        }
        if (digits == 0)
            return std::nullopt;
        for (int i = digits; i < 3; ++i)
            frac_ms *= 10;
    }
    std::int64_t offset_min = 0;
    if (pos == s.size())
        return std::nullopt;  // a time without a zone is ambiguous
    if (s[pos] == 'Z' || s[pos] == 'z') {
        ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
        int sign = s[pos] == '-' ? -1 : 1;
        ++pos;
        int oh = 0, om = 0;
        if (!read_digits(s, pos, 2, oh))
            return std::nullopt;
        if (pos < s.size() && s[pos] == ':')
            ++pos;
        if (!read_digits(s, pos, 2, om))
            return std::nullopt;
        offset_min = sign * (oh * 60 + om);
    } else {
        return std::nullopt;
    }
    if (pos != s.size())
        return std::nullopt;
    ms += ((hh * 60 + mm) * 60 + ss) * 1000LL + frac_ms - offset_min * 60'000LL;
    return ms;
}

std::string format_iso8601_ms(std::int64_t epoch_ms) {
    date::sys_time<std::chrono::milliseconds> t{std::chrono::milliseconds{epoch_ms}};
    return date::format("%FT%TZ", t);
}

std::string format_iso8601_s(std::int64_t epoch_ms) {
    auto t = date::floor<std::chrono::seconds>(
        date::sys_time<std::chrono::milliseconds>{std::chrono::milliseconds{epoch_ms}});
    return date::format("%FT%TZ", t);
}

std::optional<std::int64_t> parse_date_days(std::string_view s) {
    std::size_t pos = 0;
    auto day = read_date(s, pos);
    if (!day || pos != s.size())
        return std::nullopt;
    return day->time_since_epoch().count();
}

std::optional<std::int64_t> parse_http_date_ms(std::string_view s) {
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    static constexpr std::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (s.size() != 29 || s.substr(3, 2) != ", " || s.substr(25) != " GMT")
        return std::nullopt;
    std::size_t pos = 5;
    int d = 0, y = 0, hh = 0, mm = 0, ss = 0;
    if (!read_digits(s, pos, 2, d) || !expect(s, pos, ' '))
        return std::nullopt;
    unsigned month = 0;
    for (unsigned i = 0; i < 12; ++i)
        if (s.substr(pos, 3) == kMonths[i])
            month = i + 1;
    if (month == 0)
        return std::nullopt;
    pos += 3;
    if (!expect(s, pos, ' ') || !read_digits(s, pos, 4, y) || !expect(s, pos, ' ') ||
        !read_digits(s, pos, 2, hh) || !expect(s, pos, ':') || !read_digits(s, pos, 2, mm) ||
        !expect(s, pos, ':') || !read_digits(s, pos, 2, ss))
        return std::nullopt;
    date::year_month_day ymd{date::year{y}, date::month{month},
                             date::day{static_cast<unsigned>(d)}};
    if (!ymd.ok())
        return std::nullopt;
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  date::sys_days{ymd}.time_since_epoch())
                  .count();
    return ms + ((hh * 60 + mm) * 60 + ss) * 1000LL;
}

}  // namespace rosterd
