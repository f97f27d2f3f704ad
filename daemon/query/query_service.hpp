#pragma once
// The query subsystem: the commands dashboard, users, user, filters (query_command_*.cpp).
// Handlers check their arguments on the loop, then every question runs on a database reader
// thread against the snapshot's in-memory index (query_snapshot.hpp), which a timer keeps current
// so that the first question after a sync does not pay for reading it. The loop keeps a small
// cache of recent user selections so that paging through one (a CSV export) evaluates the filter
// once.
#include <asio/steady_timer.hpp>

#include <memory>
#include <string>
#include <vector>

#include "rosterd/query/snapshot.hpp"
#include "rosterd/service/subsystem.hpp"
#include "selection_cache.hpp"

namespace rosterd::query {

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

    // For the commands (query_command_*.cpp).
    DaemonContext& context() { return context_; }
    const std::shared_ptr<SnapshotCache>& snapshots() const { return snapshots_; }
    SelectionCache& selections() { return selections_; }  // the users command's

  private:
    // Reads the snapshot into memory when a sync published a new one, then looks again later.
    void refresh_index();

    DaemonContext& context_;
    std::shared_ptr<SnapshotCache> snapshots_;  // the daemon's (DaemonContext)
    asio::steady_timer refresh_timer_;
    bool stopping_ = false;
    std::int64_t scopes_checked_ = 0;  // the snapshot control.access scopes were checked against
    SelectionCache selections_;        // touched on the loop only
};

}  // namespace rosterd::query
