#pragma once
// The metrics subsystem (the Prometheus endpoint) as the daemon assembles it.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "rosterd/service/subsystem.hpp"

namespace rosterd::metrics {

// What other subsystems know in memory, asked on the loop at each scrape.
struct MetricsSources {
    std::function<bool()> sync_running;
    std::function<std::string()> key_state;
    std::function<std::optional<std::int64_t>()> key_expiry_ms;  // when the key lapses
};

std::unique_ptr<Subsystem> make_metrics_subsystem(DaemonContext& context, MetricsSources sources);

}  // namespace rosterd::metrics
