#pragma once
// The inactivity threshold when the configuration names none (inactivity.days): the
// configuration, the queries, the seat history and rosterctl's rendering derive from this one.
namespace rosterd {

inline constexpr int kDefaultInactiveDays = 30;

}  // namespace rosterd
