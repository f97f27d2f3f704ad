#pragma once
// The words of a run, each an enum with one table that gives both directions: the text is what
// the journal (runs, run_users, run_steps), the control protocol and the events carry, so it
// never changes; code compares the enums. An unknown text (a newer journal) parses to nullopt.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "rosterd/base/vocabulary.hpp"

namespace rosterd::ops {

// What started a run. (Resuming a journaled run is a request, not a kind: the run keeps its own.)
enum class RunKind { bulk, task, undo };

// A dry run is `planned`; an applying run goes queued -> running -> one of succeeded,
// partially_failed, failed, cancelled, nothing_to_do; `refused` runs never start.
enum class RunState {
    planned,
    queued,
    running,
    succeeded,
    partially_failed,
    failed,
    cancelled,
    refused,
    nothing_to_do
};

// One user of a run: still to do, done (every step has an outcome), or skipped as a whole.
enum class UserState { planned, done, skipped };

// One operation of a user: journaled `sent` before it goes out, so a crash leaves it to check.
enum class StepState { pending, sent, ok, failed, skipped };

// What happened to a user, from their steps (runs show, progress, counts).
enum class UserOutcome { ok, failed, skipped, planned, pending, cancelled };

inline constexpr std::array<std::pair<RunKind, std::string_view>, 3> kRunKindNames{{
    {RunKind::bulk, "bulk"},
    {RunKind::task, "task"},
    {RunKind::undo, "undo"},
}};
inline constexpr std::array<std::pair<RunState, std::string_view>, 9> kRunStateNames{{
    {RunState::planned, "planned"},
    {RunState::queued, "queued"},
    {RunState::running, "running"},
    {RunState::succeeded, "succeeded"},
    {RunState::partially_failed, "partially_failed"},
    {RunState::failed, "failed"},
    {RunState::cancelled, "cancelled"},
    {RunState::refused, "refused"},
    {RunState::nothing_to_do, "nothing_to_do"},
}};
inline constexpr std::array<std::pair<UserState, std::string_view>, 3> kUserStateNames{{
    {UserState::planned, "planned"},
    {UserState::done, "done"},
    {UserState::skipped, "skipped"},
}};
inline constexpr std::array<std::pair<StepState, std::string_view>, 5> kStepStateNames{{
    {StepState::pending, "pending"},
    {StepState::sent, "sent"},
    {StepState::ok, "ok"},
    {StepState::failed, "failed"},
    {StepState::skipped, "skipped"},
}};
inline constexpr std::array<std::pair<UserOutcome, std::string_view>, 6> kUserOutcomeNames{{
    {UserOutcome::ok, "ok"},
    {UserOutcome::failed, "failed"},
    {UserOutcome::skipped, "skipped"},
    {UserOutcome::planned, "planned"},
    {UserOutcome::pending, "pending"},
    {UserOutcome::cancelled, "cancelled"},
}};

constexpr std::string_view to_string(RunKind v) {
    return vocabulary::name_in(kRunKindNames, v);
}
constexpr std::string_view to_string(RunState v) {
    return vocabulary::name_in(kRunStateNames, v);
}
constexpr std::string_view to_string(UserState v) {
    return vocabulary::name_in(kUserStateNames, v);
}
constexpr std::string_view to_string(StepState v) {
    return vocabulary::name_in(kStepStateNames, v);
}
constexpr std::string_view to_string(UserOutcome v) {
    return vocabulary::name_in(kUserOutcomeNames, v);
}

constexpr std::optional<RunKind> run_kind_from(std::string_view text) {
    return vocabulary::value_in(kRunKindNames, text);
}
constexpr std::optional<RunState> run_state_from(std::string_view text) {
    return vocabulary::value_in(kRunStateNames, text);
}
constexpr std::optional<UserState> user_state_from(std::string_view text) {
    return vocabulary::value_in(kUserStateNames, text);
}
constexpr std::optional<StepState> step_state_from(std::string_view text) {
    return vocabulary::value_in(kStepStateNames, text);
}
constexpr std::optional<UserOutcome> user_outcome_from(std::string_view text) {
    return vocabulary::value_in(kUserOutcomeNames, text);
}

// Whether a run in `state` has ended (neither waiting nor executing, or never applying).
constexpr bool ended(RunState state) {
    return state != RunState::queued && state != RunState::running;
}
// The event a run that ended in `state` emits: "run_<state>"; empty for planned, queued and
// running (events.hpp declares them).
std::string run_event_type(RunState state);
// A run's mode as the journal, the answers and the events write it.
constexpr std::string_view mode_name(bool apply) {
    return apply ? "apply" : "dry-run";
}

}  // namespace rosterd::ops
