// Loads a truth document back into a model (--fixture). Derived parts (status, billable) are
// recomputed; access "via group" must be backed by the user's groups.
#include <rapidjson/error/en.h>

#include <algorithm>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "activity_text.hpp"
#include "rosterd/base/time_format.hpp"
#include "truth.hpp"

namespace rosterd::sim {

namespace {

constexpr std::string_view kHostSuffix = ".atlassian.net";

[[noreturn]] void fail(const std::string& where, const std::string& what) {
    throw std::runtime_error("fixture: " + where + ": " + what);
}

const rapidjson::Value& member_array(const rapidjson::Value& object, const char* name,
                                     const std::string& where) {
    auto it = object.FindMember(name);
    if (it == object.MemberEnd() || !it->value.IsArray())
        fail(where, std::string(name) + " must be an array");
    return it->value;
}

// Runs `read` and prefixes any error with the location in the document.
template <typename Fn>
auto located(const std::string& where, Fn&& read) {
    try {
        return read();
    } catch (const std::runtime_error& error) {
        std::string message = error.what();
        if (message.starts_with("fixture: "))
            throw;
        fail(where, message);
    }
}

class Reader {
  public:
    explicit Reader(const rapidjson::Document& doc) : doc_(doc) {}

    Model read() {
        if (!doc_.IsObject())
            fail("document", "must be a JSON object");
        auto version = optional_int64(doc_, "version");
        if (version && *version != kTruthVersion)
            fail("version", "unsupported truth version");
        auto org = doc_.FindMember("org");
        if (org == doc_.MemberEnd() || !org->value.IsObject())
            fail("org", "must be an object");
        located("org", [&] {
            model_.org.id = required_string(org->value, "id");
            model_.org.name = optional_string(org->value, "name").value_or("Simulated Org");
            model_.now_ms = optional_int64(doc_, "now_ms").value_or(0);
            return 0;
        });
        read_directories();
        read_sites();
        read_groups();
        read_users();
        model_.finalize();
        check_group_access();
        return std::move(model_);
    }

  private:
    void read_directories() {
        const auto& list = member_array(doc_, "directories", "directories");
        for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
            std::string where = "directories[" + std::to_string(i) + "]";
            located(where, [&] {
                model_.directories.push_back(Directory{
                    required_string(list[i], "id"), optional_string(list[i], "name").value_or("")});
                return 0;
            });
        }
        if (model_.directories.empty())
            fail("directories", "at least one directory is needed");
        model_.finalize();  // builds the directory index used below
    }

    void read_sites() {
        const auto& list = member_array(doc_, "sites", "sites");
        for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
            std::string where = "sites[" + std::to_string(i) + "]";
            located(where, [&] {
                Site site;
                std::string host = required_string(list[i], "host");
                if (!host.ends_with(kHostSuffix))
                    fail(where, "host must end with .atlassian.net");
                site.name = host.substr(0, host.size() - kHostSuffix.size());
                site.cloud_id = required_string(list[i], "cloud_id");
                const auto& products = member_array(list[i], "products", where);
                for (rapidjson::SizeType p = 0; p < products.Size(); ++p) {
                    std::string product_where = where + ".products[" + std::to_string(p) + "]";
                    std::string type_key = required_string(products[p], "key");
                    const CatalogueProduct* catalogue = find_catalogue_product(type_key);
                    if (!catalogue)
                        fail(product_where, "unknown product key " + type_key);
                    Product product;
                    product.catalogue = catalogue;
                    product.resource_id = optional_string(products[p], "resource_id")
                                              .value_or(resource_ari(*catalogue, site.cloud_id));
                    product.capacity = optional_int64(products[p], "capacity");
                    product.site = model_.sites.size();
                    if (product_index_.contains(product.resource_id)) {
                        fail(product_where, "duplicate resource_id");
                    }
                    product_index_[product.resource_id] = model_.products.size();
                    site.products.push_back(model_.products.size());
                    model_.products.push_back(std::move(product));
                }
                model_.sites.push_back(std::move(site));
                return 0;
            });
        }
    }

    std::size_t resource(const std::string& resource_id, const std::string& where) {
        auto it = product_index_.find(resource_id);
        if (it == product_index_.end())
            fail(where, "unknown resource_id " + resource_id);
        return it->second;
    }

    std::size_t directory(const rapidjson::Value& object, const std::string& where) {
        auto id = optional_string(object, "directory_id");
        if (!id)
            return 0;
        auto index = model_.find_directory(*id);
        if (!index)
            fail(where, "unknown directory_id " + *id);
        return *index;
    }

    static Role role(const std::string& text, const std::string& where) {
        auto parsed = parse_role(text);
        if (!parsed)
            fail(where, "unknown role " + text);
        return *parsed;
    }

