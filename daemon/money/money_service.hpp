#pragma once
// The money subsystem: records the seat history after every successful sync, answers history,
// savings and report, and emits the weekly digest. Work runs on database threads; the loop only
// schedules it. Commands that read the history wait for a recording in flight, so that the
// answer after `sync --wait` includes that sync.
#include <asio/system_timer.hpp>

#include <functional>
#include <memory>
#include <vector>

#include "rosterd/service/subsystem.hpp"
#include "rosterd/service/sync_control.hpp"

namespace rosterd::money {

class MoneyService final : public Subsystem {
  public:
    // `keys` is the key subsystem, whose status goes into the report.
    MoneyService(DaemonContext& context, SyncControl& sync, const Subsystem& keys);

    std::string_view name() const override { return "money"; }
    void register_commands(control::CommandRegistry& registry) override;
    void start() override;
    void write_status(rapidjson::Value& out,
                      rapidjson::Document::AllocatorType& alloc) const override;
    void apply_config(const Config& config) override;
    void stop() override;

    // For the commands (money_command_*.cpp).
    DaemonContext& context() { return context_; }
    const Subsystem& keys() const { return keys_; }
    // Runs `then` once no recording is in flight.
    void after_recording(std::function<void()> then);

  private:
    // Records the published snapshot's figures unless the history has them.
    void record();
    // A recording ended: again if a sync succeeded meanwhile, else the waiting commands run.
    void recorded();
    void arm_digest();
    void send_digest();

    DaemonContext& context_;
    const Subsystem& keys_;
    asio::system_timer digest_timer_;
    bool recording_ = false;
    bool record_again_ = false;  // a sync succeeded while recording
    bool stopping_ = false;
    std::vector<std::function<void()>> waiting_;
    std::optional<double> last_record_write_ms_;
    std::optional<std::int64_t> next_digest_ms_;
};

}  // namespace rosterd::money
