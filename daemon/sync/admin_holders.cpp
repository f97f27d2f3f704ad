#include "admin_holders.hpp"

#include <algorithm>
#include <iterator>
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
        auto& access = checks.access_of[account];
        while (products.step()) {
            access.push_back(products.text(0));
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

PackedAdminChecks pack_admin_checks(
    const std::map<std::string, std::vector<atlassian::UserToRead>>& asked,
    const std::map<std::string, std::vector<std::string>>& access_of) {
    PackedAdminChecks result;
    // An email two candidates share would name both in a question: they are asked as before.
    std::map<std::string, std::set<std::string>> accounts_of_email;
    for (const auto& [product, candidates] : asked)
        for (const auto& c : candidates)
            if (!c.email.empty())
                accounts_of_email[c.email].insert(c.account_id);
    auto question = [](const std::string& product) {
        PackedAdminCheck check;
        check.search.role_ids = {kAdminRole};
        check.search.resource_ids = {product};
        check.search.expand = {"productAccess"};
        check.search.limit = atlassian::kMaxPageSize;
        return check;
    };
    // A product's last, part-filled question: its candidates and every product they reach.
    struct Rest {
        std::string product;
        std::vector<const atlassian::UserToRead*> candidates;
        std::set<std::string> reached;
    };
    std::vector<Rest> rests;
    for (const auto& [product, candidates] : asked) {
        std::vector<std::pair<const atlassian::UserToRead*, const std::vector<std::string>*>> fit;
        std::set<std::string> emails;
        for (const auto& c : candidates) {
            auto access = access_of.find(c.account_id);
            if (c.email.empty() || accounts_of_email[c.email].size() > 1 ||
                access == access_of.end() || !emails.insert(c.email).second) {
                result.by_product[product].push_back(c);
                continue;
            }
            fit.emplace_back(&c, &access->second);
        }
        // The rest, which may share a question with other products' rests, must reach as few
        // products as possible: it takes the candidates whose products are the most common among
        // this product's (a Jira admin of the site reaching its Jira and its Confluence), the
        // full questions the others.
        std::map<std::vector<std::string>, std::size_t> alike;
        std::vector<std::vector<std::string>> sorted_access;
        for (const auto& [candidate, access] : fit) {
            auto key = *access;
            std::sort(key.begin(), key.end());
            ++alike[key];
            sorted_access.push_back(std::move(key));
        }
        std::vector<std::size_t> order(fit.size());
        for (std::size_t i = 0; i < order.size(); ++i)
            order[i] = i;
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
            const auto ka = alike[sorted_access[a]], kb = alike[sorted_access[b]];
            if (ka != kb)
                return ka > kb;
            return sorted_access[a].size() < sorted_access[b].size();
        });
        const std::size_t rest_size = fit.size() % atlassian::kMaxEmailsPerSearch;
        Rest rest{product, {}, {}};
        for (std::size_t i = 0; i < rest_size; ++i) {
            const auto& [candidate, access] = fit[order[i]];
            rest.candidates.push_back(candidate);
            rest.reached.insert(access->begin(), access->end());
        }
        for (std::size_t from = rest_size; from < fit.size();
             from += atlassian::kMaxEmailsPerSearch) {
            auto check = question(product);
            for (std::size_t i = from; i < from + atlassian::kMaxEmailsPerSearch; ++i) {
                check.search.emails.push_back(fit[order[i]].first->email);
                check.product_of[fit[order[i]].first->account_id] = product;
                check.email_of[fit[order[i]].first->account_id] = fit[order[i]].first->email;
            }
            result.packed.push_back(std::move(check));
        }
        rest.reached.insert(product);
        if (!rest.candidates.empty())
            rests.push_back(std::move(rest));
    }
    // The rests share questions, largest first, each into the first that takes it whole: room
    // for its emails and its product, a product no candidate there reaches, and none of the
    // products named there reached by its own candidates.
    std::stable_sort(rests.begin(), rests.end(), [](const Rest& a, const Rest& b) {
        return a.candidates.size() > b.candidates.size();
    });
    struct Shared {
        PackedAdminCheck check;
        std::set<std::string> reached;
    };
    std::vector<Shared> shared;
    for (const auto& rest : rests) {
        auto fits = [&](const Shared& q) {
            const auto& named = q.check.search.resource_ids;
            if (q.check.search.emails.size() + rest.candidates.size() >
                    atlassian::kMaxEmailsPerSearch ||
                named.size() >= atlassian::kMaxResourceIdsPerSearch ||
                q.reached.count(rest.product))
                return false;
            return std::none_of(named.begin(), named.end(),
                                [&](const std::string& p) { return rest.reached.count(p) > 0; });
        };
        auto at = std::find_if(shared.begin(), shared.end(), fits);
        if (at == shared.end()) {
            shared.push_back({question(rest.product), {}});
            at = std::prev(shared.end());
        } else {
            at->check.search.resource_ids.push_back(rest.product);
        }
        at->reached.insert(rest.reached.begin(), rest.reached.end());
        for (const auto* c : rest.candidates) {
            at->check.search.emails.push_back(c->email);
            at->check.product_of[c->account_id] = rest.product;
            at->check.email_of[c->account_id] = c->email;
        }
    }
    for (auto& q : shared)
        result.packed.push_back(std::move(q.check));
    return result;
}

PackedAnswer read_packed_answer(const PackedAdminCheck& check,
                                const std::vector<atlassian::DirectoryUser>& returned) {
    PackedAnswer answer;
    const auto& named = check.search.resource_ids;
    for (const auto& user : returned) {
        auto asked = check.product_of.find(user.account_id);
        if (asked == check.product_of.end())
            continue;  // behind an email shared with a candidate: not asked
        std::size_t reached = 0;
        bool reaches_asked = false;
        for (const auto& access : user.product_access)
            if (std::find(named.begin(), named.end(), access.resource_id) != named.end()) {
                ++reached;
                reaches_asked = reaches_asked || access.resource_id == asked->second;
            }
        if (reached == 1 && reaches_asked)
            answer.admins[asked->second].push_back(user.account_id);
        else
            answer.again[asked->second].push_back(
                {user.account_id, check.email_of.at(user.account_id)});
    }
    return answer;
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
