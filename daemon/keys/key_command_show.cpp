// `key.show`: the key in use (source, expiry, days left, state and fingerprint; never the key).
#include "key_commands.hpp"
#include "key_service.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/control/commands.hpp"

namespace rosterd::keys {

void KeyService::show_command(const control::Request&, std::shared_ptr<control::Reply> reply) {
    refresh();
    rapidjson::Document out(rapidjson::kObjectType);
    write_key_json(out, out.GetAllocator());
    reply->ok(out);
}

control::CommandSpec key_show_command(KeyService& keys) {
    return {
        .name = control::cmd::kKeyShow,
        .summary =
            "The key in use: source, expiry, days left, state and fingerprint (never "
            "the key)",
        .level = control::AccessLevel::viewer,
        .args = {},
        .handler = [&keys](const control::Request& request, std::shared_ptr<control::Reply> reply) {
            keys.show_command(request, std::move(reply));
        }};
}

}  // namespace rosterd::keys
