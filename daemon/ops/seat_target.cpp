// Seat targets: the order of inactivity and the cut of the plan (see ops_seat_target.hpp).
#include <algorithm>

#include "rosterd/ops/seat_target.hpp"

namespace rosterd::ops {
namespace {

bool on_target(const query::SnapshotIndex& index, const query::IndexedAccess& a,
               const SeatTarget& target) {
    if (!a.billable || a.product >= index.listed_products)
        return false;
    const auto& p = index.products[a.product];
    return p.key == target.product && (target.site.empty() || p.site == target.site);
}

}  // namespace

std::int64_t target_seats(const query::SnapshotIndex& index, std::uint32_t user,
                          const SeatTarget& target) {
    const auto& u = index.users[user];
    std::int64_t n = 0;
    for (auto i = u.access_begin; i < u.access_end; ++i)
        n += on_target(index, index.access[i], target) ? 1 : 0;
    return n;
}

std::int64_t target_activity(const query::SnapshotIndex& index, std::uint32_t user,
                             const SeatTarget& target) {
    const auto& u = index.users[user];
    std::int64_t latest = query::kNoInstant;
    for (auto i = u.access_begin; i < u.access_end; ++i)
        if (on_target(index, index.access[i], target))
            latest = std::max(latest, index.access[i].last_active);
    return latest;
}

std::int64_t count_target_seats(const query::SnapshotIndex& index, const SeatTarget& target) {
    std::int64_t n = 0;
    for (const auto& a : index.access)
        n += on_target(index, a, target) ? 1 : 0;
    return n;
}

std::vector<std::uint32_t> order_for_target(const query::SnapshotIndex& index,
                                            const std::vector<std::uint32_t>& users,
                                            const SeatTarget& target) {
    struct Keyed {
        std::int64_t activity;  // kNoInstant (the lowest value) first: never active there
        std::string_view account;
        std::uint32_t user;
    };
    std::vector<Keyed> keyed;
    keyed.reserve(users.size());
    for (auto user : users)
        if (target_seats(index, user, target) > 0)
            keyed.push_back(
                {target_activity(index, user, target), index.users[user].account_id, user});
    std::sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
        return a.activity != b.activity ? a.activity < b.activity : a.account < b.account;
    });
    std::vector<std::uint32_t> out;
    out.reserve(keyed.size());
    for (const auto& k : keyed)
        out.push_back(k.user);
    return out;
}

SeatTargetOutcome apply_seat_target(const query::SnapshotIndex& index, const SeatTarget& target,
                                    Plan& plan) {
    SeatTargetOutcome out;
    out.product = target.product;
    out.site = target.site;
    out.target = target.seats;
    out.seats = count_target_seats(index, target);
    out.over = std::max<std::int64_t>(0, out.seats - target.seats);
    std::vector<PlannedUser> kept;
    kept.reserve(plan.users.size());
    for (auto& planned : plan.users) {
        if (!planned.skipped.empty()) {  // protected or nothing to do: never a candidate
            kept.push_back(std::move(planned));
            continue;
        }
        ++out.candidates;
        if (out.freed >= out.over) {
            ++out.not_needed;
            continue;
        }
        auto user = index.find_user(planned.account_id);
        auto seats = user ? target_seats(index, *user, target) : 0;
        ++out.taken;
        out.freed += seats;
        out.seats_of[planned.account_id] = seats;
        kept.push_back(std::move(planned));
    }
    plan.users = std::move(kept);
    out.short_by = std::max<std::int64_t>(0, out.over - out.freed);
    return out;
}

std::int64_t seats_left_over(const SeatTargetOutcome& outcome,
                             const std::vector<std::string>& ok_accounts) {
    std::int64_t freed = 0;
    for (const auto& account : ok_accounts) {
        auto found = outcome.seats_of.find(account);
        if (found != outcome.seats_of.end())
            freed += found->second;
    }
    return std::max<std::int64_t>(0, outcome.over - freed);
}

}  // namespace rosterd::ops
