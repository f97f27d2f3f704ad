// Figures the report and the digest add to the dashboard: the biggest inactive groups of seats
// and the week's change.
#include <algorithm>
#include <map>

#include "rosterd/money/report.hpp"

namespace rosterd::money {

std::vector<InactiveGroup> biggest_inactive_groups(const query::SnapshotIndex& index,
                                                   const query::Dashboard& dashboard,
                                                   const query::DashboardOptions& options,
                                                   std::size_t limit) {
    // Each listed product's cutoff, as the dashboard measured it (per-product thresholds).
    std::map<std::string, int> days;
    for (const auto& p : dashboard.products)
        days[p.product] = p.inactive_days;
    std::vector<std::int64_t> cutoff(index.listed_products, 0);
    std::vector<bool> counted(index.listed_products, false);
    for (std::size_t p = 0; p < index.listed_products; ++p) {
        auto found = days.find(index.products[p].key);
        if (found == days.end() || (options.site && index.products[p].site != *options.site))
            continue;
        counted[p] = true;
        cutoff[p] = dashboard.now_ms - found->second * kDayMs;
    }
    // (product, kind, name) -> inactive seats
    std::map<std::tuple<std::string, std::string, std::string>, std::int64_t> seats;
    for (const auto& u : index.users)
        for (auto i = u.access_begin; i < u.access_end; ++i) {
            const auto& a = index.access[i];
            if (!a.billable || a.product >= index.listed_products || !counted[a.product])
                continue;
            auto since = a.last_active != query::kNoInstant ? a.last_active : u.added;
            if (since == query::kNoInstant || since > cutoff[a.product])
                continue;
            const auto& key = index.products[a.product].key;
            ++seats[{key, "domain", index.text(u.domain)}];
            for (auto m = u.groups_begin; m < u.groups_end; ++m)
                ++seats[{key, "group", index.groups[index.memberships[m]].name}];
        }
    std::map<std::pair<std::string, std::string>, std::vector<InactiveGroup>> lists;
    for (const auto& [k, n] : seats) {
        const auto& [product, kind, name] = k;
        lists[{product, kind}].push_back({product, kind, name.empty() ? "(none)" : name, n, {}});
    }
    std::vector<InactiveGroup> out;
    for (auto& [k, list] : lists) {
        std::stable_sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
            return a.inactive_seats > b.inactive_seats;
        });
        if (list.size() > limit)
            list.resize(limit);
        out.insert(out.end(), list.begin(), list.end());
    }
    return out;
}

DigestFigures digest_figures(const std::vector<HistoryPoint>& history, const Savings& savings,
                             std::int64_t now_ms, std::int64_t runs_this_week) {
    DigestFigures f;
    f.realised_monthly = savings.realised_monthly;
    f.realised_seats = savings.realised_seats;
    f.runs_this_week = runs_this_week;
    auto total = sum_history(history, false)[""];
    if (total.empty())
        return f;
    const auto& now = total.back();
    f.currency = now.currency;
    f.billable = now.billable;
    f.active = now.active;
    f.inactive = now.inactive;
    f.monthly_cost = now.monthly_cost;
    f.inactive_monthly_cost = now.inactive_monthly_cost;
    // The newest point at or before a week ago: the week's change.
    const HistoryPoint* before = nullptr;
    for (const auto& p : total)
        if (p.at_ms <= now_ms - 7 * kDayMs)
            before = &p;
    if (before) {
        f.week_ago_at = before->at_ms;
        f.billable_change = now.billable - before->billable;
        f.inactive_change = now.inactive - before->inactive;
        if (now.inactive_monthly_cost && before->inactive_monthly_cost)
            f.inactive_cost_change = *now.inactive_monthly_cost - *before->inactive_monthly_cost;
    }
    return f;
}

}  // namespace rosterd::money
