// The field table of UserFilter and the one parser every source (JSON, YAML, flags) goes through.
#include <algorithm>
#include <array>
#include <charconv>
#include <set>

#include "rosterd/base/text.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/base/units.hpp"
#include "rosterd/model/user_filter.hpp"

namespace rosterd {
namespace {

constexpr std::size_t kMaxTextBytes = 256;

constexpr std::array<FilterFieldSpec, 18> kFields{{
    {"search", FilterFieldKind::text, "name or email contains TEXT (case-insensitive)"},
    {"inactive-days", FilterFieldKind::integer,
     "not active for at least N days (1-3650; e.g. 3, 7, 14, 21, 30, 90, 180): in --product "
     "(and/or --site) when given, else in every product the user has; never used counts from "
     "the day the user was added to the organization"},
    {"never-active", FilterFieldKind::flag,
     "never active (in --product/--site when given, else anywhere)"},
    {"product", FilterFieldKind::text, "holds product P (a product key, e.g. jira-software)"},
    {"not-product", FilterFieldKind::list, "holds none of these products (on --site when given)"},
    {"site", FilterFieldKind::text, "has access on site HOST (e.g. acme.atlassian.net)"},
    {"role", FilterFieldKind::text,
     "holds role R (user, admin, guest, customer, contributor, basic, stakeholder) in the "
     "--product/--site scope"},
    {"status", FilterFieldKind::list,
     "status is any of: active, suspended, not_invited, deactivated, for_deletion"},
    {"group", FilterFieldKind::list, "member of any of these groups (name or id)"},
    {"not-group", FilterFieldKind::list, "member of none of these groups"},
    {"domain", FilterFieldKind::list, "email domain is any of these"},
    {"account-type", FilterFieldKind::text, "account type: atlassian, app or customer"},
    {"managed", FilterFieldKind::boolean, "account claimed by the organization (managed)"},
    {"unmanaged", FilterFieldKind::boolean, "account not claimed by the organization"},
    {"added-before", FilterFieldKind::date,
     "added to the organization before DATE (YYYY-MM-DD = 00:00 UTC, or an ISO-8601 instant)"},
    {"added-after", FilterFieldKind::date, "added to the organization at or after DATE"},
    {"admins", FilterFieldKind::boolean, "organization or site admins, or admins of any product"},
    {"no-admins", FilterFieldKind::boolean, "leave out every kind of admin"},
}};

std::span<const FilterFieldSpec> fields() {
    return kFields;
}

const std::set<std::string, std::less<>> kStatuses = {"active", "suspended", "not_invited",
                                                      "deactivated", "for_deletion"};
const std::set<std::string, std::less<>> kAccountTypes = {"atlassian", "app", "customer"};
const std::set<std::string, std::less<>> kRoles = {"user",        "admin", "guest",      "customer",
                                                   "contributor", "basic", "stakeholder"};

template <class Set>
std::string joined(const Set& values) {
    std::string text;
    for (const auto& v : values)
        text += (text.empty() ? "" : ", ") + std::string(v);
    return text;
}

// One non-empty item of a field, trimmed; the text is never echoed back in full (it may be long).
std::string item_text(std::string_view field, const std::string& raw) {
    auto text = trimmed(raw);
    if (text.empty())
        throw FilterError(std::string(field), "must not be empty");
    if (text.size() > kMaxTextBytes)
        throw FilterError(std::string(field),
                          "longer than " + std::to_string(kMaxTextBytes) + " bytes");
    return text;
}

const std::string& single(std::string_view field, const FilterFieldValue& value) {
    if (value.is_list || value.items.size() != 1)
        throw FilterError(std::string(field), "expected one value, not a list");
    return value.items.front();
}

bool parse_bool(std::string_view field, const std::string& text) {
    auto t = lowercase(trimmed(text));
    if (t == "true" || t == "yes" || t == "on" || t == "1")
        return true;
    if (t == "false" || t == "no" || t == "off" || t == "0")
        return false;
    throw FilterError(std::string(field), "expected true or false");
}

int parse_days(std::string_view field, const std::string& text) {
    auto t = trimmed(text);
    int days = 0;
    auto [end, error] = std::from_chars(t.data(), t.data() + t.size(), days);
    if (error != std::errc() || end != t.data() + t.size() || days < 1 || days > 3650)
        throw FilterError(std::string(field), "expected a whole number of days from 1 to 3650");
    return days;
}

std::int64_t parse_instant(std::string_view field, const std::string& text) {
    auto t = trimmed(text);
    if (auto days = parse_date_days(t))
        return *days * kDayMs;
    if (t.size() > 10)
        if (auto ms = parse_iso8601_ms(t))
            return *ms;
    throw FilterError(
        std::string(field),
        "expected a date YYYY-MM-DD or an ISO-8601 instant, got '" + t.substr(0, 40) + "'");
}

// "https://Acme.atlassian.net/wiki" -> "acme.atlassian.net".
std::string site_host(std::string_view field, const std::string& raw) {
    auto host = lowercase(item_text(field, raw));
    if (auto scheme = host.find("://"); scheme != std::string::npos)
        host = host.substr(scheme + 3);
    if (auto slash = host.find('/'); slash != std::string::npos)
        host.resize(slash);
    if (host.empty())
        throw FilterError(std::string(field), "expected a site host such as acme.atlassian.net");
    return host;
}

std::string domain_of(std::string_view field, const std::string& raw) {
    auto domain = lowercase(item_text(field, raw));
    if (!domain.empty() && domain.front() == '@')
        domain.erase(0, 1);
    if (domain.empty())
        throw FilterError(std::string(field), "expected an email domain such as example.com");
    return domain;
}

std::string status_of(std::string_view field, const std::string& raw) {
    auto status = lowercase(item_text(field, raw));
    std::replace(status.begin(), status.end(), '-', '_');
    if (!kStatuses.count(status))
        throw FilterError(std::string(field),
                          "'" + status + "' is not one of: " + joined(kStatuses));
    return status;
}

void append_items(std::vector<std::string>& out, const FilterFieldValue& value,
                  const auto& convert) {
    if (value.items.empty())
        throw FilterError("", "an empty list");
    for (const auto& item : value.items)
        out.push_back(convert(item));
}

}  // namespace

std::span<const FilterFieldSpec> user_filter_fields() {
    return fields();
}

const FilterFieldSpec* find_user_filter_field(std::string_view name) {
    for (const auto& spec : fields())
        if (spec.name == name)
            return &spec;
    return nullptr;
}

std::optional<std::string> normalize_role(std::string_view role) {
    auto text = lowercase(trimmed(role));
    if (text.rfind("atlassian/", 0) == 0)
        text.erase(0, 10);
    if (!kRoles.count(text))
        return std::nullopt;
    return "atlassian/" + text;
}

void set_user_filter_field(UserFilter& filter, std::string_view name,
                           const FilterFieldValue& value) {
    // Work on a copy: a value refused half-way (the second item of a list) changes nothing.
    UserFilter f = filter;
    const FilterFieldSpec* spec = find_user_filter_field(name);
    if (!spec) {
        std::string names;
        for (const auto& s : fields())
            names += (names.empty() ? "" : ", ") + std::string(s.name);
        throw FilterError(std::string(name),
                          "unknown filter field (expected one of: " + names + ")");
    }
    const std::string field(name);
    auto list_item = [&](auto convert) {
        return [&, convert](const std::string& raw) { return convert(field, raw); };
    };
    auto plain = [](std::string_view fld, const std::string& raw) { return item_text(fld, raw); };
    try {
        if (name == "search") {
            f.search = item_text(name, single(name, value));
        } else if (name == "inactive-days") {
            f.inactive_days = parse_days(name, single(name, value));
        } else if (name == "never-active") {
            f.never_active = parse_bool(name, single(name, value));
        } else if (name == "product") {
            f.product = lowercase(item_text(name, single(name, value)));
        } else if (name == "not-product") {
            append_items(f.not_products, value, list_item([](std::string_view fld, auto& raw) {
                             return lowercase(item_text(fld, raw));
                         }));
        } else if (name == "site") {
            f.site = site_host(name, single(name, value));
        } else if (name == "role") {
            const auto& raw = single(name, value);
            auto role = normalize_role(raw);
            if (!role)
                throw FilterError(
                    field, "'" + trimmed(raw).substr(0, 40) + "' is not one of: " + joined(kRoles));
            f.role = *role;
        } else if (name == "status") {
            append_items(f.statuses, value, list_item(status_of));
        } else if (name == "group") {
            append_items(f.groups, value, list_item(plain));
        } else if (name == "not-group") {
            append_items(f.not_groups, value, list_item(plain));
        } else if (name == "domain") {
            append_items(f.domains, value, list_item(domain_of));
        } else if (name == "account-type") {
            auto type = lowercase(item_text(name, single(name, value)));
            if (!kAccountTypes.count(type))
                throw FilterError(field, "'" + type + "' is not one of: " + joined(kAccountTypes));
            f.account_type = type;
        } else if (name == "managed" || name == "unmanaged") {
            bool managed = parse_bool(name, single(name, value)) == (name == "managed");
            if (f.managed && *f.managed != managed)
                throw FilterError(field, "contradicts managed/unmanaged given already");
            f.managed = managed;
        } else if (name == "admins" || name == "no-admins") {
            bool admins = parse_bool(name, single(name, value)) == (name == "admins");
            if (f.admins && *f.admins != admins)
                throw FilterError(field, "contradicts admins/no-admins given already");
            f.admins = admins;
        } else if (name == "added-before") {
            f.added_before_ms = parse_instant(name, single(name, value));
        } else if (name == "added-after") {
            f.added_after_ms = parse_instant(name, single(name, value));
        }
    } catch (const FilterError& e) {
        if (!e.field().empty())
            throw;
        throw FilterError(field, e.what());
    }
    filter = std::move(f);
}

std::string describe_user_filter(const UserFilter& f) {
    std::string out;
    auto add = [&](std::string_view key, const std::string& value) {
        out += (out.empty() ? "" : " ") + std::string(key) + "=" + value;
    };
    auto list = [](const std::vector<std::string>& items) {
        std::string text;
        for (const auto& item : items)
            text += (text.empty() ? "" : ",") + item;
        return text;
    };
    if (f.search)
        add("search", *f.search);
    if (f.inactive_days)
        add("inactive-days", std::to_string(*f.inactive_days));
    if (f.never_active)
        add("never-active", "true");
    if (f.product)
        add("product", *f.product);
    if (!f.not_products.empty())
        add("not-product", list(f.not_products));
    if (f.site)
        add("site", *f.site);
    if (f.role)
        add("role", *f.role);
    if (!f.statuses.empty())
        add("status", list(f.statuses));
    if (!f.groups.empty())
        add("group", list(f.groups));
    if (!f.not_groups.empty())
        add("not-group", list(f.not_groups));
    if (!f.domains.empty())
        add("domain", list(f.domains));
    if (f.account_type)
        add("account-type", *f.account_type);
    if (f.managed)
        add(*f.managed ? "managed" : "unmanaged", "true");
    if (f.added_before_ms)
        add("added-before", format_iso8601_s(*f.added_before_ms));
    if (f.added_after_ms)
        add("added-after", format_iso8601_s(*f.added_after_ms));
    if (f.admins)
        add(*f.admins ? "admins" : "no-admins", "true");
    return out.empty() ? "all users" : out;
}

}  // namespace rosterd
