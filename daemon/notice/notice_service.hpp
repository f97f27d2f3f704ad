#pragma once
// Notices (issue 17): the `notices` and `notices exempt` commands (notice_command_*.cpp), the
// notice stages the task service plugs into task runs, and the status line.
#include <memory>

#include "notice_stage.hpp"
#include "rosterd/notice/subsystem.hpp"
#include "rosterd/service/subsystem.hpp"

namespace rosterd::notice {

class NoticeService final : public NoticeSubsystem {
  public:
    // `wake_outbox` tells the notification subsystem that mail was written.
    NoticeService(DaemonContext& context, std::function<void()> wake_outbox);

    std::string_view name() const override { return "notices"; }
    void register_commands(control::CommandRegistry& registry) override;
    void write_status(rapidjson::Value& out,
                      rapidjson::Document::AllocatorType& alloc) const override;

    // A stage for one run of `task` (which has a notice: block).
    std::shared_ptr<ops::RunStage> make_stage(const TaskConfig& task) const override;

    DaemonContext& context() { return context_; }  // for the commands (notice_command_*.cpp)

  private:
    DaemonContext& context_;
    std::function<void()> wake_outbox_;
};

}  // namespace rosterd::notice
