// Text <-> Schedule: the grammar of `sync.daily_at` and of task schedules, with error messages
// that say what was expected, since they end up in config errors and control replies.
#include <array>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <vector>

#include "rosterd/base/text.hpp"
#include "rosterd/schedule/schedule.hpp"

namespace rosterd {
namespace {

constexpr std::string_view kGrammar =
    "expected 'daily HH:MM', 'weekly <days> HH:MM' or 'every <N><unit>' (unit m, h or d), "
    "e.g. 'daily 05:00', 'weekly mon,thu 09:30', 'every 6h'";

// Weekday names in the order to_string writes them (Monday first); the index into the bitset is
// date::weekday::c_encoding() (Sunday = 0).
struct WeekdayName {
    std::string_view name;
    unsigned c_encoding;
};
constexpr std::array<WeekdayName, 7> kWeekdays{
    {{"mon", 1}, {"tue", 2}, {"wed", 3}, {"thu", 4}, {"fri", 5}, {"sat", 6}, {"sun", 0}}};

std::vector<std::string_view> split_words(std::string_view text) {
    std::vector<std::string_view> words;
    std::size_t pos = 0;
    while (pos < text.size()) {
        while (pos < text.size() && std::isspace(static_cast<unsigned char>(text[pos])))
            ++pos;
        std::size_t start = pos;
        while (pos < text.size() && !std::isspace(static_cast<unsigned char>(text[pos])))
            ++pos;
        if (pos > start)
            words.push_back(text.substr(start, pos - start));
    }
    return words;
}

bool two_digits(std::string_view text, int& out) {
    if (text.size() != 2 || !std::isdigit(static_cast<unsigned char>(text[0])) ||
        !std::isdigit(static_cast<unsigned char>(text[1])))
        return false;
    out = (text[0] - '0') * 10 + (text[1] - '0');
    return true;
}

std::string format_weekdays(const std::bitset<7>& days) {
    std::string out;
    for (const auto& weekday : kWeekdays) {
        if (!days.test(weekday.c_encoding))
            continue;
        if (!out.empty())
            out += ',';
        out += weekday.name;
    }
    return out;
}

std::string format_interval(std::chrono::minutes every) {
    using std::chrono::days;
    using std::chrono::hours;
    if (every.count() > 0 && every % days{1} == std::chrono::minutes::zero())
        return std::to_string(every / days{1}) + "d";
    if (every.count() > 0 && every % hours{1} == std::chrono::minutes::zero())
        return std::to_string(every / hours{1}) + "h";
    return std::to_string(every.count()) + "m";
}

ScheduleParseResult failure(std::string message) {
    return {std::nullopt, std::move(message)};
}

ScheduleParseResult success(Schedule schedule) {
    return {std::move(schedule), {}};
}

// Parses the time word of a daily or weekly schedule, or explains why it is not one.
std::optional<TimeOfDay> read_time(std::string_view word, std::string& error) {
    auto time = parse_time_of_day(word);
    if (!time)
        error = "invalid time '" + std::string(word) +
                "': expected HH:MM (two digits each) between 00:00 and 23:59";
    return time;
}

ScheduleParseResult parse_daily(const std::vector<std::string_view>& words) {
    if (words.size() != 2)
        return failure(
            "'daily' takes exactly one time: expected 'daily HH:MM', e.g. 'daily 05:00'");
    std::string error;
    auto time = read_time(words[1], error);
    if (!time)
        return failure(error);
    return success(DailySchedule{*time});
}

std::optional<std::bitset<7>> read_weekdays(std::string_view list, std::string& error) {
    std::bitset<7> days;
    std::size_t pos = 0;
    while (true) {
        std::size_t comma = list.find(',', pos);
        std::string_view item = list.substr(
            pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
        std::string name = lowercase(item);
        const WeekdayName* found = nullptr;
        for (const auto& weekday : kWeekdays)
            if (weekday.name == name)
                found = &weekday;
        if (!found) {
            error = "unknown weekday '" + std::string(item) +
                    "': expected a comma-separated list (no spaces) of mon, tue, wed, thu, fri, "
                    "sat, sun";
            return std::nullopt;
        }
        if (days.test(found->c_encoding)) {
            error = "weekday '" + name + "' is listed twice in '" + std::string(list) + "'";
            return std::nullopt;
        }
        days.set(found->c_encoding);
        if (comma == std::string_view::npos)
            return days;
        pos = comma + 1;
    }
}

ScheduleParseResult parse_weekly(const std::vector<std::string_view>& words) {
    if (words.size() != 3)
        return failure(
            "'weekly' takes a list of days and a time: expected 'weekly <days> HH:MM', e.g. "
            "'weekly mon,thu 09:30'");
    std::string error;
    auto days = read_weekdays(words[1], error);
    if (!days)
        return failure(error);
    auto time = read_time(words[2], error);
    if (!time)
        return failure(error);
    return success(WeeklySchedule{*days, *time});
}

ScheduleParseResult too_long(std::string_view word) {
    return failure("interval '" + std::string(word) + "' is too long: the maximum is '" +
                   format_interval(kMaxScheduleInterval) + "'");
}

ScheduleParseResult parse_every(const std::vector<std::string_view>& words) {
    if (words.size() != 2)
        return failure(
            "'every' takes exactly one interval: expected 'every <N><unit>' with unit m, h or d, "
            "e.g. 'every 6h' or 'every 90m'");
    std::string_view word = words[1];
    const std::string shape_error = "invalid interval '" + std::string(word) +
                                    "': expected <N><unit> with N a whole number and unit m "
                                    "(minutes), h (hours) or d (days), e.g. 'every 6h'";
    if (word.size() < 2)
        return failure(shape_error);

    std::string_view digits = word.substr(0, word.size() - 1);
    std::int64_t count = 0;
    auto [end, status] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
    // from_chars also takes a leading '-', which is never a valid count here.
    if (digits.front() == '-' || end != digits.data() + digits.size())
        return failure(shape_error);
    if (status == std::errc::result_out_of_range)
        return too_long(word);
    if (status != std::errc{})
        return failure(shape_error);

    std::chrono::minutes unit{0};
    switch (ascii_lower(word.back())) {
        case 'm':
            unit = std::chrono::minutes{1};
            break;
        case 'h':
            unit = std::chrono::hours{1};
            break;
        case 'd':
            unit = std::chrono::days{1};
            break;
        default:
            return failure(shape_error);
    }
    if (count < 1)
        return failure("invalid interval '" + std::string(word) +
                       "': the number must be at least 1, e.g. 'every 1h'");
    // Compare in units before multiplying so a huge count cannot overflow.
    if (count > kMaxScheduleInterval / unit)
        return too_long(word);
    return success(IntervalSchedule{count * unit});
}

}  // namespace

std::optional<TimeOfDay> parse_time_of_day(std::string_view text) {
    if (text.size() != 5 || text[2] != ':')
        return std::nullopt;
    TimeOfDay time;
    if (!two_digits(text.substr(0, 2), time.hour) || !two_digits(text.substr(3, 2), time.minute))
        return std::nullopt;
    if (time.hour > 23 || time.minute > 59)
        return std::nullopt;
    return time;
}

std::string to_string(TimeOfDay time) {
    char text[6] = {
        static_cast<char>('0' + time.hour / 10),   static_cast<char>('0' + time.hour % 10),   ':',
        static_cast<char>('0' + time.minute / 10), static_cast<char>('0' + time.minute % 10), '\0'};
    return text;
}

ScheduleParseResult parse_schedule(std::string_view text) {
    auto words = split_words(text);
    if (words.empty())
        return failure("empty schedule: " + std::string(kGrammar));
    std::string kind = lowercase(words[0]);
    if (kind == "daily")
        return parse_daily(words);
    if (kind == "weekly")
        return parse_weekly(words);
    if (kind == "every")
        return parse_every(words);
    return failure("unknown schedule '" + std::string(text) + "': " + std::string(kGrammar));
}

std::string to_string(const Schedule& schedule) {
    struct Formatter {
        std::string operator()(const DailySchedule& daily) const {
            return "daily " + to_string(daily.at);
        }
        std::string operator()(const WeeklySchedule& weekly) const {
            return "weekly " + format_weekdays(weekly.days) + " " + to_string(weekly.at);
        }
        std::string operator()(const IntervalSchedule& interval) const {
            return "every " + format_interval(interval.every);
        }
    };
    return std::visit(Formatter{}, schedule);
}

}  // namespace rosterd
