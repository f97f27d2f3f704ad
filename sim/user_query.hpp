#pragma once
// Users search filters (reference 3.6): parsing with the API's validation rules, a canonical
// form for cursor hashes, and matching against the model.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "field_source.hpp"
#include "model.hpp"

namespace rosterd::sim {

struct UserQuery {
    std::vector<std::string> account_ids;
    std::vector<std::string> directory_ids;
    std::vector<std::string> resource_ids;
    std::vector<std::string> group_ids;
    std::vector<std::string> email_domains;
    std::vector<std::string> emails;
    std::vector<std::string> role_ids;
    std::vector<std::string> statuses;
    std::vector<std::string> account_statuses;
    std::vector<std::string> membership_statuses;
    std::optional<std::string> claim_status;
    std::optional<bool> mfa_enabled;
    std::optional<std::string> search_term;
    std::optional<SortSpec> sort;  // only nick_name

    bool has_filters() const;
    // The filters as a users/search body with sorted, de-duplicated lists.
    std::string canonical_json() const;
};

// Reads and validates the filters (not cursor, limit or expand); throws BadRequest.
// `allow_emails`: the POST body accepts `emails`, the GET query does not.
UserQuery read_user_query(const FieldSource& fields, bool allow_emails);

struct UserExpand {
    bool platform_roles = false;
    bool counts_resources = false;
    bool product_access = false;
    bool groups = false;
};

UserExpand read_user_expand(const FieldSource& fields);

// Matches users against a query; resolves ids to indices once per request.
class UserMatcher {
  public:
    // `directory`: the path's directory, or nullopt for "-" (every directory).
    UserMatcher(const Model& model, const UserQuery& query, std::optional<std::size_t> directory);
    bool matches(const User& user) const;

  private:
    bool matches_roles(const User& user) const;

    const Model& model_;
    const UserQuery& query_;
    std::optional<std::size_t> directory_;
    std::vector<std::size_t> directories_;
    std::vector<std::size_t> resources_;
    std::vector<std::size_t> groups_;
    std::vector<Role> product_roles_;
    std::vector<std::string> platform_roles_;
    std::vector<UserStatus> statuses_;
    std::vector<AccountStatus> account_statuses_;
    std::vector<Membership> memberships_;
    std::optional<ClaimStatus> claim_;
    std::vector<std::string> email_domains_;  // lower-case
    std::vector<std::string> emails_;         // lower-case
    std::optional<std::string> search_term_;  // lower-case
    bool impossible_ = false;                 // a filter names only unknown things: nothing matches
};

std::string lower_ascii(std::string_view text);

}  // namespace rosterd::sim
