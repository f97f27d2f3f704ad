#pragma once
// Last-activity timestamps as the API serves them: the same instant may come with no fraction,
// milliseconds, microseconds or nanoseconds, so clients must parse any fraction length.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "model.hpp"

namespace rosterd::sim {

// An activity at `ms` rendered with `fraction_digits` (0, 3, 6 or 9) digits; digits beyond the
// millisecond come from `noise`. With 0 digits the instant is truncated to the second, so that
// the truth's milliseconds always equal what a client parses from the text.
Activity make_activity(std::int64_t ms, int fraction_digits, std::uint64_t noise);

// Parses a served or test-provided timestamp into an Activity keeping the exact text.
std::optional<Activity> activity_from_text(std::string_view text);

// "yyyy-MM-dd" of an instant (last-active-dates `last_active`, `added_to_org`).
std::string format_date(std::int64_t ms);

}  // namespace rosterd::sim
