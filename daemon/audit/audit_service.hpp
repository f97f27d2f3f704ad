#pragma once
// The audit trail as a subsystem: it records every operator and admin command the control
// registry dispatches (who, with what level, which arguments with secrets redacted, how it ended)
// and answers `audit` (viewer) with the newest entries.
#include <atomic>
#include <cstdint>
#include <memory>

#include "rosterd/service/subsystem.hpp"

namespace rosterd::audit {

class AuditService final : public Subsystem {
  public:
    explicit AuditService(DaemonContext& context) : context_(context) {}
    // Replies that complete after this (at shutdown) are not recorded: the sink outlives us.
    ~AuditService() override { alive_->store(false); }

    std::string_view name() const override { return "audit"; }
    void register_commands(control::CommandRegistry& registry) override;
    void write_status(rapidjson::Value& out,
                      rapidjson::Document::AllocatorType& alloc) const override;

    DaemonContext& context() { return context_; }  // for the command (audit_command_list.cpp)

  private:
    void record(control::AuditRecord record);

    DaemonContext& context_;
    // Read on whichever thread drops a reply's last reference.
    std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
    std::int64_t recorded_ = 0;  // since start
    std::int64_t failed_writes_ = 0;
};

}  // namespace rosterd::audit
