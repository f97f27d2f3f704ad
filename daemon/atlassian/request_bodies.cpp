#include "request_bodies.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "rosterd/atlassian/parse.hpp"

namespace rosterd::atlassian {

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_string(Writer& writer, const std::string& value) {
    writer.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

// Empty filters are left out: the API treats an empty array as a validation error (minItems 1).
void write_array(Writer& writer, const char* key, const std::vector<std::string>& values) {
    if (values.empty())
        return;
    writer.Key(key);
    writer.StartArray();
    for (const auto& value : values)
        write_string(writer, value);
    writer.EndArray();
}

void write_field(Writer& writer, const char* key, const std::string& value) {
    if (value.empty())
        return;
    writer.Key(key);
    write_string(writer, value);
}

void write_cursor(Writer& writer, const std::optional<std::string>& cursor) {
    if (cursor)
        write_field(writer, "cursor", *cursor);
}

}  // namespace

int clamp_page_limit(int limit) {
    return std::clamp(limit, 1, kMaxPageSize);
}

std::string user_search_body(const UserSearch& search, const std::optional<std::string>& cursor) {
    rapidjson::StringBuffer buffer;
    Writer writer(buffer);
    writer.StartObject();
    writer.Key("limit");
    writer.Int(clamp_page_limit(search.limit));
    write_array(writer, "accountIds", search.account_ids);
    write_array(writer, "accountStatus", search.account_status);
    write_field(writer, "claimStatus", search.claim_status);
    write_array(writer, "emailDomains", search.email_domains);
    write_array(writer, "emails", search.emails);
    write_array(writer, "groupIds", search.group_ids);
    write_array(writer, "membershipStatus", search.membership_status);
    if (search.mfa_enabled) {
        writer.Key("mfaEnabled");
        writer.Bool(*search.mfa_enabled);
    }
    write_array(writer, "resourceIds", search.resource_ids);
    write_array(writer, "roleIds", search.role_ids);
    write_array(writer, "status", search.status);
    write_array(writer, "expand", search.expand);
    if (!search.nickname_sort.empty()) {
        // One listing walked from both ends: two cursor chains over the same filters.
        writer.Key("sortBy");
        writer.StartArray();
        writer.StartObject();
        writer.Key("field");
        writer.String("nick_name");
        writer.Key("direction");
        write_string(writer, search.nickname_sort);
        writer.EndObject();
        writer.EndArray();
    }
    write_cursor(writer, cursor);
    writer.EndObject();
    return buffer.GetString();
}

std::string group_search_body(const GroupSearch& search, const std::optional<std::string>& cursor) {
    rapidjson::StringBuffer buffer;
    Writer writer(buffer);
    writer.StartObject();
    writer.Key("limit");
    writer.Int(clamp_page_limit(search.limit));
    write_array(writer, "accountIds", search.account_ids);
    write_array(writer, "groupIds", search.group_ids);
    write_array(writer, "resourceIds", search.resource_ids);
    write_array(writer, "roleIds", search.role_ids);
    write_array(writer, "expand", search.expand);
    write_cursor(writer, cursor);
    writer.EndObject();
    return buffer.GetString();
}

std::string workspaces_body(int limit, const std::optional<std::string>& cursor) {
    rapidjson::StringBuffer buffer;
    Writer writer(buffer);
    writer.StartObject();
    if (cursor) {
        writer.Key("cursor");
        write_string(writer, *cursor);
    } else {
        writer.Key("limit");
        writer.Int(std::clamp(limit, 1, 1000));
    }
    writer.EndObject();
    return buffer.GetString();
}

std::string user_count_query(const UserSearch& filter) {
    QueryBuilder query;
    query.add("accountIds", filter.account_ids)
        .add("accountStatus", filter.account_status)
        .add("emailDomains", filter.email_domains)
        .add("groupIds", filter.group_ids)
        .add("membershipStatus", filter.membership_status)
        .add("resourceIds", filter.resource_ids)
        .add("roleIds", filter.role_ids)
        .add("status", filter.status);
    if (!filter.claim_status.empty())
        query.add("claimStatus", filter.claim_status);
    if (filter.mfa_enabled)
        query.add("mfaEnabled", std::string(*filter.mfa_enabled ? "true" : "false"));
    return query.str();
}

std::string json_object(std::initializer_list<std::pair<const char*, std::string>> fields) {
    rapidjson::StringBuffer buffer;
    Writer writer(buffer);
    writer.StartObject();
    for (const auto& [key, value] : fields) {
        writer.Key(key);
        write_string(writer, value);
    }
    writer.EndObject();
    return buffer.GetString();
}

QueryBuilder& QueryBuilder::add(const std::string& name, const std::string& value) {
    if (!query_.empty())
        query_ += '&';
    query_ += percent_encode(name) + '=' + percent_encode(value);
    return *this;
}

QueryBuilder& QueryBuilder::add(const std::string& name, const std::vector<std::string>& values) {
    for (const auto& value : values)
        add(name, value);
    return *this;
}

QueryBuilder& QueryBuilder::add_cursor(const std::optional<std::string>& cursor) {
    if (cursor)
        add("cursor", *cursor);
    return *this;
}

}  // namespace rosterd::atlassian
