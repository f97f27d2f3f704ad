#include "rosterd/atlassian/client_settings.hpp"

#include <chrono>
#include <cstddef>

namespace rosterd::atlassian {

ClientConfig client_settings(const Config& config, std::string key) {
    ClientConfig c;
    c.api_base = config.atlassian.api_base;
    c.org_id = config.atlassian.org_id;
    c.api_key = [key = std::move(key)] { return key; };
    c.http.max_in_flight = static_cast<std::size_t>(config.http.max_in_flight);
    c.http.connect_timeout = std::chrono::seconds(config.http.connect_timeout_s);
    c.http.total_timeout = std::chrono::seconds(config.http.request_timeout_s);
    c.http.ca_file = config.http.ca_file;
    c.http.proxy = config.http.proxy;
    const auto& retry = config.atlassian.retry;
    c.retry.request_budget = std::chrono::seconds(retry.request_budget_s);
    c.retry.total_budget = std::chrono::seconds(retry.sync_budget_s);
    c.retry.base_delay = std::chrono::milliseconds(retry.backoff_initial_ms);
    c.retry.max_delay = std::chrono::seconds(retry.backoff_max_s);
    return c;
}

}  // namespace rosterd::atlassian
