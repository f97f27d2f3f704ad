#pragma once
// The product catalogue the simulator offers on every site, in the order --products-per-site takes
// them, and the role identifiers of the Admin API.
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace rosterd::sim {

struct CatalogueProduct {
    std::string_view type_key;      // workspace attributes.typeKey, truth "key", resourceOwner
    std::string_view type;          // workspace attributes.type, v2 productAccess[].key
    std::string_view ari_product;   // ari:cloud:<ari_product>::site/<cloudId>
    std::string_view display_name;  // truth "name"
    std::string_view v1_key;        // v1 /users product_access[].key and last-active key
    bool has_capacity;              // seats are capped (Jira, Confluence)
};

inline constexpr std::array<CatalogueProduct, 4> kCatalogue{{
    {"jira-software", "jira", "jira", "Jira", "jira-software", true},
    {"confluence", "confluence", "confluence", "Confluence", "confluence", true},
    {"jira-servicedesk", "jira-servicedesk", "jira-servicedesk", "Jira Service Management",
     "jira-service-desk", false},
    {"jira-product-discovery", "jira-product-discovery", "jira-product-discovery",
     "Jira Product Discovery", "jira-product-discovery", false},
}};

const CatalogueProduct* find_catalogue_product(std::string_view type_key);

std::string resource_ari(const CatalogueProduct& product, std::string_view cloud_id);

// Product roles, in precedence order: when several grants meet on one (user, resource), the
// first in this order is the single effective role.
enum class Role { Admin, User, Basic, Contributor, Stakeholder, Guest, Customer };
inline constexpr std::array<Role, 7> kAllRoles{Role::Admin,       Role::User,        Role::Basic,
                                               Role::Contributor, Role::Stakeholder, Role::Guest,
                                               Role::Customer};

std::string_view role_id(Role role);
std::optional<Role> parse_role(std::string_view id);
// Billable roles are the ones that take a paid seat.
inline bool is_billable_role(Role role) {
    return role == Role::Admin || role == Role::User;
}

// Every role identifier the API knows (product roles plus platform roles and the rest), used to
// validate roleIds filters.
bool is_known_role_id(std::string_view id);

inline constexpr std::string_view kOrgAdmin = "atlassian/org-admin";
inline constexpr std::string_view kSiteAdmin = "atlassian/site-admin";

}  // namespace rosterd::sim
