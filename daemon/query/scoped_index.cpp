// A scoped caller's view of the snapshot index: the same questions, asked of less data, so that
// no question can leak an out-of-scope user or count by forgetting a filter.
#include <algorithm>

#include "rosterd/query/held.hpp"
#include "rosterd/query/snapshot.hpp"

namespace rosterd::query {

void SnapshotIndex::borrow_texts(std::shared_ptr<const SnapshotIndex> base) {
    texts_ = base->texts_;
    text_ids_ = base->text_ids_;
    base_ = std::move(base);
}

std::shared_ptr<const SnapshotIndex> restrict_to_scope(std::shared_ptr<const SnapshotIndex> base,
                                                       const Scope& scope) {
    return restrict_to_scope(std::move(base), scope, HeldAccess{});
}

std::shared_ptr<const SnapshotIndex> restrict_to_scope(std::shared_ptr<const SnapshotIndex> base,
                                                       const Scope& scope, const HeldAccess& held) {
    if (scope.sees_everything())
        return base;
    auto view = std::make_shared<SnapshotIndex>();
    view->info = base->info;
    // Products: the reachable ones, in the same order; `remap` takes old positions to new.
    constexpr auto kDropped = std::numeric_limits<std::uint32_t>::max();
    std::vector<std::uint32_t> remap(base->products.size(), kDropped);
    for (std::uint32_t p = 0; p < base->products.size(); ++p) {
        const auto& product = base->products[p];
        if (!scope.allows_resource({product.key, product.site}))
            continue;
        remap[p] = static_cast<std::uint32_t>(view->products.size());
        if (p < base->listed_products)
            ++view->listed_products;
        view->products.push_back(product);
    }
    for (const auto& site : base->sites)
        if (std::any_of(view->products.begin(), view->products.end(),
                        [&](const IndexedProduct& p) { return p.site == site; }))
            view->sites.push_back(site);
    view->groups = base->groups;
    // A user who held an in-scope resource that a run took away stays in the view (issue 19:
    // "hold or held"), so that whoever removed it finds them, and can undo.
    auto held_in_scope = [&](std::string_view account) {
        auto found = held.resources_of.find(std::string(account));
        if (found == held.resources_of.end())
            return false;
        for (const auto& resource : found->second)
            for (const auto& p : base->products)
                if (p.resource_id == resource && scope.allows_resource({p.key, p.site}))
                    return true;
        return false;
    };
    for (const auto& u : base->users) {
        IndexedUser kept = u;
        kept.access_begin = static_cast<std::uint32_t>(view->access.size());
        kept.last_active = kNoInstant;
        for (auto a = u.access_begin; a < u.access_end; ++a) {
            IndexedAccess access = base->access[a];
            if (remap[access.product] == kDropped)
                continue;
            access.product = remap[access.product];
            kept.last_active = std::max(kept.last_active, access.last_active);
            view->access.push_back(access);
        }
        kept.access_end = static_cast<std::uint32_t>(view->access.size());
        if (kept.access_begin == kept.access_end && !held_in_scope(u.account_id))
            continue;  // no in-scope access, now or taken by a run: not in the caller's view
        kept.groups_begin = static_cast<std::uint32_t>(view->memberships.size());
        view->memberships.insert(view->memberships.end(),
                                 base->memberships.begin() + u.groups_begin,
                                 base->memberships.begin() + u.groups_end);
        kept.groups_end = static_cast<std::uint32_t>(view->memberships.size());
        view->users.push_back(kept);
    }
    view->borrow_texts(std::move(base));
    view->index_users();
    view->index_seats();
    return view;
}

}  // namespace rosterd::query
