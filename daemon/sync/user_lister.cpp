#include "user_lister.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace rosterd::sync {

namespace {

atlassian::ApiError stopped_error() {
    atlassian::ApiError error;
    error.kind = atlassian::ApiError::Kind::cancelled;
    error.message = "stopped";
    return error;
}

}  // namespace

UserLister::UserLister(atlassian::Client& client, std::vector<atlassian::UserSearch> partitions,
                       int max_chains, std::function<bool()> stopped)
    : client_(client),
      partitions_(std::move(partitions)),
      max_chains_(std::max(1, max_chains)),
      stopped_(std::move(stopped)),
      ledger_(UserLedger::kMaxPartitions),
      covered_(partitions_.size(), false),
      listed_(partitions_.size(), true),
      parent_(partitions_.size(), -1),
      verify_split_(partitions_.size(), false),
      ends_(partitions_.size()) {}

std::string UserLister::filter_key(const atlassian::UserSearch& partition) {
    std::string key = "status=";
    for (std::size_t i = 0; i < partition.status.size(); ++i)
        key += (i ? "," : "") + partition.status[i];
    key += ";claimStatus=" + partition.claim_status;
    key += ";emailDomains=";
    for (std::size_t i = 0; i < partition.email_domains.size(); ++i)
        key += (i ? "," : "") + partition.email_domains[i];
    return key;
}

atlassian::UserSearch UserLister::everyone() {
    atlassian::UserSearch search;
    search.account_status = {"active", "inactive", "closed"};
    search.membership_status = {"active", "suspended", "no_membership"};
    return search;
}

std::vector<PartitionCount> UserLister::final_counts() const {
    std::vector<PartitionCount> counts;
    for (std::size_t i = 0; i < partitions_.size() && i < counts_.size(); ++i)
        if (listed_[i])
            counts.push_back({filter_key(partitions_[i]), counts_[i]});
    return counts;
}

// The plan from the last sync's final counts: every partition this listing lists must be named
// there (a domain part that was not listed last time, a changed filter: count as usual). A split
// partition the last sync listed whole is not split from them: its parts are not named.
bool UserLister::plan_from_last() {
    std::vector<std::int64_t> counts(partitions_.size(), 0);
    for (std::size_t i = 0; i < partitions_.size(); ++i) {
        const auto last = last_count(i);
        if (!last && !is_split(i))
            return false;
        counts[i] = last.value_or(0);
    }
    counts_ = std::move(counts);
    use_splits({});
    return true;
}

std::optional<std::int64_t> UserLister::last_count(std::size_t partition) const {
    const auto key = filter_key(partitions_[partition]);
    for (const auto& c : last_)
        if (c.filter == key)
            return c.users;
    return std::nullopt;
}

std::int64_t UserLister::parts_count(std::size_t partition) const {
    std::int64_t parts = 0;
    for (std::size_t i = 0; i < partitions_.size(); ++i)
        if (parent_[i] == static_cast<int>(partition))
            parts += counts_[i];
    return parts;
}

bool UserLister::is_split(std::size_t partition) const {
    return std::find(parent_.begin(), parent_.end(), static_cast<int>(partition)) != parent_.end();
}

// The domain parts are listed instead of the partition they split (except those in `whole`),
// which is counted only if the organization's count at the end finds users missing
// (split_fell_short). Its count meanwhile is its parts' (the plan, the progress total).
void UserLister::use_splits(const std::vector<std::size_t>& whole) {
    auto is_whole = [&](std::size_t p) {
        return std::find(whole.begin(), whole.end(), p) != whole.end();
    };
    for (std::size_t i = 0; i < partitions_.size(); ++i) {
        if (parent_[i] >= 0)
            listed_[i] = !is_whole(static_cast<std::size_t>(parent_[i]));
        else if (is_split(i))
            listed_[i] = is_whole(i);
        verify_split_[i] = is_split(i) && !listed_[i];
        if (verify_split_[i])
            counts_[i] = 0;
    }
    for (std::size_t i = 0; i < partitions_.size(); ++i)
        if (parent_[i] >= 0 && listed_[i])
            counts_[static_cast<std::size_t>(parent_[i])] += counts_[i];
}

