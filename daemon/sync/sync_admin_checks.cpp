// Admins learnt from their holders (admin_holders.hpp): the listing of everyone holding
// atlassian/admin, then, once the users and the groups are in, the questions about the products
// the groups leave open. Organization and site admins are set apart per product and settled by
// one users/count of the product's admins when the answers about the others allow it.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "admin_holders.hpp"
#include "role_queue.hpp"
#include "rosterd/sync/sync.hpp"
#include "snapshot_writer.hpp"

namespace rosterd::sync {

// A product's organization and site admins waiting for the count and the other answers.
struct SyncRun::ReservedAdmins {
    std::string resource_id;
    std::vector<atlassian::UserToRead> candidates;
    std::int64_t admins_by_groups = 0;
    std::int64_t found_among_asked = 0;
    std::int64_t counted = 0;
    std::size_t outstanding = 0;  // the count and the questions about the others
};

void SyncRun::list_admin_holders(std::function<void()> finished) {
    auto self = shared_from_this();
    atlassian::UserSearch search;
    search.role_ids = {kAdminRole};
    search.limit = atlassian::kMaxPageSize;
    client_->search_users(
        std::move(search),
        atlassian::PageHandler<atlassian::DirectoryUser>(
            [holders = admin_holders_](const std::vector<atlassian::DirectoryUser>& page) {
                for (const auto& u : page)
                    holders->push_back(u.account_id);
            }),
        [self, finished](atlassian::Result<atlassian::PageSummary> r) {
            if (!r)
                self->fail(r.error());
            finished();
        });
}

// Queues `checks`, the questions about `resource_id`; `each_done` once per question.
void SyncRun::ask_admins(const std::string& resource_id, std::vector<AdminCheck> checks,
                         std::function<void(std::size_t found)> each_done) {
    auto self = shared_from_this();
    for (auto& check : checks) {
        // Only the accounts asked: another account behind a shared email is settled by its own
        // question.
        auto asked_about =
            std::make_shared<const std::unordered_set<std::string>>(std::move(check.accounts));
        queue_role_task([self, resource_id, asked_about, each_done,
                         search = std::move(check.search)](std::function<void()> finished) {
            self->learn_role(resource_id, kAdminRole, search, asked_about,
                             [each_done, finished](std::size_t found) {
                                 if (each_done)
                                     each_done(found);
                                 finished();
                             });
        });
    }
}

// After the last of a product's count and questions: the reserved are all admins, none, or asked.
void SyncRun::settle_by_count(const std::shared_ptr<ReservedAdmins>& reserved) {
    if (stopped())
        return;
    const auto verdict = settle_reserved(reserved->counted, reserved->admins_by_groups,
                                         reserved->found_among_asked, reserved->candidates.size());
    spdlog::debug(
        "sync {}: {} admins counted on {}, {} by groups, {} found among the asked: {} "
        "org and site admins {}",
        ids_run_, reserved->counted, reserved->resource_id, reserved->admins_by_groups,
        reserved->found_among_asked, reserved->candidates.size(),
        verdict == ReservedVerdict::all_admins   ? "all admin"
        : verdict == ReservedVerdict::none_admin ? "none admin"
                                                 : "asked");
    switch (verdict) {
        case ReservedVerdict::all_admins: {
            std::vector<std::pair<std::string, std::string>> admins;
            for (const auto& candidate : reserved->candidates)
                admins.emplace_back(candidate.account_id, kAdminRole);
            write(
                [snapshot = snapshot_, resource = reserved->resource_id,
                 admins = std::move(admins)](store::Database& db) {
                    write_role_overrides(db, snapshot, resource, "admin", admins);
                },
                {});
            break;
        }
        case ReservedVerdict::none_admin:
            break;
        case ReservedVerdict::ask:
            ask_admins(reserved->resource_id,
                       admin_checks(reserved->resource_id, reserved->candidates), nullptr);
            break;
    }
}

// After the users, the groups and the admin holders are in: which products each holder
// administers. The groups decide most; the rest are asked (100 emails or 10 account ids a
// request), with the in-flight slots the finished user chains left.
void SyncRun::phase_admin_checks() {
    auto self = shared_from_this();
    on_phase_drained_ = [self] {
        if (self->stopped())
            self->finish_failed();
        else
            self->after_bulk();
    };
    role_queue_->limit =
        std::max(1, options_.role_query_concurrency) + std::max(1, options_.partition_concurrency);
    ++pending_;
    db_.write([snapshot = snapshot_, holders = admin_holders_](
                  store::Database& db) { return resolve_admin_holders(db, snapshot, *holders); },
              [self](store::DbResult<AdminChecks> r) {
                  if (!r.ok())
                      self->fail("database: " + r.error);
                  else
                      self->ask_about_holders(*r.value);
                  if (--self->pending_ == 0)
                      self->on_phase_drained_();
              });
}

// The questions about the holders' open products, packed across products (pack_admin_checks): the
// holders without an organization or site admin role, and the organization and site admins of the
// products where one count of the product's admins does not pay (else settled by it).
void SyncRun::ask_about_holders(AdminChecks& checks) {
    auto settling = std::make_shared<std::map<std::string, std::shared_ptr<ReservedAdmins>>>();
    std::map<std::string, std::vector<atlassian::UserToRead>> asked;
    std::size_t asked_pairs = 0, reserved_pairs = 0;
    for (auto& [resource, product] : checks.products) {
        asked_pairs += product.asked.size();
        reserved_pairs += product.reserved.size();
        if (!product.asked.empty())
            asked[resource] = product.asked;
        if (product.reserved.empty())
            continue;
        auto everyone = product.asked;
        everyone.insert(everyone.end(), product.reserved.begin(), product.reserved.end());
        // A holder missing from the generation is in the counts but in no figure.
        if (checks.holders_not_found == 0 &&
            count_pays(admin_checks(resource, everyone).size(),
                       admin_checks(resource, product.asked).size())) {
            auto reserved = std::make_shared<ReservedAdmins>();
            reserved->resource_id = resource;
            reserved->candidates = std::move(product.reserved);
            reserved->admins_by_groups = product.admins_by_groups;
            reserved->outstanding = 1;  // the count, sent once every question is queued
            (*settling)[resource] = reserved;
        } else {
            // Asked like the others.
            auto& all = asked[resource];
            all.insert(all.end(), product.reserved.begin(), product.reserved.end());
        }
    }
    auto packs = pack_admin_checks(asked, checks.access_of);
    spdlog::debug(
        "sync {}: {} admin holders, {} product admins decided by groups, {} asked in {} "
        "questions across products and {} product by product, {} org and site admins, {} "
        "products settling them by count",
        ids_run_, admin_holders_->size(), checks.decided_by_groups, asked_pairs,
        packs.packed.size(), packs.by_product.size(), reserved_pairs, settling->size());
    auto self = shared_from_this();
    for (auto& check : packs.packed) {
        std::vector<std::shared_ptr<ReservedAdmins>> waiting;
        for (const auto& product : check.search.resource_ids)
            if (auto at = settling->find(product); at != settling->end()) {
                ++at->second->outstanding;
                waiting.push_back(at->second);
            }
        ask_packed(std::move(check),
                   [self, waiting, settling](const std::map<std::string, std::size_t>& found,
                                             PackedAnswer answer) {
                       // Those the answer cannot place are asked alone first: their product waits
                       // for it.
                       for (auto& [product, candidates] : answer.again)
                           self->ask_alone(product, candidates, *settling);
                       for (const auto& reserved : waiting) {
                           if (auto at = found.find(reserved->resource_id); at != found.end())
                               reserved->found_among_asked += static_cast<std::int64_t>(at->second);
                           if (--reserved->outstanding == 0)
                               self->settle_by_count(reserved);
                       }
                   });
    }
    for (auto& [resource, candidates] : packs.by_product)
        ask_alone(resource, candidates, *settling);
    for (auto& [resource, reserved] : *settling)
        count_product_admins(reserved);
}

// The questions about `candidates` on `resource` alone (admin_checks); a product settling its
// organization and site admins by count waits for them.
void SyncRun::ask_alone(const std::string& resource,
                        const std::vector<atlassian::UserToRead>& candidates,
                        const std::map<std::string, std::shared_ptr<ReservedAdmins>>& settling) {
    auto self = shared_from_this();
    auto at = settling.find(resource);
    auto reserved = at == settling.end() ? nullptr : at->second;
    auto questions = admin_checks(resource, candidates);
    if (reserved)
        reserved->outstanding += questions.size();
    ask_admins(resource, std::move(questions), [self, reserved](std::size_t found) {
        if (!reserved)
            return;
        reserved->found_among_asked += static_cast<std::int64_t>(found);
        if (--reserved->outstanding == 0)
            self->settle_by_count(reserved);
    });
}

// One question naming several products (PackedAdminCheck): who it returns is admin on the product
// they were asked about (read_packed_answer); `done` learns how many per product, and who must be
// asked alone.
void SyncRun::ask_packed(
    PackedAdminCheck check,
    std::function<void(const std::map<std::string, std::size_t>& found, PackedAnswer answer)>
        done) {
    auto self = shared_from_this();
    queue_role_task([self, check = std::make_shared<const PackedAdminCheck>(std::move(check)),
                     done = std::move(done)](std::function<void()> finished) {
        auto returned = std::make_shared<std::vector<atlassian::DirectoryUser>>();
        self->client_->search_users(
            check->search,
            atlassian::PageHandler<atlassian::DirectoryUser>(
                [returned](const std::vector<atlassian::DirectoryUser>& page) {
                    returned->insert(returned->end(), page.begin(), page.end());
                }),
            [self, check, returned, done, finished](atlassian::Result<atlassian::PageSummary> r) {
                std::map<std::string, std::size_t> per_product;
                PackedAnswer answer;
                if (!r) {
                    self->fail(r.error());
                } else {
                    answer = read_packed_answer(*check, *returned);
                    for (const auto& [product, accounts] : answer.admins)
                        per_product[product] = accounts.size();
                    if (!answer.admins.empty())
                        self->write(
                            [snapshot = self->snapshot_,
                             admins = answer.admins](store::Database& db) {
                                for (const auto& [product, accounts] : admins) {
                                    std::vector<std::pair<std::string, std::string>> rows;
                                    for (const auto& account : accounts)
                                        rows.emplace_back(account, kAdminRole);
                                    write_role_overrides(db, snapshot, product, "admin", rows);
                                }
                            },
                            {});
                }
                done(per_product, std::move(answer));
                finished();
            });
    });
}

// The product's admins counted; settle_by_count once the count and every question about the
// product are in.
void SyncRun::count_product_admins(const std::shared_ptr<ReservedAdmins>& reserved) {
    auto self = shared_from_this();
    queue_role_task([self, reserved](std::function<void()> finished) {
        atlassian::UserSearch filter;
        filter.role_ids = {kAdminRole};
        filter.resource_ids = {reserved->resource_id};
        self->client_->count_users(std::move(filter),
                                   [self, reserved, finished](atlassian::Result<std::int64_t> r) {
                                       if (!r)
                                           self->fail(r.error());
                                       else
                                           reserved->counted = r.value();
                                       if (--reserved->outstanding == 0)
                                           self->settle_by_count(reserved);
                                       finished();
                                   });
    });
}

}  // namespace rosterd::sync
