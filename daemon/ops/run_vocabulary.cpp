#include "rosterd/ops/run_vocabulary.hpp"

namespace rosterd::ops {

std::string run_event_type(RunState state) {
    if (!ended(state) || state == RunState::planned)
        return "";
    return "run_" + std::string(to_string(state));
}

}  // namespace rosterd::ops
