#include "activity_text.hpp"

#include "rosterd/base/time_format.hpp"

namespace rosterd::sim {

namespace {

std::string zero_padded(std::uint64_t value, int width) {
    std::string digits = std::to_string(value);
    if (static_cast<int>(digits.size()) < width)
        digits.insert(0, width - digits.size(), '0');
    return digits;
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

Activity make_activity(std::int64_t ms, int fraction_digits, std::uint64_t noise) {
    if (fraction_digits <= 0) {
        std::int64_t seconds_ms = floor_div(ms, 1000) * 1000;
        return Activity{seconds_ms, format_iso8601_s(seconds_ms)};
    }
    std::string text = format_iso8601_s(ms);  // "YYYY-MM-DDTHH:MM:SSZ"
    std::int64_t millis = ms - floor_div(ms, 1000) * 1000;
    std::string fraction = zero_padded(static_cast<std::uint64_t>(millis), 3);
    if (fraction_digits > 3) {
        int extra = fraction_digits - 3;
        std::uint64_t modulus = 1;
        for (int i = 0; i < extra; ++i)
            modulus *= 10;
        fraction += zero_padded(noise % modulus, extra);
    }
    text.insert(text.size() - 1, "." + fraction);
    return Activity{ms, text};
}

std::optional<Activity> activity_from_text(std::string_view text) {
    auto ms = parse_iso8601_ms(text);
    if (!ms)
        return std::nullopt;
    return Activity{*ms, std::string(text)};
}

std::string format_date(std::int64_t ms) {
    return format_iso8601_s(ms).substr(0, 10);
}

}  // namespace rosterd::sim
