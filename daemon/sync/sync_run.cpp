// One sync: fetch -> stage -> atomic swap. Independent requests go in flight together; users are
// paged through disjoint partitions in parallel; every page is written to the new generation as
// it arrives, so memory holds a few pages, never the organization.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <deque>

#include "admin_holders.hpp"
#include "group_grants_gate.hpp"
#include "role_queue.hpp"
#include "rosterd/sync/sync.hpp"
#include "snapshot_writer.hpp"
#include "user_lister.hpp"

namespace rosterd::sync {
namespace {

// User writes allowed to queue on the database thread before paging waits for them.
constexpr int kMaxQueuedPageWrites = 2;
// Users per database transaction while fetching (pages of 100 from every partition gather). The
// user tables are appended to and the account index is built after the listing, so a
// transaction costs about the same per user whatever its size; larger ones only hold more users
// in memory (500k users: 5,000 and 25,000 a transaction take the same CPU, peak RSS 233 against
// 250 MB; bench/sync).
constexpr std::size_t kUsersPerWrite = 5000;
// Per-user activity requests kept in flight (the client paces them to the API's limit).
constexpr std::size_t kActivityConcurrency = 8;

std::int64_t elapsed_ms(std::chrono::steady_clock::time_point since) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 since)
        .count();
}

std::int64_t now_ms(const Clock& clock) {
    return clock.now().time_since_epoch().count();
}

}  // namespace

std::vector<atlassian::UserSearch> user_partitions() {
    auto make = [](std::string claim) {
        atlassian::UserSearch search = UserLister::everyone();
        search.claim_status = std::move(claim);
        search.expand = {"platformRoles", "productAccess", "groups"};
        search.limit = atlassian::kMaxPageSize;
        return search;
    };
    // By claim status, whatever the status: the managed users (most of an organization) are
    // split again by verified domain (user_lister). A change of status (a suspension, a
    // deactivation: the common changes during a sync) then moves nobody between partitions, and
    // fewer partitions cost fewer users/count requests (a first sync counts each) and fewer
    // part-filled pages. Until December 2026 the active users were apart from the other
    // statuses: one partition more (docs/sync.md).
    return {make("managed"), make("unmanaged")};
}

std::vector<std::string> role_queries() {
    return {kAdminRole,           "atlassian/guest",
            "atlassian/customer", "atlassian/contributor",
            "atlassian/basic",    "atlassian/stakeholder"};
}

// On a first sync, the roles a group grants where it grants them, as if a snapshot had seen them
// there; nothing when no group grants any of the roles queried but admin (then one count per role
// is cheaper than a count of them all that would find someone anyway).
std::optional<std::map<std::string, std::set<std::string>>> granted_by_groups(
    const std::map<std::string, std::set<std::string>>& roles) {
    for (const auto& role : role_queries())
        if (auto at = roles.find(role); role != kAdminRole && at != roles.end())
            return roles;
    return std::nullopt;
}

SyncRun::SyncRun(asio::io_context& loop, store::DbExecutor& db, const Clock& clock,
                 atlassian::ClientConfig client_config, SyncRunOptions options)
    : loop_(loop), db_(db), clock_(clock), options_(std::move(options)) {
    client_ = std::make_unique<atlassian::Client>(loop_, std::move(client_config));
}

SyncRun::~SyncRun() = default;

void SyncRun::start(Done done) {
    done_ = std::move(done);
    started_at_ms_ = now_ms(clock_);
    auto self = shared_from_this();
    db_.write([trigger = options_.trigger, at = started_at_ms_](
                  store::Database& db) { return begin_snapshot(db, trigger, at); },
              [self](store::DbResult<SnapshotIds> r) {
                  if (!r.ok()) {
                      self->error_ = "database: " + r.error;
                      self->failed_ = true;
                      self->finish_failed();
                      return;
                  }
                  self->ids_run_ = r.value->run_id;
                  self->snapshot_ = r.value->snapshot_id;
                  spdlog::info("sync {} started ({})", self->ids_run_, self->options_.trigger);
                  if (self->cancelled_) {
                      self->finish_failed();
                      return;
                  }
                  self->phase_organization();
              });
}

void SyncRun::cancel() {
    if (finished_ || cancelled_)
        return;
    cancelled_ = true;
    if (error_.empty())
        error_ = "cancelled";
    client_->cancel();
    if (pending_ == 0 && ids_run_ != 0)
        finish_failed();
}