void UserLister::add_domain_splits() {
    if (split_domains_.size() < 2 || split_domains_.size() > 10)
        return;
    const std::size_t originals = partitions_.size();
    for (std::size_t p = 0; p < originals; ++p) {
        const auto parent = partitions_[p];  // a copy: the parts are appended to partitions_
        if (parent.claim_status != "managed" || !parent.status.empty())
            continue;
        if (partitions_.size() + split_domains_.size() > UserLedger::kMaxPartitions)
            break;
        for (const auto& domain : split_domains_) {
            auto part = parent;
            part.email_domains = {domain};
            partitions_.push_back(std::move(part));
            parent_.push_back(static_cast<int>(p));
            listed_.push_back(false);
            covered_.push_back(false);
            verify_split_.push_back(false);
            ends_.emplace_back();
        }
    }
}

void UserLister::count_each(
    const std::vector<std::size_t>& which,
    std::function<void(atlassian::Result<std::vector<std::int64_t>>)> done) {
    struct Gather {
        std::vector<std::int64_t> counts;
        std::size_t outstanding = 0;
        std::optional<atlassian::ApiError> error;
        std::function<void(atlassian::Result<std::vector<std::int64_t>>)> done;
    };
    auto gather = std::make_shared<Gather>();
    gather->counts = counts_;
    gather->counts.resize(partitions_.size(), 0);
    gather->done = std::move(done);
    gather->outstanding = which.size();
    if (which.empty()) {
        gather->done(std::move(gather->counts));
        return;
    }
    for (std::size_t i : which) {
        client_.count_users(partitions_[i], [gather, i](atlassian::Result<std::int64_t> r) {
            if (r)
                gather->counts[i] = r.value();
            else if (!gather->error)
                gather->error = r.error();
            if (--gather->outstanding > 0)
                return;
            if (gather->error)
                gather->done(*gather->error);
            else
                gather->done(std::move(gather->counts));
        });
    }
}

std::vector<std::size_t> UserLister::listed_partitions() const {
    std::vector<std::size_t> listed;
    for (std::size_t i = 0; i < partitions_.size(); ++i)
        if (listed_[i])
            listed.push_back(i);
    return listed;
}

std::int64_t UserLister::listed_total() const {
    std::int64_t total = 0;
    for (std::size_t i : listed_partitions())
        total += counts_[i];
    return total;
}

void UserLister::count(std::function<void(atlassian::Result<std::int64_t>)> done) {
    auto self = shared_from_this();
    add_domain_splits();
    if (!last_.empty() && plan_from_last()) {
        counted_ = true;
        done(listed_total());
        return;
    }
    // No plan: the partitions that are listed are counted now. A split is checked at the end,
    // as when planned, unless the last sync listed its partition whole (the parts fell short of
    // it then): that partition is counted too, and split only if its parts add up to it.
    std::vector<std::size_t> which, doubted;
    for (std::size_t i = 0; i < partitions_.size(); ++i) {
        if (!is_split(i))
            which.push_back(i);
        else if (last_count(i)) {
            which.push_back(i);
            doubted.push_back(i);
        }
    }
    counts_.assign(partitions_.size(), 0);
    count_each(which, [self, doubted,
                       done = std::move(done)](atlassian::Result<std::vector<std::int64_t>> r) {
        if (!r) {
            done(r.error());
            return;
        }
        self->counts_ = std::move(r.value());
        std::vector<std::size_t> whole;
        for (std::size_t p : doubted) {
            if (self->parts_count(p) != self->counts_[p])
                whole.push_back(p);
        }
        self->use_splits(whole);
        self->counted_ = true;
        done(self->listed_total());
    });
}

