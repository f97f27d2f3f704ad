// `status`: the daemon's version, uptime and configuration, and the state of each subsystem.
#include "app_commands.hpp"
#include "rosterd/app/daemon.hpp"
#include "rosterd/control/commands.hpp"

namespace rosterd {

control::CommandSpec status_command(Daemon& daemon) {
    return {.name = control::cmd::kStatus,
            .summary = "Daemon version, uptime, configuration and the state of each subsystem",
            .level = control::AccessLevel::viewer,
            .args = {},
            .handler = [&daemon](const control::Request&, std::shared_ptr<control::Reply> reply) {
                rapidjson::Document out(rapidjson::kObjectType);
                daemon.write_status(out);
                reply->ok(out);
            }};
}

}  // namespace rosterd
