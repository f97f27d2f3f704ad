#pragma once
// The one filter over the users of a snapshot. The users browser, saved filters (`filters:` in
// the YAML), bulk runs and tasks all use it. Fields are named as rosterctl's flags; every source
// (control-protocol JSON, YAML) goes through one field parser, and one compiler
// (query::UserMatcher, query_snapshot.hpp) evaluates it. Flags combine with AND; list fields OR
// within themselves.
#include <rapidjson/fwd.h>

#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rosterd {

struct UserFilter {
    // Name or email contains this text (ASCII case-insensitive).
    std::optional<std::string> search;
    // Not active for at least this many days: in the scope (product and/or site) when one is
    // given, else in every product the user has. Never used: counted from added_to_org.
    std::optional<int> inactive_days;
    // Never active: in the scope when given, else in any product.
    bool never_active = false;
    std::optional<std::string> product;           // product key, e.g. jira-software
    std::optional<std::string> site;              // site host, e.g. acme.atlassian.net
    std::optional<std::string> role;              // role id, e.g. atlassian/admin, in the scope
    std::vector<std::string> not_products;        // holds none of these (on the site, when given)
    std::vector<std::string> statuses;            // any of: active, suspended, ...
    std::vector<std::string> groups;              // member of any of these (names or ids)
    std::vector<std::string> not_groups;          // member of none of these
    std::vector<std::string> domains;             // email domain is any of these
    std::optional<std::string> account_type;      // atlassian | app | customer
    std::optional<bool> managed;                  // claim status managed / unmanaged
    std::optional<std::int64_t> added_before_ms;  // added to the org before this instant
    std::optional<std::int64_t> added_after_ms;   // added at or after this instant
    std::optional<bool> admins;  // org or site admin, or admin of any product; false: none of those

    bool empty() const { return *this == UserFilter{}; }
    bool operator==(const UserFilter&) const = default;
};

// A field that cannot be accepted; what() names the field and what was expected.
class FilterError : public std::invalid_argument {
  public:
    FilterError(std::string field, const std::string& message)
        : std::invalid_argument(field.empty() ? message : field + ": " + message),
          field_(std::move(field)) {}
    const std::string& field() const { return field_; }

  private:
    std::string field_;
};

// How a field's value is written, in YAML, JSON and on the command line.
enum class FilterFieldKind {
    text,     // one string
    list,     // one string or a list of strings
    integer,  // a whole number
    flag,     // true (false: no condition)
    boolean,  // true or false, both meaningful
    date      // YYYY-MM-DD (00:00 UTC) or an ISO-8601 instant
};

struct FilterFieldSpec {
    std::string_view name;  // as the flag, without "--": "inactive-days"
    FilterFieldKind kind;
    std::string_view help;
};

// Every field, in the order help shows them.
std::span<const FilterFieldSpec> user_filter_fields();
const FilterFieldSpec* find_user_filter_field(std::string_view name);

// A field's value as written, before it is understood: scalars as their text ("90", "true"),
// lists as their items. Each source converts its own syntax to this, then calls the one parser.
struct FilterFieldValue {
    std::vector<std::string> items;
    bool is_list = false;
};

// The one field parser: validates and normalizes `value` and sets it on `filter`. Setting a
// field twice replaces a scalar and extends a list. Throws FilterError, leaving `filter` as it
// was.
void set_user_filter_field(UserFilter& filter, std::string_view name,
                           const FilterFieldValue& value);

// Parses the filter fields of a JSON object (the control protocol). Members named in
// `other_keys` are skipped (a command's own arguments); any other unknown member is an error.
// Throws FilterError.
UserFilter user_filter_from_json(const rapidjson::Value& object,
                                 std::span<const std::string_view> other_keys = {});

// The filter as a JSON object with the same field names (dates as ISO-8601).
rapidjson::Value user_filter_to_json(
    const UserFilter& filter, rapidjson::MemoryPoolAllocator<rapidjson::CrtAllocator>& alloc);

// A one-line description for people: "product=jira-software inactive-days=90 domain=a.com,b.com".
std::string describe_user_filter(const UserFilter& filter);

// The role id for a role as people write it: "admin" -> "atlassian/admin". nullopt if unknown.
std::optional<std::string> normalize_role(std::string_view role);

}  // namespace rosterd
