// UserFilter compiled against a snapshot: the semantics of every field, in one place
// (docs/queries.md states them for people).
#include <algorithm>

#include "rosterd/base/units.hpp"
#include "rosterd/query/snapshot.hpp"

namespace rosterd::query {
namespace {

// Texts the snapshot holds; values no row holds simply match nothing.
std::vector<TextId> known_texts(const SnapshotIndex& index, const std::vector<std::string>& texts) {
    std::vector<TextId> out;
    for (const auto& t : texts)
        if (auto id = index.find_text(t))
            out.push_back(*id);
    return out;
}

bool contains(const std::vector<TextId>& ids, TextId id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// Groups named (any case) or identified by one of `names`.
std::vector<bool> groups_named(const SnapshotIndex& index, const std::vector<std::string>& names) {
    std::vector<bool> out(index.groups.size(), false);
    for (const auto& name : names) {
        auto lowered = ascii_lower(name);
        for (std::size_t g = 0; g < index.groups.size(); ++g)
            if (index.groups[g].name_lower == lowered || index.groups[g].id == name)
                out[g] = true;
    }
    return out;
}

}  // namespace

UserMatcher::UserMatcher(const SnapshotIndex& index, const UserFilter& f, std::int64_t now_ms)
    : index_(index) {
    if (f.search)
        search_ = ascii_lower(*f.search);
    scoped_ = f.product || f.site;
    scope_.assign(index.products.size(), false);
    for (std::size_t p = 0; p < index.products.size(); ++p) {
        const auto& product = index.products[p];
        scope_[p] =
            (!f.product || product.key == *f.product) && (!f.site || product.site == *f.site);
    }
    if (f.role) {
        role_ = index.find_text(*f.role);
        impossible_ = impossible_ || !role_;
    }
    if (f.inactive_days) {
        inactive_span_ms_ = static_cast<std::int64_t>(*f.inactive_days) * kDayMs;
        inactive_cutoff_ = now_ms - inactive_span_ms_;
    }
    never_active_ = f.never_active;
    if (!f.not_products.empty()) {
        has_excluded_ = true;
        excluded_products_.assign(index.products.size(), false);
        for (std::size_t p = 0; p < index.products.size(); ++p) {
            const auto& product = index.products[p];
            excluded_products_[p] = std::find(f.not_products.begin(), f.not_products.end(),
                                              product.key) != f.not_products.end() &&
                                    (!f.site || product.site == *f.site);
        }
    }
    if (!f.statuses.empty()) {
        statuses_ = known_texts(index, f.statuses);
        impossible_ = impossible_ || statuses_.empty();
    }
    if (!f.groups.empty()) {
        has_groups_ = true;
        groups_ = groups_named(index, f.groups);
    }
    if (!f.not_groups.empty()) {
        has_not_groups_ = true;
        not_groups_ = groups_named(index, f.not_groups);
    }
    if (!f.domains.empty()) {
        domains_ = known_texts(index, f.domains);
        impossible_ = impossible_ || domains_.empty();
    }
    if (f.account_type) {
        app_ = *f.account_type == "app";
        if (!*app_) {
            account_type_ = index.find_text(*f.account_type);
            impossible_ = impossible_ || !account_type_;
        }
    }
    if (f.managed) {
        claim_ = index.find_text(*f.managed ? "managed" : "unmanaged");
        impossible_ = impossible_ || !claim_;
    }
    added_before_ = f.added_before_ms;
    added_after_ = f.added_after_ms;
    admins_ = f.admins;
    admin_role_ = index.find_text("atlassian/admin");
}

bool UserMatcher::in_scope(const IndexedAccess& a) const {
    return !scoped_ || scope_[a.product];
}

// Idle for the filter's days in every product of the scope (or every product the user has);
// never used counts from added_to_org, and an unknown added_to_org proves nothing. This is the
// cutoff from which the user counts as idle: the latest "idle since" of the products in scope,
// or kNever when nothing known will ever make them idle.
std::int64_t UserMatcher::idle_from(const IndexedUser& u) const {
    bool any = false;
    std::int64_t latest = kNoInstant;
    for (auto i = u.access_begin; i < u.access_end; ++i) {
        const auto& a = index_.access[i];
        if (!in_scope(a))
            continue;
        any = true;
        auto since = a.last_active != kNoInstant ? a.last_active : u.added;
        if (since == kNoInstant)
            return kNever;
        latest = std::max(latest, since);
    }
    if (any)
        return latest;
    // Without a scope, a user with no products at all counts from added_to_org.
    return scoped_ || u.added == kNoInstant ? kNever : u.added;
}

bool UserMatcher::never_active(const IndexedUser& u) const {
    for (auto i = u.access_begin; i < u.access_end; ++i) {
        const auto& a = index_.access[i];
        if (in_scope(a) && a.last_active != kNoInstant)
            return false;
    }
    return true;
}

bool UserMatcher::is_admin(const IndexedUser& u) const {
    if (u.org_admin || u.site_admin)
        return true;
    if (!admin_role_)
        return false;
    for (auto i = u.access_begin; i < u.access_end; ++i)
        if (index_.access[i].role == *admin_role_)
            return true;
    return false;
}

bool UserMatcher::operator()(std::uint32_t user) const {
    std::int64_t changes_at = kNever;
    return (*this)(user, changes_at);
}

bool UserMatcher::operator()(std::uint32_t user, std::int64_t& changes_at) const {
    if (impossible_)
        return false;
    const auto& u = index_.users[user];
    // Cheap field tests first; access and group walks last.
    if (!statuses_.empty() && !contains(statuses_, u.status))
        return false;
    if (!domains_.empty() && !contains(domains_, u.domain))
        return false;
    if (app_ && (*app_ ? !u.app : (u.app || u.account_type != *account_type_)))
        return false;
    if (claim_ && u.claim_status != *claim_)
        return false;
    if (added_before_ && (u.added == kNoInstant || u.added >= *added_before_))
        return false;
    if (added_after_ && (u.added == kNoInstant || u.added < *added_after_))
        return false;
    if (search_ && u.name_lower.find(*search_) == std::string::npos &&
        u.email_lower.find(*search_) == std::string::npos)
        return false;

    if (scoped_ || role_ || has_excluded_) {
        bool in_scope_any = false, role_found = false;
        for (auto i = u.access_begin; i < u.access_end; ++i) {
            const auto& a = index_.access[i];
            if (has_excluded_ && excluded_products_[a.product])
                return false;
            if (in_scope(a)) {
                in_scope_any = true;
                role_found = role_found || (role_ && a.role == *role_);
            }
        }
        if (scoped_ && !in_scope_any)
            return false;
        if (role_ && !role_found)
            return false;
    }
    if (inactive_cutoff_) {
        const auto from = idle_from(u);
        if (from > *inactive_cutoff_) {
            if (from != kNever)
                changes_at = std::min(changes_at, from + inactive_span_ms_);
            return false;
        }
    }
    if (never_active_ && !never_active(u))
        return false;
    if (has_groups_ || has_not_groups_) {
        bool member = false;
        for (auto i = u.groups_begin; i < u.groups_end; ++i) {
            auto g = index_.memberships[i];
            if (has_not_groups_ && not_groups_[g])
                return false;
            member = member || (has_groups_ && groups_[g]);
        }
        if (has_groups_ && !member)
            return false;
    }
    if (admins_ && is_admin(u) != *admins_)
        return false;
    return true;
}

}  // namespace rosterd::query
