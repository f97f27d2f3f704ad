// The money commands' registration and what they share (history, savings and report wait for a
// recording in flight, so that the answer after `sync --wait` includes that sync). Each handler
// lives in its own file (money_command_*.cpp).
#include "money_commands.hpp"

#include "money_service.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/control/commands.hpp"

namespace rosterd::money {

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

query::DashboardOptions dashboard_options(const Config& config, std::int64_t now_ms) {
    query::DashboardOptions options;
    options.now_ms = now_ms;
    options.default_days = config.inactivity.days;
    options.per_product = config.inactivity.per_product;
    options.pricing = query::Pricing::from_config(config.pricing);
    return options;
}

bool since_arg(const control::Request& request, const std::shared_ptr<control::Reply>& reply,
               std::optional<std::int64_t>& since) {
    auto text = request.string_arg("since");
    if (!text)
        return true;
    since = parse_iso8601_ms(*text);
    if (!since)
        reply->fail(control::kInvalidArgs,
                    "since: expected a date YYYY-MM-DD, got '" + *text + "'");
    return since.has_value();
}

control::CommandSpec money_command(MoneyService& money, std::string name, std::string summary,
                                   std::vector<control::ArgSpec> args, MoneyHandler handler) {
    return {.name = std::move(name),
            .summary = std::move(summary),
            .level = control::AccessLevel::viewer,
            .args = std::move(args),
            .handler = [&money, handler](const auto& request, auto reply) {
                money.after_recording(
                    [&money, handler, request, reply] { handler(money, request, reply); });
            }};
}

std::shared_ptr<rapidjson::Document> object_document() {
    return std::make_shared<rapidjson::Document>(rapidjson::kObjectType);
}

void MoneyService::register_commands(control::CommandRegistry& registry) {
    registry.add(history_command(*this));
    registry.add(savings_command(*this));
    registry.add(report_command(*this));
}

}  // namespace rosterd::money
