#include "run_executor.hpp"

#include <spdlog/spdlog.h>

#include "rosterd/atlassian/user_batch_read.hpp"

namespace rosterd::ops {
namespace {

constexpr const char* kExpand[] = {"platformRoles", "productAccess", "groups"};

// A step journaled 'sent' before a crash whose effect cannot be checked now: its outcome is
// unknown, which is a failure to report, not a success and not "already so".
constexpr const char* kSentUnknown =
    "sent before rosterd stopped; its outcome could not be checked: ";

bool has_sent(const UserRecord& u) {
    return std::any_of(u.steps.begin(), u.steps.end(),
                       [](const auto& s) { return s.state == "sent"; });
}

bool has_op(const UserRecord& u, const char* op) {
    for (const auto& s : u.steps)
        if (s.step.op == op && (s.state == "pending" || s.state == "sent"))
            return true;
    return false;
}

// The role a direct grant holds on `resource`, from the user's role assignments; empty if none.
std::string direct_role(const std::vector<atlassian::UserRoleAssignment>& roles,
                        const std::string& resource) {
    for (const auto& assignment : roles) {
        if (assignment.resource_id != resource)
            continue;
        for (const auto& grant : assignment.grants)
            for (const auto& method : grant.methods)
                if (method == "direct")
                    return grant.role;
    }
    return "";
}

}  // namespace

RunExecutor::RunExecutor(asio::io_context& loop, store::DbExecutor& db, const Clock& clock,
                         RunRecord run, ExecutorSetup setup)
    : loop_(loop),
      db_(db),
      clock_(clock),
      run_(std::move(run)),
      setup_(std::move(setup)),
      settle_(loop) {
    client_ = std::make_unique<atlassian::Client>(loop_, setup_.client);
}

RunExecutor::~RunExecutor() = default;

void RunExecutor::start(Progress progress, Done done) {
    progress_ = std::move(progress);
    done_ = std::move(done);
    for (const auto& u : run_.users)
        if (u.state != "planned")
            ++finished_;
    auto started = run_.started_at.value_or(now_ms());
    run_.started_at = started;
    run_.state = "running";
    const bool in_flight = std::any_of(run_.users.begin(), run_.users.end(), [](const auto& u) {
        return u.state == "planned" && has_sent(u);
    });
    persist(
        [id = run_.id, started](store::Database& db) {
            set_run_state(db, id, "running", started, std::nullopt, "");
        },
        [self = shared_from_this(), in_flight] {
            if (!in_flight)
                return self->next_user();
            spdlog::info(
                "run {}: an operation was in flight when rosterd stopped; re-reading in {} s",
                self->run_.id, kInFlightSettle.count());
            self->settle_.expires_after(kInFlightSettle);
            self->settle_.async_wait([self](const std::error_code& ec) {
                if (!ec && !self->abandoned_)
                    self->next_user();
            });
        });
}

void RunExecutor::abandon() {
    abandoned_ = true;
    settle_.cancel();
    client_->cancel();
}

void RunExecutor::persist(std::function<void(store::Database&)> work, std::function<void()> then) {
    db_.write(
        [work = std::move(work)](store::Database& db) {
            work(db);
            return true;
        },
        [self = shared_from_this(), then = std::move(then)](store::DbResult<bool> r) {
            if (self->abandoned_)
                return;
            if (!r.ok()) {
                // Without the journal nothing more may be sent: stop here; resume picks it up.
                spdlog::error("run {}: cannot write the journal: {}", self->run_.id, r.error);
                self->abandoned_ = true;
                self->run_.error = "cannot write the journal: " + r.error;
                self->run_.state = kRunFailed;  // reported as failed; the journal resumes it
                if (self->done_)
                    self->done_(self->run_, false);
                return;
            }
            then();
        });
}

void RunExecutor::next_user() {
    if (abandoned_)
        return;
    while (cursor_ < run_.users.size() && run_.users[cursor_].state != "planned")
        ++cursor_;
    if (cursor_ == run_.users.size())
        return finish();
    // A user with an operation in flight before a restart is re-read first, cancelled or not:
    // what that operation did must be known.
    if (cancel_requested_ && !has_sent(run_.users[cursor_]))
        return skip_user(cursor_, "cancelled");
    auto read = reads_.find(run_.users[cursor_].account_id);
    if (read != reads_.end()) {
        Read taken = std::move(read->second);
        reads_.erase(read);
        // Read too long ago to guard this user's operations: read again, from this user on.
        if (std::chrono::steady_clock::now() - taken.at <= kMaxReadAge)
            return on_read(cursor_, std::move(taken));
    }
    read_ahead(cursor_);
}

void RunExecutor::read_ahead(std::size_t from) {
    // The users this read guards: the next ones still to do, `batch_size_` of them; a user whose
    // batch read failed is read alone, so one bad answer costs one user, not a hundred.
    const bool alone = read_alone_.count(run_.users[from].account_id) > 0;
    std::vector<atlassian::UserToRead> batch;
    for (auto i = from; i < run_.users.size() && batch.size() < (alone ? 1 : batch_size_); ++i) {
        const auto& u = run_.users[i];
        if (u.state != "planned" || (i != from && read_alone_.count(u.account_id)))
            continue;
        batch.push_back({u.account_id, u.email});
    }
    if (!alone)
        batch_size_ = std::min(batch_size_ * 2, atlassian::kMaxEmailsPerSearch);
    std::vector<std::string> accounts;
    for (const auto& u : batch)
        accounts.push_back(u.account_id);
    atlassian::read_users(
        *client_, std::move(batch), {std::begin(kExpand), std::end(kExpand)},
        [self = shared_from_this(), from, accounts](atlassian::BatchReadResult r) {
            if (self->abandoned_)
                return;
            const auto now = std::chrono::steady_clock::now();
            if (r.error) {
                const auto& e = *r.error;
                if (e.kind == atlassian::ApiError::Kind::cancelled)
                    return;
                if (e.kind == atlassian::ApiError::Kind::auth_rejected)
                    return self->fail_run("the API key was rejected (401): " + e.describe(), true);
                if (accounts.size() > 1) {
                    // Read again one by one: only a user whose own read fails is not acted on.
                    self->read_alone_.insert(accounts.begin(), accounts.end());
                    return self->next_user();
                }
                return self->on_read(from, Read{std::nullopt, e, now});
            }
            for (const auto& id : accounts) {
                auto found = r.found.find(id);
                self->reads_[id] = Read{
                    found == r.found.end() ? std::nullopt
                                           : std::optional<atlassian::DirectoryUser>(found->second),
                    std::nullopt, now};
            }
            self->next_user();
        });
}

void RunExecutor::on_read(std::size_t user, Read read) {
    if (read.error) {
        // The user cannot be checked: nothing is sent to them.
        auto& u = run_.users[user];
        for (auto& s : u.steps)
            if (s.state == "pending" || s.state == "sent") {
                s.error = (s.state == "sent" ? kSentUnknown : "") +
                          std::string("re-reading the user failed: ") + read.error->describe();
                s.state = "failed";
            }
        return finish_user(user);
    }
    on_fresh(user, std::move(read.user));
}

std::optional<std::string> RunExecutor::changed_reason(
    const atlassian::DirectoryUser& fresh) const {
    if (!setup_.base)
        return std::nullopt;
    auto index = fresh_user_index(*setup_.base, fresh);
    if (setup_.recheck_protection)
        if (auto reason = protection_reason(index, 0, setup_.protect))
            return "changed: now " + *reason;
    for (const auto& filter : setup_.filters) {
        query::UserMatcher matcher(index, filter, setup_.filter_now_ms);
        if (!matcher(0))
            return std::string("changed: no longer matches the filter");
    }
    return std::nullopt;
}

void RunExecutor::on_fresh(std::size_t user, std::optional<atlassian::DirectoryUser> fresh) {
    auto& u = run_.users[user];
    bool resumed = std::any_of(u.steps.begin(), u.steps.end(),
                               [](const auto& s) { return s.state != "pending"; });
    if (!fresh) {
        bool only_removal = std::all_of(u.steps.begin(), u.steps.end(), [](const auto& s) {
            return s.step.op == kOpRemoveFromDirectory || s.state == "ok";
        });
        if (only_removal && resumed) {
            // Gone: a removal sent before the crash did it; one never sent found it done.
            for (auto& s : u.steps)
                if (s.state != "ok") {
                    s.confirmed = s.state == "sent";
                    s.already = !s.confirmed;
                    s.state = "ok";
                }
            return finish_user(user);
        }
        return skip_user(user, "changed: no longer in the organization");
    }
    if (!resumed)
        if (auto reason = changed_reason(*fresh))
            return skip_user(user, *reason);
    fresh_ = std::move(fresh);
    read_roles_then_steps(user);
}

void RunExecutor::read_roles_then_steps(std::size_t user) {
    roles_.clear();
    if (!has_op(run_.users[user], kOpRevokeRole))
        return next_step(user, 0);
    client_->get_user_roles(
        run_.users[user].account_id,
        [self = shared_from_this(),
         user](atlassian::Result<std::vector<atlassian::UserRoleAssignment>> r) {
            if (self->abandoned_)
                return;
            if (!r) {
                const auto& e = r.error();
                if (e.kind == atlassian::ApiError::Kind::cancelled)
                    return;
                if (e.kind == atlassian::ApiError::Kind::auth_rejected)
                    return self->fail_run("the API key was rejected (401): " + e.describe(), true);
                // Without the roles a revoke cannot be judged: one sent before a restart is
                // not claimed as done, one not sent yet is not sent.
                for (auto& s : self->run_.users[user].steps)
                    if ((s.state == "pending" || s.state == "sent") && s.step.op == kOpRevokeRole) {
                        s.error = (s.state == "sent" ? kSentUnknown : "") +
                                  std::string("reading the user's roles failed: ") + e.describe();
                        s.state = "failed";
                    }
            } else {
                self->roles_ = std::move(r.value());
            }
            self->next_step(user, 0);
        });
}

void RunExecutor::next_step(std::size_t user, std::size_t step) {
    if (abandoned_)
        return;
    auto& u = run_.users[user];
    while (step < u.steps.size() && u.steps[step].state != "pending" &&
           u.steps[step].state != "sent")
        ++step;
    if (step == u.steps.size())
        return finish_user(user);
    auto& s = u.steps[step];
    // Journaled 'sent' before a crash, its answer lost: if the re-read finds its effect, this run
    // did it (confirmed after the restart), which is not the same as finding it already so.
    const bool sent_before_restart = s.state == "sent";
    auto cancel_rest = [&] {
        for (auto& other : u.steps)
            if (other.state == "pending" || other.state == "sent") {
                other.state = "skipped";
                other.error = "cancelled";
            }
        return finish_user(user);
    };
    // Cancelled: nothing more is sent; a step sent before a restart is still resolved below.
    if (cancel_requested_ && !sent_before_restart)
        return cancel_rest();
    // Already as the step would leave them (or, on resume, sent before the crash): not sent again.
    bool done = fresh_ && already_done(s.step, *fresh_);
    if (s.step.op == kOpRevokeRole) {
        auto role = direct_role(roles_, s.step.resource_id);
        done = role.empty();
        if (!done)
            s.step.role = role;
    }
    if (done) {
        s.state = "ok";
        s.already = !sent_before_restart;
        s.confirmed = sent_before_restart;
        s.error.clear();
        return persist(
            [id = run_.id, seq = u.seq, record = s, now = now_ms()](store::Database& db) {
                save_step(db, id, seq, record, now);
            },
            [self = shared_from_this(), user, step] { self->next_step(user, step + 1); });
    }
    if (cancel_requested_)
        return cancel_rest();  // sent before the restart and not in effect: not sent again
    s.state = "sent";
    persist([id = run_.id, seq = u.seq, record = s,
             now = now_ms()](store::Database& db) { save_step(db, id, seq, record, now); },
            [self = shared_from_this(), user, step] { self->send(user, step); });
}

void RunExecutor::send(std::size_t user, std::size_t step) {
    const Step& s = run_.users[user].steps[step].step;
    auto done = [self = shared_from_this(), user,
                 step](atlassian::Result<atlassian::MutationOutcome> r) {
        self->on_sent(user, step, std::move(r));
    };
    auto& c = *client_;
    if (s.op == kOpSuspend)
        c.suspend(s.directory_id, s.account_id, done);
    else if (s.op == kOpRestore)
        c.restore(s.directory_id, s.account_id, done);
    else if (s.op == kOpAddToGroup)
        c.add_to_group(s.directory_id, s.group_id, s.account_id, done);
    else if (s.op == kOpRemoveFromGroup)
        c.remove_from_group(s.directory_id, s.group_id, s.account_id, done);
    else if (s.op == kOpRevokeRole)
        c.revoke_user_role(s.account_id, s.role, s.resource_id, done);
    else if (s.op == kOpAssignRole)
        c.assign_user_role(s.account_id, s.role, s.resource_id, done);
    else if (s.op == kOpDeactivate)
        c.lifecycle_disable(s.account_id, "Your account was deactivated by your organization.",
                            done);
    else if (s.op == kOpReactivate)
        c.lifecycle_enable(s.account_id, done);
    else if (s.op == kOpRemoveFromDirectory)
        c.remove_from_directory(s.directory_id, s.account_id, done);
    else
        on_sent(user, step,
                atlassian::ApiError{atlassian::ApiError::Kind::parse, 0, "",
                                    "unknown operation " + s.op});
}

void RunExecutor::on_sent(std::size_t user, std::size_t step,
                          atlassian::Result<atlassian::MutationOutcome> r) {
    if (abandoned_)
        return;
    auto& u = run_.users[user];
    auto& s = u.steps[step];
    if (r) {
        s.state = "ok";
        s.already = r.value().already_in_state;
    } else {
        const auto& e = r.error();
        if (e.kind == atlassian::ApiError::Kind::cancelled)
            return;  // shutdown: stays 'sent', checked again on resume
        if (e.kind == atlassian::ApiError::Kind::auth_rejected)
            return fail_run("the API key was rejected (401): " + e.describe(), true);
        s.state = "failed";
        s.error = e.describe();
    }
    persist([id = run_.id, seq = u.seq, record = s,
             now = now_ms()](store::Database& db) { save_step(db, id, seq, record, now); },
            [self = shared_from_this(), user, step] { self->next_step(user, step + 1); });
}

void RunExecutor::finish_user(std::size_t user) {
    auto& u = run_.users[user];
    u.state = "done";
    fresh_.reset();
    persist([id = run_.id, record = u,
             now = now_ms()](store::Database& db) { save_user(db, id, record, now); },
            [self = shared_from_this(), user] {
                ++self->finished_;
                if (self->progress_)
                    self->progress_(self->run_.users[user], self->finished_,
                                    self->run_.users.size());
                self->next_user();
            });
}

void RunExecutor::skip_user(std::size_t user, const std::string& reason) {
    auto& u = run_.users[user];
    // A step sent before a restart makes this user's outcome failed (unknown), not skipped.
    u.state = has_sent(u) ? "done" : "skipped";
    u.reason = reason;
    for (auto& s : u.steps)
        if (s.state == "pending") {
            s.state = "skipped";
            s.error = reason;
        } else if (s.state == "sent") {
            s.state = "failed";
            s.error = kSentUnknown + reason;
        }
    persist([id = run_.id, record = u,
             now = now_ms()](store::Database& db) { save_user(db, id, record, now); },
            [self = shared_from_this(), user] {
                ++self->finished_;
                if (self->progress_)
                    self->progress_(self->run_.users[user], self->finished_,
                                    self->run_.users.size());
                self->next_user();
            });
}

void RunExecutor::fail_run(const std::string& error, bool key_rejected) {
    run_.error = error;
    key_rejected_ = key_rejected;
    // Nothing more is sent; what was not sent is recorded as skipped with the reason.
    for (auto& u : run_.users) {
        if (u.state != "planned")
            continue;
        bool touched = std::any_of(u.steps.begin(), u.steps.end(),
                                   [](const auto& s) { return s.state != "pending"; });
        for (auto& s : u.steps)
            if (s.state == "pending" || s.state == "sent") {
                s.state = s.state == "sent" ? "failed" : "skipped";
                s.error = error;
            }
        u.state = touched ? "done" : "skipped";
        if (!touched)
            u.reason = "not attempted: " + error;
    }
    persist(
        [id = run_.id, users = run_.users, now = now_ms()](store::Database& db) {
            for (const auto& u : users)
                save_user(db, id, u, now);
        },
        [self = shared_from_this()] { self->finish(); });
}

void RunExecutor::finish() {
    auto counts = run_.counts();
    bool cancelled =
        cancel_requested_ && std::any_of(run_.users.begin(), run_.users.end(), [](const auto& u) {
            return u.reason == "cancelled" || u.outcome() == "cancelled";
        });
    if (cancelled)
        run_.state = kRunCancelled;
    else if (!run_.error.empty() || (counts.failed > 0 && counts.ok == 0))
        run_.state = kRunFailed;
    else if (counts.failed > 0)
        run_.state = kRunPartiallyFailed;
    else if (counts.changed == 0)
        run_.state = kRunNothingToDo;  // every user skipped, or every operation already so
    else
        run_.state = kRunSucceeded;
    run_.finished_at = now_ms();
    persist(
        [id = run_.id, state = run_.state, finished = *run_.finished_at, error = run_.error](
            store::Database& db) { set_run_state(db, id, state, std::nullopt, finished, error); },
        [self = shared_from_this()] {
            if (self->done_)
                self->done_(self->run_, self->key_rejected_);
        });
}

}  // namespace rosterd::ops
