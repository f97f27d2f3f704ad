// Mail through the outbox: one SMTP send at a time, at most email.per_minute a minute, each marked
// in progress before it starts (a crash mid-send is never followed by a second copy), retried and
// declared dead by the same policy as webhook deliveries.
#include <spdlog/spdlog.h>

#include <fstream>
#include <random>
#include <sstream>

#include "mail_outbox.hpp"
#include "notify_service.hpp"

namespace rosterd::notify {
namespace {

constexpr std::int64_t kMinuteMs = 60 * 1000;

// The SMTP password, read at each send (a rotated file takes effect without a reload). Never
// logged: errors name the file only.
std::optional<std::string> read_password(const std::string& path, std::string& error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        error = "cannot read email.password_file " + path;
        return std::nullopt;
    }
    std::ostringstream text;
    text << in.rdbuf();
    auto password = text.str();
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r'))
        password.pop_back();
    return password;
}

std::optional<std::int64_t> notice_of(const outbox::DueDelivery& delivery) {
    auto found = delivery.event.facts.find("notice_id");
    if (found == delivery.event.facts.end())
        return std::nullopt;
    try {
        return std::stoll(found->second);
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::string fact(const outbox::DueDelivery& delivery, const std::string& name) {
    auto found = delivery.event.facts.find(name);
    return found == delivery.event.facts.end() ? std::string() : found->second;
}

}  // namespace

void NotifyService::deliver_mail(outbox::DueDelivery delivery) {
    auto config = context_.config;
    const auto& email = config->email;
    std::int64_t now = now_ms();
    while (!mail_sent_at_.empty() && mail_sent_at_.front() <= now - kMinuteMs)
        mail_sent_at_.pop_front();
    if (static_cast<int>(mail_sent_at_.size()) >= email.per_minute) {
        auto until = mail_sent_at_.front() + kMinuteMs;
        held_until_[kMailTarget] = until;
        arm_timer(until);
        return;
    }
    auto fail_now = [&](const std::string& error) {
        outbox::Attempt attempt;
        attempt.id = delivery.id;
        attempt.attempts = delivery.attempts + 1;
        attempt.at = now;
        attempt.error = error;
        attempt.next_attempt_at =
            now + retry_delay(retry_policy(), attempt.attempts, std::nullopt, 1.0).count();
        attempt.state = gives_up(retry_policy(), attempt.attempts, true,
                                 SysTime(std::chrono::milliseconds(delivery.window_start)),
                                 SysTime(std::chrono::milliseconds(attempt.next_attempt_at)))
                            ? DeliveryState::dead
                            : DeliveryState::pending;
        spdlog::warn("notify: mail #{} ({}): {}", delivery.id, fact(delivery, "kind"), error);
        busy_.insert(kMailTarget);
        finish_mail(delivery, attempt, false);
    };
    if (!email.enabled())
        return fail_now("no email: section is configured (smtp_url, from)");
    SmtpSettings settings;
    settings.url = email.smtp_url;
    settings.from = email.from;
    settings.username = email.username;
    settings.starttls = email.starttls;
    // A mail relay often has a private CA the Atlassian API does not: email.ca_file trusts it for
    // SMTP alone. Verification stays on either way.
    settings.ca_file = email.ca_file.empty() ? config->http.ca_file : email.ca_file;
    settings.connect_timeout_s = config->http.connect_timeout_s;
    if (!email.password_file.empty()) {
        std::string error;
        auto password = read_password(email.password_file, error);
        if (!password)
            return fail_now(error);
        settings.password = std::move(*password);
    }
    std::string to = fact(delivery, "to");
    std::string message = build_mail(email.from, to, fact(delivery, "subject"),
                                     fact(delivery, "body"), delivery.uuid + "@rosterd", now);
    busy_.insert(kMailTarget);
    mail_sent_at_.push_back(now);
    // Marked in progress first, durably: if rosterd dies during the send, the next start marks it
    // dead instead of sending it again.
    context_.db.write(
        [id = delivery.id, now](store::Database& db) { return mail::begin_send(db, id, now); },
        [this, delivery, settings = std::move(settings), to,
         message = std::move(message)](store::DbResult<bool> r) mutable {
            if (stopping_) {
                busy_.erase(kMailTarget);
                return;
            }
            if (!r.ok() || !*r.value) {
                if (!r.ok())
                    spdlog::error("notify: cannot mark mail #{} as sending: {}", delivery.id,
                                  r.error);
                busy_.erase(kMailTarget);
                pump();
                return;
            }
            spdlog::debug("notify: mail #{} ({}), attempt {}", delivery.id, fact(delivery, "kind"),
                          delivery.attempts + 1);
            smtp_.send(
                std::move(settings), to, std::move(message), [this, delivery](SmtpResult result) {
                    auto at = now_ms();
                    outbox::Attempt attempt;
                    attempt.id = delivery.id;
                    attempt.attempts = delivery.attempts + 1;
                    attempt.at = at;
                    attempt.status = result.code;
                    if (result.sent) {
                        attempt.state = DeliveryState::delivered;
                        attempt.next_attempt_at = at;
                        spdlog::info("notify: mail #{} ({}) sent (attempt {})", delivery.id,
                                     fact(delivery, "kind"), attempt.attempts);
                        return finish_mail(delivery, attempt, false);
                    }
                    auto policy = retry_policy();
                    std::uniform_real_distribution<double> jitter(0.5, 1.0);
                    auto delay = retry_delay(policy, attempt.attempts, std::nullopt, jitter(rng_));
                    attempt.error = result.error;
                    attempt.next_attempt_at = at + delay.count();
                    bool dead =
                        gives_up(policy, attempt.attempts, !result.permanent,
                                 SysTime(std::chrono::milliseconds(delivery.window_start)),
                                 SysTime(std::chrono::milliseconds(attempt.next_attempt_at)));
                    attempt.state = dead ? DeliveryState::dead : DeliveryState::pending;
                    spdlog::warn("notify: mail #{} ({}) failed (attempt {}): {}{}", delivery.id,
                                 fact(delivery, "kind"), attempt.attempts, result.error,
                                 dead ? "; dead" : "; will retry");
                    finish_mail(delivery, attempt, result.recipient_refused);
                });
        });
}

void NotifyService::finish_mail(const outbox::DueDelivery& delivery, outbox::Attempt attempt,
                                bool refused) {
    context_.db.write(
        [attempt, notice = notice_of(delivery), refused](store::Database& db) {
            mail::record_send(db, attempt, notice, refused);
            return true;
        },
        [this, attempt](store::DbResult<bool> r) {
            busy_.erase(kMailTarget);
            if (!r.ok()) {
                spdlog::error("notify: cannot record mail #{}: {}", attempt.id, r.error);
                return;
            }
            if (attempt.state == DeliveryState::delivered)
                last_delivered_at_ = attempt.at;
            else
                last_error_ = std::string(kMailTarget) + ": " + attempt.error;
            answer_waiters(attempt, kMailTarget);
            pump();
        });
}

}  // namespace rosterd::notify
