#include "rosterd/atlassian/user_batch_read.hpp"
#include "rosterd/base/text.hpp"

#include <algorithm>
#include <cctype>
#include <memory>
#include <set>

namespace rosterd::atlassian {
namespace {

// One pass: every search of `searches` in flight together; `done` once all have answered.
struct Pass {
    std::size_t outstanding = 0;
    std::optional<ApiError> error;
    std::function<void()> done;
};

// The first error worth reporting: a rejected key or a cancellation says more than the rest.
void keep_error(std::optional<ApiError>& kept, const ApiError& e) {
    auto rank = [](const ApiError& x) {
        return x.kind == ApiError::Kind::auth_rejected ? 2
               : x.kind == ApiError::Kind::cancelled   ? 1
                                                       : 0;
    };
    if (!kept || rank(e) > rank(*kept))
        kept = e;
}

void run_pass(Client& client, std::vector<UserSearch> searches,
              std::shared_ptr<BatchReadResult> result,
              std::shared_ptr<std::set<std::string>> wanted, std::function<void()> then) {
    if (searches.empty())
        return then();
    auto pass = std::make_shared<Pass>();
    pass->outstanding = searches.size();
    pass->done = std::move(then);
    for (auto& search : searches)
        client.search_users(
            std::move(search),
            PageHandler<DirectoryUser>([result, wanted](const std::vector<DirectoryUser>& page) {
                for (const auto& u : page)
                    if (wanted->count(u.account_id))
                        result->found.insert_or_assign(u.account_id, u);
            }),
            [result, pass](Result<PageSummary> r) {
                if (!r)
                    keep_error(result->error, r.error());
                if (--pass->outstanding == 0)
                    pass->done();
            });
}

}  // namespace

std::vector<std::vector<std::string>> email_batches(const std::vector<UserToRead>& users) {
    std::vector<std::vector<std::string>> batches;
    std::set<std::string> seen;  // emails: uniqueItems
    for (const auto& u : users) {
        if (u.email.empty() || !seen.insert(lowercase(u.email)).second)
            continue;
        if (batches.empty() || batches.back().size() == kMaxEmailsPerSearch)
            batches.emplace_back();
        batches.back().push_back(u.email);
    }
    return batches;
}

void read_users(Client& client, std::vector<UserToRead> users, std::vector<std::string> expand,
                std::function<void(BatchReadResult)> done) {
    auto result = std::make_shared<BatchReadResult>();
    auto wanted = std::make_shared<std::set<std::string>>();
    for (const auto& u : users)
        wanted->insert(u.account_id);
    auto make = [&expand](std::size_t page) {
        UserSearch search;
        search.expand = expand;
        search.limit = static_cast<int>(std::max<std::size_t>(page, 1));
        return search;
    };
    std::vector<UserSearch> by_email;
    for (auto& batch : email_batches(users)) {
        auto search = make(batch.size());
        search.emails = std::move(batch);
        by_email.push_back(std::move(search));
    }
    // Second pass, once the first has answered: by account id, for whoever it did not find.
    auto second = [&client, users = std::move(users), expand, result, wanted,
                   done = std::move(done)]() mutable {
        if (result->error)
            return done(std::move(*result));
        std::vector<UserSearch> by_id;
        std::set<std::string> asked;
        for (const auto& u : users) {
            if (result->found.count(u.account_id) || !asked.insert(u.account_id).second)
                continue;
            if (by_id.empty() || by_id.back().account_ids.size() == kMaxAccountIdsPerSearch) {
                UserSearch search;
                search.expand = expand;
                search.limit = static_cast<int>(kMaxAccountIdsPerSearch);
                by_id.push_back(std::move(search));
            }
            by_id.back().account_ids.push_back(u.account_id);
        }
        run_pass(client, std::move(by_id), result, wanted,
                 [result, done = std::move(done)] { done(std::move(*result)); });
    };
    run_pass(client, std::move(by_email), result, wanted, std::move(second));
}

}  // namespace rosterd::atlassian
