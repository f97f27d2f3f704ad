#include "notify_service.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "mail_outbox.hpp"
#include "rosterd/base/units.hpp"
#include "rosterd/version.hpp"
#include "webhook_target.hpp"

namespace rosterd::notify {
namespace {

constexpr int kBatchSize = 100;
// Finished deliveries are kept this long for `rosterctl notify list`.
constexpr std::int64_t kKeepFinishedMs = 90 * kDayMs;

std::string host_name() {
    char buffer[256] = {};
    if (::gethostname(buffer, sizeof buffer - 1) != 0 || buffer[0] == '\0')
        return "localhost";
    return buffer;
}

http::Options http_options(const Config& config) {
    http::Options options;
    options.max_in_flight = 8;
    options.connect_timeout = std::chrono::seconds(config.http.connect_timeout_s);
    options.ca_file = config.http.ca_file;
    options.proxy = config.http.proxy;
    options.http2 = false;  // webhooks are one small POST each
    options.max_response_bytes = 1024 * 1024;
    return options;
}

std::string format_wait(std::chrono::milliseconds wait) {
    if (wait < std::chrono::seconds(10))
        return std::to_string(wait.count()) + " ms";
    return std::to_string(wait.count() / 1000) + " s";
}

}  // namespace

NotifyService::NotifyService(DaemonContext& context)
    : context_(context),
      http_(context.loop, http_options(*context.config)),
      timer_(context.loop),
      rng_(std::random_device{}()),
      host_(host_name()),
      smtp_(context.loop) {}

NotifyService::~NotifyService() {
    stop();
    if (context_.events == this)
        context_.events = nullptr;  // nobody may emit into a destroyed outbox
}

std::int64_t NotifyService::now_ms() const {
    return context_.clock.now().time_since_epoch().count();
}

RetryPolicy NotifyService::retry_policy() const {
    const auto& d = context_.config->notifications.delivery;
    RetryPolicy policy;
    policy.max_attempts = d.max_attempts;
    policy.max_age = d.max_age;
    policy.backoff_initial = d.backoff_initial;
    policy.backoff_max = d.backoff_max;
    return policy;
}

void NotifyService::start() {
    started_ = true;
    std::int64_t before = now_ms() - kKeepFinishedMs;
    struct Pruned {
        std::int64_t deleted = 0;
        std::int64_t interrupted_mail = 0;
        std::optional<std::int64_t> last_delivered;
    };
    context_.db.write(
        [before, now = now_ms()](store::Database& db) {
            Pruned pruned;
            pruned.interrupted_mail = mail::settle_interrupted(db, now);
            pruned.deleted = outbox::prune(db, before);
            pruned.last_delivered = outbox::last_delivered_at(db);
            return pruned;
        },
        [this](store::DbResult<Pruned> r) {
            if (!r.ok()) {
                spdlog::warn("notify: cannot prune old deliveries: {}", r.error);
            } else {
                if (r.value->interrupted_mail > 0)
                    spdlog::warn(
                        "notify: {} mail(s) were being sent when rosterd stopped; marked dead, "
                        "not resent (rosterctl notify list --state dead)",
                        r.value->interrupted_mail);
                if (r.value->deleted > 0)
                    spdlog::debug("notify: pruned {} old deliveries", r.value->deleted);
                // What the last run delivered, unless this one already delivered something.
                if (!last_delivered_at_)
                    last_delivered_at_ = r.value->last_delivered;
            }
            pump();  // deliveries left pending by the last run go out now
        });
}

void NotifyService::stop() {
    if (stopping_)
        return;
    stopping_ = true;
    timer_.cancel();
    smtp_.stop();
    // In-flight attempts end as cancelled and stay pending: the next start sends them.
    http_.cancel_all();
    for (auto& waiter : waiters_) {
        waiter.timeout->cancel();
        waiter.reply->fail(control::kUnavailable, "rosterd is shutting down");
    }
    waiters_.clear();
}

void NotifyService::apply_config(const Config&) {
    held_until_.clear();  // a changed URL deserves a fresh attempt
    pump();
}

void NotifyService::emit(Event event) {
    record(std::move(event), "", std::nullopt, {});
}

void NotifyService::emit_once(Event event, std::string once_key, std::function<void(bool)> done) {
    record(std::move(event), std::move(once_key), std::nullopt,
           [done = std::move(done)](const outbox::Enqueued& result) {
               if (done)
                   done(result.recorded);
           });
}

void NotifyService::record(Event event, std::string once_key,
                           std::optional<std::string> only_webhook,
                           std::function<void(const outbox::Enqueued&)> done) {
    const Config& config = *context_.config;
    if (event.at_ms == 0)
        event.at_ms = now_ms();
    if (!event.facts.count("org_id") && !config.atlassian.org_id.empty())
        event.facts["org_id"] = config.atlassian.org_id;
    std::vector<std::string> webhooks;
    for (const auto& hook : config.notifications.webhooks)
        if (only_webhook ? hook.name == *only_webhook : wants_event(hook, event.type))
            webhooks.push_back(hook.name);
    std::string type = event.type;
    context_.db.write(
        [event = std::move(event), webhooks, once_key, now = now_ms()](store::Database& db) {
            return outbox::enqueue(db, event, webhooks, now, once_key);
        },
        [this, type, once_key, done = std::move(done)](store::DbResult<outbox::Enqueued> r) {
            if (!r.ok()) {
                spdlog::error("notify: cannot record the {} event: {}", type, r.error);
                if (done)
                    done(outbox::Enqueued{});
                return;
            }
            if (r.value->recorded)
                spdlog::info("notify: event {} #{} recorded for {} webhook(s)", type,
                             r.value->event_id, r.value->delivery_ids.size());
            else
                spdlog::debug("notify: {} was sent before ({}); not repeated", type, once_key);
            if (done)
                done(*r.value);
            if (r.value->recorded && !r.value->delivery_ids.empty())
                pump();
        });
}

void NotifyService::pump() {
    if (!started_ || stopping_)
        return;
    if (pumping_) {
        pump_again_ = true;
        return;
    }
    pumping_ = true;
    // On the writer lane, so the batch is ordered after every attempt recorded so far: an
    // attempt whose result is being written is never picked up again as still due.
    context_.db.write(
        [now = now_ms()](store::Database& db) { return outbox::load_due(db, now, kBatchSize); },
        [this](store::DbResult<outbox::DueBatch> r) {
            pumping_ = false;
            if (stopping_)
                return;
            if (!r.ok())
                spdlog::error("notify: cannot read the outbox: {}", r.error);
            else
                on_batch(std::move(*r.value));
            if (pump_again_) {
                pump_again_ = false;
                pump();
            }
        });
}

void NotifyService::on_batch(outbox::DueBatch batch) {
    pending_ = batch.pending;
    dead_ = batch.dead;
    std::int64_t now = now_ms();
    std::optional<std::int64_t> wake = batch.next_due;
    std::set<std::string> taken;
    for (auto& delivery : batch.due) {
        const std::string& webhook = delivery.webhook;
        if (busy_.count(webhook) || taken.count(webhook))
            continue;  // one attempt at a time per webhook; its completion pumps again
        auto held = held_until_.find(webhook);
        if (held != held_until_.end()) {
            if (held->second > now) {
                wake = wake ? std::min(*wake, held->second) : held->second;
                continue;
            }
            held_until_.erase(held);
        }
        taken.insert(webhook);
        deliver(std::move(delivery));
    }
    if (wake)
        arm_timer(*wake);
}

void NotifyService::arm_timer(std::int64_t at_ms) {
    if (timer_at_ && *timer_at_ <= at_ms && *timer_at_ > now_ms())
        return;  // an earlier wake-up is already set; it pumps and re-arms
    timer_at_ = at_ms;
    timer_.expires_at(std::chrono::system_clock::time_point(std::chrono::milliseconds(at_ms)));
    timer_.async_wait([this](const std::error_code& ec) {
        if (ec)
            return;
        timer_at_.reset();
        pump();
    });
}

void NotifyService::deliver(outbox::DueDelivery delivery) {
    if (delivery.webhook == kMailTarget)
        return deliver_mail(std::move(delivery));
    auto config = context_.config;  // keeps the webhook's settings alive during this call
    WebhookTarget target = resolve_webhook(*config, delivery.webhook);
    if (!target.error.empty()) {
        // A webhook removed from the configuration will not come back by waiting; a url_file
        // that cannot be read might (it is retried).
        outbox::Attempt attempt;
        attempt.id = delivery.id;
        attempt.attempts = delivery.attempts + 1;
        attempt.at = now_ms();
        attempt.error = target.error;
        bool retryable = target.config != nullptr;
        auto delay = retry_delay(retry_policy(), attempt.attempts, std::nullopt, 1.0);
        attempt.next_attempt_at = attempt.at + delay.count();
        attempt.state = gives_up(retry_policy(), attempt.attempts, retryable,
                                 SysTime(std::chrono::milliseconds(delivery.window_start)),
                                 SysTime(std::chrono::milliseconds(attempt.next_attempt_at)))
                            ? DeliveryState::dead
                            : DeliveryState::pending;
        spdlog::warn("notify: delivery #{} ({}) to {}: {}", delivery.id, delivery.event.type,
                     delivery.webhook, target.error);
        busy_.insert(delivery.webhook);
        finish(delivery, attempt);
        return;
    }
    RenderContext render{host_, kVersion, delivery.event_id, delivery.uuid};
    http::Request request;
    request.method = "POST";
    request.url = target.url;
    request.timeout = target.config->timeout;
    request.body = render_payload(target.format, delivery.event, render);
    request.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
    if (target.format == Format::json) {
        request.headers.emplace_back("X-Rosterd-Event", delivery.event.type);
        request.headers.emplace_back("X-Rosterd-Delivery", delivery.uuid);
        if (!target.config->secret.empty())
            request.headers.emplace_back(
                "X-Rosterd-Signature",
                signature_header(target.config->secret, now_ms() / 1000, request.body));
    }
    busy_.insert(delivery.webhook);
    spdlog::debug("notify: delivery #{} ({}) to {}, attempt {}", delivery.id, delivery.event.type,
                  delivery.webhook, delivery.attempts + 1);
    http_.send(std::move(request),
               [this, delivery, format = target.format, url = target.url](http::Response r) {
                   on_response(delivery, format, url, std::move(r));
               });
}

void NotifyService::on_response(const outbox::DueDelivery& delivery, Format format,
                                const std::string& url, http::Response response) {
    if (stopping_ || response.transport == http::TransportError::cancelled) {
        busy_.erase(delivery.webhook);
        return;  // not an attempt: it stays pending for the next start
    }
    auto now = context_.clock.now();
    AttemptVerdict verdict = judge_response(format, response, now, url);
    outbox::Attempt attempt;
    attempt.id = delivery.id;
    attempt.attempts = delivery.attempts + 1;
    attempt.at = now.time_since_epoch().count();
    attempt.status = verdict.status;
    if (verdict.delivered) {
        attempt.state = DeliveryState::delivered;
        attempt.next_attempt_at = attempt.at;
        spdlog::info("notify: delivered #{} ({}) to {} (attempt {}, HTTP {}, {} ms)", delivery.id,
                     delivery.event.type, delivery.webhook, attempt.attempts, response.status,
                     response.elapsed.count());
        finish(delivery, attempt);
        return;
    }
    RetryPolicy policy = retry_policy();
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    auto delay = retry_delay(policy, attempt.attempts, verdict.retry_after, jitter(rng_));
    attempt.error = verdict.error;
    attempt.next_attempt_at = attempt.at + delay.count();
    bool dead = gives_up(policy, attempt.attempts, verdict.retryable,
                         SysTime(std::chrono::milliseconds(delivery.window_start)),
                         SysTime(std::chrono::milliseconds(attempt.next_attempt_at)));
    attempt.state = dead ? DeliveryState::dead : DeliveryState::pending;
    if (verdict.retry_after)  // the receiver's wait holds for every delivery to it
        held_until_[delivery.webhook] = attempt.next_attempt_at;
    if (dead)
        spdlog::error(
            "notify: delivery #{} ({}) to {} is dead after {} attempt(s): {} (rosterctl notify "
            "retry {} requeues it)",
            delivery.id, delivery.event.type, delivery.webhook, attempt.attempts, verdict.error,
            delivery.id);
    else
        spdlog::warn("notify: delivery #{} ({}) to {} failed (attempt {} of {}): {}; retry in {}",
                     delivery.id, delivery.event.type, delivery.webhook, attempt.attempts,
                     policy.max_attempts, verdict.error, format_wait(delay));
    finish(delivery, attempt);
}

void NotifyService::finish(const outbox::DueDelivery& delivery, outbox::Attempt attempt) {
    context_.db.write(
        [attempt](store::Database& db) {
            outbox::record_attempt(db, attempt);
            return true;
        },
        [this, attempt, webhook = delivery.webhook](store::DbResult<bool> r) {
            busy_.erase(webhook);
            if (!r.ok()) {
                spdlog::error("notify: cannot record delivery #{}: {}", attempt.id, r.error);
                return;
            }
            if (attempt.state == DeliveryState::delivered)
                last_delivered_at_ = attempt.at;
            else
                last_error_ = webhook + ": " + attempt.error;
            answer_waiters(attempt, webhook);
            pump();
        });
}

}  // namespace rosterd::notify
