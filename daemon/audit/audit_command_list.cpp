// `audit`: the audit trail, newest first: who ran which changing command, when, with which
// arguments (secrets redacted) and how it ended.
#include "audit_commands.hpp"
#include "audit_service.hpp"
#include "rosterd/audit/audit.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/base/units.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/control/db_reply.hpp"

namespace rosterd::audit {
namespace {

void audit_list(AuditService& audit, const control::Request& request,
                std::shared_ptr<control::Reply> reply) {
    Query q;
    if (auto since = request.string_arg("since")) {
        auto ms = parse_iso8601_ms(*since);
        if (!ms)
            if (auto day = parse_date_days(*since))
                ms = *day * kDayMs;
        if (!ms)
            throw control::CommandError(
                "since: expected a date (YYYY-MM-DD) or an ISO 8601 instant, got '" + *since + "'",
                control::kInvalidArgs);
        q.since_ms = ms;
    }
    q.user = request.string_arg("user").value_or("");
    q.command = request.string_arg("command").value_or("");
    auto limit = request.int_arg("limit").value_or(50);
    if (limit < 1 || limit > 10000)
        throw control::CommandError("limit: expected 1 to 10000", control::kInvalidArgs);
    q.limit = static_cast<int>(limit);
    audit.context().db.read(
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
}

}  // namespace

control::CommandSpec audit_command(AuditService& audit) {
    return {.name = control::cmd::kAudit,
            .summary =
                "The audit trail: who ran which changing command, when, with which "
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
            .handler = [&audit](const control::Request& request,
                                std::shared_ptr<control::Reply> reply) {
                audit_list(audit, request, std::move(reply));
            }};
}

}  // namespace rosterd::audit
