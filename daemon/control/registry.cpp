#include <spdlog/spdlog.h>

#include <algorithm>

#include "quote.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/control/registry.hpp"

namespace rosterd::control {
namespace {

using detail::quoted;

bool has_type(const rapidjson::Value& value, ArgType type) {
    switch (type) {
        case ArgType::string:
            return value.IsString();
        case ArgType::integer:
            return value.IsInt64();
        case ArgType::boolean:
            return value.IsBool();
        case ArgType::array:
            return value.IsArray();
        case ArgType::object:
            return value.IsObject();
        case ArgType::any:
            return true;
    }
    return false;
}

std::string_view with_article(ArgType type) {
    switch (type) {
        case ArgType::string:
            return "a string";
        case ArgType::integer:
            return "an integer";
        case ArgType::boolean:
            return "a boolean";
        case ArgType::array:
            return "an array";
        case ArgType::object:
            return "an object";
        case ArgType::any:
            return "any JSON value";
    }
    return "?";
}

std::string accepted_list(const CommandSpec& spec) {
    if (spec.args.empty())
        return quoted(spec.name) + " takes no arguments";
    std::string list = "accepted: ";
    for (std::size_t i = 0; i < spec.args.size(); ++i) {
        if (i > 0)
            list += ", ";
        list += quoted(spec.args[i].name) + " (" + std::string(to_string(spec.args[i].type)) + ")";
    }
    return list;
}

}  // namespace

std::string_view to_string(ArgType type) {
    switch (type) {
        case ArgType::string:
            return "string";
        case ArgType::integer:
            return "integer";
        case ArgType::boolean:
            return "boolean";
        case ArgType::array:
            return "array";
        case ArgType::object:
            return "object";
        case ArgType::any:
            return "any";
    }
    return "?";
}

const rapidjson::Value& Request::args() const {
    static const rapidjson::Value kNoArgs(rapidjson::kObjectType);
    return args_value ? *args_value : kNoArgs;
}

const rapidjson::Value* Request::arg(std::string_view name) const {
    const rapidjson::Value& all = args();
    for (auto it = all.MemberBegin(); it != all.MemberEnd(); ++it)
        if (std::string_view(it->name.GetString(), it->name.GetStringLength()) == name)
            return &it->value;
    return nullptr;
}

std::optional<std::string> Request::string_arg(std::string_view name) const {
    const auto* value = arg(name);
    if (!value || !value->IsString())
        return std::nullopt;
    return std::string(value->GetString(), value->GetStringLength());
}

std::optional<std::int64_t> Request::int_arg(std::string_view name) const {
    const auto* value = arg(name);
    if (!value || !value->IsInt64())
        return std::nullopt;
    return value->GetInt64();
}

std::optional<bool> Request::bool_arg(std::string_view name) const {
    const auto* value = arg(name);
    if (!value || !value->IsBool())
        return std::nullopt;
    return value->GetBool();
}

std::optional<std::string> validate_args(const CommandSpec& spec, const rapidjson::Value& args) {
    std::vector<bool> seen(spec.args.size(), false);
    for (auto it = args.MemberBegin(); it != args.MemberEnd(); ++it) {
        std::string_view name(it->name.GetString(), it->name.GetStringLength());
        std::size_t index = 0;
        while (index < spec.args.size() && spec.args[index].name != name)
            ++index;
        if (index == spec.args.size()) {
            return "unknown argument " + quoted(name) + " for " + quoted(spec.name) + "; " +
                   accepted_list(spec);
        }
        if (seen[index])
            return "argument " + quoted(name) + " is given twice";
        seen[index] = true;
        const ArgSpec& arg = spec.args[index];
        if (!has_type(it->value, arg.type)) {
            return "argument " + quoted(name) + " must be " + std::string(with_article(arg.type)) +
                   ", got " + std::string(describe_json_type(it->value));
        }
    }
    for (std::size_t i = 0; i < spec.args.size(); ++i) {
        const ArgSpec& arg = spec.args[i];
        if (arg.required && !seen[i]) {
            std::string message = "missing required argument " + quoted(arg.name) + " (" +
                                  std::string(with_article(arg.type));
            if (!arg.help.empty())
                message += ": " + arg.help;
            return message + ")";
        }
    }
    return std::nullopt;
}

std::string forbidden_message(const CommandSpec& spec, const Caller& caller) {
    std::string message = quoted(spec.name) + " requires " + std::string(to_string(spec.level)) +
                          " access; " + caller.describe();
    if (caller.level)
        return message + " has " + std::string(to_string(*caller.level)) + " access";
    return message + " has no access (granted in control.access of the rosterd configuration)";
}

CommandRegistry::CommandRegistry() {
    add(CommandSpec{
        .name = control::cmd::kHelp,
        .summary = "List the commands you may run, or describe one",
        .level = AccessLevel::viewer,
        .args = {{control::arg::kCommand, ArgType::string, false, "the command to describe"}},
        .handler = [this](const Request& request,
                          std::shared_ptr<Reply> reply) { help(request, reply); },
    });
    add(CommandSpec{
        .name = control::cmd::kWhoami,
        .summary = "Your identity, access level and scope, as the daemon sees them",
        .level = AccessLevel::viewer,
        .args = {},
        .handler = [this](const Request& request,
                          std::shared_ptr<Reply> reply) { whoami(request, reply); },
    });
}

void CommandRegistry::add(CommandSpec spec) {
    if (spec.name.empty())
        throw std::invalid_argument("a control command needs a name");
    if (!spec.handler)
        throw std::invalid_argument("control command \"" + spec.name + "\" has no handler");
    for (std::size_t i = 0; i < spec.args.size(); ++i)
        for (std::size_t j = i + 1; j < spec.args.size(); ++j)
            if (spec.args[i].name == spec.args[j].name)
                throw std::invalid_argument("control command \"" + spec.name +
                                            "\" declares argument \"" + spec.args[i].name +
                                            "\" twice");
    std::string name = spec.name;
    if (!commands_.emplace(name, std::move(spec)).second)
        throw std::invalid_argument("control command \"" + name + "\" is registered twice");
}

const CommandSpec* CommandRegistry::find(std::string_view name) const {
    auto it = commands_.find(name);
    return it == commands_.end() ? nullptr : &it->second;
}

std::vector<const CommandSpec*> CommandRegistry::commands() const {
    std::vector<const CommandSpec*> all;
    all.reserve(commands_.size());
    for (const auto& [name, spec] : commands_)
        all.push_back(&spec);
    return all;
}

void CommandRegistry::dispatch(const Request& request, std::shared_ptr<Reply> reply) const {
    const CommandSpec* spec = find(request.command);
    const Caller& caller = request.caller;
    if (!caller.level) {
        // Someone without access learns nothing, not even which commands exist.
        CommandSpec probe{.name = request.command,
                          .level = spec ? spec->level : AccessLevel::viewer};
        reply->fail(kForbidden, forbidden_message(probe, caller));
        return;
    }
    if (!spec) {
        reply->fail(kUnknownCommand,
                    "unknown command " + quoted(request.command) + "; \"help\" lists the commands");
        return;
    }
    if (spec->level != AccessLevel::viewer && audit_) {
        // Everything the record needs is taken now: a reply may complete (or be destroyed
        // unanswered) after the registry is gone, at shutdown.
        AuditRecord base;
        base.caller = caller;
        base.command = spec->name;
        base.args_json = redacted_args_json(*spec, request.args());
        reply->on_completion([sink = audit_, base = std::move(base)](
                                 std::string_view code, std::string_view message,
                                 const std::map<std::string, std::string>& notes) {
            AuditRecord record = base;
            record.outcome = code.empty() ? "ok" : std::string(code);
            record.message = std::string(message);
            record.notes = notes;
            sink(std::move(record));
        });
    }
    if (!caller.may_run(spec->level)) {
        spdlog::info("control: refused {} to {} ({} access)", spec->name, caller.describe(),
                     to_string(*caller.level));
        reply->fail(kForbidden, forbidden_message(*spec, caller));
        return;
    }
    if (auto problem = validate_args(*spec, request.args())) {
        reply->fail(kInvalidArgs, *problem);
        return;
    }
    // Arguments are never logged: some commands carry secrets.
    if (spec->level == AccessLevel::viewer)
        spdlog::debug("control: {} runs {}", caller.describe(), spec->name);
    else
        spdlog::info("control: {} runs {}", caller.describe(), spec->name);
    try {
        spec->handler(request, reply);
    } catch (const CommandError& error) {
        reply->fail(error.code(), error.what());
    } catch (const std::exception& error) {
        spdlog::error("control: command {} failed unexpectedly: {}", spec->name, error.what());
        reply->fail(kInternal, "internal error in " + quoted(spec->name) + "; see the rosterd log");
    } catch (...) {
        spdlog::error("control: command {} failed unexpectedly", spec->name);
        reply->fail(kInternal, "internal error in " + quoted(spec->name) + "; see the rosterd log");
    }
}

std::string redacted_args_json(const CommandSpec& spec, const rapidjson::Value& args) {
    rapidjson::Document copy(rapidjson::kObjectType);
    auto& a = copy.GetAllocator();
    if (args.IsObject())
        for (auto it = args.MemberBegin(); it != args.MemberEnd(); ++it) {
            std::string_view name(it->name.GetString(), it->name.GetStringLength());
            bool secret = std::any_of(spec.args.begin(), spec.args.end(), [&](const ArgSpec& arg) {
                return arg.secret && arg.name == name;
            });
            rapidjson::Value value;
            if (secret)
                value.SetString("(redacted)", a);
            else
                value.CopyFrom(it->value, a);
            copy.AddMember(rapidjson::Value(it->name, a), std::move(value), a);
        }
    return json::to_compact(copy);
}

rapidjson::Value describe_command(const CommandSpec& spec, json::Allocator& alloc) {
    rapidjson::Value entry(rapidjson::kObjectType);
    json::add(entry, "name", spec.name, alloc);
    json::add(entry, "summary", spec.summary, alloc);
    json::add(entry, "level", to_string(spec.level), alloc);
    json::add(entry, "streams_progress", spec.streams_progress, alloc);
    rapidjson::Value args(rapidjson::kArrayType);
    for (const ArgSpec& arg : spec.args) {
        rapidjson::Value item(rapidjson::kObjectType);
        json::add(item, "name", arg.name, alloc);
        json::add(item, "type", to_string(arg.type), alloc);
        json::add(item, "required", arg.required, alloc);
        json::add(item, "help", arg.help, alloc);
        args.PushBack(std::move(item), alloc);
    }
    json::add(entry, "args", std::move(args), alloc);
    return entry;
}

}  // namespace rosterd::control
