// The notify commands' registration and what the test commands share (answering at the first
// attempt), and the "notify" section of status. Each handler lives in its own file
// (notify_command_*.cpp).
#include <algorithm>

#include "notify_commands.hpp"
#include "notify_service.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/control/commands.hpp"

namespace rosterd::notify {
namespace {

namespace json = control::json;
using Alloc = rapidjson::Document::AllocatorType;

}  // namespace

std::optional<std::string> iso(std::optional<std::int64_t> ms) {
    if (!ms)
        return std::nullopt;
    return format_iso8601_s(*ms);
}

void NotifyService::write_status(rapidjson::Value& out, Alloc& a) const {
    const Config& config = *context_.config;
    rapidjson::Value hooks(rapidjson::kArrayType);
    for (const auto& hook : config.notifications.webhooks) {
        rapidjson::Value h(rapidjson::kObjectType);
        json::add(h, "name", hook.name, a);  // never the URL
        json::add(h, "format", hook.format, a);
        json::add(h, "signed", !hook.secret.empty(), a);
        hooks.PushBack(h, a);
    }
    json::add(out, "webhooks", std::move(hooks), a);
    json::add(out, "webhook_count", static_cast<std::int64_t>(config.notifications.webhooks.size()),
              a);
    json::add(out, "pending", pending_, a);
    json::add(out, "dead", dead_, a);
    json::add(out, "last_delivered", iso(last_delivered_at_), a);
    json::add(out, "last_error",
              last_error_.empty() ? std::nullopt : std::optional<std::string>(last_error_), a);
}

void NotifyService::answer_waiters(const outbox::Attempt& attempt, const std::string& webhook) {
    for (auto it = waiters_.begin(); it != waiters_.end();) {
        if (it->delivery_id != attempt.id) {
            ++it;
            continue;
        }
        it->timeout->cancel();
        if (attempt.state == DeliveryState::delivered) {
            rapidjson::Document out(rapidjson::kObjectType);
            auto& a = out.GetAllocator();
            json::add(out, "id", attempt.id, a);
            json::add(out, "webhook", webhook, a);
            json::add(out, "state", to_string(attempt.state), a);
            json::add(out, "attempts", attempt.attempts, a);
            json::add(out, "status", static_cast<std::int64_t>(attempt.status), a);
            it->reply->ok(out);
        } else {
            it->reply->fail(control::kFailed,
                            "delivery #" + std::to_string(attempt.id) + " to '" + webhook +
                                "' failed: " + attempt.error +
                                (attempt.state == DeliveryState::dead
                                     ? " (dead: it will not be retried)"
                                     : " (it will be retried; see rosterctl notify list)"));
        }
        it = waiters_.erase(it);
    }
}

void NotifyService::await_first_attempt(std::int64_t id, std::shared_ptr<control::Reply> reply,
                                        std::chrono::seconds wait, std::string not_yet) {
    TestWaiter waiter;
    waiter.delivery_id = id;
    waiter.reply = std::move(reply);
    waiter.timeout = std::make_shared<asio::steady_timer>(context_.loop, wait);
    waiter.timeout->async_wait([this, id, not_yet](const std::error_code& ec) {
        if (ec)
            return;
        for (auto it = waiters_.begin(); it != waiters_.end(); ++it) {
            if (it->delivery_id != id)
                continue;
            it->reply->fail(control::kFailed, not_yet);
            waiters_.erase(it);
            return;
        }
    });
    waiters_.push_back(std::move(waiter));
}

void NotifyService::register_commands(control::CommandRegistry& registry) {
    registry.add(notify_test_email_command(*this));
    registry.add(notify_test_command(*this));
    registry.add(notify_list_command(*this));
    registry.add(notify_retry_command(*this));
}

}  // namespace rosterd::notify