void UserLister::start(std::function<void(atlassian::Result<ListingOutcome>)> done) {
    done_ = std::move(done);
    auto all = [this] {
        std::vector<int> every;
        for (std::size_t i = 0; i < partitions_.size(); ++i)
            if (listed_[i])
                every.push_back(static_cast<int>(i));
        return every;
    };
    if (counted_) {
        list(all());
        return;
    }
    auto self = shared_from_this();
    count([self, all](atlassian::Result<std::int64_t> r) {
        if (!r)
            self->finish(r.error());
        else
            self->list(all());
    });
}

void UserLister::list(const std::vector<int>& partitions) {
    ++outcome_.listings;
    if (outcome_.listings > 1)
        outcome_.partitions_relisted += static_cast<int>(partitions.size());
    std::vector<Chain> chains;
    for (int p : partitions) {
        covered_[static_cast<std::size_t>(p)] = false;
        ends_[static_cast<std::size_t>(p)] = {};
        if (outcome_.listings > 1)
            ledger_.begin_walk(p);
        const auto count = counts_[static_cast<std::size_t>(p)];
        const auto limit = static_cast<std::int64_t>(std::max(1, partitions_[p].limit));
        // An empty partition is not listed: if users move into it meanwhile, its count at the
        // end says so and it is listed then.
        if (count <= 0) {
            covered_[static_cast<std::size_t>(p)] = true;
            continue;
        }
        const auto pages = static_cast<std::size_t>((count + limit - 1) / limit);
        // Two ends halve the chain; a one-page partition, or one chain at a time, gains nothing.
        if (pages > 1 && max_chains_ > 1) {
            chains.push_back({p, WalkEnd::ascending, true, (pages + 1) / 2});
            chains.push_back({p, WalkEnd::descending, true, (pages + 1) / 2});
        } else {
            chains.push_back({p, WalkEnd::ascending, false, pages});
        }
    }
    // Longest first: the sync ends when its longest chain does.
    std::stable_sort(chains.begin(), chains.end(), [](const Chain& a, const Chain& b) {
        return a.expected_pages > b.expected_pages;
    });
    waiting_.assign(chains.begin(), chains.end());
    if (waiting_.empty()) {
        check_counts();
        return;
    }
    start_chains();
}

void UserLister::start_chains() {
    while (running_ < max_chains_ && !waiting_.empty() && !stopped_()) {
        Chain chain = waiting_.front();
        waiting_.pop_front();
        // The other end of a partition that has been covered meanwhile is not needed.
        if (covered_[static_cast<std::size_t>(chain.partition)])
            continue;
        start_chain(chain);
    }
    if (running_ == 0 && (waiting_.empty() || stopped_())) {
        if (stopped_())
            finish(stopped_error());
        else
            check_counts();
    }
}

