#pragma once
// The notice subsystem (issue 17) as the daemon assembles it: the `notices` commands, and the
// stages the task service plugs into task runs.
#include <functional>
#include <memory>

#include "rosterd/config/config.hpp"
#include "rosterd/ops/run_stage.hpp"
#include "rosterd/service/subsystem.hpp"

namespace rosterd::notice {

class NoticeSubsystem : public Subsystem {
  public:
    // A stage for one run of `task` (which has a notice: block).
    virtual std::shared_ptr<ops::RunStage> make_stage(const TaskConfig& task) const = 0;
};

// `wake_outbox` tells the notification subsystem that mail was written.
std::unique_ptr<NoticeSubsystem> make_notice_subsystem(DaemonContext& context,
                                                       std::function<void()> wake_outbox);

}  // namespace rosterd::notice
