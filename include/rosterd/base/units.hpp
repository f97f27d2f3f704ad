#pragma once
// Durations as the database and the protocol store them (epoch milliseconds), named once.
#include <cstdint>

namespace rosterd {

inline constexpr std::int64_t kSecondMs = 1'000;
inline constexpr std::int64_t kMinuteMs = 60 * kSecondMs;
inline constexpr std::int64_t kHourMs = 60 * kMinuteMs;
inline constexpr std::int64_t kDayMs = 24 * kHourMs;

}  // namespace rosterd
