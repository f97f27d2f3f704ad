#pragma once
// The words of a sync, each an enum with one table for both directions: the text is what
// sync_runs.outcome, the progress lines, `status` and the events carry, so it never changes.
#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace rosterd::sync {

// Where a sync is (its progress lines): starting -> organization -> users -> activity ->
// finalizing -> done.
enum class SyncPhase { starting, organization, users, activity, finalizing, done };

// How a row of sync_runs ended: a sync (succeeded, failed, cancelled; interrupted when a stop or
// crash cut it off) or a refresh after a bulk run (refreshed, refresh_failed); running meanwhile.
enum class SyncResult {
    running,
    succeeded,
    failed,
    cancelled,
    interrupted,
    refreshed,
    refresh_failed
};

inline constexpr std::array<std::pair<SyncPhase, std::string_view>, 6> kSyncPhaseNames{{
    {SyncPhase::starting, "starting"},
    {SyncPhase::organization, "organization"},
    {SyncPhase::users, "users"},
    {SyncPhase::activity, "activity"},
    {SyncPhase::finalizing, "finalizing"},
    {SyncPhase::done, "done"},
}};
inline constexpr std::array<std::pair<SyncResult, std::string_view>, 7> kSyncResultNames{{
    {SyncResult::running, "running"},
    {SyncResult::succeeded, "succeeded"},
    {SyncResult::failed, "failed"},
    {SyncResult::cancelled, "cancelled"},
    {SyncResult::interrupted, "interrupted"},
    {SyncResult::refreshed, "refreshed"},
    {SyncResult::refresh_failed, "refresh_failed"},
}};

constexpr std::string_view to_string(SyncPhase v) {
    for (const auto& [e, name] : kSyncPhaseNames)
        if (e == v)
            return name;
    return "?";
}
constexpr std::string_view to_string(SyncResult v) {
    for (const auto& [e, name] : kSyncResultNames)
        if (e == v)
            return name;
    return "?";
}
constexpr std::optional<SyncPhase> sync_phase_from(std::string_view text) {
    for (const auto& [e, name] : kSyncPhaseNames)
        if (name == text)
            return e;
    return std::nullopt;
}
constexpr std::optional<SyncResult> sync_result_from(std::string_view text) {
    for (const auto& [e, name] : kSyncResultNames)
        if (name == text)
            return e;
    return std::nullopt;
}

}  // namespace rosterd::sync
