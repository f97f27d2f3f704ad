#include "metrics_service.hpp"

#include <spdlog/spdlog.h>

#include "metrics_read.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/version.hpp"

namespace rosterd::metrics {
namespace {

namespace json = control::json;

// Seats cross their inactivity threshold as time passes, whether or not a sync runs: recompute
// the seat figures this often (about 2 ms at 100,000 users, on a reader thread).
constexpr auto kSeatRefresh = std::chrono::seconds(60);

// What one scrape read on the reader thread.
struct ScrapeRead {
    LiveFigures live;
    std::shared_ptr<const SeatBlock> seats;  // recomputed for this scrape, or the cached one
    HistoryCounts counts;
};

}  // namespace

MetricsService::MetricsService(DaemonContext& context, MetricsSources sources)
    : context_(context),
      sources_(std::move(sources)),
      responder_(context.loop,
                 [this](const std::string& method, const std::string& target, auto answer) {
                     on_request(method, target, std::move(answer));
                 }),
      refresh_timer_(context.loop) {}

MetricsService::~MetricsService() {
    stop();
}

void MetricsService::start() {
    const auto& listen = context_.config->metrics.listen;
    if (listen.empty())
        return;
    auto address = parse_listen_address(listen, nullptr);  // checked when the config loaded
    responder_.start(*address);
    listening_ = address->describe();
    spdlog::info("metrics: serving /metrics on {}", listening_);
    refresh_seats();
}

void MetricsService::stop() {
    stopping_ = true;
    refresh_timer_.cancel();
    responder_.stop();
}

void MetricsService::apply_config(const Config&) {
    // Thresholds or prices may have changed: the next scrape recomputes the seat figures, as the
    // block remembers the configuration it used. The address itself changes at a restart.
}

void MetricsService::on_request(const std::string& method, const std::string& target,
                                std::function<void(HttpAnswer)> answer) {
    std::string path = target.substr(0, target.find('?'));
    if (path != "/metrics")
        return answer({404, "text/plain; charset=utf-8", "not found: try /metrics\n", ""});
    if (method != "GET" && method != "HEAD")
        return answer({405, "text/plain; charset=utf-8", "only GET\n", "GET, HEAD"});
    scrape(std::move(answer));
}

void MetricsService::scrape(std::function<void(HttpAnswer)> answer) {
    auto started = std::chrono::steady_clock::now();
    auto config = context_.config;
    auto cached = seats_;
    auto counts = counts_;
    auto now_ms = context_.clock.now().time_since_epoch().count();
    context_.db.read(
        [config, cached, counts, now_ms, snapshots = context_.snapshots](store::Database& db) {
            store::Transaction read(db, store::Transaction::Kind::deferred);
            ScrapeRead out;
            out.seats = cached;
            auto published = published_snapshot(db);
            // A new snapshot or configuration: the seat figures are computed once, here.
            if (published &&
                (!cached || cached->snapshot_id != *published || cached->config != config))
                out.seats = compute_seat_block(db, *snapshots, config, now_ms);
            out.counts = counts;
            out.live = read_live_figures(db, out.counts);
            out.live.snapshot_id = published;
            return out;
        },
        [this, answer, started](store::DbResult<ScrapeRead> r) {
            if (stopping_)
                return;  // the connections are closed already
            if (!r.ok()) {
                spdlog::warn("metrics: scrape failed: {}", r.error);
                return answer({503, "text/plain; charset=utf-8", "metrics unavailable\n", ""});
            }
            auto& read = *r.value;
            install(read.seats);
            // Scrapes may finish out of order: keep the counts brought furthest.
            if (read.counts.syncs_through_id >= counts_.syncs_through_id &&
                read.counts.runs_before_ms >= counts_.runs_before_ms)
                counts_ = std::move(read.counts);
            read.live.sync_running = sources_.sync_running && sources_.sync_running();
            if (sources_.key_state)
                read.live.key_state = sources_.key_state();
            if (sources_.key_expiry_ms)
                read.live.key_expiry_ms = sources_.key_expiry_ms();
            read.live.now_ms = context_.clock.now().time_since_epoch().count();
            HttpAnswer out;
            out.content_type = kContentType;
            const auto& seats = read.seats;
            std::string live = render_live_metrics(read.live, kVersion);
            out.body.reserve(live.size() + (seats ? seats->text.size() : 0));
            out.body = std::move(live);
            if (seats && read.live.snapshot_id == seats->snapshot_id)
                out.body += seats->text;
            ++scrapes_;
            last_scrape_us_ = std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::steady_clock::now() - started)
                                  .count();
            answer(std::move(out));
        });
}

void MetricsService::install(std::shared_ptr<const SeatBlock> block) {
    // Computed under a configuration replaced since: the next scrape computes it again.
    if (!block || block->config != context_.config)
        return;
    // Two reads may finish out of order: keep the newer snapshot, then the later measurement.
    if (seats_ && seats_->config == block->config &&
        (seats_->snapshot_id > block->snapshot_id ||
         (seats_->snapshot_id == block->snapshot_id && seats_->measured_ms > block->measured_ms)))
        return;
    seats_ = std::move(block);
}

void MetricsService::refresh_seats() {
    if (stopping_)
        return;
    auto config = context_.config;
    auto now_ms = context_.clock.now().time_since_epoch().count();
    context_.db.read(
        [config, now_ms, snapshots = context_.snapshots](store::Database& db) {
            store::Transaction read(db, store::Transaction::Kind::deferred);
            return compute_seat_block(db, *snapshots, config, now_ms);
        },
        [this](store::DbResult<std::shared_ptr<const SeatBlock>> r) {
            if (stopping_)
                return;
            if (r.ok())
                install(*r.value);
            else
                spdlog::warn("metrics: seat figures not refreshed: {}", r.error);
            refresh_timer_.expires_after(kSeatRefresh);
            refresh_timer_.async_wait([this](const std::error_code& error) {
                if (!error)
                    refresh_seats();
            });
        });
}

void MetricsService::write_status(rapidjson::Value& out,
                                  rapidjson::Document::AllocatorType& alloc) const {
    json::add(out, "listen",
              listening_.empty() ? std::nullopt : std::optional<std::string>(listening_), alloc);
    json::add(out, "scrapes", scrapes_, alloc);
    json::add(out, "last_scrape_us", last_scrape_us_, alloc);
    json::add(out, "seats_snapshot",
              seats_ ? std::optional<std::int64_t>(seats_->snapshot_id) : std::nullopt, alloc);
}

}  // namespace rosterd::metrics
