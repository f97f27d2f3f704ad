#include <algorithm>

#include "rosterd/query/snapshot.hpp"

namespace rosterd::query {

std::vector<std::string> unknown_scope_names(const std::vector<ScopedAccessEntry>& entries,
                                             const SnapshotIndex& index) {
    std::vector<std::string> warnings;
    auto known_product = [&](const std::string& key) {
        return std::any_of(index.products.begin(), index.products.end(),
                           [&](const IndexedProduct& p) { return p.key == key; });
    };
    auto known_site = [&](const std::string& host) {
        return std::find(index.sites.begin(), index.sites.end(), host) != index.sites.end();
    };
    for (const auto& entry : entries) {
        auto where = "control.access entry at line " + std::to_string(entry.line) + ": ";
        if (entry.scope.sites)
            for (const auto& site : *entry.scope.sites)
                if (!known_site(site))
                    warnings.push_back(where + "site " + site +
                                       " is not in the organization (snapshot " +
                                       std::to_string(index.info.id) + ")");
        if (entry.scope.products)
            for (const auto& product : *entry.scope.products)
                if (!known_product(product))
                    warnings.push_back(where + "product " + product +
                                       " is not in the organization (snapshot " +
                                       std::to_string(index.info.id) + ")");
    }
    return warnings;
}

}  // namespace rosterd::query
