#pragma once
// The key subsystem: which key is in use and its state, the gate the sync and operations pass,
// the reminders (an asio timer at the next due moment, no polling loop), and the key commands
// (set, check, show: key_command_*.cpp). Notices go through the outbox once per key and lead time,
// across restarts.
#include <asio/system_timer.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "key_records.hpp"
#include "rosterd/atlassian/client.hpp"
#include "rosterd/keys/keys.hpp"
#include "rosterd/keys/subsystem.hpp"
#include "rosterd/notify/notify.hpp"
#include "rosterd/service/subsystem.hpp"

namespace rosterd::keys {

class KeyService final : public KeySubsystem {
  public:
    // `notices` may be null (then no notices are sent).
    KeyService(DaemonContext& context, notify::NoticeSink* notices);
    ~KeyService() override;

    // Called when `key set` stored a key: starts a sync when there is no snapshot yet, or when
    // `replaces_broken` (the key replaced a rejected or expired one); returns the trigger of the
    // sync it started ("initial", "new-key"), nullopt when none.
    void set_sync_starter(SyncStarter starter) override { start_sync_ = std::move(starter); }

    std::string_view name() const override { return "key"; }
    void register_commands(control::CommandRegistry& registry) override;
    void start() override;
    void write_status(rapidjson::Value& out,
                      rapidjson::Document::AllocatorType& alloc) const override;
    void apply_config(const Config& config) override;
    void stop() override;
    // The key records have been read: state and reminders are known (tests wait for it).
    bool loaded() const { return loaded_; }

    // The key's state now and the instant it lapses (nullopt: no key, or its expiry is unknown),
    // as `key show` reports them (for the metrics).
    KeyState current_state() const override;
    std::optional<SysTime> current_expiry() const override;

    KeyLease acquire() override;
    void report_rejected(const std::string& fingerprint) override;
    void report_accepted(const std::string& fingerprint, const std::string& org_name) override;

  private:
    using CheckDone = std::function<void(atlassian::Result<std::string> org_name)>;

    // Re-reads the key sources; a different key re-plans the reminders.
    void refresh();
    KeyFacts facts() const;
    std::optional<std::int64_t> expires_day() const;
    // State, the notices due now, and the timer for the next one.
    void evaluate();
    void arm_timer(SysTime at);
    void send_notice(const std::string& type, std::optional<int> lead);
    // Asks Atlassian whether `key` works: the organization's name (or the names of the
    // organizations it can see when no org id is configured).
    void check_key(const std::string& key, CheckDone done);
    void write_key_json(rapidjson::Value& out, rapidjson::Document::AllocatorType& a) const;

    // The commands (key_command_*.cpp), registered by their spec functions.
    friend control::CommandSpec key_set_command(KeyService& keys);
    friend control::CommandSpec key_check_command(KeyService& keys);
    friend control::CommandSpec key_show_command(KeyService& keys);
    void set_command(const control::Request& request, std::shared_ptr<control::Reply> reply);
    void check_command(const control::Request& request, std::shared_ptr<control::Reply> reply);
    void show_command(const control::Request& request, std::shared_ptr<control::Reply> reply);

    DaemonContext& context_;
    notify::NoticeSink* notices_;
    SyncStarter start_sync_;
    asio::system_timer timer_;
    std::optional<ApiKey> key_;
    std::string fingerprint_;  // of key_, empty when missing
    std::map<std::string, KeyRecord> records_;
    KeyState state_ = KeyState::missing;
    std::optional<SysTime> next_notice_;
    bool loaded_ = false;
    bool stopping_ = false;
    std::int64_t next_check_id_ = 1;
    std::map<std::int64_t, std::unique_ptr<atlassian::Client>> checks_;
};

}  // namespace rosterd::keys
