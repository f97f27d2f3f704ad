// The mutation calls. Every POST carries a JSON body ({} when the action takes none).
#include "engine.hpp"
#include "request_bodies.hpp"
#include "rosterd/atlassian/parse.hpp"

namespace rosterd::atlassian {

namespace {

ApiRequest post(std::string path, std::string body = "{}") {
    ApiRequest request;
    request.method = "POST";
    request.path = std::move(path);
    request.body = std::move(body);
    return request;
}

ApiRequest del(std::string path) {
    ApiRequest request;
    request.method = "DELETE";
    request.path = std::move(path);
    return request;
}

std::string seg(const std::string& text) {
    return percent_encode_path_segment(text);
}

}  // namespace

void Client::suspend(std::string directory_id, std::string account_id, MutationCallback done) {
    impl_->mutate(post(impl_->directory(directory_id) + "/users/" + seg(account_id) + "/suspend"),
                  std::move(done));
}

void Client::restore(std::string directory_id, std::string account_id, MutationCallback done) {
    impl_->mutate(post(impl_->directory(directory_id) + "/users/" + seg(account_id) + "/restore"),
                  std::move(done));
}

void Client::remove_from_directory(std::string directory_id, std::string account_id,
                                   MutationCallback done) {
    impl_->mutate(del(impl_->directory(directory_id) + "/users/" + seg(account_id)),
                  std::move(done));
}

void Client::add_to_group(std::string directory_id, std::string group_id, std::string account_id,
                          MutationCallback done) {
    impl_->mutate(post(impl_->directory(directory_id) + "/groups/" + seg(group_id) + "/memberships",
                       json_object({{"accountId", account_id}})),
                  std::move(done));
}

void Client::remove_from_group(std::string directory_id, std::string group_id,
                               std::string account_id, MutationCallback done) {
    impl_->mutate(del(impl_->directory(directory_id) + "/groups/" + seg(group_id) +
                      "/memberships/" + seg(account_id)),
                  std::move(done));
}

void Client::assign_user_role(std::string account_id, std::string role, std::string resource,
                              MutationCallback done) {
    impl_->mutate(post(impl_->org_v1() + "/users/" + seg(account_id) + "/roles/assign",
                       json_object({{"role", role}, {"resource", resource}})),
                  std::move(done));
}

void Client::revoke_user_role(std::string account_id, std::string role, std::string resource,
                              MutationCallback done) {
    impl_->mutate(post(impl_->org_v1() + "/users/" + seg(account_id) + "/roles/revoke",
                       json_object({{"role", role}, {"resource", resource}})),
                  std::move(done));
}

void Client::assign_group_role(std::string directory_id, std::string group_id, std::string role,
                               std::string resource_id, MutationCallback done) {
    impl_->mutate(post(impl_->directory(directory_id) + "/groups/" + seg(group_id) +
                           "/role-assignments/assign",
                       json_object({{"resourceId", resource_id}, {"roleId", role}})),
                  std::move(done));
}

void Client::revoke_group_role(std::string directory_id, std::string group_id, std::string role,
                               std::string resource_id, MutationCallback done) {
    impl_->mutate(post(impl_->directory(directory_id) + "/groups/" + seg(group_id) +
                           "/role-assignments/revoke",
                       json_object({{"resourceId", resource_id}, {"roleId", role}})),
                  std::move(done));
}

void Client::lifecycle_disable(std::string account_id, std::string message, MutationCallback done) {
    // The user-management API lives at the gateway root, not under /admin.
    impl_->mutate(post("/users/" + seg(account_id) + "/manage/lifecycle/disable",
                       message.empty() ? "{}" : json_object({{"message", message}})),
                  std::move(done));
}

void Client::lifecycle_enable(std::string account_id, MutationCallback done) {
    impl_->mutate(post("/users/" + seg(account_id) + "/manage/lifecycle/enable"), std::move(done));
}

}  // namespace rosterd::atlassian
