// Realised savings: the seats rosterd's runs removed that the published snapshot still shows
// removed, priced as what they would cost again (money.hpp).
#include <algorithm>
#include <set>
#include <tuple>

#include "rosterd/money/money.hpp"
#include "rosterd/ops/plan.hpp"
#include "rosterd/ops/run_vocabulary.hpp"

namespace rosterd::money {

std::int64_t RunSavings::total_seats() const {
    std::int64_t n = 0;
    for (const auto& s : seats)
        n += s.seats;
    return n;
}

std::optional<double> RunSavings::monthly() const {
    std::optional<double> total;
    for (const auto& s : seats)
        if (s.monthly)
            total = total.value_or(0) + *s.monthly;
    return total;
}

std::vector<JournalRun> read_journal(store::Database& db) {
    std::vector<JournalRun> runs;
    auto q = db.prepare(
        "SELECT id, kind, coalesce(task, ''), coalesce(undo_of, ''), state, finished_at FROM runs "
        "WHERE mode = 'apply' AND finished_at IS NOT NULL ORDER BY finished_at, id");
    while (q.step())
        runs.push_back({q.text(0), q.text(1), q.text(2), q.text(3), q.text(4), q.int64(5), {}});
    auto steps = db.prepare(
        "SELECT s.user_seq, s.op, s.resource_id, s.state = 'ok' AND (s.already = 0 OR "
        "s.confirmed = 1), u.account_id, s.role FROM run_steps s JOIN run_users u ON u.run_id = "
        "s.run_id "
        "AND u.seq = s.user_seq WHERE s.run_id = ? ORDER BY s.user_seq, s.seq");
    for (auto& run : runs) {
        steps.bind(1, run.id);
        std::int64_t last_seq = -1;
        while (steps.step()) {
            if (steps.int64(0) != last_seq) {
                last_seq = steps.int64(0);
                run.users.push_back({steps.text(4), false, false, {}, false});
            }
            auto& user = run.users.back();
            const auto op = steps.text(1);
            const bool changed = steps.int64(3) != 0;
            user.changed = user.changed || changed;
            // Only a billable role is a seat (a guest or customer role costs nothing).
            const auto role = steps.text(5);
            if (op == ops::kOpRevokeRole && (role == "atlassian/user" || role == "atlassian/admin"))
                user.revoked.push_back(steps.text(2));
            if (changed && (op == ops::kOpSuspend || op == ops::kOpDeactivate))
                user.suspended_or_deactivated = true;
            if (changed && (op == ops::kOpAssignRole || op == ops::kOpAddToGroup ||
                            op == ops::kOpRestore || op == ops::kOpReactivate))
                user.regranted = true;
        }
        steps.reset();
    }
    return runs;
}

namespace {

using SeatKey = std::pair<std::string, std::uint32_t>;  // account id, product index

// Whether the user holds a billable seat on the product now: the dashboard's count (the
// snapshot marks an access billable only for active human users with a billable role).
bool holds_seat(const query::SnapshotIndex& index, std::optional<std::uint32_t> user,
                std::uint32_t product) {
    if (!user)
        return false;
    const auto& u = index.users[*user];
    for (auto i = u.access_begin; i < u.access_end; ++i)
        if (index.access[i].product == product && index.access[i].billable)
            return true;
    return false;
}

bool billable_role(const query::SnapshotIndex& index, const query::IndexedAccess& access) {
    const auto& role = index.text(access.role);
    return role == "atlassian/user" || role == "atlassian/admin";
}

std::optional<std::uint32_t> product_of(const query::SnapshotIndex& index,
                                        const std::string& resource) {
    for (std::uint32_t p = 0; p < index.listed_products; ++p)
        if (index.products[p].resource_id == resource)
            return p;
    return std::nullopt;
}

}  // namespace

Savings compute_savings(const query::SnapshotIndex& index, const query::Dashboard& dashboard,
                        const std::vector<JournalRun>& journal, const query::Pricing& pricing,
                        std::optional<std::int64_t> since_ms) {
    Savings out;
    out.currency = pricing.currency;
    for (const auto& p : dashboard.products) {
        out.inactive_seats += p.inactive;
        if (p.inactive_monthly_cost)
            out.potential_monthly = out.potential_monthly.value_or(0) + *p.inactive_monthly_cost;
    }

    // Which run last removed each seat; an undo of that run that gave the user something back
    // releases the user's seats of it.
    struct Claim {
        std::size_t run = 0;   // index into journal
        bool removal = false;  // remove-product-access (else suspend or deactivate)
    };
    std::map<SeatKey, Claim> claims;
    for (std::size_t r = 0; r < journal.size(); ++r) {
        const auto& run = journal[r];
        if (run.kind == ops::to_string(ops::RunKind::undo)) {
            for (const auto& user : run.users) {
                if (!user.regranted)
                    continue;
                for (auto it = claims.begin(); it != claims.end();)
                    if (it->first.first == user.account_id &&
                        journal[it->second.run].id == run.undo_of)
                        it = claims.erase(it);
                    else
                        ++it;
            }
            continue;
        }
        for (const auto& user : run.users) {
            if (!user.changed)
                continue;
            for (const auto& resource : user.revoked)
                if (auto product = product_of(index, resource))
                    claims[{user.account_id, *product}] = {r, true};
            if (user.suspended_or_deactivated) {
                // The seats the user held: a suspended or deactivated user keeps the access rows
                // (not billable while so).
                if (auto u = index.find_user(user.account_id)) {
                    const auto& iu = index.users[*u];
                    for (auto i = iu.access_begin; i < iu.access_end; ++i)
                        if (index.access[i].product < index.listed_products &&
                            billable_role(index, index.access[i]))
                            claims[{user.account_id, index.access[i].product}] = {r, false};
                }
            }
        }
    }

    // Still removed now, and in the window asked for.
    std::map<std::pair<std::size_t, std::uint32_t>, std::int64_t> per_run;  // run, product
    std::map<std::uint32_t, std::int64_t> per_product;
    const auto active = index.find_text("active");
    for (const auto& [seat, claim] : claims) {
        const auto run = claim.run;
        if (since_ms && journal[run].finished_at < *since_ms)
            continue;
        const auto user = index.find_user(seat.first);
        if (holds_seat(index, user, seat.second))
            continue;
        // A removed access saves a seat only while its user would be billed for it: active and
        // human now (a suspended user's access costs nothing, removed or not).
        if (claim.removal &&
            (!user || index.users[*user].app || !active || index.users[*user].status != *active))
            continue;
        ++per_run[{run, seat.second}];
        ++per_product[seat.second];
    }

    // Each subscription's billable count now, for the price of the removed seats.
    auto billable_now = [&](std::uint32_t product) -> std::int64_t {
        const auto& ip = index.products[product];
        for (const auto& p : dashboard.products)
            if (p.product == ip.key)
                for (const auto& s : p.sites)
                    if (s.resource_id == ip.resource_id)
                        return s.total;
        return 0;
    };
    std::map<std::uint32_t, std::optional<double>> per_seat_price;
    for (const auto& [product, seats] : per_product) {
        const auto& ip = index.products[product];
        auto saving = query::monthly_saving(pricing, ip.key, billable_now(product) + seats, seats);
        if (saving)
            per_seat_price[product] = *saving / static_cast<double>(seats);
        else
            per_seat_price[product] = std::nullopt;
        SeatCount count{ip.key, ip.site, seats, saving};
        out.realised_seats += seats;
        if (saving)
            out.realised_monthly = out.realised_monthly.value_or(0) + *saving;
        out.by_product.push_back(count);
    }
    if (!pricing.currency.empty() && !out.realised_monthly)
        out.realised_monthly = 0.0;

    std::map<std::size_t, RunSavings> runs;
    for (const auto& [key, seats] : per_run) {
        const auto& [r, product] = key;
        auto& rs = runs[r];
        const auto& run = journal[r];
        rs.run_id = run.id;
        rs.kind = run.kind;
        rs.task = run.task;
        rs.state = run.state;
        rs.finished_at = run.finished_at;
        const auto& ip = index.products[product];
        auto price = per_seat_price[product];
        rs.seats.push_back(
            {ip.key, ip.site, seats,
             price ? std::optional<double>(*price * static_cast<double>(seats)) : std::nullopt});
        auto& task = out.by_task[run.task];
        task.product = run.task;
        task.seats += seats;
        if (price)
            task.monthly = task.monthly.value_or(0) + *price * static_cast<double>(seats);
    }
    for (auto it = runs.rbegin(); it != runs.rend(); ++it)
        out.runs.push_back(std::move(it->second));
    return out;
}

}  // namespace rosterd::money
