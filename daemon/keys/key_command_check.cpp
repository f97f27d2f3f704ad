// `key.check`: re-validate the key in use with Atlassian.
#include <spdlog/spdlog.h>

#include "key_commands.hpp"
#include "key_service.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/control/commands.hpp"

namespace rosterd::keys {
namespace {

namespace json = control::json;

}  // namespace

void KeyService::check_command(const control::Request&, std::shared_ptr<control::Reply> reply) {
    refresh();
    if (!key_) {
        reply->fail(control::kFailed, *refusal_message(KeyState::missing));
        return;
    }
    std::string fingerprint = fingerprint_;
    check_key(key_->value, [this, reply, fingerprint](atlassian::Result<std::string> org) {
        if (stopping_) {
            reply->fail(control::kUnavailable, "rosterd is shutting down");
            return;
        }
        if (!org) {
            if (org.error().kind == atlassian::ApiError::Kind::auth_rejected)
                report_rejected(fingerprint);
            reply->fail(control::kFailed, check_failure(org.error()));
            return;
        }
        auto now = context_.clock.now().time_since_epoch().count();
        auto& record = records_[fingerprint];
        bool was_rejected = record.rejected_at.has_value();
        record.rejected_at.reset();
        record.org_name = org.value();
        record.checked_at = now;
        if (was_rejected)
            spdlog::info("key: the key with fingerprint {} passed its check again", fingerprint);
        context_.db.write(
            [fingerprint, name = org.value(), now](store::Database& db) {
                save_accepted(db, fingerprint, name, now);
                return true;
            },
            [](store::DbResult<bool> r) {
                if (!r.ok())
                    spdlog::error("key: cannot record the check: {}", r.error);
            });
        evaluate();
        rapidjson::Document out(rapidjson::kObjectType);
        auto& a = out.GetAllocator();
        json::add(out, "valid", true, a);
        write_key_json(out, a);
        reply->ok(out);
    });
}

control::CommandSpec key_check_command(KeyService& keys) {
    return {
        .name = control::cmd::kKeyCheck,
        .summary = "Re-validate the key in use with Atlassian",
        .level = control::AccessLevel::operator_,
        .args = {},
        .handler = [&keys](const control::Request& request, std::shared_ptr<control::Reply> reply) {
            keys.check_command(request, reply);
        }};
}

}  // namespace rosterd::keys
