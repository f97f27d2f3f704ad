#pragma once
// The one mapping from the configuration in force to an Admin API client's settings (address,
// organization, HTTP limits, retry budgets), used by syncs, bulk runs and key checks alike.
#include <string>

#include "rosterd/atlassian/client.hpp"
#include "rosterd/config/config.hpp"

namespace rosterd::atlassian {

// `key` is captured by the client's key callback; it is never logged.
ClientConfig client_settings(const Config& config, std::string key);

}  // namespace rosterd::atlassian
