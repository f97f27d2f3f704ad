// `notify.list`: recent webhook deliveries with their state, attempts and last error.
#include <algorithm>

#include "notify_commands.hpp"
#include "notify_service.hpp"
#include "outbox_store.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/control/commands.hpp"

namespace rosterd::notify {
namespace {

namespace json = control::json;
using Alloc = rapidjson::Document::AllocatorType;

rapidjson::Value row_json(const outbox::DeliveryRow& row, Alloc& a) {
    rapidjson::Value out(rapidjson::kObjectType);
    json::add(out, "id", row.id, a);
    json::add(out, "event_id", row.event_id, a);
    json::add(out, "event", row.event_type, a);
    json::add(out, "webhook", row.webhook, a);
    json::add(out, "delivery_id", row.uuid, a);
    json::add(out, "state", to_string(row.state), a);
    json::add(out, "attempts", row.attempts, a);
    json::add(out, "created_at", format_iso8601_s(row.created_at), a);
    json::add(out, "next_attempt_at",
              row.state == DeliveryState::pending ? iso(row.next_attempt_at) : std::nullopt, a);
    json::add(out, "last_attempt_at", iso(row.last_attempt_at), a);
    json::add(out, "delivered_at", iso(row.delivered_at), a);
    json::add(out, "last_status", row.last_status, a);
    json::add(out, "last_error",
              row.last_error.empty() ? std::nullopt : std::optional<std::string>(row.last_error),
              a);
    return out;
}

void notify_list(NotifyService& notify, const control::Request& request,
                 std::shared_ptr<control::Reply> reply) {
    auto limit = std::clamp<std::int64_t>(request.int_arg("limit").value_or(20), 1, 1000);
    std::optional<DeliveryState> state;
    if (auto text = request.string_arg("state"); text && !text->empty()) {
        state = delivery_state_from(*text);
        if (!state)
            throw control::CommandError(
                "state must be pending, delivered or dead, not '" + *text + "'",
                control::kInvalidArgs);
    }
    notify.context().db.read(
        [limit, state](store::Database& db) {
            return outbox::list_deliveries(db, static_cast<int>(limit), state);
        },
        [reply](store::DbResult<std::vector<outbox::DeliveryRow>> r) {
            if (!r.ok()) {
                reply->fail(control::kFailed, r.error);
                return;
            }
            rapidjson::Document out(rapidjson::kObjectType);
            auto& a = out.GetAllocator();
            rapidjson::Value rows(rapidjson::kArrayType);
            for (const auto& row : *r.value)
                rows.PushBack(row_json(row, a), a);
            json::add(out, "deliveries", std::move(rows), a);
            reply->ok(out);
        });
}

}  // namespace

control::CommandSpec notify_list_command(NotifyService& notify) {
    return {
        .name = control::cmd::kNotifyList,
        .summary = "Recent webhook deliveries with their state, attempts and last error",
        .level = control::AccessLevel::viewer,
        .args = {{control::arg::kLimit, control::ArgType::integer, false, "how many (default 20)"},
                 {control::arg::kState, control::ArgType::string, false,
                  "pending, delivered or dead"}},
        .handler = [&notify](const auto& request, auto reply) {
            notify_list(notify, request, reply);
        }};
}

}  // namespace rosterd::notify
