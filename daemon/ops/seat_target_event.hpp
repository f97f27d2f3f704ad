#pragma once
// The seats_over_target event (issue 17): a task run ended with its keep_at_most not reached.
#include <optional>

#include "rosterd/model/events.hpp"
#include "rosterd/ops/run_store.hpp"

namespace rosterd::ops {

// The event for `run` when it is a task run with a seat target that ended (planned, refused,
// finished) with seats still over the target; nullopt otherwise.
std::optional<Event> seats_over_target_event(const RunRecord& run);

}  // namespace rosterd::ops
