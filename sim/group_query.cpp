#include "group_query.hpp"

#include <algorithm>

#include "json_util.hpp"
#include "user_query.hpp"

namespace rosterd::sim {

namespace {

std::vector<std::string> read_list(const FieldSource& fields, const char* name, std::size_t max) {
    auto values = fields.strings(name);
    if (!values)
        return {};
    check_list_size(name, *values, max);
    return *values;
}

void write_list(JsonWriter& w, const char* name, std::vector<std::string> values) {
    if (values.empty())
        return;
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    key(w, name);
    w.StartArray();
    for (const auto& value : values)
        put(w, value);
    w.EndArray();
}

template <typename T>
bool contains(const std::vector<T>& values, const T& value) {
    return std::find(values.begin(), values.end(), value) != values.end();
}

}  // namespace

std::string GroupQuery::canonical_json() const {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    write_list(w, "accountIds", account_ids);
    write_list(w, "directoryIds", directory_ids);
    write_list(w, "groupIds", group_ids);
    write_list(w, "groupNames", group_names);
    write_list(w, "resourceIds", resource_ids);
    write_list(w, "resourceOwners", resource_owners);
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
    w.EndObject();
    return to_string(buffer);
}

GroupQuery read_group_query(const FieldSource& fields) {
    GroupQuery q;
    q.account_ids = read_list(fields, "accountIds", 10);
    q.directory_ids = read_list(fields, "directoryIds", 10);
    q.group_ids = read_list(fields, "groupIds", 10);
    q.group_names = read_list(fields, "groupNames", 100);
    q.resource_ids = read_list(fields, "resourceIds", 20);
    q.resource_owners = read_list(fields, "resourceOwners", 10);
    q.role_ids = read_list(fields, "roleIds", 10);
    for (const auto& role : q.role_ids) {
        if (!is_known_role_id(role))
            throw BadRequest("roleIds has an invalid value: " + role);
    }
    q.search_term = fields.string("searchTerm");
    if (auto sort = fields.sort("sortBy")) {
        if (sort->size() != 1)
            throw BadRequest("sortBy accepts exactly one item");
        if (sort->front().field != "name")
            throw BadRequest("sortBy field must be name");
        q.sort = sort->front();
    }
    return q;
}

GroupCountsExpand read_group_expand(const FieldSource& fields) {
    GroupCountsExpand expand;
    if (auto values = fields.strings("expand")) {
        for (const auto& value : *values) {
            if (value == "counts.users") {
                expand.users = true;
            } else if (value == "counts.resources") {
                expand.resources = true;
            } else {
                throw BadRequest("expand has an invalid value: " + value);
            }
        }
    }
    if (fields.boolean("counts.includeUsers").value_or(false))
        expand.users = true;
    if (fields.boolean("counts.includeResources").value_or(false))
        expand.resources = true;
    return expand;
}

std::vector<std::size_t> matching_groups(const Model& model, const GroupQuery& q,
                                         std::optional<std::size_t> directory) {
    std::vector<std::size_t> members_of;  // user indices for accountIds
    for (const auto& id : q.account_ids) {
        if (auto user = model.find_user(id))
            members_of.push_back(*user);
    }
    std::vector<std::size_t> group_ids;
    for (const auto& id : q.group_ids) {
        if (auto group = model.find_group(id))
            group_ids.push_back(*group);
    }
    std::vector<std::string> names;
    for (const auto& name : q.group_names)
        names.push_back(lower_ascii(name));
    std::optional<std::string> search;
    if (q.search_term)
        search = lower_ascii(*q.search_term);

    std::vector<std::size_t> out;
    for (std::size_t g = 0; g < model.groups.size(); ++g) {
        const Group& group = model.groups[g];
        if (directory && group.directory != *directory)
            continue;
        if (!q.directory_ids.empty() &&
            !contains(q.directory_ids, model.directories[group.directory].id)) {
            continue;
        }
        if (!q.group_ids.empty() && !contains(group_ids, g))
            continue;
        if (!names.empty() && !contains(names, lower_ascii(group.name)))
            continue;
        if (search && lower_ascii(group.name).find(*search) == std::string::npos)
            continue;
        if (!q.account_ids.empty() &&
            std::none_of(members_of.begin(), members_of.end(),
                         [&](std::size_t u) { return model.users[u].in_group(g); })) {
            continue;
        }
        bool any_grant_filter =
            !q.resource_ids.empty() || !q.resource_owners.empty() || !q.role_ids.empty();
        if (any_grant_filter) {
            bool granted =
                std::any_of(group.roles.begin(), group.roles.end(), [&](const Grant& grant) {
                    const Product& product = model.products[grant.resource];
                    return (q.resource_ids.empty() ||
                            contains(q.resource_ids, product.resource_id)) &&
                           (q.resource_owners.empty() ||
                            contains(q.resource_owners,
                                     std::string(product.catalogue->type_key))) &&
                           (q.role_ids.empty() ||
                            contains(q.role_ids, std::string(role_id(grant.role))));
                });
            if (!granted)
                continue;
        }
        out.push_back(g);
    }
    if (q.sort) {
        bool descending = q.sort->descending;
        std::stable_sort(out.begin(), out.end(), [&](std::size_t a, std::size_t b) {
            const auto& na = model.groups[a].name;
            const auto& nb = model.groups[b].name;
            return descending ? nb < na : na < nb;
        });
    }
    return out;
}

}  // namespace rosterd::sim
