#include "sync_service.hpp"

#include <spdlog/spdlog.h>
#include <asio/post.hpp>

#include "rosterd/atlassian/client_settings.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/control/db_reply.hpp"
#include "rosterd/schedule/schedule.hpp"
#include "snapshot_writer.hpp"

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
    json::add(out, "phase", p.phase, a);
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
    json::add(out, "outcome", o.outcome, a);
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
    std::string last_outcome;
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
                info.last_outcome = last.text(0);
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
    running_ = std::make_shared<SyncRun>(
        context_.loop, context_.db, context_.clock,
        atlassian::client_settings(*context_.config, lease.key->value), options);
    running_->set_progress_listener([this](const SyncProgress& p) { on_progress(p); });
    running_->start([this, fingerprint = lease.fingerprint](const SyncOutcome& outcome) {
        if (outcome.key_rejected)
            keys_.report_rejected(fingerprint);  // the key becomes `rejected`; notice sent once
        else if (outcome.outcome == "succeeded")
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
    if (outcome.outcome == "succeeded") {
        last_success_ms_ = outcome.finished_at_ms;
        snapshot_id_ = outcome.run_id;  // only used as "has a snapshot"
        for (const auto& listener : success_listeners_)
            listener();
    }
    if (context_.events && outcome.outcome != "cancelled") {
        Event event;
        event.type = outcome.outcome == "succeeded" ? "sync_succeeded" : "sync_failed";
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
        if (outcome.outcome == "succeeded") {
            rapidjson::Document doc(rapidjson::kObjectType);
            auto result = outcome_json(outcome, doc.GetAllocator());
            waiter.reply->ok(result);
        } else {
            waiter.reply->fail(control::kFailed, "sync " + outcome.outcome + ": " + outcome.error);
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
    std::string state = running_ || refreshing_        ? "running"
                        : last_outcome_.empty()        ? "never"
                        : last_outcome_ == "succeeded" ? "idle"
                        : last_success_ms_             ? "failed"
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
              last_outcome_.empty() ? std::optional<std::string>()
                                    : std::optional<std::string>(last_outcome_),
              a);
    json::add(out, "last_error",
              last_error_.empty() ? std::optional<std::string>()
                                  : std::optional<std::string>(last_error_),
              a);
    if (running_)
        json::add(out, "progress", progress_json(running_->progress(), a), a);
}

void SyncService::register_commands(control::CommandRegistry& registry) {
    registry.add(
        {.name = "sync",
         .summary = "Start a sync (or join the running one); with wait, stream its progress and "
                    "answer when it ends",
         .level = control::AccessLevel::operator_,
         .args = {{"wait", control::ArgType::boolean, false,
                   "follow the sync until it ends (progress lines, then the outcome)"}},
         .handler =
             [this](const control::Request& request, std::shared_ptr<control::Reply> reply) {
                 bool joined = static_cast<bool>(running_);
                 if (auto refused = request_sync("manual")) {
                     reply->fail(control::kFailed, *refused);
                     return;
                 }
                 spdlog::info("sync {} by {}", joined ? "joined" : "requested",
                              request.caller.describe());
                 if (request.bool_arg("wait").value_or(false)) {
                     waiters_.push_back({reply, {}, ""});
                     if (running_)
                         on_progress(running_->progress());
                     return;
                 }
                 rapidjson::Document out(rapidjson::kObjectType);
                 json::add(out, "started", !joined, out.GetAllocator());
                 json::add(out, "joined", joined, out.GetAllocator());
                 reply->ok(out);
             },
         .streams_progress = true});
    registry.add(
        {.name = "sync.history",
         .summary = "Recent syncs: start, end, outcome, error, requests, retries, users, groups",
         .level = control::AccessLevel::viewer,
         .args = {{"limit", control::ArgType::integer, false, "how many runs (default 20)"}},
         .handler = [this](const control::Request& request, std::shared_ptr<control::Reply> reply) {
             auto limit = std::clamp<std::int64_t>(request.int_arg("limit").value_or(20), 1, 1000);
             context_.db.read(
                 [limit](store::Database& db) {
                     auto doc = std::make_shared<rapidjson::Document>(rapidjson::kObjectType);
                     auto& a = doc->GetAllocator();
                     rapidjson::Value runs(rapidjson::kArrayType);
                     auto s = db.prepare(
                         "SELECT id, trigger, started_at, finished_at, outcome, error, requests, "
                         "retries, users, groups FROM sync_runs ORDER BY id DESC LIMIT ?");
                     s.bind(1, limit);
                     while (s.step()) {
                         rapidjson::Value run(rapidjson::kObjectType);
                         json::add(run, "id", s.int64(0), a);
                         json::add(run, "trigger", s.text(1), a);
                         json::add(run, "started_at", format_iso8601_s(s.int64(2)), a);
                         json::add(run, "finished_at",
                                   s.is_null(3)
                                       ? std::optional<std::string>()
                                       : std::optional<std::string>(format_iso8601_s(s.int64(3))),
                                   a);
                         json::add(run, "outcome", s.text(4), a);
                         json::add(run, "error", s.optional_text(5), a);
                         json::add(run, "requests", s.int64(6), a);
                         json::add(run, "retries", s.int64(7), a);
                         json::add(run, "users", s.optional_int64(8), a);
                         json::add(run, "groups", s.optional_int64(9), a);
                         runs.PushBack(run, a);
                     }
                     doc->AddMember("runs", runs, a);
                     return doc;
                 },
                 control::answer_with_document(reply));
         }});
}

}  // namespace rosterd::sync
