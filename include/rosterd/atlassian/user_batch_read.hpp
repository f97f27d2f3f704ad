#pragma once
// Reads a list of users, each named by account id, in as few users/search requests as the API
// allows. The v2 search takes at most 10 `accountIds` but 100 exact `emails`
// (MultiDirectoryUserSearchRequest), so users are first looked up by their last known email, 100
// a request, and only those not found there under their own account id (no email known, or it
// changed) by account id, 10 a request. A user is identified by account id alone: an email only
// narrows the search, and a result under another account id is ignored.
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "rosterd/atlassian/client.hpp"

namespace rosterd::atlassian {

inline constexpr std::size_t kMaxEmailsPerSearch = 100;      // emails: maxItems 100
inline constexpr std::size_t kMaxAccountIdsPerSearch = 10;   // accountIds: maxItems 10
inline constexpr std::size_t kMaxResourceIdsPerSearch = 20;  // resourceIds: maxItems 20

struct UserToRead {
    std::string account_id;
    std::string email;  // last known; empty: looked up by account id only
};

struct BatchReadResult {
    // Every user found, by account id; a user asked for and absent is not in the organization.
    std::unordered_map<std::string, DirectoryUser> found;
    // Set when a request failed for good (after the client's retries): `found` is incomplete.
    std::optional<ApiError> error;
};

// The users/search requests for `users`: email batches first, then what they leave to account ids
// (exposed for the unit tests: the number of requests a batch costs).
std::vector<std::vector<std::string>> email_batches(const std::vector<UserToRead>& users);

// Reads `users` with `expand` (platformRoles, productAccess, groups: what a sync reads) and calls
// `done` once on the client's loop. Requests of one pass go out together (the client keeps
// http.max_in_flight and the rate limit).
void read_users(Client& client, std::vector<UserToRead> users, std::vector<std::string> expand,
                std::function<void(BatchReadResult)> done);

}  // namespace rosterd::atlassian
