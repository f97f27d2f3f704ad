// SyncService: refreshes after bulk runs (refresh_run.hpp), one at a time with syncs. A refresh
// asked for during a sync waits for it (the sync may have read the users before the run changed
// them); a sync asked for during a refresh starts when it ends.
#include <spdlog/spdlog.h>

#include <asio/post.hpp>

#include "rosterd/atlassian/client_settings.hpp"
#include "sync_service.hpp"

namespace rosterd::sync {

void SyncService::request_refresh(RefreshRequest request, RefreshRun::Done done) {
    if (stopping_) {
        asio::post(context_.loop, [done = std::move(done)] {
            done({0, false, "rosterd is shutting down", false, 0, 0});
        });
        return;
    }
    refresh_queue_.emplace_back(std::move(request), std::move(done));
    start_refresh();
}

void SyncService::start_refresh() {
    if (stopping_ || running_ || refreshing_ || refresh_queue_.empty())
        return;
    auto [request, done] = std::move(refresh_queue_.front());
    refresh_queue_.pop_front();
    auto lease = keys_.acquire();
    if (!lease.key) {
        asio::post(context_.loop, [done = std::move(done), refusal = lease.refusal] {
            done({0, false, refusal, false, 0, 0});
        });
        asio::post(context_.loop, [this] { on_refresh_done({}); });
        return;
    }
    request.keep_activity = context_.config->sync.activity_source == "last-active-dates";
    refreshing_ = std::make_shared<RefreshRun>(
        context_.loop, context_.db, context_.clock,
        atlassian::client_settings(*context_.config, lease.key->value), std::move(request));
    refreshing_->start([this, fingerprint = lease.fingerprint,
                        done = std::move(done)](const RefreshOutcome& outcome) {
        if (outcome.key_rejected)
            keys_.report_rejected(fingerprint);
        done(outcome);
        on_refresh_done(outcome);
    });
}

void SyncService::on_refresh_done(const RefreshOutcome& outcome) {
    auto finished = refreshing_;  // alive until this returns
    refreshing_.reset();
    if (outcome.published)
        for (const auto& listener : success_listeners_)
            listener();  // the seat history records the new generation
    if (stopping_)
        return release_idle_waiters();
    if (!refresh_queue_.empty()) {
        start_refresh();
    } else if (deferred_sync_) {
        auto trigger = std::move(*deferred_sync_);
        deferred_sync_.reset();
        if (auto refused = request_sync(trigger)) {
            spdlog::warn("sync: the sync asked for during a refresh cannot start: {}", *refused);
            auto waiters = std::move(waiters_);
            waiters_.clear();
            for (auto& waiter : waiters)
                waiter.reply->fail(control::kFailed, *refused);
        }
    }
    release_idle_waiters();
}

void SyncService::release_idle_waiters() {
    if (running() && !stopping_)
        return;
    auto idle = std::move(idle_waiters_);
    idle_waiters_.clear();
    for (auto& then : idle)
        asio::post(context_.loop, std::move(then));
}

}  // namespace rosterd::sync
