// The retrying request engine: authentication headers, retries with backoff, 429 waits,
// low-budget pacing, last-active token bucket, cancellation, counters and logging.
#include "engine.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "rosterd/atlassian/parse.hpp"

namespace rosterd::atlassian {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

namespace {

bool is_licence_limit(const std::string& code) {
    return code == "ADMIN-409-3" || code == "ADMIN-UAM-409-3";
}

bool sends_body(const std::string& method) {
    return method == "POST" || method == "PUT" || method == "PATCH";
}

ApiError cancelled_error() {
    ApiError error;
    error.kind = ApiError::Kind::cancelled;
    error.message = "cancelled";
    return error;
}

ApiError transport_error(const http::Response& response) {
    ApiError error;
    error.kind = ApiError::Kind::transport;
    error.retryable = true;
    error.code = std::string(http::to_string(response.transport));
    error.message = response.transport_message.empty() ? error.code : response.transport_message;
    return error;
}

milliseconds until(steady_clock::time_point when) {
    auto now = steady_clock::now();
    return when > now ? std::chrono::ceil<milliseconds>(when - now) : milliseconds(0);
}

std::string trim_trailing_slash(std::string base) {
    while (!base.empty() && base.back() == '/')
        base.pop_back();
    return base;
}

}  // namespace

Client::Impl::Impl(asio::io_context& io, ClientConfig config)
    : io_(io),
      config_(std::move(config)),
      http_(io, config_.http),
      rng_(config_.jitter_seed != 0 ? config_.jitter_seed : std::random_device{}()),
      last_active_bucket_(config_.last_active_per_minute, config_.last_active_burst,
                          steady_clock::now()) {
    config_.api_base = trim_trailing_slash(config_.api_base);
}

std::string Client::Impl::org_v1() const {
    return "/admin/v1/orgs/" + percent_encode_path_segment(config_.org_id);
}

std::string Client::Impl::org_v2() const {
    return "/admin/v2/orgs/" + percent_encode_path_segment(config_.org_id);
}

std::string Client::Impl::directory(const std::string& directory_id) const {
    return org_v2() + "/directories/" + percent_encode_path_segment(directory_id);
}

SysTime Client::Impl::wall_now() const {
    if (config_.clock)
        return config_.clock->now();
    return SystemClock().now();
}

void Client::Impl::redact(std::string& text) const {
    if (!config_.api_key)
        return;
    std::string key;
    try {
        key = config_.api_key();
    } catch (...) {
        return;
    }
    if (key.size() < 4)
        return;  // too short to search for without mangling ordinary text
    for (auto at = text.find(key); at != std::string::npos; at = text.find(key, at)) {
        text.replace(at, key.size(), "[redacted]");
    }
}

void Client::Impl::execute(ApiRequest request, Accept accept, Finish finish, std::uint64_t epoch) {
    auto call = std::make_shared<Call>();
    call->request = std::move(request);
    call->accept = std::move(accept);
    call->finish = std::move(finish);
    call->epoch = epoch;
    dispatch(call);
}

void Client::Impl::after(milliseconds delay, std::function<void()> fn) {
    const auto id = next_timer_id_++;
    auto timer = std::make_unique<asio::steady_timer>(io_, delay);
    auto* raw = timer.get();
    timers_.emplace(id, std::move(timer));
    // Runs on expiry and on cancel() alike; `fn` re-checks the cancel epoch.
    raw->async_wait([weak = weak_from_this(), id, fn = std::move(fn)](const asio::error_code&) {
        auto self = weak.lock();
        if (!self)
            return;
        self->timers_.erase(id);
        fn();
    });
}

void Client::Impl::dispatch(const CallPtr& call) {
    if (call->epoch != epoch_) {
        complete(call, cancelled_error());
        return;
    }
    milliseconds delay = until(hold_until_);
    if (call->request.paced)
        delay = std::max(delay, last_active_bucket_.reserve(steady_clock::now()));
    const auto now = steady_clock::now();
    if (now < pace_until_) {
        // Low remaining budget: one request per interval until the reset.
        const auto slot = std::min(std::max(now, next_paced_send_), pace_until_);
        next_paced_send_ = slot + pace_interval_;
        delay = std::max(delay, std::chrono::ceil<milliseconds>(slot - now));
    }
    if (delay.count() <= 0) {
        send_attempt(call);
        return;
    }
    after(delay, [weak = weak_from_this(), call] {
        auto self = weak.lock();
        if (!self)
            return;
        if (call->epoch != self->epoch_) {
            self->complete(call, cancelled_error());
        } else {
            self->send_attempt(call);
        }
    });
}

void Client::Impl::send_attempt(const CallPtr& call) {
    std::string key;
    try {
        if (config_.api_key)
            key = config_.api_key();
    } catch (const std::exception&) {
        key.clear();  // the provider's message could mention the key; report it generically
    }
    if (key.empty()) {
        ApiError error;
        error.kind = ApiError::Kind::auth_rejected;
        error.message = "no API key available";
        complete(call, std::move(error));
        return;
    }
    const ApiRequest& api = call->request;
    http::Request request;
    request.method = api.method;
    request.url = config_.api_base + api.path + (api.query.empty() ? "" : "?" + api.query);
    request.headers = {{"Authorization", "Bearer " + key}, {"Accept", "application/json"}};
    if (sends_body(api.method) || !api.body.empty()) {
        // Body-less actions still need {} and the JSON content type, or the API answers 415.
        request.body = api.body.empty() ? "{}" : api.body;
        request.headers.emplace_back("Content-Type", "application/json");
    }
    if (call->attempts++ == 0)
        call->first_attempt = steady_clock::now();
    ++stats_.requests_sent;
    stats_.bytes_sent += request.body.size();
    http_.send(std::move(request), [weak = weak_from_this(), call](http::Response response) {
        if (auto self = weak.lock())
            self->on_response(call, std::move(response));
    });
}

void Client::Impl::on_response(const CallPtr& call, http::Response response) {
    const ApiRequest& api = call->request;
    stats_.bytes_received += response.body.size();
    if (response.transport == http::TransportError::cancelled || call->epoch != epoch_) {
        complete(call, cancelled_error());
        return;
    }
    if (!response.transport_ok()) {
        spdlog::debug("atlassian: {} {} -> transport {} after {} ms (attempt {})", api.method,
                      api.path, http::to_string(response.transport), response.elapsed.count(),
                      call->attempts);
        retry_or_fail(call, transport_error(response), backoff(call->attempts));
        return;
    }
    spdlog::debug("atlassian: {} {} -> {} in {} ms (attempt {})", api.method, api.path,
                  response.status, response.elapsed.count(), call->attempts);
    note_rate_limit(response);
    const int status = static_cast<int>(response.status);

    if (status >= 200 && status < 300) {
        key_rejection_reported_ = false;
        if (auto problem = call->accept(response)) {
            problem->status = status;
            spdlog::debug("atlassian: {} {} -> unusable body: {}", api.method, api.path,
                          problem->message);
            retry_or_fail(call, std::move(*problem), backoff(call->attempts));
        } else {
            complete(call, std::nullopt);
        }
        return;
    }

    ApiError error = parse_api_error(status, response.body);
    if (status == 401) {
        redact(error.message);
        if (!key_rejection_reported_) {
            key_rejection_reported_ = true;
            spdlog::error("atlassian: the API key was rejected (401); check or rotate it");
            if (config_.on_key_rejected)
                config_.on_key_rejected(error);
        }
        complete(call, std::move(error));
        return;
    }
    if (status == 429) {
        ++stats_.rate_limited;
        auto wait = server_retry_wait(response, wall_now(), config_.retry);
        const milliseconds delay = wait ? *wait : backoff(call->attempts);
        // Everyone waits, not just this call: the budget is shared.
        hold_until_ = std::max(hold_until_, steady_clock::now() + delay);
        retry_or_fail(call, std::move(error), delay);
        return;
    }
    if (status >= 500) {
        retry_or_fail(call, std::move(error), backoff(call->attempts));
        return;
    }
    complete(call, std::move(error));
}

void Client::Impl::retry_or_fail(const CallPtr& call, ApiError error, milliseconds wait) {
    redact(error.message);  // the message is logged below; a server might echo the key back
    const auto now = steady_clock::now();
    const auto elapsed = std::chrono::duration_cast<milliseconds>(now - call->first_attempt);
    const RetryVerdict verdict =
        retry_verdict(config_.retry, call->attempts, elapsed, wait, retry_waits_.spent(now));
    if (verdict != RetryVerdict::retry) {
        // Out of time, say why it stopped and how long it tried: "the API has failed for ten
        // minutes" reads differently from "one request failed" (a count speaks for itself).
        if (verdict != RetryVerdict::attempts_spent)
            error.message = "gave up after " + std::to_string(call->attempts) + " attempts in " +
                            std::to_string((elapsed.count() + 999) / 1000) + " s, " +
                            describe(verdict, config_.retry) + "; last error: " + error.message;
        complete(call, std::move(error));
        return;
    }
    ++stats_.retries;
    spdlog::info(
        "atlassian: {} {} failed ({}); retry {} in {} ms ({:.1f} s of its {:.1f} s budget "
        "used)",
        call->request.method, call->request.path, error.describe(), call->attempts, wait.count(),
        elapsed.count() / 1000.0, config_.retry.request_budget.count() / 1000.0);
    retry_waits_.begin(now);
    after(wait, [weak = weak_from_this(), call] {
        if (auto self = weak.lock()) {
            self->retry_waits_.end(steady_clock::now());
            self->dispatch(call);
        }
    });
}

void Client::Impl::complete(const CallPtr& call, std::optional<ApiError> error) {
    if (error) {
        error->attempts = call->attempts;
        redact(error->message);
        redact(error->code);
        if (error->kind != ApiError::Kind::cancelled) {
            ++stats_.failures;
            spdlog::debug("atlassian: {} {} gave up: {}", call->request.method, call->request.path,
                          error->describe());
        }
    }
    auto finish = std::move(call->finish);
    call->finish = nullptr;
    if (finish)
        finish(std::move(error));
}

void Client::Impl::note_rate_limit(const http::Response& response) {
    const auto snapshot = read_rate_limit(response);
    if (!snapshot.remaining)
        return;
    const SysTime now = wall_now();
    auto interval = pacing_interval(snapshot, config_.low_remaining_fraction, now);
    if (!interval) {
        pace_until_ = {};
        return;
    }
    const auto steady_now = steady_clock::now();
    const bool entering = steady_now >= pace_until_;
    pace_interval_ = std::min(*interval, config_.retry.max_server_wait);
    pace_until_ =
        steady_now + std::min(milliseconds(*snapshot.reset - now), config_.retry.max_server_wait);
    if (entering) {
        next_paced_send_ = steady_now;
        spdlog::info("atlassian: rate-limit budget low ({} of {} left); one request every {} ms",
                     *snapshot.remaining, *snapshot.limit, pace_interval_.count());
    }
}

milliseconds Client::Impl::backoff(int attempts) {
    return backoff_delay(config_.retry, attempts, rng_);
}

void Client::Impl::mutate(ApiRequest request, MutationCallback done) {
    auto status = std::make_shared<int>(0);
    execute(
        std::move(request),
        [status](const http::Response& response) -> std::optional<ApiError> {
            *status = static_cast<int>(response.status);
            return std::nullopt;  // action endpoints answer 200/204; the body does not matter
        },
        [status, done = std::move(done)](std::optional<ApiError> error) {
            if (!error) {
                done(MutationOutcome{*status, false, {}});
            } else if (error->status == 409 && !is_licence_limit(error->code)) {
                done(MutationOutcome{409, true, error->code});
            } else {
                done(std::move(*error));
            }
        },
        epoch_);
}

void Client::Impl::cancel() {
    ++epoch_;
    for (auto& [id, timer] : timers_)
        timer->cancel();
    http_.cancel_all();
}

}  // namespace rosterd::atlassian