void UserLister::start_chain(const Chain& chain) {
    ++running_;
    auto self = shared_from_this();
    atlassian::UserSearch search = partitions_[static_cast<std::size_t>(chain.partition)];
    if (chain.both_ends)
        search.nickname_sort = chain.end == WalkEnd::ascending ? "asc" : "desc";
    auto& started = ends_[static_cast<std::size_t>(chain.partition)][static_cast<int>(chain.end)];
    started.running = true;
    started.in_flight = true;
    auto pages = std::make_shared<std::size_t>(0);
    client_.search_users(
        std::move(search),
        atlassian::AsyncPageHandler<atlassian::DirectoryUser>(
            [self, chain, pages](std::vector<atlassian::DirectoryUser> page,
                                 std::function<void(bool)> resume) {
                const auto p = static_cast<std::size_t>(chain.partition);
                ++*pages;
                self->outcome_.longest_chain = std::max(self->outcome_.longest_chain, *pages);
                self->ends_[p][static_cast<int>(chain.end)].in_flight = false;
                if (self->finished_ || self->stopped_()) {
                    resume(false);
                    return;
                }
                bool met = false;
                for (const auto& user : page)
                    met = self->ledger_.see(user.account_id, chain.partition, chain.end) || met;
                if (met)
                    self->covered_[p] = true;
                // The other end may be waiting for this page: it has met this walk, or goes on.
                self->release_parked(chain.partition, chain.end);
                // The page is stored whatever happens next; the walk goes on only while the
                // partition is not covered (by this walk meeting the other, or the other ending),
                // after the other end's page when that may hold every user left.
                self->sink_(std::move(page), [self, chain, resume = std::move(resume)](bool go_on) {
                    const auto p = static_cast<std::size_t>(chain.partition);
                    if (!go_on || self->covered_[p] || self->stopped_() || self->finished_) {
                        resume(false);
                        return;
                    }
                    auto& end = self->ends_[p][static_cast<int>(chain.end)];
                    if (self->should_wait(chain.partition, chain.end)) {
                        end.parked = resume;
                        return;
                    }
                    end.in_flight = true;
                    resume(true);
                });
            }),
        [self, chain](atlassian::Result<atlassian::PageSummary> r) {
            --self->running_;
            const auto p = static_cast<std::size_t>(chain.partition);
            auto& end = self->ends_[p][static_cast<int>(chain.end)];
            end.running = false;
            end.in_flight = false;
            if (!r) {
                self->finish(r.error());
                return;
            }
            // A walk that ended by itself reached the end of the listing: the partition is
            // covered whichever end it started from.
            self->covered_[p] = true;
            self->release_parked(chain.partition, chain.end);
            if (!self->finished_)
                self->start_chains();
        });
}

// Whether `end` should wait for the other end's page in flight: that page may hold every user
// the partition has left (by its count), and fetching beside it would fetch them twice.
bool UserLister::should_wait(int partition, WalkEnd end) const {
    const auto p = static_cast<std::size_t>(partition);
    const auto& other = ends_[p][1 - static_cast<int>(end)];
    if (!other.running || !other.in_flight || ends_[p][0].count_short)
        return false;
    const auto limit = static_cast<std::int64_t>(std::max(1, partitions_[p].limit));
    return counts_[p] - ledger_.held(partition) <= limit;
}

// After `end`'s page (or its end): the other end, if it waits, stops when the partition is
// covered and fetches its next page otherwise (the count was short: users joined meanwhile).
void UserLister::release_parked(int partition, WalkEnd end) {
    const auto p = static_cast<std::size_t>(partition);
    auto& other = ends_[p][1 - static_cast<int>(end)];
    if (!other.parked)
        return;
    auto resume = std::move(other.parked);
    other.parked = nullptr;
    if (covered_[p] || finished_ || stopped_()) {
        resume(false);
        return;
    }
    // The page it waited for did not meet it: the count is short (users joined since it was
    // taken, or since the last sync when it comes from there). Waiting again would walk the rest
    // of the partition one page at a time.
    ends_[p][0].count_short = true;
    other.in_flight = true;
    resume(true);
}

// Once every partition is listed: one users/count of the whole organization. When it equals the
// users the ledger placed, nobody was missed (a user who moved between partitions is placed once,
// a missed one is placed nowhere, one who joined or left makes the figures differ) and every split
// covered its partition. Else each partition is counted, and those that differ are listed again.
void UserLister::check_counts() {
    auto self = shared_from_this();
    client_.count_users(everyone(), [self](atlassian::Result<std::int64_t> r) {
        if (!r) {
            self->finish(r.error());
            return;
        }
        if (r.value() == self->ledger_.placed()) {
            for (std::size_t p : self->listed_partitions())
                self->counts_[p] = self->ledger_.held(static_cast<int>(p));
            std::fill(self->verify_split_.begin(), self->verify_split_.end(), false);
            self->counts_agree();
            return;
        }
        spdlog::info(
            "sync: the organization holds {} users, the partitions listed {}: counting "
            "each partition",
            r.value(), self->ledger_.placed());
        self->check_each_count(r.value());
    });
}

