// The built-in `help`: generated from the registered specs, so it can never drift from what the
// daemon accepts (Kea's list-commands, HAProxy's help).
#include "quote.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/control/registry.hpp"

namespace rosterd::control {

void CommandRegistry::help(const Request& request, const std::shared_ptr<Reply>& reply) const {
    const Caller& caller = request.caller;
    rapidjson::Document result(rapidjson::kObjectType);
    auto& alloc = result.GetAllocator();

    if (auto name = request.string_arg("command")) {
        const CommandSpec* spec = find(*name);
        if (!spec) {
            reply->fail(kUnknownCommand, "unknown command " + detail::quoted(*name));
            return;
        }
        rapidjson::Value entry = describe_command(*spec, alloc);
        json::add(entry, "allowed", caller.may_run(spec->level), alloc);
        reply->ok(entry);
        return;
    }

    rapidjson::Value who(rapidjson::kObjectType);
    json::add(who, "user", caller.user, alloc);
    json::add(who, "uid", caller.uid, alloc);
    json::add(who, "level", caller.level ? to_string(*caller.level) : "none", alloc);
    json::add(result, "caller", std::move(who), alloc);

    rapidjson::Value list(rapidjson::kArrayType);
    for (const CommandSpec* spec : commands())
        if (caller.may_run(spec->level))
            list.PushBack(describe_command(*spec, alloc), alloc);
    json::add(result, "commands", std::move(list), alloc);
    reply->ok(result);
}

}  // namespace rosterd::control
