#include "gateway.hpp"

#include <chrono>
#include <cmath>
#include <memory>
#include <thread>

#include "api_errors.hpp"
#include "json_util.hpp"
#include "route_util.hpp"
#include "rosterd/time_format.hpp"

namespace rosterd::sim {

namespace {

using Handled = httplib::Server::HandlerResponse;

// What the gateway decided for the request being served. Pre-routing, the handler,
// post-routing and the logger run one after another on the same worker thread.
struct RequestContext {
    bool api = false;
    std::int64_t start_ms = 0;
    std::chrono::steady_clock::time_point start;
    bool truncate = false;
    bool reset = false;
    std::string fault;  // recorded in the request log when a fault was injected
};

thread_local RequestContext context;

bool is_last_active_path(const std::string& path) { return path.ends_with("/last-active-dates"); }

void set_rate_headers(httplib::Response& res, const RateWindow::Verdict& verdict) {
    res.set_header("X-RateLimit-Limit", std::to_string(verdict.limit));
    res.set_header("X-RateLimit-Remaining", std::to_string(verdict.remaining));
    res.set_header("X-RateLimit-Reset", format_iso8601_s(verdict.reset_ms));
}

Handled fail(const httplib::Request& req, httplib::Response& res, int status, std::string_view detail,
             std::string fault) {
    context.fault = std::move(fault);
    send_json(res, status, failure_body(req.path, status, detail));
    return Handled::Handled;
}

Handled too_many_requests(const httplib::Request& req, httplib::Response& res, const Knobs& knobs,
                          const RateWindow::Verdict& verdict, std::string fault) {
    set_rate_headers(res, verdict);
    if (knobs.retry_after) {
        std::int64_t wait_ms = verdict.reset_ms - SimState::wall_clock_ms();
        res.set_header("Retry-After", std::to_string(std::max<std::int64_t>(1, (wait_ms + 999) / 1000)));
    }
    return fail(req, res, 429, "Rate limit exceeded", std::move(fault));
}

bool authorized(const SimState& state, const httplib::Request& req) {
    const std::string header = req.get_header_value("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (!std::string_view(header).starts_with(kBearer)) return false;
    return state.key_matches(std::string_view(header).substr(kBearer.size()));
}

Handled pre_route(SimState& state, const httplib::Request& req, httplib::Response& res) {
    context = RequestContext{};
    context.api = is_api_path(req.path);
    context.start_ms = SimState::wall_clock_ms();
    context.start = std::chrono::steady_clock::now();
    if (!context.api) return Handled::Unhandled;

    const Knobs knobs = state.knobs();
    const FaultDraws draws = state.faults.draw();
    int delay_ms = knobs.latency_ms;
    if (draws.slow < knobs.slow_rate) delay_ms += knobs.slow_ms;
    if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));

    const std::int64_t now = SimState::wall_clock_ms();
    if (!authorized(state, req)) return fail(req, res, 401, "Unauthorized", "");
    if (knobs.key_expired || (knobs.key_expires_ms && now >= *knobs.key_expires_ms)) {
        return fail(req, res, 401, "Unauthorized", "key_expired");
    }
    if (auto status = state.faults.take_forced_failure(req.path)) {
        return fail(req, res, *status, "Injected failure", "forced");
    }

    std::optional<RateWindow::Verdict> verdict;
    if (is_last_active_path(req.path)) {
        verdict = state.faults.hit_last_active_limit(now, knobs.last_active_limit);
    } else if (knobs.rate_limit > 0) {
        verdict = state.faults.hit_key_limit(now, knobs.rate_limit);
    }
    if (verdict) {
        if (!verdict->allowed) return too_many_requests(req, res, knobs, *verdict, "rate_limit");
        set_rate_headers(res, *verdict);
    }
    if (draws.rate_429 < knobs.rate_429_rate) {
        RateWindow::Verdict random{false, verdict ? verdict->limit : knobs.rate_limit, 0, now + 1000};
        return too_many_requests(req, res, knobs, random, "rate_429");
    }
    if (draws.error < knobs.error_rate) {
        return fail(req, res, draws.error_is_503 ? 503 : 500, "Injected server error", "error");
    }
    if (knobs.require_json_body && req.method == "POST" && req.body.empty() &&
        !is_json_content_type(req)) {
        context.fault = "unsupported_media_type";
        if (family_of(req.path) == ApiFamily::UserManagement) {
            send_json(res, 415, um_key_error("unsupportedMediaType"));
        } else {
            send_json(res, 415,
                      application_errors(415, "ADMIN-UAM-415-1", "Unsupported Media Type",
                                         "Send a JSON body ({}) with Content-Type: application/json"));
        }
        return Handled::Handled;
    }
    context.truncate = draws.truncate < knobs.truncate_rate;
    context.reset = draws.reset < knobs.reset_rate;
    return Handled::Unhandled;
}

void post_route(httplib::Response& res) {
    if (!context.api) return;
    if (context.reset) {
        // Promise the whole body, send half of it, then give up: the client sees the
        // connection drop without a complete response.
        auto body = std::make_shared<std::string>(std::move(res.body));
        res.body.clear();
        std::string type = res.get_header_value("Content-Type");
        res.set_content_provider(body->size() + 1, type.empty() ? "application/json" : type,
                                 [body](std::size_t, std::size_t, httplib::DataSink& sink) {
                                     sink.write(body->data(), body->size() / 2);
                                     return false;
                                 });
        context.fault = "reset";
        return;
    }
    if (context.truncate && res.status == 200 && !res.body.empty() &&
        res.get_header_value("Content-Type").starts_with("application/json")) {
        res.body.resize(res.body.size() / 2);
        context.fault = "truncate";
    }
}

void log_request(SimState& state, const httplib::Request& req, const httplib::Response& res) {
    if (!context.api) return;
    RequestRecord record;
    record.t = context.start_ms;
    record.method = req.method;
    record.path = req.path;
    auto question = req.target.find('?');
    if (question != std::string::npos) record.query = req.target.substr(question + 1);
    record.status = res.status;
    record.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - context.start)
                             .count();
    rapidjson::Document body;
    body.Parse(req.body.c_str(), req.body.size());
    record.body_json = (!req.body.empty() && !body.HasParseError()) ? to_json(body) : "null";
    record.fault = context.fault;
    state.log.add(std::move(record));
}

}  // namespace

void install_gateway(httplib::Server& server, SimState& state) {
    server.set_pre_routing_handler(
        [&state](const httplib::Request& req, httplib::Response& res) { return pre_route(state, req, res); });
    server.set_post_routing_handler(
        [](const httplib::Request&, httplib::Response& res) { post_route(res); });
    server.set_logger([&state](const httplib::Request& req, const httplib::Response& res) {
        log_request(state, req, res);
    });
    // Unknown API routes (including the removed v1 ones) answer a JSON 404 in the family's shape.
    server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty() || res.content_length_ > 0) return;
        if (is_api_path(req.path)) {
            res.set_content(failure_body(req.path, res.status, "No such endpoint"), "application/json");
        } else if (res.status == 404) {
            res.set_content("{\"error\":\"not found\"}", "application/json");
        }
    });
}

}  // namespace rosterd::sim