void UserLister::check_each_count(std::int64_t organization) {
    auto self = shared_from_this();
    std::vector<std::size_t> which = listed_partitions();
    for (std::size_t p = 0; p < partitions_.size(); ++p)
        if (verify_split_[p])
            which.push_back(p);
    count_each(which, [self, organization](atlassian::Result<std::vector<std::int64_t>> r) {
        if (!r) {
            self->finish(r.error());
            return;
        }
        self->counts_ = std::move(r.value());
        std::vector<int> differ;
        self->split_fell_short(differ);
        for (std::size_t p = 0; p < self->counts_.size(); ++p)
            if (self->listed_[p] && self->counts_[p] != self->ledger_.held(static_cast<int>(p)) &&
                std::find(differ.begin(), differ.end(), static_cast<int>(p)) == differ.end())
                differ.push_back(static_cast<int>(p));
        if (differ.empty()) {
            // Every partition agrees, the organization did not: it changed between the counts,
            // or holds users no partition lists (a status rosterd does not know). The next sync
            // counts again.
            if (self->listed_total() != organization)
                spdlog::warn(
                    "sync: users/count of the organization says {}, its partitions {} "
                    "(users outside every partition, or a change between the counts)",
                    organization, self->listed_total());
            self->counts_agree();
            return;
        }
        for (int p : differ)
            spdlog::info("sync: partition {} holds {} users, users/count says {}: listing it again",
                         p, self->ledger_.held(p), self->counts_[static_cast<std::size_t>(p)]);
        if (self->outcome_.listings >= kMaxListings) {
            // The organization keeps changing faster than it can be listed: keep what was seen.
            spdlog::warn(
                "sync: partition counts still differ after {} listings; users who "
                "changed status during the sync may be missing until the next sync",
                self->outcome_.listings);
            self->outcome_.counts_agree = false;
            self->finish(self->outcome_);
            return;
        }
        if (self->stopped_()) {
            self->finish(stopped_error());
            return;
        }
        self->list(differ);
    });
}

void UserLister::counts_agree() {
    outcome_.counts_agree = true;
    outcome_.unplaced = ledger_.unplaced();
    finish(outcome_);
}

// A split covers its partition when its parts' counts add up to the partition's (asked when the
// organization's count did not agree with the listing). Else (a managed account off the verified
// domains) the partition is listed whole: its parts' users unplaced until that listing sees them.
// Returns whether a split fell short.
bool UserLister::split_fell_short(std::vector<int>& differ) {
    bool short_of = false;
    for (std::size_t p = 0; p < partitions_.size(); ++p) {
        if (!verify_split_[p])
            continue;
        verify_split_[p] = false;
        const std::int64_t parts = parts_count(p);
        if (parts == counts_[p])
            continue;
        spdlog::info(
            "sync: the domain parts of partition {} hold {} users, users/count says {}: "
            "listing it whole",
            p, parts, counts_[p]);
        short_of = true;
        listed_[p] = true;
        for (std::size_t i = 0; i < partitions_.size(); ++i)
            if (parent_[i] == static_cast<int>(p)) {
                listed_[i] = false;
                ledger_.begin_walk(static_cast<int>(i));
            }
        differ.push_back(static_cast<int>(p));
    }
    return short_of;
}

void UserLister::finish(atlassian::Result<ListingOutcome> result) {
    if (finished_)
        return;
    // Other chains may still be running after an error: their completions are ignored, and a
    // walk waiting for the other end stops.
    finished_ = true;
    for (auto& ends : ends_)
        for (auto& end : ends)
            if (auto resume = std::move(end.parked)) {
                end.parked = nullptr;
                resume(false);
            }
    sink_ = nullptr;  // it may hold the sync; the listing is over
    auto done = std::move(done_);
    done_ = nullptr;
    if (done)
        done(std::move(result));
}

}  // namespace rosterd::sync
