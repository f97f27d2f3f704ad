#include "run_queue.hpp"

#include <spdlog/spdlog.h>

#include "rosterd/base/json.hpp"

namespace rosterd::ops {
namespace {

void progress(RunRequest& r, const char* state) {
    if (!r.reply)
        return;
    rapidjson::Document p(rapidjson::kObjectType);
    control::json::add(p, "state", std::string(state), p.GetAllocator());
    r.reply->progress(p);
}

}  // namespace

RunQueue::RunQueue(DaemonContext& context, SyncControl& sync, Hooks hooks)
    : context_(context), sync_(sync), hooks_(std::move(hooks)) {}

void RunQueue::push(RunRequest request) {
    queue_.push_back(std::move(request));
    pump();
}

void RunQueue::stop() {
    stopping_ = true;
    for (auto& request : queue_)
        if (request.reply)
            request.reply->fail(control::kUnavailable, "rosterd is shutting down");
    queue_.clear();
}

bool RunQueue::stale() const {
    auto last = sync_.last_success_ms();
    if (!last)
        return true;
    auto age = context_.clock.now().time_since_epoch().count() - *last;
    return age >
           std::chrono::duration_cast<std::chrono::milliseconds>(context_.config->ops.max_staleness)
               .count();
}

void RunQueue::pump() {
    if (stopping_ || planning_ || queue_.empty())
        return;
    if (sync_.running()) {
        if (!waiting_for_sync_) {
            waiting_for_sync_ = true;
            progress(queue_.front(), "waiting for the running sync");
            sync_.when_idle([this] {
                waiting_for_sync_ = false;
                pump();
            });
        }
        return;
    }
    auto& head = queue_.front();
    if (head.apply && hooks_.applying()) {
        progress(head, "waiting for the applying run in progress");
        return;  // pumped again when it finishes
    }
    if (head.apply && !head.resuming() && stale()) {
        if (!head.synced_first) {
            head.synced_first = true;
            if (auto refused = sync_.request_sync("run")) {
                auto request = std::move(head);
                queue_.pop_front();
                hooks_.refuse(std::move(request),
                              "the snapshot is older than ops.max_staleness and no sync could "
                              "start before the run: " +
                                  *refused);
                return pump();
            }
            spdlog::info("ops: the snapshot is older than ops.max_staleness; syncing first");
            return pump();
        }
        // The sync before the run ended and the snapshot is still stale: it failed.
        auto request = std::move(head);
        queue_.pop_front();
        hooks_.refuse(std::move(request),
                      "the snapshot is older than ops.max_staleness and the sync before the run " +
                          (!sync_.last_outcome().empty() ? sync_.last_outcome()
                                                         : std::string("did not succeed")) +
                          (sync_.last_error().empty() ? "" : ": " + sync_.last_error()));
        return pump();
    }
    auto request = std::move(head);
    queue_.pop_front();
    planning_ = true;
    hooks_.plan(std::move(request));
}

}  // namespace rosterd::ops
