// The run executor's API calls on a real atlassian::Client: each operation of a plan is one call.
#include "run_client.hpp"

namespace rosterd::ops {
namespace {

class AtlassianRunClient final : public RunClient {
  public:
    AtlassianRunClient(asio::io_context& loop, atlassian::ClientConfig config)
        : client_(loop, std::move(config)) {}

    void read_users(std::vector<atlassian::UserToRead> users, std::vector<std::string> expand,
                    std::function<void(atlassian::BatchReadResult)> done) override {
        atlassian::read_users(client_, std::move(users), std::move(expand), std::move(done));
    }
    void get_user_roles(
        const std::string& account_id,
        atlassian::Callback<std::vector<atlassian::UserRoleAssignment>> done) override {
        client_.get_user_roles(account_id, std::move(done));
    }
    void send(const Step& s, atlassian::MutationCallback done) override {
        auto& c = client_;
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
            done(atlassian::ApiError{atlassian::ApiError::Kind::parse, 0, "",
                                     "unknown operation " + s.op});
    }
    void cancel() override { client_.cancel(); }

  private:
    atlassian::Client client_;
};

}  // namespace

std::unique_ptr<RunClient> make_atlassian_run_client(asio::io_context& loop,
                                                     atlassian::ClientConfig config) {
    return std::make_unique<AtlassianRunClient>(loop, std::move(config));
}

}  // namespace rosterd::ops
