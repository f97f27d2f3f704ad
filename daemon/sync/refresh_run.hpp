#pragma once
// A refresh: after a bulk run, the users it changed are read again (user_batch_read.hpp: 100 a
// request) and published as a new snapshot generation (refresh_writer.hpp), instead of a full sync.
// The rest of the generation is the published one's. The SyncService runs refreshes and syncs
// one at a time.
#include <asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "refresh_writer.hpp"
#include "rosterd/atlassian/client.hpp"
#include "rosterd/base/clock.hpp"
#include "rosterd/service/sync_control.hpp"
#include "rosterd/store/db_executor.hpp"

namespace rosterd::sync {

class RefreshRun : public std::enable_shared_from_this<RefreshRun> {
  public:
    using Done = SyncControl::RefreshDone;

    RefreshRun(asio::io_context& loop, store::DbExecutor& db, const Clock& clock,
               atlassian::ClientConfig client_config, RefreshRequest request);
    ~RefreshRun();

    void start(Done done);
    void cancel();

  private:
    void read_users();
    void read_roles();
    void read_failed(const atlassian::ApiError& error, const std::string& what);
    void stage_done();  // the copy or the reads are done; publishes after both
    void publish(std::vector<atlassian::DirectoryUser> users);
    void fail(const std::string& error, bool key_rejected = false);
    void finish(const RefreshOutcome& outcome);
    RunCounters counters() const;
    std::int64_t now_ms() const { return clock_.now().time_since_epoch().count(); }

    asio::io_context& loop_;
    store::DbExecutor& db_;
    const Clock& clock_;
    RefreshRequest request_;
    std::unique_ptr<atlassian::Client> client_;
    Done done_;
    RefreshIds ids_;
    int stages_ = 0;
    std::string begin_error_;  // the copy failed: nothing recorded to discard
    std::string read_error_;
    bool key_rejected_ = false;
    std::vector<atlassian::DirectoryUser> users_;
    std::unordered_map<std::string, UserRoles> roles_;
    std::int64_t users_read_ = 0;
    bool cancelled_ = false;
    bool failing_ = false;
    bool finished_ = false;
};

}  // namespace rosterd::sync
