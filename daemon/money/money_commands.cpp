// The money commands' registration (history, savings and report wait for a recording in flight,
// so that the answer after `sync --wait` includes that sync) and what they share. Each handler
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

std::optional<std::int64_t> since_of(const control::Request& request) {
    auto text = request.string_arg("since");
    if (!text)
        return std::nullopt;
    auto ms = parse_iso8601_ms(*text);
    if (!ms)
        throw std::invalid_argument("since: expected a date YYYY-MM-DD, got '" + *text + "'");
    return ms;
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