void SyncRun::report() {
    auto stats = client_->stats();
    progress_.requests = static_cast<std::int64_t>(stats.requests_sent);
    progress_.retries = static_cast<std::int64_t>(stats.retries);
    if (listener_)
        listener_(progress_);
}

void SyncRun::fail(const atlassian::ApiError& error) {
    if (error.kind == atlassian::ApiError::Kind::cancelled) {
        fail(error_.empty() ? "cancelled" : error_, true);
        return;
    }
    if (error.kind == atlassian::ApiError::Kind::auth_rejected) {
        key_rejected_ = true;
        fail(
            "the Atlassian API rejected the organization API key (HTTP 401): it expired or was "
            "revoked; create a new key in admin.atlassian.com and install it");
        return;
    }
    fail(error.describe());
}

void SyncRun::fail(const std::string& message, bool cancelled) {
    if (stopped())
        return;  // the first error is the one reported
    if (cancelled)
        cancelled_ = true;
    else
        failed_ = true;
    error_ = message;
    client_->cancel();  // outstanding calls complete as cancelled and drain the phase
}

void SyncRun::write(std::function<void(store::Database&)> work, std::function<void()> then) {
    ++pending_;
    auto self = shared_from_this();
    auto stats = client_->stats();
    db_.write(
        [work = std::move(work), run_id = ids_run_, requests = stats.requests_sent,
         retries = stats.retries](store::Database& db) {
            work(db);
            if (run_id != 0)
                record_sync_progress(db, run_id, static_cast<std::int64_t>(requests),
                                     static_cast<std::int64_t>(retries));
            return true;
        },
        [self, then = std::move(then)](store::DbResult<bool> r) {
            if (!r.ok())
                self->fail("database: " + r.error);
            // Also when the write failed or the run stopped meanwhile: `then` may hold what a
            // partition needs to go on or to end (a deferred resume), and a run waits for all
            // of them to drain.
            if (then)
                then();
            if (--self->pending_ == 0 && self->on_phase_drained_)
                self->on_phase_drained_();
        });
}

void SyncRun::phase_organization() {
    progress_.phase = SyncPhase::organization;
    report();
    auto self = shared_from_this();
    on_phase_drained_ = [self] {
        if (self->stopped())
            self->finish_failed();
        else
            self->phase_bulk();
    };
    auto snapshot = snapshot_;
    pending_ += 4;
    auto finish_call = [self] {
        if (--self->pending_ == 0)
            self->on_phase_drained_();
    };
    client_->get_org([self, snapshot, finish_call](atlassian::Result<atlassian::Org> r) {
        if (!r) {
            self->fail(r.error());
        } else {
            self->org_name_ = r.value().name;
            self->write(
                [org = r.value(), snapshot](store::Database& db) { write_org(db, snapshot, org); },
                {});
        }
        finish_call();
    });
    client_->list_workspaces(
        [self, snapshot, finish_call](atlassian::Result<std::vector<atlassian::Workspace>> r) {
            if (!r) {
                self->fail(r.error());
            } else {
                self->workspaces_ = r.value();
                self->write([ws = r.value(),
                             snapshot](store::Database& db) { write_workspaces(db, snapshot, ws); },
                            {});
            }
            finish_call();
        });
    client_->list_directories(
        [self, snapshot, finish_call](atlassian::Result<std::vector<atlassian::Directory>> r) {
            if (!r)
                self->fail(r.error());
            else
                self->write([dirs = r.value(), snapshot](
                                store::Database& db) { write_directories(db, snapshot, dirs); },
                            {});
            finish_call();
        });
    // Each user partition's size: the listing plan (longest first, both ends of the big ones) and
    // the progress bar's total.
    lister_ = std::make_shared<UserLister>(
        *client_, user_partitions(), options_.partition_concurrency, [weak = weak_from_this()] {
            auto run = weak.lock();
            return !run || run->stopped();
        });
    // The largest partitions split by verified domain (user_lister): the organization's list, or
    // when the key may not read it, the domains the last snapshot's managed users are on.
    // Planned from the last sync's final counts when there are some (no count before listing).
    auto count_partitions = [self, finish_call] {
        self->db_.read(
            [](store::Database& db) { return partition_counts_last_time(db); },
            [self,
             finish_call](store::DbResult<std::vector<std::pair<std::string, std::int64_t>>> last) {
                if (last.ok()) {
                    std::vector<PartitionCount> counts;
                    for (auto& [filter, users] : *last.value)
                        counts.push_back({std::move(filter), users});
                    self->lister_->plan_from(std::move(counts));
                }
                self->lister_->count([self, finish_call](atlassian::Result<std::int64_t> r) {
                    if (r)
                        self->progress_.users_total = r.value();
                    else
                        self->fail(r.error());
                    finish_call();
                });
            });
    };
    client_->list_domains(
        [self, count_partitions](atlassian::Result<std::vector<std::string>> domains) {
            if (domains && !domains.value().empty()) {
                self->lister_->split_by_domain(std::move(domains.value()));
                count_partitions();
                return;
            }
            if (!domains)
                spdlog::debug("sync: no domain list ({}); using the last snapshot's",
                              domains.error().describe());
            self->db_.read([](store::Database& db) { return managed_email_domains(db, 10); },
                           [self, count_partitions](store::DbResult<std::vector<std::string>> r) {
                               if (r.ok())
                                   self->lister_->split_by_domain(std::move(*r.value));
                               count_partitions();
                           });
        });
}

