#include "render.hpp"

#include <algorithm>

#include "activity_text.hpp"
#include "base64.hpp"
#include "prng.hpp"
#include "rosterd/base/time_format.hpp"

namespace rosterd::sim {

namespace {

bool email_verified(const User& user) {
    return user.claim == ClaimStatus::Managed || fnv1a64(user.email) % 10 != 0;
}

std::string product_url(const Model& model, const Product& product) {
    std::string url = model.sites[product.site].host();
    if (product.catalogue->type_key == "confluence")
        url += "/wiki";
    return url;
}

void write_common_v2_fields(JsonWriter& w, const Model& model, const User& user) {
    key(w, "accountId");
    put(w, user.account_id);
    // The v2 AccountType enum only allows "atlassian", app accounts included.
    key(w, "accountType");
    put(w, "atlassian");
    key(w, "accountStatus");
    put(w, to_string(user.account_status));
    key(w, "membershipStatus");
    put(w, to_string(user.membership));
    key(w, "status");
    put(w, to_string(model.status(user)));
    key(w, "claimStatus");
    put(w, to_string(user.claim));
    key(w, "managementSource");
    put_optional(w, user.management_source);
    key(w, "name");
    put(w, user.name);
    key(w, "nickname");
    put(w, user.nickname);
    key(w, "email");
    put(w, user.email);
    key(w, "emailVerified");
    w.Bool(email_verified(user));
    key(w, "mfaEnabled");
    w.Bool(mfa_enabled(user));
    key(w, "addedToOrg");
    put(w, format_iso8601_ms(user.added_ms));
    std::string picture = picture_url(user);
    key(w, "avatar");
    put(w, picture);
    key(w, "picture");
    put(w, picture);
}

void write_platform_roles(JsonWriter& w, const User& user) {
    key(w, "platformRoles");
    w.StartArray();
    for (const auto& role : user.platform_roles)
        put(w, role);
    w.EndArray();
}

void write_counts(JsonWriter& w, const User& user) {
    key(w, "counts");
    w.StartObject();
    key(w, "resources");
    w.Uint64(user.access.size());
    w.EndObject();
}

}  // namespace

std::string self_token(std::string_view id) {
    std::uint64_t a = fnv1a64(id);
    std::uint64_t b = fnv1a64(id, a);
    std::string bytes;
    for (int i = 0; i < 8; ++i)
        bytes.push_back(static_cast<char>((a >> (8 * i)) & 0xFF));
    for (int i = 0; i < 8; ++i)
        bytes.push_back(static_cast<char>((b >> (8 * i)) & 0xFF));
    return base64url_encode(bytes);
}

std::string picture_url(const User& user) {
    return "https://avatar-management.sim.invalid/" + user.account_id + "/128";
}

void write_v2_user(JsonWriter& w, const Model& model, const User& user, const UserExpand& expand) {
    w.StartObject();
    write_common_v2_fields(w, model, user);
    if (expand.platform_roles)
        write_platform_roles(w, user);
    if (expand.counts_resources)
        write_counts(w, user);
    if (expand.groups) {
        key(w, "groups");
        w.StartArray();
        for (std::size_t g : user.groups) {
            const Group& group = model.groups[g];
            w.StartObject();
            key(w, "id");
            put(w, Model::group_ari(group.id));  // ARIs here, bare UUIDs in the groups API
            key(w, "name");
            put(w, group.name);
            key(w, "description");
            put(w, group.description);
            w.EndObject();
        }
        w.EndArray();
    }
    if (expand.product_access) {
        key(w, "productAccess");
        w.StartArray();
        for (const auto& access : user.access) {
            const Product& product = model.products[access.resource];
            w.StartObject();
            key(w, "id");
            put(w, product.resource_id);
            key(w, "key");
            put(w, product.catalogue->type);
            if (const Activity* activity = user.activity_on(access.resource)) {
                key(w, "lastActiveTimestamp");
                put(w, activity->text);
            }
            w.EndObject();
        }
        w.EndArray();
    }
    key(w, "links");
    w.StartObject();
    key(w, "self");
    put(w, self_token(user.account_id));
    w.EndObject();
    w.EndObject();
}

void write_v2_user_details(JsonWriter& w, const Model& model, const User& user) {
    w.StartObject();
    write_common_v2_fields(w, model, user);
    write_platform_roles(w, user);
    write_counts(w, user);
    w.EndObject();
}

void write_v1_user(JsonWriter& w, const Model& model, const User& user, std::string_view host) {
    w.StartObject();
    key(w, "account_id");
    put(w, user.account_id);
    key(w, "account_type");
    put(w, user.app ? "app" : "atlassian");
    key(w, "account_status");
    put(w, to_string(user.account_status));
    key(w, "name");
    put(w, user.name);
    key(w, "picture");
    put(w, picture_url(user));
    key(w, "email");
    put(w, user.email);
    key(w, "access_billable");
    w.Bool(model.billable(user));
    std::optional<std::int64_t> latest;
    for (const auto& access : user.access) {
        if (const Activity* activity = user.activity_on(access.resource)) {
            if (!latest || activity->ms > *latest)
                latest = activity->ms;
        }
    }
    if (latest) {
        key(w, "last_active");
        put(w, format_iso8601_ms(*latest));
    }
    key(w, "product_access");
    w.StartArray();
    for (const auto& access : user.access) {
        const Product& product = model.products[access.resource];
        w.StartObject();
        key(w, "key");
        put(w, product.catalogue->v1_key);
        key(w, "name");
        put(w, product.catalogue->display_name);
        key(w, "url");
        put(w, product_url(model, product));
        if (const Activity* activity = user.activity_on(access.resource)) {
            key(w, "last_active");
            put(w, format_iso8601_ms(activity->ms));
        }
        w.EndObject();
    }
    w.EndArray();
    key(w, "links");
    w.StartObject();
    key(w, "self");
    put(w, "http://" + std::string(host) + "/users/" + user.account_id + "/manage/profile");
    w.EndObject();
    w.EndObject();
}

void write_last_active(JsonWriter& w, const Model& model, const User& user) {
    w.StartObject();
    key(w, "data");
    w.StartObject();
    key(w, "product_access");
    w.StartArray();
    // Products the user holds and has used; an empty list means never active anywhere.
    for (const auto& access : user.access) {
        const Activity* activity = user.activity_on(access.resource);
        if (!activity)
            continue;
        const Product& product = model.products[access.resource];
        w.StartObject();
        key(w, "id");
        put(w, product.resource_id);
        key(w, "key");
        put(w, product.catalogue->v1_key);
        key(w, "last_active");
        put(w, format_date(activity->ms));
        key(w, "last_active_timestamp");
        put(w, format_iso8601_s(activity->ms));
        w.EndObject();
    }
    w.EndArray();
    key(w, "added_to_org");
    put(w, format_date(user.added_ms));
    key(w, "added_to_org_timestamp");
    put(w, format_iso8601_s(user.added_ms));
    w.EndObject();
    w.EndObject();
}

void write_group(JsonWriter& w, const Model& model, std::size_t index, GroupCountsExpand counts) {
    const Group& group = model.groups[index];
    w.StartObject();
    key(w, "id");
    put(w, group.id);
    key(w, "name");
    put(w, group.name);
    key(w, "description");
    put(w, group.description);
    key(w, "directoryId");
    put(w, model.directories[group.directory].id);
    key(w, "externalSynced");
    w.Bool(group.external_synced);
    key(w, "managedBy");
    put(w, group.managed_by);
    key(w, "managementAccess");
    w.StartObject();
    key(w, "readable");
    w.Bool(true);
    key(w, "modifiable");
    w.Bool(!group.external_synced);
    key(w, "deletable");
    w.Bool(!group.external_synced && group.roles.empty());
    w.EndObject();
    if (counts.users || counts.resources) {
        key(w, "counts");
        w.StartObject();
        if (counts.users) {
            key(w, "users");
            w.Uint64(group.member_count);
        }
        if (counts.resources) {
            std::vector<std::size_t> resources;
            for (const auto& grant : group.roles) {
                if (std::find(resources.begin(), resources.end(), grant.resource) ==
                    resources.end()) {
                    resources.push_back(grant.resource);
                }
            }
            key(w, "resources");
            w.Uint64(resources.size());
        }
        w.EndObject();
    }
    key(w, "links");
    w.StartObject();
    key(w, "self");
    put(w, self_token(group.id));
    w.EndObject();
    w.EndObject();
}

void write_workspace(JsonWriter& w, const Model& model, std::size_t index) {
    const Product& product = model.products[index];
    const Site& site = model.sites[product.site];
    w.StartObject();
    key(w, "id");
    put(w, product.resource_id);
    key(w, "type");
    put(w, "workspaces");
    key(w, "attributes");
    w.StartObject();
    key(w, "name");
    put(w, site.name);
    key(w, "type");
    put(w, product.catalogue->type);
    key(w, "typeKey");
    put(w, product.catalogue->type_key);
    key(w, "status");
    put(w, "online");
    key(w, "statusDetails");
    w.StartArray();
    w.EndArray();
    key(w, "hostUrl");
    put(w, site.url());
    key(w, "realm");
    put(w, "us");
    key(w, "regions");
    w.StartArray();
    put(w, "us-east-1");
    w.EndArray();
    key(w, "labels");
    w.StartArray();
    w.EndArray();
    key(w, "icons");
    w.StartObject();
    w.EndObject();
    key(w, "avatars");
    w.StartObject();
    w.EndObject();
    key(w, "sandbox");
    w.StartObject();
    key(w, "type");
    put(w, "NONE");
    w.EndObject();
    key(w, "capacity");
    put_optional(w, product.capacity);
    key(w, "createdAt");
    put(w, format_iso8601_s(model.now_ms - 3LL * 365 * 86'400'000));
    w.EndObject();
    key(w, "links");
    w.StartObject();
    key(w, "self");
    put(w, "https://api.atlassian.com/admin/v2/orgs/" + model.org.id + "/workspaces/" +
               product.resource_id);
    w.EndObject();
    key(w, "relationships");
    w.StartObject();
    key(w, "entitlements");
    w.StartArray();
    w.StartObject();
    key(w, "id");
    put(w, self_token(product.resource_id + "#entitlement"));
    key(w, "type");
    put(w, "entitlement");
    key(w, "attributes");
    w.StartObject();
    key(w, "key");
    put(w, product.catalogue->type_key);
    key(w, "plan");
    put(w, "STANDARD");
    key(w, "planKey");
    put(w, "standard");
    w.EndObject();
    w.EndObject();
    w.EndArray();
    w.EndObject();
    w.EndObject();
}

}  // namespace rosterd::sim
