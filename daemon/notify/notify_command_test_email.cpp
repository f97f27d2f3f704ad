// `notify.test-email`: queue a test mail through email: (SMTP) and answer with its first attempt.
#include "notify_commands.hpp"
#include "notify_service.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/notify/mail.hpp"

namespace rosterd::notify {
namespace {

// How long `notify test-email` waits for the first attempt (the per-minute limit may hold it).
constexpr auto kTestMailWait = std::chrono::seconds(60);

}  // namespace

void NotifyService::test_email_command(const control::Request& request,
                                       std::shared_ptr<control::Reply> reply) {
    std::string address = request.string_arg("address").value_or("");
    if (address.find('@') == std::string::npos ||
        address.find_first_of("\r\n<> ,") != std::string::npos)
        throw control::CommandError("expected one mail address, not '" + address + "'",
                                    control::kInvalidArgs);
    if (!context_.config->email.enabled())
        throw control::CommandError("no email: section is configured (smtp_url, from)",
                                    control::kFailed);
    MailMessage message;
    message.to = address;
    message.kind = "test";
    message.subject = "rosterd test message";
    message.body = "This is a test message from rosterd on " + host_ + ", sent by " +
                   request.caller.describe() + " with rosterctl notify test-email.\n";
    context_.db.write(
        [message, now = now_ms()](store::Database& db) {
            store::Transaction t(db);
            auto id = enqueue_mail(db, message, now);
            t.commit();
            return id;
        },
        [this, reply](store::DbResult<std::int64_t> r) {
            if (!r.ok()) {
                reply->fail(control::kFailed, "the test mail could not be recorded: " + r.error);
                return;
            }
            std::int64_t id = *r.value;
            await_first_attempt(id, reply, kTestMailWait,
                                "mail #" + std::to_string(id) +
                                    " is queued but not attempted yet (the per-minute limit or "
                                    "earlier mail); see rosterctl notify list");
            pump();
        });
}

control::CommandSpec notify_test_email_command(NotifyService& notify) {
    return {.name = control::cmd::kNotifyTestEmail,
            .summary = "Send a test mail through email: (SMTP) and report the first attempt",
            .level = control::AccessLevel::operator_,
            .args = {{control::arg::kAddress, control::ArgType::string, true, "the recipient"}},
            .handler = [&notify](const control::Request& request,
                                 std::shared_ptr<control::Reply> reply) {
                notify.test_email_command(request, std::move(reply));
            }};
}

}  // namespace rosterd::notify
