#include "audit_service.hpp"

#include <spdlog/spdlog.h>

#include <asio/post.hpp>

#include "audit_commands.hpp"
#include "rosterd/audit/audit.hpp"
#include "rosterd/base/json.hpp"

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
    registry.add(audit_command(*this));
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
