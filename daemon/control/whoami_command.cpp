// The built-in `whoami`: the caller as the daemon identified them (issue 19), so that a delegated
// administrator can see what they may see and change before trying.
#include "rosterd/base/json.hpp"
#include "rosterd/control/registry.hpp"

namespace rosterd::control {
namespace {

rapidjson::Value scope_rule_json(const ScopeRule& rule, rapidjson::Document::AllocatorType& a) {
    rapidjson::Value out(rapidjson::kObjectType);
    auto add = [&](const char* key, const std::optional<std::vector<std::string>>& list) {
        if (!list) {
            json::add(out, key, rapidjson::Value(), a);  // null: every one
            return;
        }
        rapidjson::Value values(rapidjson::kArrayType);
        for (const auto& v : *list)
            json::push(values, v, a);
        json::add(out, key, std::move(values), a);
    };
    add("sites", rule.sites);
    add("products", rule.products);
    add("groups", rule.groups);
    return out;
}

}  // namespace

void CommandRegistry::whoami(const Request& request, const std::shared_ptr<Reply>& reply) const {
    const Caller& caller = request.caller;
    rapidjson::Document result(rapidjson::kObjectType);
    auto& a = result.GetAllocator();
    json::add(result, "user", caller.user, a);
    json::add(result, "uid", caller.uid, a);
    json::add(result, "gid", caller.gid, a);
    json::add(result, "level", caller.level ? to_string(*caller.level) : "none", a);
    json::add(result, "scope", caller.describe_scope(), a);
    // Per level the caller holds: what commands of that level reach (a union of rules).
    rapidjson::Value levels(rapidjson::kObjectType);
    for (auto level : {AccessLevel::viewer, AccessLevel::operator_, AccessLevel::admin}) {
        if (!caller.may_run(level))
            continue;
        auto scope = caller.scope_at(level);
        rapidjson::Value entry(rapidjson::kObjectType);
        json::add(entry, "unscoped", scope.unscoped(), a);
        json::add(entry, "describe", scope.describe(), a);
        rapidjson::Value rules(rapidjson::kArrayType);
        if (!scope.unscoped())
            for (const auto& rule : scope.rules)
                rules.PushBack(scope_rule_json(rule, a), a);
        json::add(entry, "rules", std::move(rules), a);
        json::add(levels, std::string(to_string(level)), std::move(entry), a);
    }
    json::add(result, "levels", std::move(levels), a);
    reply->ok(result);
}

}  // namespace rosterd::control
