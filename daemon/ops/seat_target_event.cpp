#include "seat_target_event.hpp"

#include "seat_target_store.hpp"

namespace rosterd::ops {

std::optional<Event> seats_over_target_event(const RunRecord& run) {
    if (run.kind != RunKind::task || !run.seat_target || !ended(run.state))
        return std::nullopt;
    auto over = seats_over_after(run);
    if (over <= 0)
        return std::nullopt;
    const auto& t = *run.seat_target;
    Event event;
    event.type = "seats_over_target";
    event.at_ms = run.finished_at.value_or(run.created_at);
    event.facts = {{"task", run.task},
                   {"run_id", run.id},
                   {"state", std::string(to_string(run.state))},
                   {"mode", std::string(mode_name(run.apply))},
                   {"product", t.product},
                   {"target", std::to_string(t.target)},
                   {"seats", std::to_string(t.seats)},
                   {"taken", std::to_string(t.taken)},
                   {"candidates", std::to_string(t.candidates)},
                   {"over_after", std::to_string(over)}};
    if (!t.site.empty())
        event.facts["site"] = t.site;
    return event;
}

}  // namespace rosterd::ops
