#pragma once
// The control commands: each feature registers its own commands next to the feature (as in
// HAProxy and Kea), with a summary, the access level it needs and its arguments. The registry
// checks the caller's level and the arguments before a handler runs, and answers `help` from the
// specs.
#include <rapidjson/document.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "rosterd/control/access.hpp"
#include "rosterd/control/protocol.hpp"

namespace rosterd::control {

enum class ArgType { string, integer, boolean, array, object, any };
std::string_view to_string(ArgType type);

// Every member has a default, so designated initializers may leave any out without warnings.
struct ArgSpec {
    std::string name{};
    ArgType type = ArgType::string;
    bool required = false;
    std::string help{};
    bool secret = false;  // never recorded: the audit trail shows "(redacted)"
};

// One request, as a handler sees it. Cheap to copy (the parsed JSON is shared), so asynchronous
// handlers can keep it.
struct Request {
    std::string command;
    Caller caller;
    std::string id_json;                                  // the request id as JSON text
    std::shared_ptr<const rapidjson::Document> document;  // owns args_value
    const rapidjson::Value* args_value = nullptr;

    // The arguments: always an object (empty when the request had none).
    const rapidjson::Value& args() const;
    // An argument, or nullptr when absent. Types were checked against the ArgSpec already.
    const rapidjson::Value* arg(std::string_view name) const;
    std::optional<std::string> string_arg(std::string_view name) const;
    std::optional<std::int64_t> int_arg(std::string_view name) const;
    std::optional<bool> bool_arg(std::string_view name) const;
};

// The way back to the caller for one request. Exactly one final line is ever sent: the first of
// ok()/fail() wins and later calls are no-ops; progress() after that is dropped too. A Reply
// destroyed without an answer answers `internal`, so a forgotten path cannot hang a client.
// Thread-safe: a handler may keep the shared_ptr and answer later, from the loop or another thread.
class Reply {
  public:
    // Receives each '\n'-terminated line; `final` is true for the last one. Called with an internal
    // mutex held, so lines reach the sink in order.
    using Sink = std::function<void(std::string line, bool final)>;

    Reply(std::string id_json, Sink sink);
    ~Reply();
    Reply(const Reply&) = delete;
    Reply& operator=(const Reply&) = delete;

    void progress(const rapidjson::Value& data);
    void ok(const rapidjson::Value& result);
    void ok();  // result: null
    void fail(std::string_view code, std::string_view message);

    bool completed() const;
    const std::string& id_json() const { return id_json_; }

    // Facts for the audit trail, e.g. ("run_id", id) or ("changed", "sync.daily_at"): handlers
    // say what their command did beyond its arguments.
    void note(std::string key, std::string value);

    // The final outcome: code empty when ok, else the error code and message; with the notes.
    using Completion = std::function<void(std::string_view code, std::string_view message,
                                          const std::map<std::string, std::string>& notes)>;
    // Called once, when the final line is sent (set before the handler runs).
    void on_completion(Completion completion);

  private:
    void send(std::string line, bool final, std::string_view code, std::string_view message);

    const std::string id_json_;
    mutable std::mutex mutex_;
    Sink sink_;
    bool completed_ = false;
    std::map<std::string, std::string> notes_;
    Completion completion_;
};

// A handler may throw this instead of calling reply->fail(); code defaults to kFailed.
class CommandError : public std::runtime_error {
  public:
    explicit CommandError(const std::string& message, std::string code = kFailed)
        : std::runtime_error(message), code_(std::move(code)) {}
    const std::string& code() const { return code_; }

  private:
    std::string code_;
};

using Handler = std::function<void(const Request&, std::shared_ptr<Reply>)>;

// One line of the audit trail, as the registry sees a command end: who (with their level), what
// (arguments, secrets redacted), and how it ended ("ok" or the error code).
struct AuditRecord {
    Caller caller;
    std::string command;
    std::string args_json;  // compact JSON object
    std::string outcome;    // "ok" or an error code (forbidden, invalid_args, failed, ...)
    std::string message;    // the error message, when not ok
    std::map<std::string, std::string> notes;
};
using AuditSink = std::function<void(AuditRecord)>;

struct CommandSpec {
    std::string name{};  // e.g. "sync.run"
    std::string summary{};
    AccessLevel level =
        AccessLevel::admin;  // the safe default: forgetting it locks the command down
    std::vector<ArgSpec> args{};
    Handler handler{};
    bool streams_progress = false;  // sends progress lines before its answer (shown in help)
};

// Checks `args` (an object) against the spec: every member declared, of the declared type, every
// required one present. nullopt when fine, else a message naming the argument and what was
// expected.
std::optional<std::string> validate_args(const CommandSpec& spec, const rapidjson::Value& args);

// The message of a `forbidden` error: names the level required and the caller's level.
std::string forbidden_message(const CommandSpec& spec, const Caller& caller);

class CommandRegistry {
  public:
    // Registers the built-in `whoami` (viewer: identity, level and scope) and `help` (viewer):
    // lists the commands the caller may run, or with
    // {"command":"x"} describes one.
    CommandRegistry();
    CommandRegistry(const CommandRegistry&) = delete;
    CommandRegistry& operator=(const CommandRegistry&) = delete;

    // Throws std::invalid_argument on an empty or duplicate name, a missing handler, or a
    // duplicate argument name. Register everything before serving: not synchronized with dispatch.
    void add(CommandSpec spec);

    const CommandSpec* find(std::string_view name) const;
    // Every command, sorted by name.
    std::vector<const CommandSpec*> commands() const;

    // Runs one request: a caller without any level gets `forbidden` for everything; then
    // `unknown_command`, `forbidden` (level too low), `invalid_args`, and finally the handler.
    // An exception out of the handler answers `failed` (CommandError) or `internal`.
    void dispatch(const Request& request, std::shared_ptr<Reply> reply) const;

    // Every command that needs operator or admin (the ones that change state or reach
    // Atlassian) is reported to `sink` when it ends, refused ones included; callers with no
    // level at all are not (they could fill the table). Viewer commands are not recorded.
    void set_audit_sink(AuditSink sink) { audit_ = std::move(sink); }

  private:
    void help(const Request& request, const std::shared_ptr<Reply>& reply) const;
    void whoami(const Request& request, const std::shared_ptr<Reply>& reply) const;

    std::map<std::string, CommandSpec, std::less<>> commands_;
    AuditSink audit_;
};

// `args` as compact JSON with every secret argument of `spec` replaced by "(redacted)".
std::string redacted_args_json(const CommandSpec& spec, const rapidjson::Value& args);

// The JSON description of a command (as in help): name, summary, level, streams_progress, args.
rapidjson::Value describe_command(const CommandSpec& spec,
                                  rapidjson::Document::AllocatorType& alloc);

}  // namespace rosterd::control
