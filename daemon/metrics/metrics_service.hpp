#pragma once
// The metrics subsystem: serves GET /metrics on metrics.listen from the loop (http_responder).
// Seat figures are the dashboard's, computed on a database reader thread once per published
// snapshot and configuration, and again every minute as time moves seats past their inactivity
// threshold; their text is cached. A scrape adds the small figures (sync, key, outbox, runs),
// read by a few indexed or tiny queries on a reader thread, so the loop never waits.
#include <asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "http_responder.hpp"
#include "metrics_read.hpp"
#include "rosterd/metrics/metrics.hpp"
#include "rosterd/metrics/subsystem.hpp"
#include "rosterd/service/subsystem.hpp"

namespace rosterd::metrics {

class MetricsService final : public Subsystem {
  public:
    MetricsService(DaemonContext& context, MetricsSources sources);
    ~MetricsService() override;

    std::string_view name() const override { return "metrics"; }
    void start() override;
    void write_status(rapidjson::Value& out,
                      rapidjson::Document::AllocatorType& alloc) const override;
    void apply_config(const Config&) override;
    void stop() override;

  private:
    void on_request(const std::string& method, const std::string& target,
                    std::function<void(HttpAnswer)> answer);
    void scrape(std::function<void(HttpAnswer)> answer);
    void install(std::shared_ptr<const SeatBlock> block);
    void refresh_seats();  // the timer: seats move past thresholds as time passes

    DaemonContext& context_;
    MetricsSources sources_;
    HttpResponder responder_;
    asio::steady_timer refresh_timer_;
    std::string listening_;  // the address served, empty when off
    std::shared_ptr<const SeatBlock> seats_;
    HistoryCounts counts_;  // settled counters, brought forward by each scrape
    bool stopping_ = false;
    std::int64_t scrapes_ = 0;
    std::optional<std::int64_t> last_scrape_us_;
};

}  // namespace rosterd::metrics
