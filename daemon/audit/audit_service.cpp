#include "audit_service.hpp"

#include <spdlog/spdlog.h>

#include <asio/post.hpp>

#include "rosterd/audit/audit.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/base/units.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/control/db_reply.hpp"

namespace rosterd::audit {
namespace {

namespace json = control::json;

// The notes a command left, as "key=value; key=value" (run_id has its own column).
std::string detail_of(const control::AuditRecord& r) {
    std::string detail;
    for (const auto& [key, value] : r.notes) {
        if (key == "run_id")
            continue;
        detail += (detail.empty() ? "" : "; ") + key + "=" + value;
    }
    if (!r.message.empty())
        detail += (detail.empty() ? "" : "; ") + r.message;
    return detail;
}

}  // namespace

void AuditService::register_commands(control::CommandRegistry& registry) {
    registry.set_audit_sink(
        [this, alive = alive_, &loop = context_.loop](control::AuditRecord record) {
            if (!alive->load())
                return;
            // A reply may complete on another thread; the table is written from the loop.
            asio::post(loop, [this, alive, record = std::move(record)]() mutable {
                if (alive->load())
                    this->record(std::move(record));
            });
        });
    registry.add(
        {.name = control::cmd::kAudit,
         .summary = "The audit trail: who ran which changing command, when, with which "
                    "arguments (secrets redacted) and how it ended; newest first",
         .level = control::AccessLevel::viewer,
         .args = {{control::arg::kSince, control::ArgType::string, false,
                   "only entries at or after this date (YYYY-MM-DD) or instant (ISO 8601)"},
                  {control::arg::kUser, control::ArgType::string, false,
                   "only this caller (name or uid)"},
                  {control::arg::kCommand, control::ArgType::string, false,
                   "only this command (e.g. bulk, key.set; a prefix ending in '.' such as "
                   "tasks. for a group)"},
                  {control::arg::kLimit, control::ArgType::integer, false,
                   "how many (default 50, at most "
                   "10000)"}},
         .handler = [this](const control::Request& request, std::shared_ptr<control::Reply> reply) {
             Query q;
             if (auto since = request.string_arg("since")) {
                 auto ms = parse_iso8601_ms(*since);
                 if (!ms)
                     if (auto day = parse_date_days(*since))
                         ms = *day * kDayMs;
                 if (!ms)
                     throw control::CommandError(
                         "since: expected a date (YYYY-MM-DD) or an ISO 8601 instant, got '" +
                             *since + "'",
                         control::kInvalidArgs);
                 q.since_ms = ms;
             }
             q.user = request.string_arg("user").value_or("");
             q.command = request.string_arg("command").value_or("");
             auto limit = request.int_arg("limit").value_or(50);
             if (limit < 1 || limit > 10000)
                 throw control::CommandError("limit: expected 1 to 10000", control::kInvalidArgs);
             q.limit = static_cast<int>(limit);
             context_.db.read(
                 [q](store::Database& db) {
                     auto doc = std::make_shared<rapidjson::Document>(rapidjson::kObjectType);
                     auto& a = doc->GetAllocator();
                     rapidjson::Value entries(rapidjson::kArrayType);
                     for (const auto& e : read(db, q))
                         entries.PushBack(to_json(e, a), a);
                     doc->AddMember("entries", entries, a);
                     return doc;
                 },
                 control::answer_with_document(reply));
         }});
}

void AuditService::record(control::AuditRecord r) {
    Entry e;
    e.at = context_.clock.now().time_since_epoch().count();
    e.caller = r.caller.user;
    e.caller_uid = r.caller.uid;
    if (r.caller.level)
        e.caller_level = std::string(control::to_string(*r.caller.level));
    e.caller_scope = r.caller.describe_scope();
    e.command = r.command;
    e.args = r.args_json;
    e.outcome = r.outcome;
    if (auto run = r.notes.find("run_id"); run != r.notes.end())
        e.run_id = run->second;
    e.detail = detail_of(r);
    ++recorded_;
    context_.db.write(
        [e](store::Database& db) {
            append(db, e);
            return true;
        },
        [this](store::DbResult<bool> result) {
            if (!result.ok()) {
                ++failed_writes_;
                spdlog::error("audit: cannot record a command: {}", result.error);
            }
        });
}

void AuditService::write_status(rapidjson::Value& out,
                                rapidjson::Document::AllocatorType& alloc) const {
    json::add(out, "recorded", recorded_, alloc);
    json::add(out, "failed_writes", failed_writes_, alloc);
}

}  // namespace rosterd::audit
