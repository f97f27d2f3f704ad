// `sync`: start a sync (or join the running one); with wait, follow it to its end.
#include <spdlog/spdlog.h>

#include "rosterd/base/json.hpp"
#include "rosterd/control/commands.hpp"
#include "sync_commands.hpp"
#include "sync_service.hpp"

namespace rosterd::sync {
namespace {

void sync_now(SyncService& sync, const control::Request& request,
              std::shared_ptr<control::Reply> reply) {
    bool joined = sync.sync_running();
    if (auto refused = sync.request_sync("manual")) {
        reply->fail(control::kFailed, *refused);
        return;
    }
    spdlog::info("sync {} by {}", joined ? "joined" : "requested", request.caller.describe());
    if (request.bool_arg("wait").value_or(false))
        return sync.follow(std::move(reply));
    rapidjson::Document out(rapidjson::kObjectType);
    control::json::add(out, "started", !joined, out.GetAllocator());
    control::json::add(out, "joined", joined, out.GetAllocator());
    reply->ok(out);
}

}  // namespace

control::CommandSpec sync_command(SyncService& sync) {
    return {.name = control::cmd::kSync,
            .summary =
                "Start a sync (or join the running one); with wait, stream its progress "
                "and answer when it ends",
            .level = control::AccessLevel::operator_,
            .args = {{control::arg::kWait, control::ArgType::boolean, false,
                      "follow the sync until it ends (progress lines, then the outcome)"}},
            .handler = [&sync](const auto& request, auto reply) { sync_now(sync, request, reply); },
            .streams_progress = true};
}

}  // namespace rosterd::sync
