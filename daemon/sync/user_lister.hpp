#pragma once
// Lists every user of the organization through disjoint users/search partitions, fast and exactly
// once each, while the organization may change underneath.
//
// Fast: the longest cursor chain bounds a sync's wall time, so a partition of more than one page
// is walked from both ends at once (sortBy nick_name ascending and descending) and the two walks
// stop when they meet: one of them returns a user the other already returned. Chains are started
// longest first (their lengths known from users/count, or from the last sync's counts), at most
// `max_chains` at a time. Where the ends are about to meet, a walk waits while the other's page is
// in flight if that page may hold every user left, so the two do not fetch the same last users.
//
// Few requests: with the last sync's final counts (plan_from), nothing is counted before
// listing; without them, each partition listed is counted first. A split by domain is checked at
// the end.
//
// Exact: a user whose status changes between two pages may be returned by two partitions or by
// none. Duplicates are harmless (the database keeps the last copy of an account). Misses are
// caught by counting: once every partition is listed, users/count of the whole organization is
// compared with the users the ledger placed (one request). When they differ, users/count of each
// partition is compared with the users the ledger last saw there; a partition that differs is
// listed again (up to kMaxListings times in all), its users unplaced until seen again. When the
// counts agree, users still unplaced have left the organization and are dropped from the
// snapshot.
#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rosterd/atlassian/client.hpp"
#include "user_ledger.hpp"

namespace rosterd::sync {

// A partition's users/count, keyed by its filter (UserLister::filter_key).
struct PartitionCount {
    std::string filter;
    std::int64_t users = 0;
};

struct ListingOutcome {
    int listings = 0;               // rounds: 1 when the first listing's counts agreed
    int partitions_relisted = 0;    // partition listings after the first round
    bool counts_agree = false;      // the users/count of the organization, or of every
                                    // partition, matched the users listed at the end
    std::int64_t unplaced = 0;      // users seen, then not found again: gone from the organization
    std::size_t longest_chain = 0;  // pages of the longest cursor chain
};

class UserLister : public std::enable_shared_from_this<UserLister> {
  public:
    static constexpr int kMaxListings = 4;

    using PageSink = std::function<void(std::vector<atlassian::DirectoryUser> page,
                                        std::function<void(bool keep_going)> resume)>;

    UserLister(atlassian::Client& client, std::vector<atlassian::UserSearch> partitions,
               int max_chains, std::function<bool()> stopped);

    // The organization's verified email domains (at most 10; before count()): the managed
    // partition, the largest, is listed as its `emailDomains` parts. A managed account's email is
    // on a verified domain, so they cover it; when the organization's count at the end says
    // otherwise (a domain missing from the list), the partition is counted and listed whole.
    void split_by_domain(std::vector<std::string> domains) { split_domains_ = std::move(domains); }

    // The last sync's final counts: when they name every partition this listing would list, the
    // plan and the progress total come from them and count() asks nothing.
    void plan_from(std::vector<PartitionCount> last) { last_ = std::move(last); }
    // The users of every partition listed, as the listing ended and the counts agreed (for the
    // next plan_from).
    std::vector<PartitionCount> final_counts() const;
    // A partition's filter as a key: its status, claim status and email domains.
    static std::string filter_key(const atlassian::UserSearch& partition);
    // Every user of the organization, said explicitly: each account status and each membership
    // status (the documented values), not the API's defaults. The partitions add to it; the
    // count that checks a listing is of it.
    static atlassian::UserSearch everyone();

    // Where pages go (before start()): the sink calls resume(true) when it can take more.
    void set_sink(PageSink sink) { sink_ = std::move(sink); }

    // users/count of every partition (the plan, and the sync's progress total).
    void count(std::function<void(atlassian::Result<std::int64_t> total)> done);
    // Lists (count() first when it has not run) and checks the counts.
    void start(std::function<void(atlassian::Result<ListingOutcome>)> done);

    const UserLedger& ledger() const { return ledger_; }

  private:
    // One end of a partition's walk: whether a page is in flight, and its resume while it waits
    // for the other end's page.
    struct End {
        bool running = false;
        bool in_flight = false;
        std::function<void(bool)> parked;
        // The partition's count proved short (a page that should have met the other end did
        // not): the ends no longer wait for each other.
        bool count_short = false;
    };

    struct Chain {
        int partition = 0;
        WalkEnd end = WalkEnd::ascending;
        bool both_ends = false;
        std::size_t expected_pages = 0;
    };

    void count_each(const std::vector<std::size_t>& which,
                    std::function<void(atlassian::Result<std::vector<std::int64_t>>)> done);
    void add_domain_splits();
    bool is_split(std::size_t partition) const;
    // The counts of a split partition's domain parts, added up.
    std::int64_t parts_count(std::size_t partition) const;
    void use_splits(const std::vector<std::size_t>& whole);
    std::optional<std::int64_t> last_count(std::size_t partition) const;
    bool plan_from_last();
    std::vector<std::size_t> listed_partitions() const;
    std::int64_t listed_total() const;
    bool should_wait(int partition, WalkEnd end) const;
    void release_parked(int partition, WalkEnd end);
    bool split_fell_short(std::vector<int>& differ);
    void list(const std::vector<int>& partitions);
    void start_chains();
    void start_chain(const Chain& chain);
    void chain_ended(const atlassian::Result<atlassian::PageSummary>& result);
    void check_counts();
    void check_each_count(std::int64_t organization);
    void counts_agree();
    void finish(atlassian::Result<ListingOutcome> result);

    atlassian::Client& client_;
    std::vector<atlassian::UserSearch> partitions_;
    int max_chains_;
    PageSink sink_;
    std::function<bool()> stopped_;
    UserLedger ledger_;
    // Per partition: its users/count, or the last sync's when planned from them, or the ledger's
    // figure once the organization's count agreed with the listing.
    std::vector<std::int64_t> counts_;
    bool counted_ = false;  // the plan is made: counts_ holds a figure for every listed partition
    std::vector<bool> covered_;       // this listing of the partition is complete
    std::vector<bool> listed_;        // listed and checked (a split parent is not, its parts are)
    std::vector<int> parent_;         // a domain part's partition, else -1
    std::vector<bool> verify_split_;  // a split partition: counted only if the check fails
    std::vector<std::array<End, 2>> ends_;
    std::vector<PartitionCount> last_;
    std::vector<std::string> split_domains_;
    std::deque<Chain> waiting_;
    int running_ = 0;
    ListingOutcome outcome_;
    std::function<void(atlassian::Result<ListingOutcome>)> done_;
    bool finished_ = false;
};

}  // namespace rosterd::sync
