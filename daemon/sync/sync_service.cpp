#include "sync_service.hpp"

#include <spdlog/spdlog.h>
#include <asio/post.hpp>

#include "rosterd/atlassian/client_settings.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/schedule/schedule.hpp"
#include "snapshot_writer.hpp"
#include "sync_commands.hpp"

namespace rosterd::sync {
namespace {

namespace json = control::json;
using Alloc = rapidjson::Document::AllocatorType;

constexpr auto kProgressInterval = std::chrono::milliseconds(250);

const date::time_zone* zone_of(const Config& config) {
    if (config.sync.timezone.empty())
        return system_time_zone();
    std::string error;
    auto* zone = find_time_zone(config.sync.timezone, &error);
    return zone ? zone : system_time_zone();
}

Schedule daily_schedule(const Config& config) {
    return DailySchedule{TimeOfDay{config.sync.daily_hour, config.sync.daily_minute}};
}

rapidjson::Value progress_json(const SyncProgress& p, Alloc& a) {
    rapidjson::Value out(rapidjson::kObjectType);
    json::add(out, "phase", std::string(to_string(p.phase)), a);
    json::add(out, "users_fetched", p.users_fetched, a);
    json::add(out, "users_total", p.users_total, a);
    json::add(out, "groups", p.groups, a);
    json::add(out, "requests", p.requests, a);
    json::add(out, "retries", p.retries, a);
    return out;
}

rapidjson::Value outcome_json(const SyncOutcome& o, Alloc& a) {
    rapidjson::Value out(rapidjson::kObjectType);
    json::add(out, "run_id", o.run_id, a);
    json::add(out, "outcome", std::string(to_string(o.outcome)), a);
    if (!o.error.empty())
        json::add(out, "error", o.error, a);
    json::add(out, "users", o.progress.users_fetched, a);
    json::add(out, "groups", o.progress.groups, a);
    json::add(out, "requests", o.progress.requests, a);
    json::add(out, "retries", o.progress.retries, a);
    json::add(out, "duration_ms", o.finished_at_ms - o.started_at_ms, a);
    return out;
}

struct LastRunInfo {
    std::optional<std::int64_t> last_success_ms;
    std::optional<std::int64_t> snapshot_id;
    std::optional<SyncResult> last_outcome;
    std::string last_error;
    std::vector<InterruptedSync> interrupted;
};

}  // namespace

SyncService::SyncService(DaemonContext& context, keys::KeyGate& keys)
    : context_(context), keys_(keys), timer_(context.loop) {}

SyncService::~SyncService() {
    stop();
}

void SyncService::start() {
    started_ = true;
    auto now = context_.clock.now().time_since_epoch().count();
    context_.db.write(
        [now](store::Database& db) {
            LastRunInfo info;
            info.interrupted = recover_interrupted(db, now);
            info.snapshot_id = current_snapshot(db);
            auto s =
                db.prepare("SELECT max(finished_at) FROM sync_runs WHERE outcome = 'succeeded'");
            if (s.step())
                info.last_success_ms = s.optional_int64(0);
            // (refreshes after bulk runs are not syncs: refresh_writer.hpp)
            auto last = db.prepare(
                "SELECT outcome, coalesce(error, '') FROM sync_runs WHERE outcome NOT IN "
                "('refreshed', 'refresh_failed') ORDER BY id DESC LIMIT 1");
            if (last.step()) {
                info.last_outcome = sync_result_from(last.text(0));
                info.last_error = last.text(1);
            }
            return info;
        },
        [this](store::DbResult<LastRunInfo> r) {
            if (stopping_)
                return;
            if (!r.ok()) {
                spdlog::error("sync: cannot read the sync history: {}", r.error);
            } else {
                if (!r.value->interrupted.empty())
                    spdlog::warn(
                        "sync: {} sync(s) were interrupted by a stop or crash; their "
                        "partial data was discarded",
                        r.value->interrupted.size());
                report_interrupted(r.value->interrupted);
                last_success_ms_ = r.value->last_success_ms;
                snapshot_id_ = r.value->snapshot_id;
                last_outcome_ = r.value->last_outcome;
                last_error_ = r.value->last_error;
            }
            const Config& config = *context_.config;
            if (!snapshot_id_) {
                if (keys_.acquire().key)
                    request_sync("initial");
            } else if (run_was_missed(daily_schedule(config),
                                      last_success_ms_
                                          ? std::optional<SysTime>(SysTime(
                                                std::chrono::milliseconds(*last_success_ms_)))
                                          : std::nullopt,
                                      context_.clock.now(), zone_of(config))) {
                spdlog::info(
                    "sync: the scheduled sync was missed while rosterd was down; "
                    "running it now");
                request_sync("missed");
            }
            arm_timer();
        });
}

void SyncService::arm_timer() {
    if (stopping_)
        return;
    const Config& config = *context_.config;
    auto next = next_occurrence(daily_schedule(config), context_.clock.now(), zone_of(config));
    next_run_ms_ = next.time_since_epoch().count();
    timer_.expires_at(std::chrono::system_clock::time_point(next.time_since_epoch()));
    timer_.async_wait([this](const std::error_code& ec) {
        if (ec)
            return;
        if (auto refused = request_sync("schedule"))
            spdlog::warn("sync: scheduled sync not started: {}", *refused);
        arm_timer();
    });
}

std::optional<std::string> SyncService::request_sync(const std::string& trigger) {
    if (stopping_)
        return std::string("rosterd is shutting down");
    if (running_)
        return std::nullopt;  // joining the running one
    const Config& config = *context_.config;
    if (config.atlassian.org_id.empty())
        return std::string("no organization configured: set atlassian.org_id in " +
                           config.source_path);
    auto lease = keys_.acquire();  // refused while the key is missing, expired or rejected
    if (!lease.key)
        return lease.refusal;
    if (refreshing_ || !refresh_queue_.empty()) {
        deferred_sync_ = trigger;  // starts when the refresh ends (on_refresh_done)
        return std::nullopt;
    }
    SyncRunOptions options;
    options.trigger = trigger;
    options.per_user_activity = config.sync.activity_source == "last-active-dates";
    options.partition_concurrency = config.sync.partitions;
    // The user chains first; the role queries take what the in-flight limit leaves (at least 2).
    options.role_query_concurrency =
        std::max(2, config.http.max_in_flight - config.sync.partitions);
    for (const auto& listener : start_listeners_)
        listener();
    running_ = std::make_shared<SyncRun>(
        context_.loop, context_.db, context_.clock,
        atlassian::client_settings(*context_.config, lease.key->value), options);
    running_->set_progress_listener([this](const SyncProgress& p) { on_progress(p); });
    running_->start([this, fingerprint = lease.fingerprint](const SyncOutcome& outcome) {
        if (outcome.key_rejected)
            keys_.report_rejected(fingerprint);  // the key becomes `rejected`; notice sent once
        else if (outcome.outcome == SyncResult::succeeded)
            keys_.report_accepted(fingerprint, outcome.org_name);
        on_done(outcome);
    });
    return std::nullopt;
}

void SyncService::on_progress(const SyncProgress& progress) {
    auto now = std::chrono::steady_clock::now();
    for (auto& waiter : waiters_) {
        if (waiter.last_phase == progress.phase && now - waiter.last_sent < kProgressInterval)
            continue;
        waiter.last_phase = progress.phase;
        waiter.last_sent = now;
        rapidjson::Document doc(rapidjson::kObjectType);
        auto p = progress_json(progress, doc.GetAllocator());
        waiter.reply->progress(p);
    }
}

void SyncService::report_interrupted(const std::vector<InterruptedSync>& interrupted) {
    if (!context_.events)
        return;
    auto now = context_.clock.now().time_since_epoch().count();
    for (const auto& sync : interrupted) {
        Event event;
        event.type = "sync_interrupted";
        event.at_ms = now;
        event.facts = {{"run_id", std::to_string(sync.run_id)},
                       {"trigger", sync.trigger},
                       {"started_at", format_iso8601_s(sync.started_at)},
                       {"requests", std::to_string(sync.requests)},
                       {"error", std::string(kInterruptedError)}};
        context_.events->emit(std::move(event));
    }
}

void SyncService::on_done(const SyncOutcome& outcome) {
    auto finished = running_;  // keep the run alive until this returns
    running_.reset();
    last_outcome_ = outcome.outcome;
    last_error_ = outcome.error;
    if (outcome.outcome == SyncResult::succeeded) {
        last_success_ms_ = outcome.finished_at_ms;
        snapshot_id_ = outcome.run_id;  // only used as "has a snapshot"
        for (const auto& listener : success_listeners_)
            listener();
    }
    if (context_.events && outcome.outcome != SyncResult::cancelled) {
        Event event;
        event.type = outcome.outcome == SyncResult::succeeded ? "sync_succeeded" : "sync_failed";
        event.at_ms = outcome.finished_at_ms;
        event.facts = {{"run_id", std::to_string(outcome.run_id)},
                       {"users", std::to_string(outcome.progress.users_fetched)},
                       {"groups", std::to_string(outcome.progress.groups)},
                       {"requests", std::to_string(outcome.progress.requests)}};
        if (!outcome.error.empty())
            event.facts["error"] = outcome.error;
        context_.events->emit(std::move(event));
    }
    start_refresh();  // one that waited for this sync
    release_idle_waiters();
    auto waiters = std::move(waiters_);
    waiters_.clear();
    for (auto& waiter : waiters) {
        if (outcome.outcome == SyncResult::succeeded) {
            rapidjson::Document doc(rapidjson::kObjectType);
            auto result = outcome_json(outcome, doc.GetAllocator());
            waiter.reply->ok(result);
        } else {
            waiter.reply->fail(control::kFailed, "sync " + std::string(to_string(outcome.outcome)) +
                                                     ": " + outcome.error);
        }
    }
}

void SyncService::when_idle(std::function<void()> then) {
    if (running())
        idle_waiters_.push_back(std::move(then));
    else
        asio::post(context_.loop, std::move(then));
}

void SyncService::apply_config(const Config&) {
    if (!started_ || stopping_)
        return;
    timer_.cancel();
    arm_timer();  // daily_at or the time zone may have changed
}

void SyncService::stop() {
    if (stopping_)
        return;
    stopping_ = true;
    timer_.cancel();
    if (running_)
        running_->cancel();
    if (refreshing_)
        refreshing_->cancel();
    for (auto& [request, done] : refresh_queue_)
        done({0, false, "rosterd is shutting down", false, 0, 0});
    refresh_queue_.clear();
    for (auto& waiter : waiters_)
        waiter.reply->fail(control::kUnavailable, "rosterd is shutting down");
    waiters_.clear();
}

void SyncService::write_status(rapidjson::Value& out, Alloc& a) const {
    std::string state = running_ || refreshing_                   ? "running"
                        : !last_outcome_                          ? "never"
                        : *last_outcome_ == SyncResult::succeeded ? "idle"
                                                                  : "failed";
    json::add(out, "state", state, a);
    auto now = context_.clock.now().time_since_epoch().count();
    json::add(out, "last_success",
              last_success_ms_ ? std::optional<std::string>(format_iso8601_s(*last_success_ms_))
                               : std::nullopt,
              a);
    json::add(out, "data_age_s",
              last_success_ms_ ? std::optional<std::int64_t>((now - *last_success_ms_) / 1000)
                               : std::nullopt,
              a);
    const Config& config = *context_.config;
    json::add(
        out, "next_run",
        next_run_ms_ ? std::optional<std::string>(format_iso8601_s(*next_run_ms_)) : std::nullopt,
        a);
    if (next_run_ms_)
        json::add(out, "next_run_local",
                  format_local(SysTime(std::chrono::milliseconds(*next_run_ms_)), zone_of(config)),
                  a);
    json::add(
        out, "schedule",
        "daily " + to_string(TimeOfDay{config.sync.daily_hour, config.sync.daily_minute}) + " " +
            (config.sync.timezone.empty() ? std::string("(system zone)") : config.sync.timezone),
        a);
    json::add(out, "last_outcome",
              last_outcome_ ? std::optional<std::string>(to_string(*last_outcome_))
                            : std::optional<std::string>(),
              a);
    json::add(out, "last_error",
              last_error_.empty() ? std::optional<std::string>()
                                  : std::optional<std::string>(last_error_),
              a);
    if (running_)
        json::add(out, "progress", progress_json(running_->progress(), a), a);
}

void SyncService::register_commands(control::CommandRegistry& registry) {
    registry.add(sync_command(*this));
    registry.add(sync_history_command(*this));
}

void SyncService::follow(std::shared_ptr<control::Reply> reply) {
    waiters_.push_back({std::move(reply), {}, std::nullopt});
    if (running_)
        on_progress(running_->progress());
}

}  // namespace rosterd::sync
