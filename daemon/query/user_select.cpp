// Which users match a selection, and in which order: the index's precomputed orders are walked
// and filtered, so the common sorts need no sorting at all.
#include <algorithm>

#include "rosterd/query/snapshot.hpp"

namespace rosterd::query {
namespace {

std::vector<UserMatcher> matchers(const SnapshotIndex& index, const UserSelection& selection) {
    std::vector<UserMatcher> out;
    for (const auto& filter : selection.filters)
        if (!filter.empty())
            out.emplace_back(index, filter, selection.now_ms);
    return out;
}

bool all_match(const std::vector<UserMatcher>& matchers, std::uint32_t user,
               std::int64_t& changes_at) {
    for (const auto& m : matchers)
        if (!m(user, changes_at))
            return false;
    return true;
}

// Which products a scope covers, once per question rather than once per access row.
std::vector<bool> products_in(const SnapshotIndex& index, const ActivityScope& scope) {
    std::vector<bool> out(index.products.size());
    for (std::size_t p = 0; p < out.size(); ++p)
        out[p] = (!scope.product || index.products[p].key == *scope.product) &&
                 (!scope.site || index.products[p].site == *scope.site);
    return out;
}

// The latest activity in the covered products, kNoInstant when none.
std::int64_t scoped_last_active(const SnapshotIndex& index, const IndexedUser& u,
                                const std::vector<bool>& covered) {
    std::int64_t latest = kNoInstant;
    for (auto i = u.access_begin; i < u.access_end; ++i) {
        const auto& a = index.access[i];
        if (covered[a.product])
            latest = std::max(latest, a.last_active);
    }
    return latest;
}

}  // namespace

std::optional<UserSort> parse_user_sort(std::string_view text) {
    if (text == "name")
        return UserSort::name;
    if (text == "email")
        return UserSort::email;
    if (text == "last-active" || text == "last_active")
        return UserSort::last_active;
    return std::nullopt;
}

std::string_view to_string(UserSort sort) {
    switch (sort) {
        case UserSort::email:
            return "email";
        case UserSort::last_active:
            return "last-active";
        case UserSort::name:
        default:
            return "name";
    }
}

ActivityScope activity_scope(const UserSelection& selection) {
    // Every filter must match, so a saved filter's product and the flags' site narrow together;
    // where two filters name a product (or a site), the later one (the flags) wins.
    ActivityScope scope;
    for (const auto& filter : selection.filters) {
        if (filter.product)
            scope.product = filter.product;
        if (filter.site)
            scope.site = filter.site;
    }
    return scope;
}

std::vector<std::uint32_t> select_users(const SnapshotIndex& index,
                                        const UserSelection& selection) {
    std::int64_t valid_until = kNever;
    return select_users(index, selection, valid_until);
}

std::vector<std::uint32_t> select_users(const SnapshotIndex& index, const UserSelection& selection,
                                        std::int64_t& valid_until_ms) {
    const auto tests = matchers(index, selection);
    const auto scope = activity_scope(selection);
    // Test users in storage order (cache-friendly), then walk the chosen order over the hits.
    std::vector<char> hit(index.users.size());
    std::size_t hits = 0;
    std::int64_t changes_at = kNever;
    for (std::uint32_t user = 0; user < index.users.size(); ++user)
        hits += (hit[user] = all_match(tests, user, changes_at) ? 1 : 0);
    valid_until_ms = changes_at;
    std::vector<std::uint32_t> out;
    out.reserve(hits);
    if (selection.sort == UserSort::last_active && (scope.product || scope.site)) {
        // Activity in the scope decides; the key is computed once per match. The matches are
        // taken in account-id order and sorted stably on the key alone, so equal keys (never
        // active there, mostly) stay in account-id order without comparing ids.
        const auto covered = products_in(index, scope);
        std::vector<std::pair<std::int64_t, std::uint32_t>> keyed;
        keyed.reserve(hits);
        for (auto user : index.by_account())
            if (hit[user])
                keyed.emplace_back(scoped_last_active(index, index.users[user], covered), user);
        std::stable_sort(keyed.begin(), keyed.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        for (const auto& [key, user] : keyed)
            out.push_back(user);
        return out;
    }
    const auto& order = selection.sort == UserSort::email         ? index.by_email
                        : selection.sort == UserSort::last_active ? index.by_last_active
                                                                  : index.by_name;
    for (auto user : order)
        if (hit[user])
            out.push_back(user);
    return out;
}

std::size_t count_users(const SnapshotIndex& index, const UserSelection& selection) {
    const auto tests = matchers(index, selection);
    std::size_t count = 0;
    std::int64_t changes_at = kNever;
    for (std::uint32_t user = 0; user < index.users.size(); ++user)
        if (all_match(tests, user, changes_at))
            ++count;
    return count;
}

std::optional<std::uint32_t> find_user(const SnapshotIndex& index, const std::string& id_or_email) {
    if (auto user = index.find_user(id_or_email))
        return user;
    const auto wanted = ascii_lower(id_or_email);
    std::vector<std::uint32_t> found;
    for (auto user : index.by_email)  // ordered by email, then account id
        if (index.users[user].email_lower == wanted)
            found.push_back(user);
    if (found.empty())
        return std::nullopt;
    if (found.size() > 1) {
        std::string list;
        for (auto user : found)
            list.append(list.empty() ? "" : ", ").append(index.users[user].account_id);
        throw QueryError("the email matches " + std::to_string(found.size()) +
                         " accounts: " + list + "; ask by account id");
    }
    return found.front();
}

}  // namespace rosterd::query
