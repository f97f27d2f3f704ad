// The bulk and runs commands (docs/control-protocol.md, docs/operations.md).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "ops_service.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/control/db_reply.hpp"
#include "rosterd/query/user_filter_args.hpp"

namespace rosterd::ops {
namespace {

namespace json = control::json;
using control::ArgSpec;
using control::ArgType;
using DocumentPtr = std::shared_ptr<rapidjson::Document>;

// The bulk command's own arguments; every other argument is a filter field.
constexpr std::string_view kBulkArgs[] = {"actions", "apply",  "force", "max_users",
                                          "users",   "filter", "reason"};

std::vector<ArgSpec> bulk_args() {
    std::vector<ArgSpec> args = {
        {"actions", ArgType::array, true,
         "the actions, run in this order for each user: " + action_syntax_help()},
        {"apply", ArgType::boolean, false,
         "execute the plan (admin); without it, a dry run that changes nothing"},
        {"force", ArgType::boolean, false,
         "required for destructive actions (remove-from-directory)"},
        {"max_users", ArgType::integer, false,
         "raise the cap (ops.max_users) on how many users this run may act on"},
        {"users", ArgType::array, false, "these users (account ids or emails) instead of a filter"},
        {"filter", ArgType::string, false, "start from this saved filter; other fields narrow it"},
        reason_arg()};
    for (auto& field : user_filter_arg_specs())
        args.push_back(std::move(field));
    return args;
}

std::vector<std::string> string_array(const rapidjson::Value* value, const char* name) {
    std::vector<std::string> out;
    if (!value)
        return out;
    for (const auto& item : value->GetArray()) {
        if (!item.IsString())
            throw control::CommandError(std::string(name) + ": expected an array of strings",
                                        control::kInvalidArgs);
        out.emplace_back(item.GetString());
    }
    return out;
}

}  // namespace

ArgSpec reason_arg() {
    return {"reason", ArgType::string, false,
            "why (kept with the run, shown by runs show, sent in its webhook, audited)"};
}

std::string reason_of(const control::Request& request) {
    auto reason = request.string_arg("reason").value_or("");
    if (reason.size() > kMaxReasonLength)
        throw control::CommandError(
            "reason: at most " + std::to_string(kMaxReasonLength) + " characters",
            control::kInvalidArgs);
    for (unsigned char c : reason)
        if (c < 0x20 && c != '\t')
            throw control::CommandError("reason: control characters are not allowed",
                                        control::kInvalidArgs);
    return reason;
}

namespace {

std::int64_t cap_arg(const control::Request& request, std::int64_t fallback, bool& raised) {
    auto cap = request.int_arg("max_users");
    raised = cap.has_value();
    if (cap && (*cap < 1 || *cap > 1000000))
        throw control::CommandError("max_users: expected 1 to 1000000", control::kInvalidArgs);
    return cap.value_or(fallback);
}

// A run's results name users anywhere in the organization: a scoped caller sees only the runs
// they started themselves (their uid), unscoped callers every run.
std::optional<std::int64_t> own_runs_only(const control::Request& request) {
    if (request.caller.view_scope().sees_everything())
        return std::nullopt;
    return static_cast<std::int64_t>(request.caller.uid);
}

void require_admin_to_apply(const control::Request& request, bool apply) {
    if (apply && !request.caller.may_run(control::AccessLevel::admin))
        throw control::CommandError("applying a run needs the admin level; " +
                                        request.caller.describe() + " may only review dry runs",
                                    control::kForbidden);
}

}  // namespace

Scope run_scope(const control::Request& request, bool apply) {
    // A dry run needs operator and an applying run admin: each reaches what that level's grants
    // reach (the highest level wins only inside the scope granting it).
    return request.caller.scope_at(apply ? control::AccessLevel::admin
                                         : control::AccessLevel::operator_);
}

void OpsService::bulk(const control::Request& request, std::shared_ptr<control::Reply> reply) {
    const Config& config = *context_.config;
    RunRequest r;
    r.command = "bulk";
    r.apply = request.bool_arg("apply").value_or(false);
    require_admin_to_apply(request, r.apply);
    try {
        for (const auto& text : string_array(request.arg("actions"), "actions"))
            r.actions.push_back(parse_action(text));
    } catch (const ActionError& e) {
        throw control::CommandError(std::string("actions: ") + e.what(), control::kInvalidArgs);
    }
    if (r.actions.empty())
        throw control::CommandError("actions: give at least one (" + action_syntax_help() + ")",
                                    control::kInvalidArgs);
    bool force = request.bool_arg("force").value_or(false);
    for (const auto& a : r.actions)
        if (a.destructive() && !force)
            throw control::CommandError(
                to_string(a) + " is destructive and cannot be undone: add --force",
                control::kInvalidArgs);
    r.users = string_array(request.arg("users"), "users");
    try {
        if (auto saved = request.string_arg("filter")) {
            auto found = config.filters.find(*saved);
            if (found == config.filters.end())
                throw FilterError("filter", "no saved filter named '" + *saved + "'");
            r.saved_filter = *saved;
            r.filters.push_back(found->second);
        }
        auto inline_filter = user_filter_from_json(request.args(), kBulkArgs);
        if (!inline_filter.empty())
            r.filters.push_back(inline_filter);
    } catch (const FilterError& e) {
        throw control::CommandError(e.what(), control::kInvalidArgs);
    }
    if (!r.users.empty() && !r.filters.empty())
        throw control::CommandError("give either users or a filter, not both",
                                    control::kInvalidArgs);
    if (r.users.empty() && r.filters.empty())
        throw control::CommandError(
            "select the users: filter flags, --filter NAME, --users or --from-file (a run over "
            "every user needs an explicit filter)",
            control::kInvalidArgs);
    r.max_users = cap_arg(request, config.ops.max_users, r.cap_raised);
    r.reason = reason_of(request);
    r.caller = request.caller.describe();
    r.caller_uid = request.caller.uid;
    r.scope = run_scope(request, r.apply);
    r.reply = std::move(reply);
    spdlog::info("ops: bulk {} by {}", r.apply ? "apply" : "dry run", r.caller);
    submit(std::move(r));
}

void OpsService::undo(const control::Request& request, std::shared_ptr<control::Reply> reply) {
    RunRequest r;
    r.kind = "undo";
    r.command = "runs.undo";
    r.undo_of = *request.string_arg("id");
    r.apply = request.bool_arg("apply").value_or(false);
    require_admin_to_apply(request, r.apply);
    r.max_users = cap_arg(request, context_.config->ops.max_users, r.cap_raised);
    r.reason = reason_of(request);
    r.caller = request.caller.describe();
    r.caller_uid = request.caller.uid;
    r.scope = run_scope(request, r.apply);
    r.reply = std::move(reply);
    submit(std::move(r));
}

void OpsService::register_commands(control::CommandRegistry& registry) {
    registry.add(
        {.name = "bulk",
         .summary = "Plan (dry run) or apply actions to the users a filter selects; "
                    "applying streams progress and answers with the run's result",
         .level = control::AccessLevel::operator_,
         .args = bulk_args(),
         .handler = [this](const auto& request, auto reply) { bulk(request, std::move(reply)); },
         .streams_progress = true});
    registry.add(
        {.name = "runs",
         .summary = "Recent runs (bulk, task, undo) with their counts",
         .level = control::AccessLevel::viewer,
         .args = {{"limit", ArgType::integer, false, "how many runs (default 20)"}},
         .handler = [this](const control::Request& request, std::shared_ptr<control::Reply> reply) {
             auto limit = std::clamp<std::int64_t>(request.int_arg("limit").value_or(20), 1, 1000);
             auto own_only = own_runs_only(request);
             context_.db.read(
                 [limit, own_only](store::Database& db) {
                     auto doc = std::make_shared<rapidjson::Document>(rapidjson::kObjectType);
                     auto& a = doc->GetAllocator();
                     rapidjson::Value runs(rapidjson::kArrayType);
                     for (const auto& [run, counts] : list_runs(db, static_cast<int>(limit)))
                         if (!own_only || run.caller_uid == *own_only)
                             runs.PushBack(run_summary_json(run, counts, a), a);
                     doc->AddMember("runs", runs, a);
                     return doc;
                 },
                 control::answer_with_document(reply));
         }});
    registry.add(
        {.name = "runs.show",
         .summary = "One run in full: every user and operation with its outcome (the audit "
                    "document)",
         .level = control::AccessLevel::viewer,
         .args = {{"id", ArgType::string, true, "the run id"}},
         .handler = [this](const control::Request& request, std::shared_ptr<control::Reply> reply) {
             context_.db.read(
                 [id = *request.string_arg("id"),
                  own_only = own_runs_only(request)](store::Database& db) {
                     auto run = load_run(db, id);
                     if (own_only && run.caller_uid != *own_only)
                         throw std::runtime_error("no run with id '" + id + "' in your scope");
                     auto doc = std::make_shared<rapidjson::Document>();
                     static_cast<rapidjson::Value&>(*doc) = run_json(run, doc->GetAllocator());
                     return doc;
                 },
                 control::answer_with_document(reply));
         }});
    registry.add(
        {.name = "runs.cancel",
         .summary = "Stop a run after the operation in flight; what was not sent is skipped",
         .level = control::AccessLevel::admin,
         .args = {{"id", ArgType::string, true, "the run id"}},
         .handler = [this](const control::Request& request, std::shared_ptr<control::Reply> reply) {
             auto id = *request.string_arg("id");
             auto caller = request.caller.describe();
             auto now = context_.clock.now().time_since_epoch().count();
             reply->note("run_id", id);
             bool active = active_ && active_->run().id == id;
             if (active)
                 active_->cancel(caller);
             if (starting_.count(id)) {
                 // Journaled, about to start: it starts cancelled (OpsService::execute).
                 cancel_before_start_[id] = caller;
                 active = true;
             }
             // A journaled run not executing (e.g. waiting for a usable key) is closed here.
             context_.db.write(
                 [id, now, active](store::Database& db) {
                     auto run = load_run(db, id);
                     if (!active && run.state != kRunQueued && run.state != kRunRunning)
                         throw std::runtime_error("run " + id + " is not running (" + run.state +
                                                  ")");
                     if (!active) {
                         set_run_state(db, id, kRunCancelled, std::nullopt, now, "cancelled");
                         run.state = kRunCancelled;
                         run.finished_at = now;
                     }
                     return run;
                 },
                 [this, reply, id, active, caller](store::DbResult<RunRecord> r) {
                     if (!r.ok())
                         return reply->fail(control::kFailed, r.error);
                     if (!active)
                         emit_run_event(*r.value, caller);
                     rapidjson::Document doc(rapidjson::kObjectType);
                     json::add(doc, "id", id, doc.GetAllocator());
                     json::add(doc, "cancelling", true, doc.GetAllocator());
                     reply->ok(doc);
                 });
         }});
    registry.add(
        {.name = "runs.undo",
         .summary = "A new run applying the inverse of every operation of a run that changed "
                    "something (dry run unless apply)",
         .level = control::AccessLevel::operator_,
         .args = {{"id", ArgType::string, true, "the run to undo"},
                  {"apply", ArgType::boolean, false, "execute the undo (admin)"},
                  {"max_users", ArgType::integer, false,
                   "raise the cap for this run (an undo may always act on as many users as the "
                   "run it reverses changed)"},
                  reason_arg()},
         .handler = [this](const auto& request, auto reply) { undo(request, std::move(reply)); },
         .streams_progress = true});
}

}  // namespace rosterd::ops
