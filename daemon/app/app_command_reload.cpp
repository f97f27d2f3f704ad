// `reload`: re-read the configuration file; an invalid file is refused and the running
// configuration stays (the same as SIGHUP, with the answer naming what changed).
#include <spdlog/spdlog.h>

#include "app_commands.hpp"
#include "rosterd/app/daemon.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/control/commands.hpp"

namespace rosterd {
namespace {

namespace json = control::json;

void reload(Daemon& daemon, const control::Request& request,
            std::shared_ptr<control::Reply> reply) {
    std::vector<std::string> restart_needed, changed;
    std::string error = daemon.reload(&restart_needed, &changed);
    if (!error.empty()) {
        spdlog::error("reload requested by {} refused: {}", request.caller.describe(), error);
        reply->fail(control::kFailed, error);
        return;
    }
    rapidjson::Document out(rapidjson::kObjectType);
    auto& a = out.GetAllocator();
    json::add(out, "config", daemon.config_path(), a);
    rapidjson::Value restart(rapidjson::kArrayType);
    for (const auto& key : restart_needed)
        json::push(restart, key, a);
    json::add(out, "restart_needed", std::move(restart), a);
    // Key names only: values may be secrets (an inline webhook URL).
    rapidjson::Value keys(rapidjson::kArrayType);
    std::string listed;
    for (const auto& key : changed) {
        json::push(keys, key, a);
        listed += (listed.empty() ? "" : ",") + key;
    }
    json::add(out, "changed", std::move(keys), a);
    reply->note("changed", listed.empty() ? "(nothing)" : listed);
    reply->ok(out);
}

}  // namespace

control::CommandSpec reload_command(Daemon& daemon) {
    return {.name = control::cmd::kReload,
            .summary =
                "Re-read the configuration file; an invalid file is refused and the running "
                "configuration stays",
            .level = control::AccessLevel::admin,
            .args = {},
            .handler = [&daemon](const control::Request& request,
                                 std::shared_ptr<control::Reply> reply) {
                reload(daemon, request, std::move(reply));
            }};
}

}  // namespace rosterd
