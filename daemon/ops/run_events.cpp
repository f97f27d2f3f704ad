#include "run_events.hpp"

#include "seat_target_event.hpp"

namespace rosterd::ops {

std::vector<Event> run_events(const RunRecord& run, const std::string& cancelled_by,
                              std::int64_t now_ms) {
    std::vector<Event> out;
    // Dry runs a person asked for are answered to them; unattended ones (tasks) and every
    // applying run reach the webhooks.
    if (!run.apply && run.kind != RunKind::task)
        return out;
    // A task's seat target not reached (its dry runs included: they tell the filter leaves too
    // few before anyone applies it).
    if (auto over = seats_over_target_event(run))
        out.push_back(std::move(*over));
    auto type = run_event_type(run.state);
    if (type.empty())
        return out;
    auto counts = run.counts();
    Event event;
    event.type = type;
    event.at_ms = run.finished_at.value_or(now_ms);
    event.facts = {{"run_id", run.id},
                   {"ok", std::to_string(counts.ok)},
                   {"failed", std::to_string(counts.failed)},
                   {"skipped", std::to_string(counts.skipped)},
                   {"kind", std::string(to_string(run.kind))},
                   {"mode", std::string(mode_name(run.apply))}};
    if (!run.task.empty())
        event.facts["task"] = run.task;
    if (!run.caller.empty())
        event.facts["caller"] = run.caller;
    if (!run.caller_scope.empty())
        event.facts["caller_scope"] = run.caller_scope;
    if (!run.reason.empty())
        event.facts["reason"] = run.reason;
    if (!cancelled_by.empty())
        event.facts["cancelled_by"] = cancelled_by;
    if (!run.error.empty() && run.state != RunState::cancelled)
        event.facts["error"] = run.error;
    out.push_back(std::move(event));
    return out;
}

void emit_run_events(EventSink* sink, const RunRecord& run, const std::string& cancelled_by,
                     std::int64_t now_ms) {
    if (!sink)
        return;
    for (auto& event : run_events(run, cancelled_by, now_ms))
        sink->emit(std::move(event));
}

}  // namespace rosterd::ops
