// Run-time control for tests and demos, under /_sim/ (no authentication, never faulted).
#include "activity_text.hpp"
#include "json_util.hpp"
#include "route_util.hpp"
#include "routes.hpp"
#include "truth.hpp"

namespace rosterd::sim {

namespace {

void send_control_error(httplib::Response& res, int status, std::string_view message) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    key(w, "error");
    put(w, message);
    w.EndObject();
    send_json(res, status, to_string(buffer));
}

// Parses a control request body; answers 400 and returns nullopt when it is not a JSON object.
std::optional<rapidjson::Document> control_body(const httplib::Request& req,
                                                httplib::Response& res) {
    rapidjson::Document doc;
    doc.Parse(req.body.empty() ? "{}" : req.body.c_str());
    if (doc.HasParseError() || !doc.IsObject()) {
        send_control_error(res, 400, "body must be a JSON object");
        return std::nullopt;
    }
    return doc;
}

void get_user_state(SimState& state, const httplib::Request& req, httplib::Response& res) {
    std::shared_lock lock(state.model_mutex);
    const Model& model = state.model;
    auto index = model.find_user(req.matches[1].str());
    if (!index) {
        send_control_error(res, 404, "no such user");
        return;
    }
    const User& user = model.users[*index];
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    write_user_truth_fields(w, model, user);
    key(w, "mfa_enabled");
    w.Bool(mfa_enabled(user));
    key(w, "billable_on");
    w.StartArray();
    for (const auto& access : user.access) {
        if (model.billable_on(user, access.resource)) {
            put(w, model.products[access.resource].resource_id);
        }
    }
    w.EndArray();
    key(w, "direct_roles");
    w.StartArray();
    for (const auto& grant : user.direct_roles) {
        w.StartObject();
        key(w, "resource_id");
        put(w, model.products[grant.resource].resource_id);
        key(w, "role");
        put(w, role_id(grant.role));
        w.EndObject();
    }
    w.EndArray();
    // All recorded activity, including products the user no longer holds.
    key(w, "activity");
    w.StartArray();
    for (const auto& [resource, activity] : user.activity) {
        w.StartObject();
        key(w, "resource_id");
        put(w, model.products[resource].resource_id);
        key(w, "last_active_ms");
        w.Int64(activity.ms);
        key(w, "last_active");
        put(w, activity.text);
        w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    send_json(res, 200, to_string(buffer));
}

void set_activity(SimState& state, const httplib::Request& req, httplib::Response& res) {
    auto body = control_body(req, res);
    if (!body)
        return;
    std::optional<std::string> account_id;
    std::optional<std::string> resource_id;
    std::optional<std::string> last_active;
    try {
        account_id = optional_string(*body, "account_id");
        resource_id = optional_string(*body, "resource_id");
        last_active = optional_string(*body, "last_active");
    } catch (const std::runtime_error& error) {
        send_control_error(res, 400, error.what());
        return;
    }
    if (!account_id || !resource_id) {
        send_control_error(res, 400, "account_id and resource_id are required");
        return;
    }
    std::optional<Activity> activity;
    if (last_active) {
        activity = activity_from_text(*last_active);
        if (!activity) {
            send_control_error(res, 400, "last_active must be an ISO-8601 instant or null");
            return;
        }
    }
    std::unique_lock lock(state.model_mutex);
    auto user = state.model.find_user(*account_id);
    auto resource = state.model.find_product(*resource_id);
    if (!user || !resource) {
        send_control_error(res, 404, "no such user or resource");
        return;
    }
    state.model.set_activity(*user, *resource, activity);
    send_json(res, 200, "{\"ok\":true}");
}

void add_fail_rule(SimState& state, const httplib::Request& req, httplib::Response& res) {
    auto body = control_body(req, res);
    if (!body)
        return;
    FailRule rule;
    try {
        rule.path_contains = optional_string(*body, "path_contains").value_or("");
        rule.status = static_cast<int>(optional_int64(*body, "status").value_or(500));
        rule.remaining = static_cast<int>(optional_int64(*body, "count").value_or(1));
    } catch (const std::runtime_error& error) {
        send_control_error(res, 400, error.what());
        return;
    }
    if (rule.status < 400 || rule.status > 599) {
        send_control_error(res, 400, "status must be between 400 and 599");
        return;
    }
    state.faults.add_rule(rule);
    send_json(res, 200, "{\"ok\":true}");
}

void set_config(SimState& state, const httplib::Request& req, httplib::Response& res) {
    auto body = control_body(req, res);
    if (!body)
        return;
    try {
        state.update_knobs(*body);
    } catch (const std::runtime_error& error) {
        send_control_error(res, 400, error.what());
        return;
    }
    send_json(res, 200, knobs_json(state.knobs()));
}

void arm_churn(SimState& state, const httplib::Request& req, httplib::Response& res) {
    auto body = control_body(req, res);
    if (!body)
        return;
    ChurnPlan plan;
    try {
        plan.after_pages = static_cast<int>(optional_int64(*body, "after_pages").value_or(1));
        plan.suspend = static_cast<int>(optional_int64(*body, "suspend").value_or(0));
        plan.restore = static_cast<int>(optional_int64(*body, "restore").value_or(0));
        plan.deactivate = static_cast<int>(optional_int64(*body, "deactivate").value_or(0));
        plan.rehome = static_cast<int>(optional_int64(*body, "rehome").value_or(0));
        if (auto to = body->FindMember("rehome_to"); to != body->MemberEnd()) {
            if (!to->value.IsString())
                throw std::runtime_error("rehome_to must be a string");
            plan.rehome_to = to->value.GetString();
        }
        plan.seed = static_cast<std::uint64_t>(optional_int64(*body, "seed").value_or(1));
    } catch (const std::runtime_error& error) {
        send_control_error(res, 400, error.what());
        return;
    }
    if (plan.after_pages < 1 || plan.suspend < 0 || plan.restore < 0 || plan.deactivate < 0 ||
        plan.rehome < 0) {
        send_control_error(res, 400, "after_pages must be >= 1 and the move counts >= 0");
        return;
    }
    state.churn.arm(plan);
    send_json(res, 200, state.churn.state_json());
}

}  // namespace

void register_control_routes(Routes& server, SimState& state) {
    server.get("/_sim/truth", [&state](const httplib::Request&, httplib::Response& res) {
        std::shared_lock lock(state.model_mutex);
        send_json(res, 200, truth_json(state.model));
    });
    server.get("/_sim/users/([^/]+)",
               [&state](const httplib::Request& req, httplib::Response& res) {
                   get_user_state(state, req, res);
               });
    server.get("/_sim/config", [&state](const httplib::Request&, httplib::Response& res) {
        send_json(res, 200, knobs_json(state.knobs()));
    });
    server.post("/_sim/config", [&state](const httplib::Request& req, httplib::Response& res) {
        set_config(state, req, res);
    });
    server.post("/_sim/fail", [&state](const httplib::Request& req, httplib::Response& res) {
        add_fail_rule(state, req, res);
    });
    server.post("/_sim/fail/clear", [&state](const httplib::Request&, httplib::Response& res) {
        state.faults.clear_rules();
        send_json(res, 200, "{\"ok\":true}");
    });
    server.get("/_sim/requests", [&state](const httplib::Request&, httplib::Response& res) {
        send_json(res, 200, state.log.records_json());
    });
    server.post("/_sim/requests/clear", [&state](const httplib::Request&, httplib::Response& res) {
        state.log.clear();
        send_json(res, 200, "{\"ok\":true}");
    });
    server.post("/_sim/activity", [&state](const httplib::Request& req, httplib::Response& res) {
        set_activity(state, req, res);
    });
    server.post("/_sim/churn", [&state](const httplib::Request& req, httplib::Response& res) {
        arm_churn(state, req, res);
    });
    server.get("/_sim/churn", [&state](const httplib::Request&, httplib::Response& res) {
        send_json(res, 200, state.churn.state_json());
    });
    server.post("/_sim/reset", [&state](const httplib::Request&, httplib::Response& res) {
        state.reset_model();
        send_json(res, 200, "{\"ok\":true}");
    });
}

}  // namespace rosterd::sim
