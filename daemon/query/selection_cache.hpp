#pragma once
// Recent user selections, so that paging through one (a CSV export) and many clients asking the
// same question (a wall of dashboards, 20 admins on one filter) evaluate the filter once.
//
// A selection is the same answer for every instant in [from_ms, until_ms): only "inactive for N
// days" depends on the time asked, and select_users reports when it will next change. So an entry
// is keyed by the selection without its instant, and found for any instant inside its window.
// While one question computes a selection, identical questions wait for it instead of computing
// it again beside it (on two cores, twenty copies of a 30 ms pass are 300 ms for everyone).
// Touched on the loop only.
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rosterd/query/snapshot.hpp"

namespace rosterd::query {

// The ordered matches of one selection, as computed for one snapshot.
struct CachedSelection {
    std::string key;  // the canonical selection (filters, sort, scope), without its instant
    // Weak: a remembered selection must not keep an index alive that the cache let go (a sync
    // releases it: SnapshotCache::release); an expired one never matches.
    std::weak_ptr<const SnapshotIndex> index;
    std::shared_ptr<const std::vector<std::uint32_t>> users;
    std::size_t view_users = 0;      // the size of the (scoped) view the positions are into
    std::int64_t from_ms = 0;        // the instant it was computed for
    std::int64_t until_ms = kNever;  // the first instant it may no longer hold at
};

class SelectionCache {
  public:
    static constexpr std::size_t kEntries = 8;

    // The remembered selection for `key` that holds at `now_ms` on an index still held, or
    // nullptr. A hit becomes the most recently used entry.
    const CachedSelection* find(const std::string& key, std::int64_t now_ms);
    void remember(CachedSelection selection);
    void clear() { entries_.clear(); }
    std::size_t size() const { return entries_.size(); }

    // Single flight. `wait` returns false and marks `key` as being computed when nobody computes
    // it; else it keeps `retry` and returns true. `computed` runs the kept retries (after the
    // caller remembered the result, or failed): each looks in the cache again.
    bool wait(const std::string& key, std::function<void()> retry);
    void computed(const std::string& key);

    // How answers were made since start (status: a reused one cost no pass over the users).
    void count_answer(bool computed) { ++(computed ? computed_ : reused_); }
    std::uint64_t answers_computed() const { return computed_; }
    std::uint64_t answers_reused() const { return reused_; }

  private:
    std::deque<CachedSelection> entries_;  // most recent first
    std::map<std::string, std::vector<std::function<void()>>> computing_;
    std::uint64_t computed_ = 0, reused_ = 0;
};

}  // namespace rosterd::query
