// The notify commands (test, list, retry) and the "notify" section of status.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "notify_service.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/base/time_format.hpp"

namespace rosterd::notify {
namespace {

namespace json = control::json;
using Alloc = rapidjson::Document::AllocatorType;

// How long `notify test` waits for the first attempt (a webhook may be busy or rate-limited).
constexpr auto kTestAnswerWait = std::chrono::seconds(30);

std::optional<std::string> iso(std::optional<std::int64_t> ms) {
    if (!ms)
        return std::nullopt;
    return format_iso8601_s(*ms);
}

rapidjson::Value row_json(const outbox::DeliveryRow& row, Alloc& a) {
    rapidjson::Value out(rapidjson::kObjectType);
    json::add(out, "id", row.id, a);
    json::add(out, "event_id", row.event_id, a);
    json::add(out, "event", row.event_type, a);
    json::add(out, "webhook", row.webhook, a);
    json::add(out, "delivery_id", row.uuid, a);
    json::add(out, "state", row.state, a);
    json::add(out, "attempts", row.attempts, a);
    json::add(out, "created_at", format_iso8601_s(row.created_at), a);
    json::add(out, "next_attempt_at",
              row.state == "pending" ? iso(row.next_attempt_at) : std::nullopt, a);
    json::add(out, "last_attempt_at", iso(row.last_attempt_at), a);
    json::add(out, "delivered_at", iso(row.delivered_at), a);
    json::add(out, "last_status", row.last_status, a);
    json::add(out, "last_error",
              row.last_error.empty() ? std::nullopt : std::optional<std::string>(row.last_error),
              a);
    return out;
}

}  // namespace

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
        {.name = "notify.test",
         .summary = "Send a test message to a webhook and report the first attempt",
         .level = control::AccessLevel::operator_,
         .args = {{"webhook", control::ArgType::string, true, "the webhook's name"}},
         .handler = [this](const control::Request& request, std::shared_ptr<control::Reply> reply) {
             test_command(request, std::move(reply));
         }});
    registry.add(
        {.name = "notify.list",
         .summary = "Recent webhook deliveries with their state, attempts and last error",
         .level = control::AccessLevel::viewer,
         .args = {{"limit", control::ArgType::integer, false, "how many (default 20)"},
                  {"state", control::ArgType::string, false, "pending, delivered or dead"}},
         .handler = [this](const control::Request& request, std::shared_ptr<control::Reply> reply) {
             auto limit = std::clamp<std::int64_t>(request.int_arg("limit").value_or(20), 1, 1000);
             std::string state = request.string_arg("state").value_or("");
             if (!state.empty() && state != "pending" && state != "delivered" && state != "dead")
                 throw control::CommandError(
                     "state must be pending, delivered or dead, not '" + state + "'",
                     control::kInvalidArgs);
             context_.db.read(
                 [limit, state](store::Database& db) {
                     return outbox::list_deliveries(db, static_cast<int>(limit), state);
                 },
                 [reply](store::DbResult<std::vector<outbox::DeliveryRow>> r) {
                     if (!r.ok()) {
                         reply->fail(control::kFailed, r.error);
                         return;
                     }
                     rapidjson::Document out(rapidjson::kObjectType);
                     auto& a = out.GetAllocator();
                     rapidjson::Value rows(rapidjson::kArrayType);
                     for (const auto& row : *r.value)
                         rows.PushBack(row_json(row, a), a);
                     json::add(out, "deliveries", std::move(rows), a);
                     reply->ok(out);
                 });
         }});
    registry.add(
        {.name = "notify.retry",
         .summary = "Requeue a dead delivery: it is attempted again at once",
         .level = control::AccessLevel::operator_,
         .args = {{"id", control::ArgType::integer, true, "the delivery id (notify list)"}},
         .handler = [this](const control::Request& request, std::shared_ptr<control::Reply> reply) {
             std::int64_t id = request.int_arg("id").value_or(0);
             context_.db.write(
                 [id, now = now_ms()](store::Database& db) {
                     return outbox::requeue_dead(db, id, now);
                 },
                 [this, id, reply,
                  who = request.caller.describe()](store::DbResult<outbox::Requeue> r) {
                     if (!r.ok()) {
                         reply->fail(control::kFailed, r.error);
                         return;
                     }
                     if (*r.value == outbox::Requeue::not_found) {
                         reply->fail(control::kFailed, "no delivery #" + std::to_string(id));
                         return;
                     }
                     if (*r.value == outbox::Requeue::not_dead) {
                         reply->fail(control::kFailed,
                                     "delivery #" + std::to_string(id) +
                                         " is not dead; only dead deliveries are requeued");
                         return;
                     }
                     spdlog::info("notify: delivery #{} requeued by {}", id, who);
                     rapidjson::Document out(rapidjson::kObjectType);
                     json::add(out, "id", id, out.GetAllocator());
                     json::add(out, "state", "pending", out.GetAllocator());
                     reply->ok(out);
                     pump();
                 });
         }});
}

}  // namespace rosterd::notify