void SyncRun::phase_bulk() {
    progress_.phase = SyncPhase::users;
    report();
    auto self = shared_from_this();
    on_phase_drained_ = [self] {
        if (self->stopped())
            self->finish_failed();
        else if (self->admin_holders_)
            self->phase_admin_checks();
        else
            self->after_bulk();
    };
    ++pending_;  // held while the three fetches are launched
    auto gate = std::make_shared<GroupGrantsGate>();
    fetch_groups(gate);
    fetch_users(gate);
    fetch_roles(gate);
    if (--pending_ == 0)
        on_phase_drained_();
}

void SyncRun::fetch_users(const std::shared_ptr<GroupGrantsGate>& gate) {
    auto self = shared_from_this();
    auto snapshot = snapshot_;
    auto queued = std::make_shared<int>(0);  // user writes waiting on the database thread
    // The accounts written so far and their numbers; touched on the database thread only.
    auto numbers = std::make_shared<AccountNumbers>();
    // Pages from every partition gather here and go to the database kUsersPerWrite at a time.
    auto batch = std::make_shared<std::vector<atlassian::DirectoryUser>>();
    // Writes what has gathered; `resume` (may be empty) continues the partition that filled it,
    // at once while few writes are queued, else when this write is done.
    auto flush = std::make_shared<std::function<void(std::function<void(bool)>)>>();
    *flush = [self, snapshot, queued, batch, gate, numbers,
              weak_flush = std::weak_ptr(flush)](std::function<void(bool)> resume) {
        if (!gate->complete && !self->stopped()) {
            // Held until the group grants are in; the phase must not drain meanwhile. The
            // waiter holds this function until the gate opens (always: the group fetch opens
            // it when it finishes, fails or is cancelled).
            ++self->pending_;
            gate->waiting.push_back([self, again = weak_flush.lock(), resume = std::move(resume)] {
                (*again)(resume);
                if (--self->pending_ == 0)
                    self->on_phase_drained_();
            });
            return;
        }
        if (batch->empty() || self->stopped()) {
            batch->clear();
            if (resume)
                resume(!self->stopped());
            return;
        }
        auto users = std::make_shared<std::vector<atlassian::DirectoryUser>>(std::move(*batch));
        batch->clear();
        bool resume_now = ++*queued <= kMaxQueuedPageWrites;
        self->write(
            [snapshot, users, gate, numbers](store::Database& db) {
                write_users(db, snapshot, *users, gate->grants, *numbers);
            },
            [self, queued, resume, resume_now] {
                --*queued;
                if (!resume_now && resume)
                    resume(!self->stopped());
            });
        if (resume_now && resume)
            resume(true);
    };
    // The lister walks the partitions, sync.partitions cursor chains at a time, and checks the
    // result against users/count (user_lister.hpp).
    auto lister = lister_;
    lister->set_sink([self, batch, flush, lister](std::vector<atlassian::DirectoryUser> page,
                                                  std::function<void(bool)> resume) {
        if (self->stopped()) {
            resume(false);
            return;
        }
        // Distinct users: the two ends of a partition overlap where they meet.
        self->progress_.users_fetched = lister->ledger().placed();
        self->report();
        batch->insert(batch->end(), std::make_move_iterator(page.begin()),
                      std::make_move_iterator(page.end()));
        if (batch->size() < kUsersPerWrite)
            resume(true);
        else
            (*flush)(std::move(resume));
    });
    ++pending_;
    lister->start([self, flush, lister, snapshot, numbers](atlassian::Result<ListingOutcome> r) {
        if (!r) {
            self->fail(r.error());
            if (--self->pending_ == 0)
                self->on_phase_drained_();
            return;
        }
        const auto outcome = r.value();
        self->progress_.users_fetched = lister->ledger().placed();
        spdlog::info(
            "sync {}: users listed in {} round(s), {} partition(s) listed again, counts "
            "{}, longest chain {} pages, {} users gone meanwhile",
            self->ids_run_, outcome.listings, outcome.partitions_relisted,
            outcome.counts_agree ? "agree" : "still differ", outcome.longest_chain,
            outcome.unplaced);
        // What the next sync plans its listing from.
        std::vector<std::pair<std::string, std::int64_t>> counts;
        for (auto& c : lister->final_counts())
            counts.emplace_back(std::move(c.filter), c.users);
        self->write([snapshot, counts = std::move(counts)](
                        store::Database& db) { write_partition_counts(db, snapshot, counts); },
                    {});
        // The last users; then, after them, drop the users that left the organization.
        (*flush)([self, lister, snapshot, outcome, numbers](bool ok) {
            if (ok && outcome.counts_agree && outcome.unplaced > 0)
                self->write(
                    [lister, snapshot](store::Database& db) {
                        delete_users_if(db, snapshot, [&](std::string_view account) {
                            return lister->ledger().is_unplaced(account);
                        });
                    },
                    {});
            // Every user is in: the account index, built once in one pass, before anything
            // finds a user by account (admin checks, activity, roles).
            if (ok)
                self->write(
                    [snapshot, numbers](store::Database& db) {
                        numbers->release();  // before the index's sort needs memory
                        index_accounts(db, snapshot);
                    },
                    {});
            if (--self->pending_ == 0)
                self->on_phase_drained_();
        });
    });
}

