#include "webhook_target.hpp"

#include <fstream>
#include <sstream>
#include "rosterd/base/text.hpp"

namespace rosterd::notify {

WebhookTarget resolve_webhook(const Config& config, const std::string& name) {
    WebhookTarget target;
    for (const auto& hook : config.notifications.webhooks)
        if (hook.name == name)
            target.config = &hook;
    if (!target.config) {
        target.error = "webhook '" + name + "' is no longer in the configuration";
        return target;
    }
    target.format = parse_format(target.config->format).value_or(Format::json);
    if (!target.config->url.empty()) {
        target.url = target.config->url;
        return target;
    }
    std::ifstream in(target.config->url_file, std::ios::binary);
    std::ostringstream text;
    if (in)
        text << in.rdbuf();
    std::string url = trimmed(text.str());
    if (!in || url.empty()) {
        target.error = "cannot read a URL from " + target.config->url_file;
        return target;
    }
    if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
        target.error = target.config->url_file + " does not hold an http:// or https:// URL";
        return target;
    }
    target.url = url;
    return target;
}

}  // namespace rosterd::notify
