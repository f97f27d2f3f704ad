#include "truth.hpp"

namespace rosterd::sim {

void write_user_truth(JsonWriter& w, const Model& model, const User& user) {
    w.StartObject();
    write_user_truth_fields(w, model, user);
    w.EndObject();
}

void write_user_truth_fields(JsonWriter& w, const Model& model, const User& user) {
    key(w, "account_id");
    put(w, user.account_id);
    key(w, "name");
    put(w, user.name);
    key(w, "nickname");
    put(w, user.nickname);
    key(w, "email");
    put(w, user.email);
    key(w, "account_type");
    put(w, user.app ? "app" : "atlassian");
    key(w, "account_status");
    put(w, to_string(user.account_status));
    key(w, "membership_status");
    put(w, to_string(user.membership));
    key(w, "status");
    put(w, to_string(model.status(user)));
    key(w, "claim_status");
    put(w, to_string(user.claim));
    key(w, "management_source");
    put_optional(w, user.management_source);
    key(w, "added_to_org_ms");
    w.Int64(user.added_ms);
    key(w, "platform_roles");
    w.StartArray();
    for (const auto& role : user.platform_roles)
        put(w, role);
    w.EndArray();
    key(w, "directory_id");
    put(w, model.directories[user.directory].id);
    key(w, "groups");
    w.StartArray();
    for (std::size_t g : user.groups)
        put(w, model.groups[g].id);
    w.EndArray();
    key(w, "access");
    w.StartArray();
    for (const auto& access : user.access) {
        w.StartObject();
        key(w, "resource_id");
        put(w, model.products[access.resource].resource_id);
        key(w, "role");
        put(w, role_id(access.role));
        key(w, "via");
        put(w, access.direct ? "direct" : "group");
        const Activity* activity = user.activity_on(access.resource);
        key(w, "last_active_ms");
        if (activity) {
            w.Int64(activity->ms);
        } else {
            w.Null();
        }
        key(w, "last_active");
        if (activity) {
            put(w, activity->text);
        } else {
            w.Null();
        }
        w.EndObject();
    }
    w.EndArray();
}

namespace {

void write_sites(JsonWriter& w, const Model& model) {
    w.StartArray();
    for (const auto& site : model.sites) {
        w.StartObject();
        key(w, "host");
        put(w, site.host());
        key(w, "url");
        put(w, site.url());
        key(w, "cloud_id");
        put(w, site.cloud_id);
        key(w, "products");
        w.StartArray();
        for (std::size_t r : site.products) {
            const Product& product = model.products[r];
            w.StartObject();
            key(w, "key");
            put(w, product.catalogue->type_key);
            key(w, "type");
            put(w, product.catalogue->type);
            key(w, "resource_id");
            put(w, product.resource_id);
            key(w, "name");
            put(w, product.catalogue->display_name);
            key(w, "capacity");
            put_optional(w, product.capacity);
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
    }
    w.EndArray();
}

void write_groups(JsonWriter& w, const Model& model) {
    w.StartArray();
    for (const auto& group : model.groups) {
        w.StartObject();
        key(w, "id");
        put(w, group.id);
        key(w, "name");
        put(w, group.name);
        key(w, "description");
        put(w, group.description);
        key(w, "directory_id");
        put(w, model.directories[group.directory].id);
        key(w, "external_synced");
        w.Bool(group.external_synced);
        key(w, "managed_by");
        put(w, group.managed_by);
        key(w, "roles");
        w.StartArray();
        for (const auto& grant : group.roles) {
            w.StartObject();
            key(w, "resource_id");
            put(w, model.products[grant.resource].resource_id);
            key(w, "role");
            put(w, role_id(grant.role));
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
    }
    w.EndArray();
}

void write_billable(JsonWriter& w, const Model& model) {
    w.StartArray();
    for (std::size_t r = 0; r < model.products.size(); ++r) {
        const Product& product = model.products[r];
        w.StartObject();
        key(w, "product");
        put(w, product.catalogue->type_key);
        key(w, "site");
        put(w, model.sites[product.site].host());
        key(w, "resource_id");
        put(w, product.resource_id);
        key(w, "users");
        w.StartArray();
        for (const auto& user : model.users) {
            if (!model.billable_on(user, r))
                continue;
            const Activity* activity = user.activity_on(r);
            w.StartObject();
            key(w, "account_id");
            put(w, user.account_id);
            key(w, "last_active_ms");
            if (activity) {
                w.Int64(activity->ms);
            } else {
                w.Null();
            }
            key(w, "added_to_org_ms");
            w.Int64(user.added_ms);
            w.EndObject();
        }
        w.EndArray();
        w.EndObject();
    }
    w.EndArray();
}

}  // namespace

std::string truth_json(const Model& model) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    key(w, "version");
    w.Int(kTruthVersion);
    key(w, "org");
    w.StartObject();
    key(w, "id");
    put(w, model.org.id);
    key(w, "name");
    put(w, model.org.name);
    w.EndObject();
    key(w, "now_ms");
    w.Int64(model.now_ms);
    key(w, "directories");
    w.StartArray();
    for (const auto& directory : model.directories) {
        w.StartObject();
        key(w, "id");
        put(w, directory.id);
        key(w, "name");
        put(w, directory.name);
        w.EndObject();
    }
    w.EndArray();
    key(w, "sites");
    write_sites(w, model);
    key(w, "groups");
    write_groups(w, model);
    key(w, "users");
    w.StartArray();
    for (const auto& user : model.users) {
        if (!user.removed)
            write_user_truth(w, model, user);
    }
    w.EndArray();
    key(w, "billable");
    write_billable(w, model);
    w.EndObject();
    return to_string(buffer);
}

}  // namespace rosterd::sim
