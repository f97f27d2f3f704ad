#pragma once
// The notification subsystem: the daemon's EventSink. Events are written to the outbox tables
// first; deliveries then run on the loop, one at a time per webhook (in order, and gentle on
// chat tools' per-channel limits), retried with backoff that honours Retry-After, until
// delivered or dead. A timer waits for the next due delivery; nothing polls.
#include <asio/steady_timer.hpp>
#include <asio/system_timer.hpp>

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "outbox_store.hpp"
#include "rosterd/http/http.hpp"
#include "rosterd/notify/delivery.hpp"
#include "rosterd/notify/notify.hpp"
#include "rosterd/notify/subsystem.hpp"
#include "rosterd/service/subsystem.hpp"
#include "smtp_sender.hpp"

namespace rosterd::notify {

class NotifyService final : public NotifySubsystem {
  public:
    explicit NotifyService(DaemonContext& context);
    ~NotifyService() override;

    std::string_view name() const override { return "notify"; }
    void register_commands(control::CommandRegistry& registry) override;
    void start() override;
    void write_status(rapidjson::Value& out,
                      rapidjson::Document::AllocatorType& alloc) const override;
    void apply_config(const Config& config) override;
    void stop() override;

    void emit(Event event) override;
    void emit_once(Event event, std::string once_key,
                   std::function<void(bool recorded)> done = {}) override;
    // Deliveries were written by another subsystem's transaction (mail of notices): look now.
    void wake() override { pump(); }
    DaemonContext& context() { return context_; }  // for the commands (notify_command_*.cpp)

  private:
    // The test commands wait for the first attempt of what they queued.
    friend control::CommandSpec notify_test_command(NotifyService& notify);
    friend control::CommandSpec notify_test_email_command(NotifyService& notify);

    struct TestWaiter {
        std::int64_t delivery_id = 0;
        std::shared_ptr<control::Reply> reply;
        std::shared_ptr<asio::steady_timer> timeout;
    };

    // Writes the event for the webhooks that want it (or only `only_webhook`), then pumps.
    void record(Event event, std::string once_key, std::optional<std::string> only_webhook,
                std::function<void(const outbox::Enqueued&)> done);
    void pump();
    void on_batch(outbox::DueBatch batch);
    void deliver(outbox::DueDelivery delivery);
    void on_response(const outbox::DueDelivery& delivery, Format format, const std::string& url,
                     http::Response response);
    void finish(const outbox::DueDelivery& delivery, outbox::Attempt attempt);
    void arm_timer(std::int64_t at_ms);
    void answer_waiters(const outbox::Attempt& attempt, const std::string& webhook);
    // Answers `reply` at delivery `id`'s first attempt (answer_waiters), or fails it with
    // `not_yet` when no attempt ended within `wait`.
    void await_first_attempt(std::int64_t id, std::shared_ptr<control::Reply> reply,
                             std::chrono::seconds wait, std::string not_yet);
    // notify.test (notify_command_test.cpp) and notify.test-email (notify_command_test_email.cpp).
    void test_command(const control::Request& request, std::shared_ptr<control::Reply> reply);
    // Mail (mail_delivery.cpp): SMTP sends through the same outbox, one at a time, at most
    // email.per_minute a minute.
    void deliver_mail(outbox::DueDelivery delivery);
    void finish_mail(const outbox::DueDelivery& delivery, outbox::Attempt attempt, bool refused);
    void test_email_command(const control::Request& request, std::shared_ptr<control::Reply> reply);
    RetryPolicy retry_policy() const;
    std::int64_t now_ms() const;

    DaemonContext& context_;
    http::Client http_;
    asio::system_timer timer_;
    std::optional<std::int64_t> timer_at_;
    std::set<std::string> busy_;                      // webhooks with an attempt in flight
    std::map<std::string, std::int64_t> held_until_;  // webhooks that asked us to wait
    bool started_ = false;
    bool stopping_ = false;
    bool pumping_ = false;
    bool pump_again_ = false;
    std::int64_t pending_ = 0;
    std::int64_t dead_ = 0;
    std::optional<std::int64_t> last_delivered_at_;
    std::string last_error_;
    std::vector<TestWaiter> waiters_;
    std::mt19937_64 rng_;
    std::string host_;
    std::deque<std::int64_t> mail_sent_at_;  // sends of the last minute (email.per_minute)
    SmtpSender smtp_;
};

}  // namespace rosterd::notify
