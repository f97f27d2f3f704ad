#include "metrics_service.hpp"

namespace rosterd::metrics {

std::unique_ptr<Subsystem> make_metrics_subsystem(DaemonContext& context, MetricsSources sources) {
    return std::make_unique<MetricsService>(context, std::move(sources));
}

}  // namespace rosterd::metrics
