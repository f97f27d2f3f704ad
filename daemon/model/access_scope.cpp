#include <fnmatch.h>

#include <algorithm>

#include "rosterd/model/access_scope.hpp"

namespace rosterd {
namespace {

bool listed(const std::optional<std::vector<std::string>>& list, std::string_view value) {
    return !list || std::find(list->begin(), list->end(), value) != list->end();
}

std::string list_text(const std::vector<std::string>& values) {
    std::string text = "[";
    for (const auto& v : values)
        text += (text.size() > 1 ? "," : "") + v;
    return text + "]";
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
    return ::fnmatch(std::string(pattern).c_str(), std::string(text).c_str(), 0) == 0;
}

bool ScopeRule::allows_site(std::string_view host) const {
    return listed(sites, host);
}

bool ScopeRule::allows_product(std::string_view key) const {
    return listed(products, key);
}

bool ScopeRule::allows_group(std::string_view name) const {
    if (!groups)
        return true;
    return std::any_of(groups->begin(), groups->end(),
                       [&](const std::string& pattern) { return glob_match(pattern, name); });
}

std::string ScopeRule::describe() const {
    if (unscoped())
        return "unscoped";
    std::string text;
    auto add = [&](const char* name, const std::optional<std::vector<std::string>>& list) {
        if (list)
            text += (text.empty() ? "" : " ") + std::string(name) + "=" + list_text(*list);
    };
    add("sites", sites);
    add("products", products);
    add("groups", groups);
    return text;
}

bool Scope::unscoped() const {
    return std::any_of(rules.begin(), rules.end(), [](const auto& r) { return r.unscoped(); });
}

bool Scope::sees_everything() const {
    return std::any_of(rules.begin(), rules.end(),
                       [](const ScopeRule& r) { return !r.sites && !r.products; });
}

bool Scope::allows_resource(const ScopedResource& resource) const {
    return std::any_of(rules.begin(), rules.end(), [&](const ScopeRule& r) {
        return r.allows_site(resource.site) && r.allows_product(resource.product);
    });
}

bool Scope::allows_group(std::string_view name, const std::vector<ScopedResource>& grants) const {
    return std::any_of(rules.begin(), rules.end(), [&](const ScopeRule& r) {
        return r.allows_group(name) &&
               std::all_of(grants.begin(), grants.end(), [&](const ScopedResource& g) {
                   return r.allows_site(g.site) && r.allows_product(g.product);
               });
    });
}

std::string Scope::describe() const {
    if (rules.empty())
        return "nothing";
    if (unscoped())
        return "unscoped";
    std::string text;
    for (const auto& r : rules)
        text += (text.empty() ? "" : " | ") + r.describe();
    return text;
}

}  // namespace rosterd
