#include "money_service.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "money_commands.hpp"
#include "money_json.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/control/db_reply.hpp"
#include "rosterd/money/report.hpp"
#include "rosterd/ops/run_store.hpp"
#include "rosterd/query/json.hpp"
#include "rosterd/version.hpp"

namespace rosterd::money {
namespace {

namespace json = control::json;
const date::time_zone* zone_of(const Config& config) {
    if (config.sync.timezone.empty())
        return system_time_zone();
    auto* zone = find_time_zone(config.sync.timezone, nullptr);
    return zone ? zone : system_time_zone();
}

std::string money_text(const std::optional<double>& amount) {
    if (!amount)
        return "";
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.2f", *amount);
    return buffer;
}

}  // namespace

MoneyService::MoneyService(DaemonContext& context, SyncControl& sync, const Subsystem& keys)
    : context_(context), keys_(keys), digest_timer_(context.loop) {
    sync.on_success([this] { record(); });
}

void MoneyService::start() {
    record();  // a sync the daemon had no time to record before it stopped, or an upgrade
    arm_digest();
}

void MoneyService::stop() {
    stopping_ = true;
    digest_timer_.cancel();
}

void MoneyService::apply_config(const Config&) {
    if (stopping_)
        return;
    digest_timer_.cancel();
    arm_digest();
}

void MoneyService::record() {
    if (stopping_)
        return;
    if (recording_) {
        record_again_ = true;
        return;
    }
    recording_ = true;
    auto config = context_.config;
    // The figures on a reader thread (the index is shared with every question), then the write
    // on the writer thread, so that building an index never holds up the writer.
    context_.db.read(
        [config, snapshots = context_.snapshots](store::Database& db) {
            SnapshotRead read(db, *snapshots);
            if (history_has(db, read.index->info.id))
                return std::vector<HistoryPoint>();
            // Inactivity measured at the sync, so a point does not depend on when it is written.
            return history_points(query::compute_dashboard(
                *read.index, dashboard_options(*config, read.index->info.as_of_ms)));
        },
        [this, keep = config->history.keep_days](store::DbResult<std::vector<HistoryPoint>> r) {
            if (!r.ok() || r.value->empty()) {
                if (!r.ok() && r.error != query::kNoDataMessage)
                    spdlog::warn("money: the seat history was not recorded: {}", r.error);
                return recorded();
            }
            context_.db.write(
                [points = std::move(*r.value), keep](store::Database& db) {
                    auto start = Clock::now();
                    int added = record_history(db, points, keep);
                    return std::make_pair(added, ms_since(start));
                },
                [this](store::DbResult<std::pair<int, double>> w) {
                    if (!w.ok()) {
                        spdlog::warn("money: the seat history was not recorded: {}", w.error);
                    } else if (w.value->first > 0) {
                        last_record_write_ms_ = w.value->second;
                        spdlog::info("money: seat history recorded ({} points in {:.2f} ms)",
                                     w.value->first, w.value->second);
                    }
                    recorded();
                });
        });
}

void MoneyService::recorded() {
    recording_ = false;
    if (record_again_) {
        record_again_ = false;
        record();
        return;
    }
    auto waiting = std::move(waiting_);
    waiting_.clear();
    for (auto& then : waiting)
        then();
}

void MoneyService::after_recording(std::function<void()> then) {
    if (recording_)
        waiting_.push_back(std::move(then));
    else
        then();
}

void MoneyService::arm_digest() {
    const auto& config = *context_.config;
    auto next = next_occurrence(config.digest.schedule, context_.clock.now(), zone_of(config));
    next_digest_ms_ =
        std::chrono::duration_cast<std::chrono::milliseconds>(next.time_since_epoch()).count();
    digest_timer_.expires_at(std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(next.time_since_epoch())));
    digest_timer_.async_wait([this](const std::error_code& error) {
        if (error || stopping_)
            return;
        send_digest();
        arm_digest();
    });
}

void MoneyService::send_digest() {
    if (!context_.events)
        return;
    auto now = context_.clock.now().time_since_epoch().count();
    auto options = dashboard_options(*context_.config, now);
    context_.db.read(
        [options, now, snapshots = context_.snapshots](store::Database& db) {
            SnapshotRead read(db, *snapshots);
            auto dashboard = query::compute_dashboard(*read.index, options);
            auto journal = read_journal(db);
            std::int64_t runs = 0;
            for (const auto& run : journal)
                runs += run.finished_at > now - 7 * kDayMs ? 1 : 0;
            auto savings = compute_savings(*read.index, dashboard, journal, options.pricing, {});
            auto history = read_history(db, {std::nullopt, std::nullopt, now - 15 * kDayMs});
            return std::make_pair(digest_figures(history, savings, now, runs),
                                  read.index->info.org_name);
        },
        [this, now](store::DbResult<std::pair<DigestFigures, std::string>> r) {
            if (!r.ok()) {
                spdlog::warn("money: no digest this week: {}", r.error);
                return;
            }
            const auto& [f, org] = *r.value;
            Event event;
            event.type = "digest";
            event.at_ms = now;
            auto put = [&](const char* name, const std::string& value) {
                if (!value.empty())
                    event.facts[name] = value;
            };
            put("org_id", context_.config->atlassian.org_id);
            put("org_name", org);
            put("billable", std::to_string(f.billable));
            put("active", std::to_string(f.active));
            put("inactive", std::to_string(f.inactive));
            put("currency", f.currency);
            put("monthly_cost", money_text(f.monthly_cost));
            put("inactive_monthly_cost", money_text(f.inactive_monthly_cost));
            if (f.week_ago_at) {
                put("week_ago", query::format_instant_ms(*f.week_ago_at).substr(0, 10));
                put("billable_change", std::to_string(*f.billable_change));
                put("inactive_change", std::to_string(*f.inactive_change));
                put("inactive_cost_change", money_text(f.inactive_cost_change));
            }
            put("realised_monthly", money_text(f.realised_monthly));
            put("realised_seats", std::to_string(f.realised_seats));
            put("runs_this_week", std::to_string(f.runs_this_week));
            context_.events->emit(std::move(event));
        });
}

void MoneyService::write_status(rapidjson::Value& out,
                                rapidjson::Document::AllocatorType& alloc) const {
    json::add(out, "history_keep_days", context_.config->history.keep_days, alloc);
    json::add(out, "last_history_write_ms", last_record_write_ms_, alloc);
    json::add(out, "digest_schedule", context_.config->digest.schedule_text, alloc);
    json::add(out, "next_digest",
              next_digest_ms_ ? json::value(query::format_instant_ms(*next_digest_ms_), alloc)
                              : rapidjson::Value(),
              alloc);
}

}  // namespace rosterd::money