    void read_groups() {
        const auto& list = member_array(doc_, "groups", "groups");
        for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
            std::string where = "groups[" + std::to_string(i) + "]";
            located(where, [&] {
                Group group;
                group.id = required_string(list[i], "id");
                group.name = required_string(list[i], "name");
                group.description = optional_string(list[i], "description").value_or("");
                group.directory = directory(list[i], where);
                group.external_synced = optional_bool(list[i], "external_synced", false);
                group.managed_by = optional_string(list[i], "managed_by")
                                       .value_or(group.external_synced ? "external" : "admins");
                auto roles = list[i].FindMember("roles");
                if (roles != list[i].MemberEnd() && roles->value.IsArray()) {
                    for (const auto& grant : roles->value.GetArray()) {
                        group.roles.push_back(
                            Grant{resource(required_string(grant, "resource_id"), where),
                                  role(required_string(grant, "role"), where)});
                    }
                }
                if (group_index_.contains(group.id))
                    fail(where, "duplicate group id");
                group_index_[group.id] = model_.groups.size();
                model_.groups.push_back(std::move(group));
                return 0;
            });
        }
    }

    // Status fields: explicit account/membership statuses win; otherwise derive them from
    // "status" so hand-written fixtures can say just "status": "suspended".
    static void read_statuses(User& user, const rapidjson::Value& object,
                              const std::string& where) {
        auto status_text = optional_string(object, "status");
        if (status_text) {
            auto status = parse_user_status(*status_text);
            if (!status)
                fail(where, "unknown status " + *status_text);
            if (*status == UserStatus::Suspended)
                user.membership = Membership::Suspended;
            if (*status == UserStatus::NotInvited)
                user.membership = Membership::None;
            if (*status == UserStatus::Deactivated)
                user.account_status = AccountStatus::Inactive;
        }
        if (auto text = optional_string(object, "account_status")) {
            auto value = parse_account_status(*text);
            if (!value)
                fail(where, "unknown account_status " + *text);
            user.account_status = *value;
        }
        if (auto text = optional_string(object, "membership_status")) {
            auto value = parse_membership(*text);
            if (!value)
                fail(where, "unknown membership_status " + *text);
            user.membership = *value;
        }
        if (auto text = optional_string(object, "claim_status")) {
            auto value = parse_claim_status(*text);
            if (!value)
                fail(where, "unknown claim_status " + *text);
            user.claim = *value;
        }
    }

    void read_access(User& user, const rapidjson::Value& object, const std::string& where,
                     std::size_t user_index) {
        auto access = object.FindMember("access");
        if (access == object.MemberEnd() || !access->value.IsArray())
            return;
        for (rapidjson::SizeType a = 0; a < access->value.Size(); ++a) {
            const auto& entry = access->value[a];
            std::string entry_where = where + ".access[" + std::to_string(a) + "]";
            std::size_t r = resource(required_string(entry, "resource_id"), entry_where);
            Role granted = role(required_string(entry, "role"), entry_where);
            std::string via = optional_string(entry, "via").value_or("direct");
            if (via == "direct") {
                user.direct_roles.push_back(Grant{r, granted});
            } else if (via == "group") {
                expected_group_access_.push_back({user_index, r, granted, entry_where});
            } else {
                fail(entry_where, "via must be \"group\" or \"direct\"");
            }
            auto ms = optional_int64(entry, "last_active_ms");
            auto text = optional_string(entry, "last_active");
            if (text) {
                auto activity = activity_from_text(*text);
                if (!activity)
                    fail(entry_where, "last_active is not an ISO-8601 timestamp");
                if (ms && *ms != activity->ms)
                    fail(entry_where, "last_active_ms != last_active");
                user.activity[r] = *activity;
            } else if (ms) {
                user.activity[r] = Activity{*ms, format_iso8601_ms(*ms)};
            }
        }
    }

    void read_users() {
        const auto& list = member_array(doc_, "users", "users");
        for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
            std::string where = "users[" + std::to_string(i) + "]";
            located(where, [&] {
                const auto& object = list[i];
                User user;
                user.account_id = required_string(object, "account_id");
                user.email = optional_string(object, "email").value_or("");
                user.name = optional_string(object, "name").value_or(user.email);
                user.nickname = optional_string(object, "nickname").value_or(user.name);
                user.app = optional_string(object, "account_type").value_or("atlassian") == "app";
                read_statuses(user, object, where);
                user.management_source = optional_string(object, "management_source");
                user.added_ms = optional_int64(object, "added_to_org_ms").value_or(model_.now_ms);
                user.platform_roles = string_array(object, "platform_roles");
                user.directory = directory(object, where);
                for (const auto& group_id : string_array(object, "groups")) {
                    auto g = group_index_.find(group_id);
                    if (g == group_index_.end())
                        fail(where, "unknown group " + group_id);
                    user.groups.push_back(g->second);
                }
                read_access(user, object, where, model_.users.size());
                if (!account_ids_.insert(user.account_id).second)
                    fail(where, "duplicate account_id");
                model_.users.push_back(std::move(user));
                return 0;
            });
        }
    }

    void check_group_access() const {
        for (const auto& expected : expected_group_access_) {
            const Access* access = model_.users[expected.user].access_on(expected.resource);
            if (!access || access->role != expected.role) {
                fail(expected.where, "access via group is not granted by the user's groups");
            }
        }
    }

    struct ExpectedGroupAccess {
        std::size_t user;
        std::size_t resource;
        Role role;
        std::string where;
    };

    const rapidjson::Document& doc_;
    Model model_;
    std::unordered_map<std::string, std::size_t> product_index_;
    std::unordered_map<std::string, std::size_t> group_index_;
    std::unordered_set<std::string> account_ids_;
    std::vector<ExpectedGroupAccess> expected_group_access_;
};

}  // namespace

Model model_from_truth(std::string_view json) {
    rapidjson::Document doc;
    doc.Parse(json.data(), json.size());
    if (doc.HasParseError()) {
        throw std::runtime_error(std::string("fixture: invalid JSON at offset ") +
                                 std::to_string(doc.GetErrorOffset()) + ": " +
                                 rapidjson::GetParseError_En(doc.GetParseError()));
    }
    return Reader(doc).read();
}

}  // namespace rosterd::sim
