#pragma once
// What the run executor asks of the Atlassian API, and nothing more: re-read users, read a user's
// roles, send one operation, stop. The executor holds this interface, so a unit test drives it
// with a scripted fake (tests/unit/ops_run_executor_test.cpp); the daemon gives it the real client
// (run_client_atlassian.cpp).
#include <asio/io_context.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "rosterd/atlassian/client.hpp"
#include "rosterd/atlassian/user_batch_read.hpp"
#include "rosterd/ops/plan.hpp"

namespace rosterd::ops {

class RunClient {
  public:
    virtual ~RunClient() = default;
    // Re-reads `users` (by email, then account id) with `expand`; `done` once, on the loop.
    virtual void read_users(std::vector<atlassian::UserToRead> users,
                            std::vector<std::string> expand,
                            std::function<void(atlassian::BatchReadResult)> done) = 0;
    virtual void get_user_roles(
        const std::string& account_id,
        atlassian::Callback<std::vector<atlassian::UserRoleAssignment>> done) = 0;
    // Sends `step` (its op names the API call); 409 "already so" is an outcome, not an error.
    virtual void send(const Step& step, atlassian::MutationCallback done) = 0;
    // Stops what is in flight; its callbacks get ApiError::Kind::cancelled.
    virtual void cancel() = 0;
};

// The real one: an atlassian::Client of its own with `config`.
std::unique_ptr<RunClient> make_atlassian_run_client(asio::io_context& loop,
                                                     atlassian::ClientConfig config);

}  // namespace rosterd::ops
