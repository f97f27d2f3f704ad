// `notify.retry`: requeue a dead delivery; it is attempted again at once.
#include <spdlog/spdlog.h>

#include "notify_commands.hpp"
#include "notify_service.hpp"
#include "outbox_store.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/control/commands.hpp"

namespace rosterd::notify {
namespace {

namespace json = control::json;

void notify_retry(NotifyService& notify, const control::Request& request,
                  std::shared_ptr<control::Reply> reply) {
    std::int64_t id = request.int_arg("id").value_or(0);
    auto now = notify.context().clock.now().time_since_epoch().count();
    notify.context().db.write(
        [id, now](store::Database& db) { return outbox::requeue_dead(db, id, now); },
        [&notify, id, reply, who = request.caller.describe()](store::DbResult<outbox::Requeue> r) {
            if (!r.ok()) {
                reply->fail(control::kFailed, r.error);
                return;
            }
            if (*r.value == outbox::Requeue::not_found) {
                reply->fail(control::kFailed, "no delivery #" + std::to_string(id));
                return;
            }
            if (*r.value == outbox::Requeue::not_dead) {
                reply->fail(control::kFailed,
                            "delivery #" + std::to_string(id) +
                                " is not dead; only dead deliveries are requeued");
                return;
            }
            spdlog::info("notify: delivery #{} requeued by {}", id, who);
            rapidjson::Document out(rapidjson::kObjectType);
            json::add(out, "id", id, out.GetAllocator());
            json::add(out, "state", to_string(DeliveryState::pending), out.GetAllocator());
            reply->ok(out);
            notify.wake();
        });
}

}  // namespace

control::CommandSpec notify_retry_command(NotifyService& notify) {
    return {.name = control::cmd::kNotifyRetry,
            .summary = "Requeue a dead delivery: it is attempted again at once",
            .level = control::AccessLevel::operator_,
            .args = {{control::arg::kId, control::ArgType::integer, true,
                      "the delivery id (notify list)"}},
            .handler = [&notify](const auto& request, auto reply) {
                notify_retry(notify, request, reply);
            }};
}

}  // namespace rosterd::notify
