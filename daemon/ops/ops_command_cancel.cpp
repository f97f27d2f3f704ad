// `runs.cancel`: stop a run after the operation in flight (RunSupervisor::cancel).
#include "ops_commands.hpp"
#include "ops_service.hpp"
#include "rosterd/control/commands.hpp"

namespace rosterd::ops {

control::CommandSpec runs_cancel_command(OpsService& ops) {
    return {
        .name = control::cmd::kRunsCancel,
        .summary = "Stop a run after the operation in flight; what was not sent is skipped",
        .level = control::AccessLevel::admin,
        .args = {{control::arg::kId, control::ArgType::string, true, "the run id"}},
        .handler = [&ops](const control::Request& request, std::shared_ptr<control::Reply> reply) {
            ops.supervisor().cancel(*request.string_arg("id"), request.caller.describe(),
                                    std::move(reply));
        }};
}

}  // namespace rosterd::ops
