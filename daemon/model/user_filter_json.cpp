// UserFilter from and to JSON (the control protocol). Values are turned into FilterFieldValue and
// handed to the one field parser, so JSON accepts exactly what YAML and the flags accept.
#include <rapidjson/document.h>

#include <algorithm>

#include "rosterd/base/json.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/model/user_filter.hpp"

namespace rosterd {
namespace {

namespace json = control::json;

std::string scalar_text(std::string_view field, const rapidjson::Value& v) {
    if (v.IsString())
        return std::string(v.GetString(), v.GetStringLength());
    if (v.IsBool())
        return v.GetBool() ? "true" : "false";
    if (v.IsInt64())
        return std::to_string(v.GetInt64());
    throw FilterError(std::string(field), "expected a string, a whole number or true/false");
}

FilterFieldValue field_value(std::string_view field, const rapidjson::Value& v) {
    FilterFieldValue out;
    if (v.IsArray()) {
        out.is_list = true;
        for (const auto& item : v.GetArray())
            out.items.push_back(scalar_text(field, item));
    } else {
        out.items.push_back(scalar_text(field, v));
    }
    return out;
}

}  // namespace

UserFilter user_filter_from_json(const rapidjson::Value& object,
                                 std::span<const std::string_view> other_keys) {
    if (!object.IsObject())
        throw FilterError("", "a filter must be a JSON object");
    UserFilter filter;
    for (const auto& member : object.GetObject()) {
        std::string_view name(member.name.GetString(), member.name.GetStringLength());
        if (std::find(other_keys.begin(), other_keys.end(), name) != other_keys.end())
            continue;
        if (member.value.IsNull())
            continue;  // absent, as far as the filter is concerned
        set_user_filter_field(filter, name, field_value(name, member.value));
    }
    return filter;
}

rapidjson::Value user_filter_to_json(const UserFilter& f,
                                     rapidjson::MemoryPoolAllocator<rapidjson::CrtAllocator>& a) {
    rapidjson::Value out(rapidjson::kObjectType);
    auto list = [&](const std::vector<std::string>& items) {
        rapidjson::Value array(rapidjson::kArrayType);
        for (const auto& item : items)
            json::push(array, item, a);
        return array;
    };
    if (f.search)
        json::add(out, "search", *f.search, a);
    if (f.inactive_days)
        json::add(out, "inactive-days", *f.inactive_days, a);
    if (f.never_active)
        json::add(out, "never-active", true, a);
    if (f.product)
        json::add(out, "product", *f.product, a);
    if (!f.not_products.empty())
        json::add(out, "not-product", list(f.not_products), a);
    if (f.site)
        json::add(out, "site", *f.site, a);
    if (f.role)
        json::add(out, "role", *f.role, a);
    if (!f.statuses.empty())
        json::add(out, "status", list(f.statuses), a);
    if (!f.groups.empty())
        json::add(out, "group", list(f.groups), a);
    if (!f.not_groups.empty())
        json::add(out, "not-group", list(f.not_groups), a);
    if (!f.domains.empty())
        json::add(out, "domain", list(f.domains), a);
    if (f.account_type)
        json::add(out, "account-type", *f.account_type, a);
    if (f.managed)
        json::add(out, "managed", *f.managed, a);
    if (f.added_before_ms)
        json::add(out, "added-before", format_iso8601_s(*f.added_before_ms), a);
    if (f.added_after_ms)
        json::add(out, "added-after", format_iso8601_s(*f.added_after_ms), a);
    if (f.admins)
        json::add(out, "admins", *f.admins, a);
    return out;
}

}  // namespace rosterd