void SyncRun::queue_role_task(RoleTask task) {
    if (stopped())
        return;
    role_queue_->waiting.push_back(std::move(task));
    run_role_tasks();
}

void SyncRun::run_role_tasks() {
    auto self = shared_from_this();
    auto queue = role_queue_;
    if (stopped()) {
        // The tasks hold the run: dropped, they let it go.
        queue->waiting.clear();
        return;
    }
    while (queue->active < queue->limit && !queue->waiting.empty()) {
        auto task = std::move(queue->waiting.front());
        queue->waiting.pop_front();
        ++queue->active;
        ++pending_;
        task([self, queue] {
            --queue->active;
            self->run_role_tasks();
            if (--self->pending_ == 0)
                self->on_phase_drained_();
        });
    }
}

void SyncRun::fetch_roles(const std::shared_ptr<GroupGrantsGate>& gate) {
    // The role queries (~2 per 1,000 users) share the in-flight limit with the user chains: a
    // few at a time, so the chains' next pages do not queue behind them (the longest user
    // chain, not these, bounds the sync).
    role_queue_ = std::make_shared<RoleQueue>();
    role_queue_->limit = std::max(1, options_.role_query_concurrency);
    auto self = shared_from_this();
    if (workspaces_.size() <= 1) {
        // One product: its query is the cheapest question whatever the role.
        for (const auto& role : role_queries())
            for (const auto& workspace : workspaces_)
                query_role_on(workspace.id, role);
        return;
    }
    // Organization and site admins hold admin on many products: list each holder once and
    // settle the products afterwards (admin_holders.hpp, phase_admin_checks).
    admin_holders_ = std::make_shared<std::vector<std::string>>();
    queue_role_task([self](std::function<void()> finished) { self->list_admin_holders(finished); });
    // The other roles where the last snapshot saw them (a reader connection; the user pages are
    // written meanwhile). Without a snapshot, where the groups grant them: the plan then waits
    // for the groups' grants, read long before the user listing ends.
    ++pending_;
    db_.read([](store::Database& db) { return roles_held_last_time(db); },
             [self, gate](
                 store::DbResult<std::optional<std::map<std::string, std::set<std::string>>>> r) {
                 std::optional<std::map<std::string, std::set<std::string>>> held;
                 if (r.ok())
                     held = std::move(*r.value);
                 else
                     spdlog::warn(
                         "sync: the roles of the last snapshot could not be read ({}); "
                         "asking as on a first sync",
                         r.error);
                 const bool from_snapshot = held.has_value();
                 auto plan = [self, gate, held = std::move(held)] {
                     if (!self->stopped())
                         self->plan_other_roles(held ? held : granted_by_groups(gate->roles));
                     if (--self->pending_ == 0)
                         self->on_phase_drained_();
                 };
                 if (from_snapshot)
                     plan();
                 else
                     gate->when_open(std::move(plan));
             });
}

