#pragma once
// What a delegated caller may see and change (issue 19): sites, products and group-name globs.
// Pure values, shared by the configuration (control.access list form), the control socket (the
// caller carries one), the query layer (which filters the snapshot by it) and the ops planner
// (which refuses a plan that reaches outside it).
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rosterd {

// One configured grant's reach. Each dimension absent means "all"; present means only those.
struct ScopeRule {
    std::optional<std::vector<std::string>> sites;     // site hosts (lower case)
    std::optional<std::vector<std::string>> products;  // product keys
    std::optional<std::vector<std::string>> groups;    // glob patterns on group names

    bool unscoped() const { return !sites && !products && !groups; }
    bool allows_site(std::string_view host) const;
    bool allows_product(std::string_view key) const;
    bool allows_group(std::string_view name) const;
    // "sites=[a.atlassian.net] products=[confluence]", or "unscoped".
    std::string describe() const;
    bool operator==(const ScopeRule&) const = default;
};

// A product on a site, as a scope judges it.
struct ScopedResource {
    std::string product;  // key; empty when the snapshot does not know the resource
    std::string site;     // host
};

// A union of rules: a caller matched by several grants reaches what any one of them reaches.
// A rule is one unit: {sites:[A],products:[P]} + {sites:[B],products:[Q]} does not reach Q on A.
struct Scope {
    std::vector<ScopeRule> rules;  // empty: reaches nothing

    static Scope unscoped_scope() { return Scope{{ScopeRule{}}}; }
    // Some rule has no limits: the caller is not delegated at all.
    bool unscoped() const;
    // Some rule reaches product `product` on site `site`.
    bool allows_resource(const ScopedResource& resource) const;
    // Some rule matches the group name and reaches every resource the group grants.
    bool allows_group(std::string_view name, const std::vector<ScopedResource>& grants) const;
    // Some rule limits neither sites nor products: the caller sees the whole organization
    // (group patterns limit group changes, not what is seen).
    bool sees_everything() const;
    // "unscoped", or the rules joined by " | ".
    std::string describe() const;
    bool operator==(const Scope&) const = default;
};

// fnmatch(3)-style glob: '*' any run, '?' one character, '[...]' a class; case-sensitive.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace rosterd
