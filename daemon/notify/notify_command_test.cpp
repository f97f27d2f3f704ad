// `notify.test`: send a test event to one webhook and answer with its first attempt.
#include <algorithm>

#include "notify_commands.hpp"
#include "notify_service.hpp"
#include "rosterd/control/commands.hpp"

namespace rosterd::notify {
namespace {

// How long `notify test` waits for the first attempt (a webhook may be busy or rate-limited).
constexpr auto kTestAnswerWait = std::chrono::seconds(30);

}  // namespace

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
        std::int64_t id = result.delivery_ids.front();
        await_first_attempt(id, reply, kTestAnswerWait,
                            "delivery #" + std::to_string(id) + " to '" + webhook +
                                "' is queued but not attempted yet (the webhook is busy or "
                                "asked to wait); see rosterctl notify list");
    });
}

control::CommandSpec notify_test_command(NotifyService& notify) {
    return {
        .name = control::cmd::kNotifyTest,
        .summary = "Send a test message to a webhook and report the first attempt",
        .level = control::AccessLevel::operator_,
        .args = {{control::arg::kWebhook, control::ArgType::string, true, "the webhook's name"}},
        .handler = [&notify](const control::Request& request,
                             std::shared_ptr<control::Reply> reply) {
            notify.test_command(request, std::move(reply));
        }};
}

}  // namespace rosterd::notify
