#pragma once
// The query commands: dashboard, users, user, filters. Handlers check their arguments on the loop,
// then every question runs on a database reader thread against the snapshot's in-memory index
// (query_snapshot.hpp), which a timer keeps current so that the first question after a sync does
// not pay for reading it. The loop keeps a small cache of recent user selections so that paging
// through one (a CSV export) evaluates the filter once.
#include <asio/steady_timer.hpp>

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "rosterd/query/snapshot.hpp"
#include "rosterd/service/subsystem.hpp"

namespace rosterd::query {

// The ordered matches of one selection, as computed for one snapshot.
struct CachedSelection {
    std::string key;  // the canonical selection (filters, sort, now)
    // Weak: a remembered selection must not keep an index alive that the cache let go (a sync
    // releases it: SnapshotCache::release); an expired one never matches.
    std::weak_ptr<const SnapshotIndex> index;
    std::shared_ptr<const std::vector<std::uint32_t>> users;
    std::size_t view_users = 0;  // the size of the (scoped) view the positions are into
};

class QueryService final : public Subsystem {
  public:
    explicit QueryService(DaemonContext& context);

    std::string_view name() const override { return "query"; }
    void register_commands(control::CommandRegistry& registry) override;
    void start() override;
    void write_status(rapidjson::Value& out,
                      rapidjson::Document::AllocatorType& alloc) const override;
    void apply_config(const Config&) override {
        selections_.clear();
        scopes_checked_ = 0;  // a new control.access: check its scopes against the snapshot
    }
    void stop() override;

  private:
    void dashboard(const control::Request& request, std::shared_ptr<control::Reply> reply);
    void users(const control::Request& request, std::shared_ptr<control::Reply> reply);
    void user(const control::Request& request, std::shared_ptr<control::Reply> reply);
    void filters(const control::Request& request, std::shared_ptr<control::Reply> reply);

    // Reads the snapshot into memory when a sync published a new one, then looks again later.
    void refresh_index();

    const CachedSelection* cached(const std::string& key) const;
    void remember(CachedSelection selection);

    DaemonContext& context_;
    std::shared_ptr<SnapshotCache> snapshots_;  // the daemon's (DaemonContext)
    asio::steady_timer refresh_timer_;
    bool stopping_ = false;
    std::int64_t scopes_checked_ = 0;  // the snapshot control.access scopes were checked against
    std::deque<CachedSelection> selections_;  // most recent first; touched on the loop only
};

}  // namespace rosterd::query
