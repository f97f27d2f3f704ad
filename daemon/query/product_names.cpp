// Display names for the product keys (workspace typeKey) the Admin API reports.
#include <map>

#include "rosterd/query/query.hpp"

namespace rosterd::query {

std::string product_display_name(const std::string& product_key) {
    static const std::map<std::string, std::string, std::less<>> kNames = {
        {"jira-software", "Jira"},
        {"jira-core", "Jira Work Management"},
        {"jira-work-management", "Jira Work Management"},
        {"jira-servicedesk", "Jira Service Management"},
        {"jira-service-desk", "Jira Service Management"},
        {"jira-product-discovery", "Jira Product Discovery"},
        {"confluence", "Confluence"},
        {"bitbucket", "Bitbucket"},
        {"opsgenie", "Opsgenie"},
        {"statuspage", "Statuspage"},
        {"trello", "Trello"},
        {"compass", "Compass"},
        {"atlas", "Atlas"},
        {"loom", "Loom"},
        {"atlassian-analytics", "Atlassian Analytics"},
        {"townsquare", "Atlas"},
        {"focus", "Focus"},
    };
    auto found = kNames.find(product_key);
    return found == kNames.end() ? product_key : found->second;
}

}  // namespace rosterd::query
