// Which webhooks receive which events.
#include <algorithm>

#include "rosterd/notify/notify.hpp"

namespace rosterd::notify {

bool wants_event(const WebhookConfig& hook, std::string_view type) {
    if (!hook.events.empty())
        return std::find(hook.events.begin(), hook.events.end(), type) != hook.events.end();
    // Opt-in: the weekly digest and every sync's success are listed by name when wanted.
    return type != "sync_succeeded" && type != "digest" && type != "test";
}

}  // namespace rosterd::notify
