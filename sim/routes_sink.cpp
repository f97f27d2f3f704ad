// The webhook sink: POST /sink/{name} records deliveries; /_sim/sink/{name} configures answers
// and lists what arrived.
#include <map>

#include "json_util.hpp"
#include "route_util.hpp"
#include "routes.hpp"

namespace rosterd::sim {

namespace {

void receive(SimState& state, const httplib::Request& req, httplib::Response& res) {
    SinkDelivery delivery;
    delivery.name = req.matches[1].str();
    delivery.t = SimState::wall_clock_ms();
    // Repeated headers are joined, as HTTP allows, so the record stays a plain object.
    std::map<std::string, std::string> headers;
    for (const auto& [name, value] : req.headers) {
        auto [it, inserted] = headers.emplace(name, value);
        if (!inserted)
            it->second += ", " + value;
    }
    delivery.headers.assign(headers.begin(), headers.end());
    delivery.body = req.body;
    SinkBehaviour answer = state.sinks.receive(std::move(delivery));
    res.status = answer.status;
    if (answer.retry_after)
        res.set_header("Retry-After", std::to_string(*answer.retry_after));
    bool json = !answer.body.empty() && (answer.body.front() == '{' || answer.body.front() == '[');
    res.set_content(answer.body, json ? "application/json" : "text/plain");
}

void configure(SimState& state, const httplib::Request& req, httplib::Response& res) {
    rapidjson::Document doc;
    doc.Parse(req.body.empty() ? "{}" : req.body.c_str());
    if (doc.HasParseError() || !doc.IsObject()) {
        send_json(res, 400, "{\"error\":\"body must be a JSON object\"}");
        return;
    }
    SinkBehaviour behaviour;
    try {
        behaviour.status = static_cast<int>(optional_int64(doc, "status").value_or(200));
        behaviour.body = optional_string(doc, "body").value_or(behaviour.status < 300 ? "ok" : "");
        if (auto seconds = optional_int64(doc, "retry_after")) {
            behaviour.retry_after = static_cast<int>(*seconds);
        }
        behaviour.times = static_cast<int>(optional_int64(doc, "times").value_or(1));
    } catch (const std::runtime_error& error) {
        rapidjson::StringBuffer buffer;
        JsonWriter w(buffer);
        w.StartObject();
        key(w, "error");
        put(w, error.what());
        w.EndObject();
        send_json(res, 400, to_string(buffer));
        return;
    }
    if (behaviour.status < 100 || behaviour.status > 599) {
        send_json(res, 400, "{\"error\":\"status must be an HTTP status code\"}");
        return;
    }
    state.sinks.set_behaviour(req.matches[1].str(), behaviour);
    send_json(res, 200, "{\"ok\":true}");
}

}  // namespace

void register_sink_routes(Routes& server, SimState& state) {
    server.post("/sink/([^/]+)", [&state](const httplib::Request& req, httplib::Response& res) {
        receive(state, req, res);
    });
    server.post("/_sim/sink/([^/]+)",
                [&state](const httplib::Request& req, httplib::Response& res) {
                    configure(state, req, res);
                });
    server.get("/_sim/sink/([^/]+)", [&state](const httplib::Request& req, httplib::Response& res) {
        send_json(res, 200, state.sinks.deliveries_json(req.matches[1].str()));
    });
    server.del("/_sim/sink/([^/]+)", [&state](const httplib::Request& req, httplib::Response& res) {
        state.sinks.clear(req.matches[1].str());
        send_json(res, 200, "{\"ok\":true}");
    });
}

}  // namespace rosterd::sim