// The roles other than admin, held by few people on more than one product: each queried on the
// products where the last snapshot saw it, or on a first sync where a group grants it (`held`;
// none: no snapshot and no group grants any); on the others only when a users/count says
// someone holds it there now. Products with the same roles unseen share one
// count: over a snapshot of an organization with Jira and Confluence, two counts (guests on
// Jira and no Service Management customers or Product Discovery contributors anywhere; basic
// users and stakeholders on Confluence and the same two) instead of one per role.
void SyncRun::plan_other_roles(
    const std::optional<std::map<std::string, std::set<std::string>>>& held) {
    std::vector<std::string> roles;
    for (const auto& role : role_queries())
        if (role != kAdminRole)
            roles.push_back(role);
    std::vector<std::string> every_product;
    for (const auto& workspace : workspaces_)
        every_product.push_back(workspace.id);
    if (!held) {
        // Nothing to go by: most of these roles are held somewhere, so one count each, the role
        // alone.
        for (const auto& role : roles)
            count_then_query({role}, every_product);
        return;
    }
    std::map<std::vector<std::string>, std::vector<std::string>> unseen;  // roles -> products
    for (const auto& product : every_product) {
        std::vector<std::string> unseen_here;
        for (const auto& role : roles) {
            auto at = held->find(role);
            if (at != held->end() && at->second.count(product))
                query_role_on(product, role);
            else
                unseen_here.push_back(role);
        }
        if (!unseen_here.empty())
            unseen[unseen_here].push_back(product);
    }
    for (const auto& [unseen_roles, products] : unseen)
        count_then_query(unseen_roles, products);
}

// One users/count of who holds any of `roles` on any of `products` (the roles alone when that is
// every product, else as many products as a filter takes). Nobody: nothing more. Someone: the
// roles someone holds are found by halves (split_held) and each queried on the products.
void SyncRun::count_then_query(std::vector<std::string> roles, std::vector<std::string> products) {
    const bool everywhere = products.size() == workspaces_.size();
    const std::size_t per_count =
        everywhere ? products.size() : atlassian::kMaxResourceIdsPerSearch;
    for (std::size_t from = 0; from < products.size(); from += per_count) {
        std::vector<std::string> part(products.begin() + static_cast<std::ptrdiff_t>(from),
                                      products.begin() + static_cast<std::ptrdiff_t>(std::min(
                                                             products.size(), from + per_count)));
        auto self = shared_from_this();
        count_roles(roles, part, [self, roles, part](std::int64_t holders) {
            if (holders > 0)
                self->split_held(roles, part, holders);
        });
    }
}

// `roles`, of which someone holds one on `products` (`holders` of them, when counted): one role is
// queried on each product; several are halved, the first half (the larger) counted. Nobody holds
// it: the second half is held, by as many. Someone: the first half is split further, and the
// second is held too when the first half's holders are fewer than all of them (someone holds
// only a role of the second), else counted like any other roles. The larger half first: these
// roles are rarely held, and the larger half is the nearer to an even chance of holders, so its
// count tells the most. With basic users and stakeholders held on Jira (of guest, customer,
// contributor, basic, stakeholder), two counts where one per role took five.
void SyncRun::split_held(std::vector<std::string> roles, std::vector<std::string> products,
                         std::optional<std::int64_t> holders) {
    if (roles.size() == 1) {
        for (const auto& product : products)
            query_role_on(product, roles.front());
        return;
    }
    const auto middle = roles.begin() + static_cast<std::ptrdiff_t>((roles.size() + 1) / 2);
    std::vector<std::string> first(roles.begin(), middle), second(middle, roles.end());
    auto self = shared_from_this();
    count_roles(first, products, [self, first, second, products, holders](std::int64_t of_first) {
        if (of_first == 0) {
            self->split_held(second, products, holders);
            return;
        }
        self->split_held(first, products, of_first);
        if (holders && of_first < *holders)
            self->split_held(second, products, std::nullopt);
        else
            self->count_then_query(second, products);
    });
}

