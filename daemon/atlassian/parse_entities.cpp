// Parsers for successful Admin API responses. Field names follow the published OpenAPI documents
// (tests/data/openapi); optional fields default to empty, wrong types are parse errors.
#include "json_read.hpp"
#include "rosterd/atlassian/parse.hpp"

namespace rosterd::atlassian {

using json::Value;

namespace {

// Applies `item` to every element of the required top-level "data" array.
template <typename T, typename ItemFn>
Page<T> parse_page(std::string_view body, ItemFn item) {
    auto document = json::parse_object(body);
    const Value& data = json::require_array(document, "data", "");
    Page<T> page;
    page.items.reserve(data.Size());
    for (rapidjson::SizeType i = 0; i < data.Size(); ++i) {
        const json::Where where = json::at("data", i);
        page.items.push_back(item(json::as_object(data[i], where), where));
    }
    if (auto next = json::next_link(document))
        page.next_cursor = extract_cursor(*next);
    return page;
}

Org org_from(const Value& object, const json::Where& where) {
    Org org;
    org.id = json::require_string(object, "id", where);
    if (const Value* attributes = json::optional_object(object, "attributes", where)) {
        org.name = json::string_or_empty(*attributes, "name", json::at(where, "attributes"));
    }
    return org;
}

Workspace workspace_from(const Value& object, const json::Where& where) {
    Workspace workspace;
    workspace.id = json::require_string(object, "id", where);
    if (const Value* attributes = json::optional_object(object, "attributes", where)) {
        const json::Where in = json::at(where, "attributes");
        workspace.name = json::string_or_empty(*attributes, "name", in);
        workspace.type = json::string_or_empty(*attributes, "type", in);
        workspace.type_key = json::string_or_empty(*attributes, "typeKey", in);
        workspace.status = json::string_or_empty(*attributes, "status", in);
        workspace.host_url = json::string_or_empty(*attributes, "hostUrl", in);
        workspace.capacity = json::optional_int(*attributes, "capacity", in);
    }
    return workspace;
}

Directory directory_from(const Value& object, const json::Where& where) {
    return Directory{json::require_string(object, "directoryId", where),
                     json::string_or_empty(object, "name", where)};
}

DirectoryUser user_from(const Value& object, const json::Where& where) {
    DirectoryUser user;
    user.account_id = json::require_string(object, "accountId", where);
    user.account_type = json::string_or_empty(object, "accountType", where);
    user.account_status = json::string_or_empty(object, "accountStatus", where);
    user.membership_status = json::string_or_empty(object, "membershipStatus", where);
    user.status = json::string_or_empty(object, "status", where);
    user.claim_status = json::string_or_empty(object, "claimStatus", where);
    user.management_source = json::string_or_empty(object, "managementSource", where);
    user.name = json::string_or_empty(object, "name", where);
    user.nickname = json::string_or_empty(object, "nickname", where);
    user.email = json::string_or_empty(object, "email", where);
    user.added_to_org_ms = json::optional_timestamp(object, "addedToOrg", where);
    user.platform_roles = json::string_array(object, "platformRoles", where);
    if (const Value* groups = json::optional_array(object, "groups", where)) {
        user.groups.reserve(groups->Size());
        for (rapidjson::SizeType i = 0; i < groups->Size(); ++i) {
            const json::Where in = json::at(json::at(where, "groups"), i);
            const Value& group = json::as_object((*groups)[i], in);
            user.groups.push_back(
                GroupRef{normalize_group_id(json::require_string(group, "id", in)),
                         json::string_or_empty(group, "name", in)});
        }
    }
    if (const Value* products = json::optional_array(object, "productAccess", where)) {
        user.product_access.reserve(products->Size());
        for (rapidjson::SizeType i = 0; i < products->Size(); ++i) {
            const json::Where in = json::at(json::at(where, "productAccess"), i);
            const Value& product = json::as_object((*products)[i], in);
            user.product_access.push_back(ProductAccess{
                json::require_string(product, "id", in), json::string_or_empty(product, "key", in),
                json::optional_timestamp(product, "lastActiveTimestamp", in)});
        }
    }
    return user;
}

Group group_from(const Value& object, const json::Where& where) {
    Group group;
    group.id = normalize_group_id(json::require_string(object, "id", where));
    group.name = json::string_or_empty(object, "name", where);
    group.description = json::string_or_empty(object, "description", where);
    group.directory_id = json::string_or_empty(object, "directoryId", where);
    group.external_synced = json::bool_or(object, "externalSynced", false, where);
    group.managed_by = json::string_or_empty(object, "managedBy", where);
    if (const Value* counts = json::optional_object(object, "counts", where)) {
        const json::Where in = json::at(where, "counts");
        group.resource_count = json::optional_int(*counts, "resources", in);
        group.user_count = json::optional_int(*counts, "users", in);
    }
    return group;
}

GroupRoleAssignment group_role_from(const Value& object, const json::Where& where) {
    GroupRoleAssignment assignment;
    assignment.resource_id = json::require_string(object, "resourceId", where);
    assignment.resource_owner = json::string_or_empty(object, "resourceOwner", where);
    assignment.roles = json::string_array(object, "roles", where);
    assignment.default_role = json::string_or_empty(object, "defaultRole", where);
    return assignment;
}

UserRoleAssignment user_role_from(const Value& object, const json::Where& where) {
    UserRoleAssignment assignment;
    assignment.resource_id = json::require_string(object, "resourceId", where);
    assignment.resource_owner = json::string_or_empty(object, "resourceOwner", where);
    assignment.directory_id = json::string_or_empty(object, "directoryId", where);
    assignment.user_directory_status = json::string_or_empty(object, "userDirectoryStatus", where);
    if (const Value* grants = json::optional_array(object, "roleAssignments", where)) {
        for (rapidjson::SizeType i = 0; i < grants->Size(); ++i) {
            const json::Where in = json::at(json::at(where, "roleAssignments"), i);
            const Value& grant = json::as_object((*grants)[i], in);
            assignment.grants.push_back(
                RoleGrant{json::require_string(grant, "role", in),
                          json::string_array(grant, "roleAssignmentMethods", in)});
        }
    } else {
        // Older responses only have the deprecated roles[]: the roles are known, not how.
        for (auto& role : json::string_array(object, "roles", where)) {
            assignment.grants.push_back(RoleGrant{std::move(role), {}});
        }
    }
    return assignment;
}

}  // namespace

Result<Org> parse_org(std::string_view body) {
    return json::guarded<Org>([&] {
        auto document = json::parse_object(body);
        return org_from(json::require_object(document, "data", ""), "data");
    });
}

Result<Page<Org>> parse_orgs_page(std::string_view body) {
    return json::guarded<Page<Org>>([&] { return parse_page<Org>(body, org_from); });
}

Result<Page<std::string>> parse_domains_page(std::string_view body) {
    return json::guarded<Page<std::string>>([&] {
        return parse_page<std::string>(body, [](const Value& object, const json::Where& where) {
            std::string name;
            if (const Value* attributes = json::optional_object(object, "attributes", where)) {
                const auto at = json::at(where, "attributes");
                std::string status;
                if (const Value* claim = json::optional_object(*attributes, "claim", at))
                    status = json::string_or_empty(*claim, "status", json::at(at, "claim"));
                if (status == "verified")
                    name = json::string_or_empty(*attributes, "name", at);
            }
            return name;
        });
    });
}

Result<Page<Workspace>> parse_workspaces_page(std::string_view body) {
    return json::guarded<Page<Workspace>>(
        [&] { return parse_page<Workspace>(body, workspace_from); });
}

Result<Page<Directory>> parse_directories_page(std::string_view body) {
    return json::guarded<Page<Directory>>(
        [&] { return parse_page<Directory>(body, directory_from); });
}

Result<Page<DirectoryUser>> parse_users_page(std::string_view body) {
    return json::guarded<Page<DirectoryUser>>(
        [&] { return parse_page<DirectoryUser>(body, user_from); });
}

Result<DirectoryUser> parse_user(std::string_view body) {
    return json::guarded<DirectoryUser>([&] {
        auto document = json::parse_object(body);
        return user_from(json::require_object(document, "data", ""), "data");
    });
}

Result<Page<Group>> parse_groups_page(std::string_view body) {
    return json::guarded<Page<Group>>([&] { return parse_page<Group>(body, group_from); });
}

Result<Page<GroupRoleAssignment>> parse_group_roles_page(std::string_view body) {
    return json::guarded<Page<GroupRoleAssignment>>(
        [&] { return parse_page<GroupRoleAssignment>(body, group_role_from); });
}

Result<Page<UserRoleAssignment>> parse_user_roles_page(std::string_view body) {
    return json::guarded<Page<UserRoleAssignment>>(
        [&] { return parse_page<UserRoleAssignment>(body, user_role_from); });
}

Result<std::pair<UserActivity, std::optional<std::string>>> parse_last_active_dates(
    std::string_view body) {
    using Parsed = std::pair<UserActivity, std::optional<std::string>>;
    return json::guarded<Parsed>([&] {
        auto document = json::parse_object(body);
        const Value& data = json::require_object(document, "data", "");
        Parsed parsed;
        UserActivity& activity = parsed.first;
        const Value& products = json::require_array(data, "product_access", "data");
        for (rapidjson::SizeType i = 0; i < products.Size(); ++i) {
            const json::Where in = json::at("data.product_access", i);
            const Value& product = json::as_object(products[i], in);
            ProductActivity entry;
            entry.id = json::require_string(product, "id", in);
            entry.key = json::require_string(product, "key", in);
            // The timestamp is precise; the date-only field is the fallback.
            entry.last_active_ms = json::optional_timestamp(product, "last_active_timestamp", in);
            if (!entry.last_active_ms) {
                entry.last_active_ms = json::optional_timestamp(product, "last_active", in);
            }
            activity.products.push_back(std::move(entry));
        }
        activity.added_to_org_ms = json::optional_timestamp(data, "added_to_org_timestamp", "data");
        if (!activity.added_to_org_ms) {
            activity.added_to_org_ms = json::optional_timestamp(data, "added_to_org", "data");
        }
        if (auto next = json::next_link(document))
            parsed.second = extract_cursor(*next);
        return parsed;
    });
}

Result<std::int64_t> parse_count(std::string_view body) {
    return json::guarded<std::int64_t>([&] {
        auto document = json::parse_object(body);
        auto count = json::optional_int(document, "count", "");
        if (!count)
            throw json::ParseFailure("count: required field missing");
        return *count;
    });
}

}  // namespace rosterd::atlassian
