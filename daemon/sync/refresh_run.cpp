#include "refresh_run.hpp"

#include <spdlog/spdlog.h>

#include <set>

#include "rosterd/atlassian/user_batch_read.hpp"

namespace rosterd::sync {
namespace {

// What a sync reads of each user (sync_run.cpp, user_partitions()).
const std::vector<std::string> kExpand = {"platformRoles", "productAccess", "groups"};

// The role a user holds on each product, from their role assignments: admin where it is among
// them (as a sync's admin query finds it first), else the one assigned.
UserRoles roles_of(const std::vector<atlassian::UserRoleAssignment>& assignments) {
    UserRoles out;
    for (const auto& a : assignments) {
        if (a.resource_id.empty() || a.grants.empty())
            continue;
        std::string role = a.grants.front().role;
        for (const auto& g : a.grants)
            if (g.role == "atlassian/admin")
                role = g.role;
        out.emplace_back(a.resource_id, role);
    }
    return out;
}

}  // namespace

RefreshRun::RefreshRun(asio::io_context& loop, store::DbExecutor& db, const Clock& clock,
                       atlassian::ClientConfig client_config, RefreshRequest request)
    : loop_(loop), db_(db), clock_(clock), request_(std::move(request)) {
    client_ = std::make_unique<atlassian::Client>(loop_, std::move(client_config));
}

RefreshRun::~RefreshRun() = default;

RunCounters RefreshRun::counters() const {
    auto stats = client_->stats();
    return {static_cast<std::int64_t>(stats.requests_sent),
            static_cast<std::int64_t>(stats.retries), users_read_, 0};
}

void RefreshRun::start(Done done) {
    done_ = std::move(done);
    // The copy of the published generation and the reads go on side by side (at 100k users the
    // copy takes about as long as a few dozen reads); publishing waits for both.
    stages_ = 2;
    std::vector<std::string> accounts;
    for (const auto& u : request_.users)
        accounts.push_back(u.account_id);
    db_.write([trigger = request_.trigger, accounts = std::move(accounts), at = now_ms()](
                  store::Database& db) { return begin_refresh(db, trigger, accounts, at); },
              [self = shared_from_this()](store::DbResult<RefreshIds> r) {
                  if (!r.ok()) {
                      self->begin_error_ = "database: " + r.error;
                  } else {
                      self->ids_ = *r.value;
                      spdlog::info("sync {} started (refresh of {} users after a {})",
                                   self->ids_.ids.run_id, self->request_.users.size(),
                                   self->request_.trigger);
                  }
                  self->stage_done();
              });
    read_users();
}

void RefreshRun::cancel() {
    if (finished_ || cancelled_)
        return;
    cancelled_ = true;
    client_->cancel();  // outstanding reads complete as cancelled and fail the refresh
}

void RefreshRun::read_failed(const atlassian::ApiError& error, const std::string& what) {
    read_error_ =
        error.kind == atlassian::ApiError::Kind::cancelled ? "cancelled" : what + error.describe();
    key_rejected_ = error.kind == atlassian::ApiError::Kind::auth_rejected;
    stage_done();
}

void RefreshRun::stage_done() {
    if (--stages_ > 0)
        return;
    if (!begin_error_.empty())
        return finish({0, false, begin_error_, key_rejected_, counters().requests, 0});
    if (!read_error_.empty())
        return fail(read_error_, key_rejected_);
    if (cancelled_)
        return fail("cancelled");
    publish(std::move(users_));
}

void RefreshRun::read_users() {
    std::vector<atlassian::UserToRead> wanted;
    for (const auto& u : request_.users)
        if (!u.removed)
            wanted.push_back({u.account_id, u.email});
    atlassian::read_users(*client_, std::move(wanted), kExpand,
                          [self = shared_from_this()](atlassian::BatchReadResult r) {
                              if (r.error)
                                  return self->read_failed(*r.error, "reading the users failed: ");
                              self->users_.reserve(r.found.size());
                              for (auto& [id, user] : r.found)
                                  self->users_.push_back(std::move(user));
                              self->users_read_ = static_cast<std::int64_t>(self->users_.size());
                              self->read_roles();
                          });
}

void RefreshRun::read_roles() {
    // Only users whose groups or roles the run changed: the others keep the roles the published
    // snapshot has for them (a status change leaves a user's roles as they are).
    std::set<std::string> found;
    for (const auto& u : users_)
        found.insert(u.account_id);
    std::vector<std::string> changed;
    for (const auto& u : request_.users)
        if (u.roles_changed && !u.removed && found.count(u.account_id))
            changed.push_back(u.account_id);
    if (changed.empty())
        return stage_done();
    auto outstanding = std::make_shared<std::size_t>(changed.size());
    auto failed = std::make_shared<std::optional<atlassian::ApiError>>();
    for (const auto& account : changed)
        client_->get_user_roles(
            account, [self = shared_from_this(), account, outstanding,
                      failed](atlassian::Result<std::vector<atlassian::UserRoleAssignment>> r) {
                if (r)
                    self->roles_[account] = roles_of(r.value());
                else if (!*failed)
                    *failed = r.error();
                if (--*outstanding > 0)
                    return;
                if (*failed)
                    return self->read_failed(**failed, "reading a user's roles failed: ");
                self->stage_done();
            });
}

void RefreshRun::publish(std::vector<atlassian::DirectoryUser> users) {
    db_.write(
        [ids = ids_, users = std::move(users), roles = roles_, keep = request_.keep_activity,
         counters = counters(), at = now_ms()](store::Database& db) {
            auto previous = finish_refresh(db, ids, users, roles, keep, counters, at);
            db.release_memory();
            return previous;
        },
        [self = shared_from_this()](store::DbResult<std::optional<std::int64_t>> r) {
            if (!r.ok())
                return self->fail("database: " + r.error);
            if (auto previous = *r.value)
                self->db_.write(
                    [id = *previous](store::Database& db) {
                        delete_generation(db, id);
                        return true;
                    },
                    [](store::DbResult<bool> done) {
                        if (!done.ok())
                            spdlog::warn("sync: pruning an old snapshot failed: {}", done.error);
                    });
            auto c = self->counters();
            spdlog::info("sync {} refreshed {} users: {} requests, {} retries",
                         self->ids_.ids.run_id, c.users, c.requests, c.retries);
            self->finish({self->ids_.ids.run_id, true, "", false, c.requests, c.users});
        });
}

void RefreshRun::fail(const std::string& error, bool key_rejected) {
    if (finished_ || failing_)
        return;
    failing_ = true;
    auto c = counters();
    RefreshOutcome outcome{ids_.ids.run_id, false, error, key_rejected, c.requests, c.users};
    db_.write(
        [ids = ids_.ids, error, c, at = now_ms()](store::Database& db) {
            discard(db, ids, std::string(kRefreshFailed), error, c, at);
            return true;
        },
        [self = shared_from_this(), outcome](store::DbResult<bool> r) {
            if (!r.ok())
                spdlog::error("sync: recording the failed refresh failed: {}", r.error);
            self->finish(outcome);
        });
}

void RefreshRun::finish(const RefreshOutcome& outcome) {
    if (finished_)
        return;
    finished_ = true;
    if (!outcome.published)
        spdlog::log(cancelled_ ? spdlog::level::info : spdlog::level::warn,
                    "sync {}: refresh not published: {}", outcome.run_id, outcome.error);
    if (done_)
        done_(outcome);
}

}  // namespace rosterd::sync