// users/count of who holds any of `roles` on any of `products` (no product filter when that is
// every product), as a role task; `then` runs with the count unless the sync fails.
void SyncRun::count_roles(std::vector<std::string> roles, std::vector<std::string> products,
                          std::function<void(std::int64_t holders)> then) {
    auto self = shared_from_this();
    queue_role_task([self, roles = std::move(roles), products = std::move(products),
                     then = std::move(then)](std::function<void()> finished) {
        atlassian::UserSearch filter;
        filter.role_ids = roles;
        if (products.size() != self->workspaces_.size())
            filter.resource_ids = products;
        self->client_->count_users(std::move(filter),
                                   [self, then, finished](atlassian::Result<std::int64_t> r) {
                                       if (!r)
                                           self->fail(r.error());
                                       else
                                           then(r.value());
                                       finished();
                                   });
    });
}

// Everyone `role` holds on `resource_id`, as overrides of the provisional atlassian/user.
void SyncRun::query_role_on(const std::string& resource_id, const std::string& role) {
    auto self = shared_from_this();
    queue_role_task([self, resource_id, role](std::function<void()> finished) {
        atlassian::UserSearch search;
        search.resource_ids = {resource_id};
        search.role_ids = {role};
        search.limit = atlassian::kMaxPageSize;
        self->learn_role(resource_id, role, std::move(search), nullptr,
                         [finished = std::move(finished)](std::size_t) { finished(); });
    });
}

// Writes who `search` finds (of `only`'s accounts, when given) as holding `role` on
// `resource_id`; `finished` learns how many.
void SyncRun::learn_role(const std::string& resource_id, const std::string& role,
                         atlassian::UserSearch search,
                         std::shared_ptr<const std::unordered_set<std::string>> only,
                         std::function<void(std::size_t found)> finished) {
    auto self = shared_from_this();
    auto found = std::make_shared<std::vector<std::pair<std::string, std::string>>>();
    client_->search_users(
        std::move(search),
        atlassian::PageHandler<atlassian::DirectoryUser>(
            [found, role, only](const std::vector<atlassian::DirectoryUser>& page) {
                for (const auto& u : page)
                    if (!only || only->count(u.account_id))
                        found->emplace_back(u.account_id, role);
            }),
        [self, found, resource_id, role, finished](atlassian::Result<atlassian::PageSummary> r) {
            if (!r)
                self->fail(r.error());
            else if (!found->empty())
                self->write(
                    [snapshot = self->snapshot_, found, role, resource_id](store::Database& db) {
                        write_role_overrides(db, snapshot, resource_id,
                                             role == kAdminRole ? "admin" : "other", *found);
                    },
                    {});
            finished(found->size());
        });
}

void SyncRun::after_bulk() {
    if (options_.per_user_activity)
        phase_activity();
    else
        finalize();
}

void SyncRun::phase_activity() {
    progress_.phase = SyncPhase::activity;
    report();
    auto self = shared_from_this();
    on_phase_drained_ = [self] {
        if (self->stopped())
            self->finish_failed();
        else
            self->finalize();
    };
    ++pending_;
    db_.write(
        [snapshot = snapshot_](store::Database& db) { return snapshot_account_ids(db, snapshot); },
        [self](store::DbResult<std::vector<std::string>> r) {
            if (!r.ok()) {
                self->fail("database: " + r.error);
                if (--self->pending_ == 0)
                    self->on_phase_drained_();
                return;
            }
            auto ids = std::make_shared<std::vector<std::string>>(std::move(*r.value));
            auto next = std::make_shared<std::size_t>(0);
            // Keeps kActivityConcurrency requests going; each completion starts the next one.
            auto pump = std::make_shared<std::function<void()>>();
            *pump = [self, ids, next, pump] {
                if (self->stopped() || *next >= ids->size())
                    return;
                const std::string account = (*ids)[(*next)++];
                ++self->pending_;
                self->client_->last_active_dates(
                    account, [self, account, pump](atlassian::Result<atlassian::UserActivity> a) {
                        if (a) {
                            self->write(
                                [snapshot = self->snapshot_, account,
                                 activity = std::move(a.value())](store::Database& db) {
                                    write_user_activity(db, snapshot, account, activity);
                                },
                                {});
                        } else if (a.error().kind == atlassian::ApiError::Kind::auth_rejected ||
                                   a.error().kind == atlassian::ApiError::Kind::cancelled) {
                            self->fail(a.error());
                        } else {
                            // Unknown, not "never active": keep what users/search reported.
                            spdlog::warn("sync: last-active-dates for one user failed: {}",
                                         a.error().describe());
                        }
                        self->report();
                        (*pump)();
                        if (--self->pending_ == 0)
                            self->on_phase_drained_();
                    });
            };
            for (std::size_t i = 0; i < kActivityConcurrency; ++i)
                (*pump)();
            if (--self->pending_ == 0)
                self->on_phase_drained_();
        });
}

