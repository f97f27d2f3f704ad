#include "gateway.hpp"

#include <chrono>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

#include "api_errors.hpp"
#include "json_util.hpp"
#include "rosterd/base/time_format.hpp"
#include "route_util.hpp"

namespace rosterd::sim {

namespace {

using HandlerResponse = httplib::Server::HandlerResponse;

// An answer decided before routing. httplib reads a request's body only after the pre-routing
// handler, so answering there would leave the body in the connection and break the next
// request on it; the answer is given by the route wrapper (or the error handler) instead.
struct DecidedAnswer {
    int status = 0;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

// What the gateway decided for the request being served. Pre-routing, the handler,
// post-routing and the logger run one after another on the same worker thread.
struct RequestContext {
    bool api = false;
    std::int64_t start_ms = 0;
    std::chrono::steady_clock::time_point start;
    std::optional<DecidedAnswer> answer;
    bool answer_given = false;
    bool require_json_body = false;
    bool truncate = false;
    bool reset = false;
    std::string fault;  // recorded in the request log when a fault was injected
};

thread_local RequestContext context;

bool is_last_active_path(const std::string& path) {
    return path.ends_with("/last-active-dates");
}

std::vector<std::pair<std::string, std::string>> rate_headers(const RateWindow::Verdict& verdict) {
    return {{"X-RateLimit-Limit", std::to_string(verdict.limit)},
            {"X-RateLimit-Remaining", std::to_string(verdict.remaining)},
            {"X-RateLimit-Reset", format_iso8601_s(verdict.reset_ms)}};
}

// Which endpoints a key with scopes may call: the reads that document a scope. Everything
// else (users/search, last-active-dates, v1 users, every mutation, the user management API)
// needs a key without scopes (reference section 6).
bool scoped_key_allows(const httplib::Request& req) {
    const std::string& path = req.path;
    switch (family_of(path)) {
        case ApiFamily::UserManagement:
        case ApiFamily::OrgV1Roles:
            return false;
        case ApiFamily::Workspaces:
            return true;
        case ApiFamily::OrgV1:
            return req.method == "GET" && !path.ends_with("/users") &&
                   !path.ends_with("/last-active-dates");
        case ApiFamily::OrgV2:
            return req.method == "GET" ||
                   (req.method == "POST" && path.ends_with("/groups/search"));
        case ApiFamily::NotApi:
            return true;
    }
    return false;
}

void decide(const httplib::Request& req, int status, std::string_view detail, std::string fault,
            std::vector<std::pair<std::string, std::string>> headers = {}) {
    context.fault = std::move(fault);
    context.answer =
        DecidedAnswer{status, failure_body(req.path, status, detail), std::move(headers)};
}

void decide_429(const httplib::Request& req, const Knobs& knobs, const RateWindow::Verdict& verdict,
                std::string fault) {
    auto headers = rate_headers(verdict);
    if (knobs.retry_after) {
        std::int64_t wait_ms = verdict.reset_ms - SimState::wall_clock_ms();
        headers.emplace_back("Retry-After",
                             std::to_string(std::max<std::int64_t>(1, (wait_ms + 999) / 1000)));
    }
    decide(req, 429, "Rate limit exceeded", std::move(fault), std::move(headers));
}

bool authorized(const SimState& state, const httplib::Request& req) {
    const std::string header = req.get_header_value("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (!std::string_view(header).starts_with(kBearer))
        return false;
    return state.key_matches(std::string_view(header).substr(kBearer.size()));
}

HandlerResponse pre_route(SimState& state, const httplib::Request& req, httplib::Response& res) {
    context = RequestContext{};
    context.api = is_api_path(req.path);
    context.start_ms = SimState::wall_clock_ms();
    context.start = std::chrono::steady_clock::now();
    if (!context.api)
        return HandlerResponse::Unhandled;

    const Knobs knobs = state.knobs();
    const FaultDraws draws = state.faults.draw();
    int delay_ms = knobs.latency_ms;
    if (draws.slow < knobs.slow_rate &&
        (knobs.slow_path.empty() || req.path.find(knobs.slow_path) != std::string::npos))
        delay_ms += knobs.slow_ms;
    if (delay_ms > 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));

    const std::int64_t now = SimState::wall_clock_ms();
    if (!authorized(state, req)) {
        decide(req, 401, "Unauthorized", "");
        return HandlerResponse::Unhandled;
    }
    if (knobs.key_expired || (knobs.key_expires_ms && now >= *knobs.key_expires_ms)) {
        decide(req, 401, "Unauthorized", "key_expired");
        return HandlerResponse::Unhandled;
    }
    if (knobs.key_scoped && !scoped_key_allows(req)) {
        context.fault = "key_scoped";
        std::string body = family_of(req.path) == ApiFamily::UserManagement
                               ? um_key_error("forbidden")
                               : no_perms_error(req.path, format_iso8601_ms(now));
        context.answer = DecidedAnswer{403, body, {}};
        return HandlerResponse::Unhandled;
    }
    if (auto status = state.faults.take_forced_failure(req.path)) {
        decide(req, *status, "Injected failure", "forced");
        return HandlerResponse::Unhandled;
    }
    std::optional<RateWindow::Verdict> verdict;
    if (is_last_active_path(req.path)) {
        verdict = state.faults.hit_last_active_limit(now, knobs.last_active_limit);
    } else if (knobs.rate_limit > 0) {
        verdict = state.faults.hit_key_limit(now, knobs.rate_limit);
    }
    if (verdict && !verdict->allowed) {
        decide_429(req, knobs, *verdict, "rate_limit");
        return HandlerResponse::Unhandled;
    }
    if (verdict) {
        for (const auto& [name, value] : rate_headers(*verdict))
            res.set_header(name, value);
    }
    if (draws.rate_429 < knobs.rate_429_rate) {
        RateWindow::Verdict random{false, verdict ? verdict->limit : knobs.rate_limit, 0,
                                   now + 1000};
        decide_429(req, knobs, random, "rate_429");
        return HandlerResponse::Unhandled;
    }
    if (draws.error < knobs.error_rate) {
        decide(req, draws.error_is_503 ? 503 : 500, "Injected server error", "error");
        return HandlerResponse::Unhandled;
    }
    context.require_json_body = knobs.require_json_body;
    context.truncate = draws.truncate < knobs.truncate_rate;
    context.reset = draws.reset < knobs.reset_rate;
    return HandlerResponse::Unhandled;
}

void give_decided_answer(httplib::Response& res) {
    const DecidedAnswer& answer = *context.answer;
    context.answer_given = true;
    res.status = answer.status;
    for (const auto& [name, value] : answer.headers)
        res.set_header(name, value);
    res.set_content(answer.body, kJsonContentType);
}

// Body-less POSTs must still say Content-Type: application/json (and send {}).
bool lacks_json_body(const httplib::Request& req) {
    return context.require_json_body && req.method == "POST" && req.body.empty() &&
           !is_json_content_type(req);
}

void answer_unsupported_media_type(const httplib::Request& req, httplib::Response& res) {
    context.fault = "unsupported_media_type";
    if (family_of(req.path) == ApiFamily::UserManagement) {
        send_json(res, 415, um_key_error("unsupportedMediaType"));
    } else {
        send_json(res, 415,
                  application_errors(415, "ADMIN-UAM-415-1", "Unsupported Media Type",
                                     "Send a JSON body ({}) with Content-Type: application/json"));
    }
}

void replace_header(httplib::Response& res, const std::string& name, const std::string& value) {
    res.headers.erase(name);
    res.set_header(name, value);
}

void post_route(httplib::Response& res) {
    if (!context.api || context.answer)
        return;
    if (context.reset) {
        // The Content-Length already promises the whole body; send half of it and give up, so
        // the client sees the connection drop without a complete response.
        auto body = std::make_shared<std::string>(std::move(res.body));
        res.body.clear();
        std::string type = res.get_header_value("Content-Type");
        res.set_content_provider(body->size() + 1,
                                 type.empty() ? std::string(kJsonContentType) : type,
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
        replace_header(res, "Content-Length", std::to_string(res.body.size()));
        context.fault = "truncate";
    }
}

void log_request(SimState& state, const httplib::Request& req, const httplib::Response& res) {
    if (!context.api)
        return;
    RequestRecord record;
    record.t = context.start_ms;
    record.method = req.method;
    record.path = req.path;
    auto question = req.target.find('?');
    if (question != std::string::npos)
        record.query = req.target.substr(question + 1);
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

httplib::Server::Handler behind_gateway(httplib::Server::Handler handler) {
    return [handler = std::move(handler)](const httplib::Request& req, httplib::Response& res) {
        if (!context.api) {
            handler(req, res);
        } else if (context.answer) {
            give_decided_answer(res);
        } else if (lacks_json_body(req)) {
            answer_unsupported_media_type(req, res);
        } else {
            handler(req, res);
        }
    };
}

void install_gateway(httplib::Server& server, SimState& state) {
    server.set_pre_routing_handler([&state](const httplib::Request& req, httplib::Response& res) {
        return pre_route(state, req, res);
    });
    server.set_post_routing_handler(
        [](const httplib::Request&, httplib::Response& res) { post_route(res); });
    server.set_logger([&state](const httplib::Request& req, const httplib::Response& res) {
        log_request(state, req, res);
    });
    // Unknown routes: the gateway's own answer if it had one (401 before 404), else a JSON 404
    // in the family's shape (the removed v1 endpoints among them).
    server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
        if (context.api && context.answer) {
            if (!context.answer_given)
                give_decided_answer(res);
            return;
        }
        if (!res.body.empty() || res.content_length_ > 0)
            return;
        if (is_api_path(req.path)) {
            res.set_content(failure_body(req.path, res.status, "No such endpoint"),
                            kJsonContentType);
        } else if (res.status == 404) {
            res.set_content("{\"error\":\"not found\"}", kJsonContentType);
        }
    });
}

}  // namespace rosterd::sim
