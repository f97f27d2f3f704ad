#include "catalogue.hpp"

namespace rosterd::sim {

const CatalogueProduct* find_catalogue_product(std::string_view type_key) {
    for (const auto& product : kCatalogue) {
        if (product.type_key == type_key)
            return &product;
    }
    return nullptr;
}

std::string resource_ari(const CatalogueProduct& product, std::string_view cloud_id) {
    std::string ari = "ari:cloud:";
    ari += product.ari_product;
    ari += "::site/";
    ari += cloud_id;
    return ari;
}

std::string_view role_id(Role role) {
    switch (role) {
        case Role::Admin:
            return "atlassian/admin";
        case Role::User:
            return "atlassian/user";
        case Role::Basic:
            return "atlassian/basic";
        case Role::Contributor:
            return "atlassian/contributor";
        case Role::Stakeholder:
            return "atlassian/stakeholder";
        case Role::Guest:
            return "atlassian/guest";
        case Role::Customer:
            return "atlassian/customer";
    }
    return "atlassian/user";
}

std::optional<Role> parse_role(std::string_view id) {
    for (Role role : kAllRoles) {
        if (role_id(role) == id)
            return role;
    }
    return std::nullopt;
}

bool is_known_role_id(std::string_view id) {
    if (parse_role(id))
        return true;
    return id == kOrgAdmin || id == kSiteAdmin || id == "atlassian/user-access-admin" ||
           id == "atlassian/ai-access";
}

}  // namespace rosterd::sim