void SyncRun::finalize() {
    progress_.phase = SyncPhase::finalizing;
    report();
    auto self = shared_from_this();
    on_phase_drained_ = nullptr;
    RunCounters counters{progress_.requests, progress_.retries, progress_.users_fetched,
                         progress_.groups};
    SnapshotIds ids{ids_run_, snapshot_};
    db_.write(
        [ids, counters, at = now_ms(clock_)](store::Database& db) {
            auto started = std::chrono::steady_clock::now();
            auto previous = finalize_and_publish(db, ids, counters, at);
            // Before the query index of the new snapshot is built.
            db.release_memory();
            spdlog::debug("sync {}: roles applied and published in {} ms", ids.run_id,
                          elapsed_ms(started));
            return previous;
        },
        [self](store::DbResult<std::optional<std::int64_t>> r) {
            if (!r.ok()) {
                self->failed_ = true;
                self->error_ = "database: " + r.error;
                self->finish_failed();
                return;
            }
            if (auto previous = *r.value) {
                // Old rows go after the switch, off the critical path.
                self->db_.write(
                    [id = *previous](store::Database& db) {
                        auto started = std::chrono::steady_clock::now();
                        delete_generation(db, id);
                        db.release_memory();
                        spdlog::info("sync: snapshot {} pruned in {} ms", id, elapsed_ms(started));
                        return true;
                    },
                    [](store::DbResult<bool> done) {
                        if (!done.ok())
                            spdlog::warn("sync: pruning an old snapshot failed: {}", done.error);
                    });
            }
            self->finished_ = true;
            self->progress_.phase = SyncPhase::done;
            self->report();
            SyncOutcome outcome{self->ids_run_,
                                SyncResult::succeeded,
                                "",
                                false,
                                self->org_name_,
                                self->progress_,
                                self->started_at_ms_,
                                now_ms(self->clock_)};
            spdlog::info("sync {} succeeded: {} users, {} groups, {} requests, {} retries",
                         self->ids_run_, self->progress_.users_fetched, self->progress_.groups,
                         self->progress_.requests, self->progress_.retries);
            if (self->done_)
                self->done_(outcome);
        });
}

void SyncRun::finish_failed() {
    if (finished_)
        return;
    finished_ = true;
    on_phase_drained_ = nullptr;
    if (role_queue_)
        role_queue_->waiting.clear();  // queued role tasks hold the run
    auto stats = client_->stats();
    progress_.requests = static_cast<std::int64_t>(stats.requests_sent);
    progress_.retries = static_cast<std::int64_t>(stats.retries);
    auto outcome = cancelled_ && !failed_ ? SyncResult::cancelled : SyncResult::failed;
    auto self = shared_from_this();
    auto deliver = [self, outcome] {
        SyncOutcome result{
            self->ids_run_,  outcome,         self->error_,         self->key_rejected_,
            self->org_name_, self->progress_, self->started_at_ms_, now_ms(self->clock_)};
        spdlog::log(outcome == SyncResult::cancelled ? spdlog::level::info : spdlog::level::err,
                    "sync {} {}: {}", self->ids_run_, to_string(outcome), self->error_);
        if (self->done_)
            self->done_(result);
    };
    if (ids_run_ == 0) {
        deliver();
        return;
    }
    RunCounters counters{progress_.requests, progress_.retries, progress_.users_fetched,
                         progress_.groups};
    db_.write(
        [ids = SnapshotIds{ids_run_, snapshot_}, outcome, error = error_, counters,
         at = now_ms(clock_)](store::Database& db) {
            discard(db, ids, std::string(to_string(outcome)), error, counters, at);
            return true;
        },
        [deliver](store::DbResult<bool> r) {
            if (!r.ok())
                spdlog::error("sync: recording the failed run failed: {}", r.error);
            deliver();
        });
}

}  // namespace rosterd::sync
