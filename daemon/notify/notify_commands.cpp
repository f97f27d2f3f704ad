// The notify commands (test here; list and retry in notify_command_*.cpp), their registration and
// the "notify" section of status.
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

// How long `notify test` waits for the first attempt (a webhook may be busy or rate-limited).
constexpr auto kTestAnswerWait = std::chrono::seconds(30);

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
        if (attempt.state == "delivered") {
            rapidjson::Document out(rapidjson::kObjectType);
            auto& a = out.GetAllocator();
            json::add(out, "id", attempt.id, a);
            json::add(out, "webhook", webhook, a);
            json::add(out, "state", attempt.state, a);
            json::add(out, "attempts", attempt.attempts, a);
            json::add(out, "status", static_cast<std::int64_t>(attempt.status), a);
            it->reply->ok(out);
        } else {
            it->reply->fail(
                control::kFailed,
                "delivery #" + std::to_string(attempt.id) + " to '" + webhook +
                    "' failed: " + attempt.error +
                    (attempt.state == "dead" ? " (dead: it will not be retried)"
                                             : " (it will be retried; see rosterctl notify list)"));
        }
        it = waiters_.erase(it);
    }
}

void NotifyService::test_command(const control::Request& request,
                                 std::shared_ptr<control::Reply> reply) {
    std::string webhook = request.string_arg("webhook").value_or("");
    const auto& hooks = context_.config->notifications.webhooks;
    if (std::none_of(hooks.begin(), hooks.end(),
                     [&](const WebhookConfig& h) { return h.name == webhook; })) {
        std::string names;
        for (const auto& h : hooks)
            names += (names.empty() ? "" : ", ") + h.name;
        reply->fail(control::kFailed, "no webhook named '" + webhook + "' (configured: " +
                                          (names.empty() ? std::string("none") : names) + ")");
        return;
    }
    Event event;
    event.type = "test";
    event.facts = {{"webhook", webhook}, {"requested_by", request.caller.describe()}};
    record(std::move(event), "", webhook, [this, reply, webhook](const outbox::Enqueued& result) {
        if (result.delivery_ids.empty()) {
            reply->fail(control::kFailed, "the test event could not be recorded (see the log)");
            return;
        }
        TestWaiter waiter;
        waiter.delivery_id = result.delivery_ids.front();
        waiter.reply = reply;
        waiter.timeout = std::make_shared<asio::steady_timer>(context_.loop, kTestAnswerWait);
        std::int64_t id = waiter.delivery_id;
        waiter.timeout->async_wait([this, id, webhook](const std::error_code& ec) {
            if (ec)
                return;
            for (auto it = waiters_.begin(); it != waiters_.end(); ++it) {
                if (it->delivery_id != id)
                    continue;
                it->reply->fail(control::kFailed,
                                "delivery #" + std::to_string(id) + " to '" + webhook +
                                    "' is queued but not attempted yet (the webhook is busy or "
                                    "asked to wait); see rosterctl notify list");
                waiters_.erase(it);
                return;
            }
        });
        waiters_.push_back(std::move(waiter));
    });
}

void NotifyService::register_commands(control::CommandRegistry& registry) {
    register_mail_commands(registry);
    registry.add(
        {.name = control::cmd::kNotifyTest,
         .summary = "Send a test message to a webhook and report the first attempt",
         .level = control::AccessLevel::operator_,
         .args = {{control::arg::kWebhook, control::ArgType::string, true, "the webhook's name"}},
         .handler = [this](const control::Request& request, std::shared_ptr<control::Reply> reply) {
             test_command(request, std::move(reply));
         }});
    registry.add(notify_list_command(*this));
    registry.add(notify_retry_command(*this));
}

}  // namespace rosterd::notify
