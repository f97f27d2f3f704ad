#include "user_query.hpp"

#include <algorithm>
#include <cctype>

#include "json_util.hpp"
#include "rosterd/base/text.hpp"

namespace rosterd::sim {

namespace {

template <typename T>
bool contains(const std::vector<T>& values, const T& value) {
    return std::find(values.begin(), values.end(), value) != values.end();
}

std::vector<std::string> read_list(const FieldSource& fields, const char* name, std::size_t max) {
    auto values = fields.strings(name);
    if (!values)
        return {};
    check_list_size(name, *values, max);
    return *values;
}

template <typename Parse>
void validate_each(const char* name, const std::vector<std::string>& values, Parse parse) {
    for (const auto& value : values) {
        if (!parse(value))
            throw BadRequest(std::string(name) + " has an invalid value: " + value);
    }
}

std::vector<std::string> sorted_unique(std::vector<std::string> values) {
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    return values;
}

void write_list(JsonWriter& w, const char* name, const std::vector<std::string>& values) {
    if (values.empty())
        return;
    key(w, name);
    w.StartArray();
    for (const auto& value : sorted_unique(values))
        put(w, value);
    w.EndArray();
}

}  // namespace

std::string lower_ascii(std::string_view text) {
    return lowercase(text);
}

bool UserQuery::has_filters() const {
    return !account_ids.empty() || !directory_ids.empty() || !resource_ids.empty() ||
           !group_ids.empty() || !email_domains.empty() || !emails.empty() || !role_ids.empty() ||
           !statuses.empty() || !account_statuses.empty() || !membership_statuses.empty() ||
           claim_status || mfa_enabled || search_term || sort;
}

std::string UserQuery::canonical_json() const {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    write_list(w, "accountIds", account_ids);
    write_list(w, "accountStatus", account_statuses);
    if (claim_status) {
        key(w, "claimStatus");
        put(w, *claim_status);
    }
    write_list(w, "directoryIds", directory_ids);
    write_list(w, "emailDomains", email_domains);
    write_list(w, "emails", emails);
    write_list(w, "groupIds", group_ids);
    write_list(w, "membershipStatus", membership_statuses);
    if (mfa_enabled) {
        key(w, "mfaEnabled");
        w.Bool(*mfa_enabled);
    }
    write_list(w, "resourceIds", resource_ids);
    write_list(w, "roleIds", role_ids);
    if (search_term) {
        key(w, "searchTerm");
        put(w, *search_term);
    }
    if (sort) {
        key(w, "sortBy");
        w.StartArray();
        w.StartObject();
        key(w, "field");
        put(w, sort->field);
        key(w, "direction");
        put(w, sort->descending ? "desc" : "asc");
        w.EndObject();
        w.EndArray();
    }
    write_list(w, "status", statuses);
    w.EndObject();
    return to_string(buffer);
}

UserQuery read_user_query(const FieldSource& fields, bool allow_emails) {
    UserQuery q;
    q.account_ids = read_list(fields, "accountIds", 10);
    q.directory_ids = read_list(fields, "directoryIds", 10);
    q.resource_ids = read_list(fields, "resourceIds", 20);
    q.group_ids = read_list(fields, "groupIds", 10);
    q.email_domains = read_list(fields, "emailDomains", 10);
    if (allow_emails)
        q.emails = read_list(fields, "emails", 100);
    q.role_ids = read_list(fields, "roleIds", 10);
    validate_each("roleIds", q.role_ids, [](const std::string& v) { return is_known_role_id(v); });
    q.statuses = read_list(fields, "status", 4);
    validate_each("status", q.statuses, [](const std::string& v) {
        return parse_user_status(v).has_value() || v == "for_deletion";
    });
    q.account_statuses = read_list(fields, "accountStatus", 3);
    validate_each("accountStatus", q.account_statuses,
                  [](const std::string& v) { return parse_account_status(v).has_value(); });
    q.membership_statuses = read_list(fields, "membershipStatus", 3);
    validate_each("membershipStatus", q.membership_statuses,
                  [](const std::string& v) { return parse_membership(v).has_value(); });
    q.claim_status = fields.string("claimStatus");
    if (q.claim_status && !parse_claim_status(*q.claim_status)) {
        throw BadRequest("claimStatus must be managed or unmanaged");
    }
    q.mfa_enabled = fields.boolean("mfaEnabled");
    q.search_term = fields.string("searchTerm");
    if (q.search_term && !q.emails.empty()) {
        throw BadRequest("searchTerm and emails cannot be used together");
    }
    if (auto sort = fields.sort("sortBy")) {
        if (sort->size() != 1)
            throw BadRequest("sortBy accepts exactly one item");
        if (sort->front().field != "nick_name")
            throw BadRequest("sortBy field must be nick_name");
        q.sort = sort->front();
    }
    return q;
}

UserExpand read_user_expand(const FieldSource& fields) {
    UserExpand expand;
    auto values = fields.strings("expand");
    if (!values)
        return expand;
    for (const auto& value : *values) {
        if (value == "platformRoles") {
            expand.platform_roles = true;
        } else if (value == "counts.resources") {
            expand.counts_resources = true;
        } else if (value == "productAccess") {
            expand.product_access = true;
        } else if (value == "groups") {
            expand.groups = true;
        } else {
            throw BadRequest("expand has an invalid value: " + value);
        }
    }
    return expand;
}

UserMatcher::UserMatcher(const Model& model, const UserQuery& query,
                         std::optional<std::size_t> directory)
    : model_(model), query_(query), directory_(directory) {
    // Resolves a list of ids; a non-empty list naming nothing known matches nobody.
    auto resolve = [this](const std::vector<std::string>& ids, auto find,
                          std::vector<std::size_t>& out) {
        for (const auto& id : ids) {
            if (auto index = find(id))
                out.push_back(*index);
        }
        if (!ids.empty() && out.empty())
            impossible_ = true;
    };
    resolve(
        query.directory_ids, [&](const std::string& id) { return model.find_directory(id); },
        directories_);
    resolve(
        query.group_ids, [&](const std::string& id) { return model.find_group(id); }, groups_);
    for (const auto& id : query.resource_ids) {
        if (auto index = model.find_product(id))
            resources_.push_back(*index);
    }
    if (!query.resource_ids.empty() && resources_.empty() && query.role_ids.empty()) {
        impossible_ = true;
    }
    for (const auto& id : query.role_ids) {
        if (auto role = parse_role(id)) {
            product_roles_.push_back(*role);
        } else {
            platform_roles_.push_back(id);
        }
    }
    for (const auto& s : query.statuses) {
        if (auto v = parse_user_status(s))
            statuses_.push_back(*v);
    }
    for (const auto& s : query.account_statuses) {
        if (auto v = parse_account_status(s))
            account_statuses_.push_back(*v);
    }
    for (const auto& s : query.membership_statuses) {
        if (auto v = parse_membership(s))
            memberships_.push_back(*v);
    }
    if (query.claim_status)
        claim_ = parse_claim_status(*query.claim_status);
    for (const auto& d : query.email_domains)
        email_domains_.push_back(lower_ascii(d));
    for (const auto& e : query.emails)
        emails_.push_back(lower_ascii(e));
    if (query.search_term)
        search_term_ = lower_ascii(*query.search_term);
}

bool UserMatcher::matches_roles(const User& user) const {
    if (!query_.role_ids.empty()) {
        for (const auto& role : platform_roles_) {
            if (user.has_platform_role(role))
                return true;
        }
        bool any_resource = query_.resource_ids.empty();
        for (const auto& access : user.access) {
            if ((any_resource || contains(resources_, access.resource)) &&
                contains(product_roles_, access.role)) {
                return true;
            }
        }
        return false;
    }
    if (!query_.resource_ids.empty()) {
        for (const auto& access : user.access) {
            if (contains(resources_, access.resource))
                return true;
        }
        return false;
    }
    return true;
}

bool UserMatcher::matches(const User& user) const {
    if (user.removed || impossible_)
        return false;
    if (directory_ && user.directory != *directory_)
        return false;
    if (!directories_.empty() && !contains(directories_, user.directory))
        return false;
    if (!query_.account_ids.empty() && !contains(query_.account_ids, user.account_id))
        return false;
    if (!query_.statuses.empty() && !contains(statuses_, model_.status(user)))
        return false;
    if (!query_.account_statuses.empty() && !contains(account_statuses_, user.account_status)) {
        return false;
    }
    if (!query_.membership_statuses.empty() && !contains(memberships_, user.membership)) {
        return false;
    }
    if (claim_ && user.claim != *claim_)
        return false;
    if (query_.mfa_enabled && mfa_enabled(user) != *query_.mfa_enabled)
        return false;
    if (!email_domains_.empty()) {
        auto at = user.email.rfind('@');
        std::string domain = at == std::string::npos ? "" : lower_ascii(user.email.substr(at + 1));
        if (!contains(email_domains_, domain))
            return false;
    }
    if (!emails_.empty() && !contains(emails_, lower_ascii(user.email)))
        return false;
    if (search_term_) {
        if (lower_ascii(user.nickname).find(*search_term_) == std::string::npos &&
            lower_ascii(user.email).find(*search_term_) == std::string::npos &&
            lower_ascii(user.name).find(*search_term_) == std::string::npos) {
            return false;
        }
    }
    if (!query_.group_ids.empty()) {
        bool member = std::any_of(groups_.begin(), groups_.end(),
                                  [&](std::size_t g) { return user.in_group(g); });
        if (!member)
            return false;
    }
    return matches_roles(user);
}

}  // namespace rosterd::sim
