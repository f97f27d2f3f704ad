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
    db_.write(
        [snapshot = snapshot_, holders = admin_holders_](store::Database& db) {
            return resolve_admin_holders(db, snapshot, *holders);
        },
        [self](store::DbResult<AdminChecks> r) {
            if (!r.ok()) {
                self->fail("database: " + r.error);
            } else {
                std::size_t asked = 0, reserved = 0;
                for (auto& [resource, product] : r.value->products) {
                    asked += product.asked.size();
                    reserved += product.reserved.size();
                    if (product.reserved.empty()) {
                        self->ask_admins(resource, admin_checks(resource, product.asked), nullptr);
                        continue;
                    }
                    auto asked_only = admin_checks(resource, product.asked);
                    auto everyone = product.asked;
                    everyone.insert(everyone.end(), product.reserved.begin(),
                                    product.reserved.end());
                    auto all_asked = admin_checks(resource, everyone);
                    // A holder missing from the generation is in the counts but in no figure.
                    if (r.value->holders_not_found == 0 &&
                        count_pays(all_asked.size(), asked_only.size())) {
                        self->settle_later(resource, product, std::move(asked_only));
                        continue;
                    }
                    self->ask_admins(resource, std::move(all_asked), nullptr);
                }
                spdlog::debug(
                    "sync {}: {} admin holders, {} product admins decided by groups, "
                    "{} asked, {} org and site admins to settle by count",
                    self->ids_run_, self->admin_holders_->size(), r.value->decided_by_groups, asked,
                    reserved);
            }
            if (--self->pending_ == 0)
                self->on_phase_drained_();
        });
}

// A product with organization or site admins among its candidates: its admins counted while the
// others are asked (`checks`); settle_by_count once both are in.
void SyncRun::settle_later(const std::string& resource_id, ProductAdminCandidates& product,
                           std::vector<AdminCheck> checks) {
    auto self = shared_from_this();
    auto reserved = std::make_shared<ReservedAdmins>();
    reserved->resource_id = resource_id;
    reserved->candidates = std::move(product.reserved);
    reserved->admins_by_groups = product.admins_by_groups;
    reserved->outstanding = 1 + checks.size();  // the count and the questions
    auto one_done = [self, reserved] {
        if (--reserved->outstanding == 0)
            self->settle_by_count(reserved);
    };
    queue_role_task([self, reserved, one_done](std::function<void()> finished) {
        atlassian::UserSearch filter;
        filter.role_ids = {kAdminRole};
        filter.resource_ids = {reserved->resource_id};
        self->client_->count_users(std::move(filter), [self, reserved, one_done, finished](
                                                          atlassian::Result<std::int64_t> r) {
            if (!r)
                self->fail(r.error());
            else
                reserved->counted = r.value();
            one_done();
            finished();
        });
    });
    ask_admins(resource_id, std::move(checks), [reserved, one_done](std::size_t found) {
        reserved->found_among_asked += static_cast<std::int64_t>(found);
        one_done();
    });
}

}  // namespace rosterd::sync
