#include "admin_holders.hpp"

#include <set>

#include "generation_slot.hpp"
#include "rosterd/atlassian/types.hpp"
#include "snapshot_writer.hpp"

namespace rosterd::sync {

AdminChecks resolve_admin_holders(store::Database& db, std::int64_t snapshot,
                                  const std::vector<std::string>& holders) {
    const int slot = slot_of(db, snapshot);
    auto& find = db.cached(
        in_slot("SELECT user_no, coalesce(email, ''), is_org_admin OR is_site_admin FROM {users} "
                "WHERE snapshot_id = ? AND account_id = ?",
                slot));
    // Each product the holder has access to, and whether one of its groups grants admin there.
    auto& products = db.cached(in_slot(
        "SELECT a.resource_id, EXISTS (SELECT 1 FROM {user_groups} AS g JOIN group_roles AS r "
        "ON r.snapshot_id = g.snapshot_id AND r.group_id = g.group_id "
        "WHERE g.snapshot_id = a.snapshot_id AND g.user_no = a.user_no "
        "AND r.resource_id = a.resource_id AND r.role = ?3) "
        "FROM {user_access} AS a WHERE a.snapshot_id = ?1 AND a.user_no = ?2",
        slot));
    AdminChecks checks;
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> by_groups;
    // A listing may return an account twice (a page boundary moving under it): settle it once.
    std::set<std::string> settled;
    for (const auto& account : holders) {
        if (!settled.insert(account).second)
            continue;
        find.bind(1, snapshot).bind(2, account);
        if (!find.step()) {
            find.reset();
            ++checks.holders_not_found;
            continue;
        }
        const std::int64_t user_no = find.int64(0);
        std::string email = find.text(1);
        const bool platform_admin = find.int64(2) != 0;
        find.reset();
        products.bind(1, snapshot).bind(2, user_no).bind(3, kAdminRole);
        while (products.step()) {
            if (products.int64(1) != 0) {
                by_groups[products.text(0)].emplace_back(account, kAdminRole);
                ++checks.decided_by_groups;
            } else {
                auto& product = checks.products[products.text(0)];
                (platform_admin ? product.reserved : product.asked).push_back({account, email});
            }
        }
        products.reset();
    }
    for (const auto& [resource, accounts] : by_groups) {
        write_role_overrides(db, snapshot, resource, "admin", accounts);
        auto at = checks.products.find(resource);
        if (at != checks.products.end())
            at->second.admins_by_groups = static_cast<std::int64_t>(accounts.size());
    }
    return checks;
}

bool count_pays(const std::string& resource_id, const ProductAdminCandidates& product) {
    if (product.reserved.empty())
        return false;
    auto all = product.asked;
    all.insert(all.end(), product.reserved.begin(), product.reserved.end());
    return count_pays(admin_checks(resource_id, all).size(),
                      admin_checks(resource_id, product.asked).size());
}

bool count_pays(std::size_t questions_with_reserved, std::size_t questions_without) {
    return questions_with_reserved >= questions_without + 2;
}

ReservedVerdict settle_reserved(std::int64_t counted, std::int64_t admins_by_groups,
                                std::int64_t found_among_asked, std::size_t reserved) {
    const std::int64_t among_reserved = counted - admins_by_groups - found_among_asked;
    if (among_reserved == static_cast<std::int64_t>(reserved))
        return ReservedVerdict::all_admins;
    if (among_reserved == 0)
        return ReservedVerdict::none_admin;
    return ReservedVerdict::ask;
}

std::vector<AdminCheck> admin_checks(const std::string& resource_id,
                                     const std::vector<atlassian::UserToRead>& candidates) {
    auto make = [&resource_id] {
        AdminCheck check;
        check.search.resource_ids = {resource_id};
        check.search.role_ids = {kAdminRole};
        check.search.limit = atlassian::kMaxPageSize;
        return check;
    };
    std::vector<AdminCheck> checks;
    // Emails are unique items of a request. Each account is asked under its email exactly as
    // listed: whether the API matches emails in any case is not documented.
    std::map<std::string, std::size_t> check_of_email;
    for (const auto& candidate : candidates) {
        if (candidate.email.empty())
            continue;
        auto [at, added] = check_of_email.try_emplace(candidate.email, checks.size());
        if (added) {
            if (checks.empty() ||
                checks.back().search.emails.size() == atlassian::kMaxEmailsPerSearch)
                checks.push_back(make());
            at->second = checks.size() - 1;
            checks.back().search.emails.push_back(candidate.email);
        }
        checks[at->second].accounts.insert(candidate.account_id);
    }
    const std::size_t by_email = checks.size();
    std::set<std::string> by_id;  // accountIds are unique items too
    for (const auto& candidate : candidates) {
        if (!candidate.email.empty() || !by_id.insert(candidate.account_id).second)
            continue;
        if (checks.size() == by_email ||
            checks.back().search.account_ids.size() == atlassian::kMaxAccountIdsPerSearch)
            checks.push_back(make());
        checks.back().search.account_ids.push_back(candidate.account_id);
        checks.back().accounts.insert(candidate.account_id);
    }
    return checks;
}

}  // namespace rosterd::sync
