#pragma once
// JSON bodies and query strings for the Admin API requests (both pagination styles).
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rosterd/atlassian/client.hpp"

namespace rosterd::atlassian {

// users/search body: the filters, limit, expand, plus "cursor" for the following pages.
std::string user_search_body(const UserSearch& search, const std::optional<std::string>& cursor);
// groups/search body, same rules.
std::string group_search_body(const GroupSearch& search, const std::optional<std::string>& cursor);
// Workspaces: {"limit": n} for the first page, then {"cursor": c} ONLY (the API rejects more).
std::string workspaces_body(int limit, const std::optional<std::string>& cursor);
// users/count query: the filters as repeated parameters (accountIds=a&accountIds=b).
std::string user_count_query(const UserSearch& filter);
// A flat JSON object of string fields; {} when empty.
std::string json_object(std::initializer_list<std::pair<const char*, std::string>> fields);

// Builds an encoded query string.
class QueryBuilder {
  public:
    QueryBuilder& add(const std::string& name, const std::string& value);
    QueryBuilder& add(const std::string& name, const std::vector<std::string>& values);
    QueryBuilder& add_cursor(const std::optional<std::string>& cursor);
    const std::string& str() const { return query_; }

  private:
    std::string query_;
};

int clamp_page_limit(int limit);

}  // namespace rosterd::atlassian
