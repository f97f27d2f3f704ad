// The read calls: which path, which pagination style, which parser.
#include "engine.hpp"
#include "request_bodies.hpp"
#include "rosterd/atlassian/parse.hpp"

namespace rosterd::atlassian {

namespace {

template <typename T>
AsyncPageHandler<T> as_async(PageHandler<T> on_page) {
    return [on_page = std::move(on_page)](std::vector<T> page, std::function<void(bool)> resume) {
        on_page(page);
        resume(true);
    };
}

}  // namespace

Client::Client(asio::io_context& io, ClientConfig config)
    : impl_(std::make_shared<Impl>(io, std::move(config))) {}

Client::~Client() = default;

void Client::cancel() {
    impl_->cancel();
}

Stats Client::stats() const {
    return impl_->stats();
}

void Client::get_org(Callback<Org> done) {
    ApiRequest request;
    request.path = impl_->org_v1();
    impl_->fetch<Org>(std::move(request), parse_org, std::move(done));
}

void Client::list_orgs(Callback<std::vector<Org>> done) {
    // v1: links.next is an absolute URL; its cursor is re-encoded against our own api_base, so a
    // link pointing at another host never receives the key.
    PageSource<Org> source;
    source.request = [](const std::optional<std::string>& cursor) {
        ApiRequest request;
        request.path = "/admin/v1/orgs";
        request.query = QueryBuilder().add_cursor(cursor).str();
        return request;
    };
    source.parse = parse_orgs_page;
    impl_->collect<Org>(std::move(source), std::move(done));
}

void Client::list_domains(Callback<std::vector<std::string>> done) {
    PageSource<std::string> source;
    source.request = [path =
                          impl_->org_v1() + "/domains"](const std::optional<std::string>& cursor) {
        ApiRequest request;
        request.path = path;
        request.query = QueryBuilder().add_cursor(cursor).str();
        return request;
    };
    source.parse = parse_domains_page;
    impl_->collect<std::string>(std::move(source),
                                [done = std::move(done)](Result<std::vector<std::string>> r) {
                                    if (!r) {
                                        done(r.error());
                                        return;
                                    }
                                    std::vector<std::string> verified;
                                    for (auto& name : r.value())
                                        if (!name.empty())
                                            verified.push_back(std::move(name));
                                    done(std::move(verified));
                                });
}

void Client::list_workspaces(Callback<std::vector<Workspace>> done) {
    PageSource<Workspace> source;
    source.request = [path = impl_->org_v2() + "/workspaces", limit = impl_->config().page_limit](
                         const std::optional<std::string>& cursor) {
        ApiRequest request;
        request.method = "POST";
        request.path = path;
        request.body = workspaces_body(limit, cursor);
        return request;
    };
    source.parse = parse_workspaces_page;
    impl_->collect<Workspace>(std::move(source), std::move(done));
}

void Client::list_directories(Callback<std::vector<Directory>> done) {
    PageSource<Directory> source;
    source.request = [path = impl_->org_v2() + "/directories", limit = impl_->config().page_limit](
                         const std::optional<std::string>& cursor) {
        ApiRequest request;
        request.path = path;
        request.query = QueryBuilder()
                            .add("limit", std::to_string(clamp_page_limit(limit)))
                            .add_cursor(cursor)
                            .str();
        return request;
    };
    source.parse = parse_directories_page;
    impl_->collect<Directory>(std::move(source), std::move(done));
}

void Client::search_users(UserSearch search, PageHandler<DirectoryUser> on_page,
                          Callback<PageSummary> done) {
    search_users(std::move(search), as_async(std::move(on_page)), std::move(done));
}

void Client::search_users(UserSearch search, AsyncPageHandler<DirectoryUser> on_page,
                          Callback<PageSummary> done) {
    PageSource<DirectoryUser> source;
    const std::string path = impl_->directory(search.directory_id) + "/users/search";
    source.request = [path, search = std::move(search)](const std::optional<std::string>& cursor) {
        ApiRequest request;
        request.method = "POST";
        request.path = path;
        request.body = user_search_body(search, cursor);
        return request;
    };
    source.parse = parse_users_page;
    impl_->stream<DirectoryUser>(std::move(source), std::move(on_page), std::move(done));
}

void Client::count_users(UserSearch filter, Callback<std::int64_t> done) {
    ApiRequest request;
    request.path = impl_->directory(filter.directory_id) + "/users/count";
    request.query = user_count_query(filter);
    impl_->fetch<std::int64_t>(std::move(request), parse_count, std::move(done));
}

void Client::search_groups(GroupSearch search, PageHandler<Group> on_page,
                           Callback<PageSummary> done) {
    search_groups(std::move(search), as_async(std::move(on_page)), std::move(done));
}

void Client::search_groups(GroupSearch search, AsyncPageHandler<Group> on_page,
                           Callback<PageSummary> done) {
    PageSource<Group> source;
    const std::string path = impl_->directory(search.directory_id) + "/groups/search";
    source.request = [path, search = std::move(search)](const std::optional<std::string>& cursor) {
        ApiRequest request;
        request.method = "POST";
        request.path = path;
        request.body = group_search_body(search, cursor);
        return request;
    };
    source.parse = parse_groups_page;
    impl_->stream<Group>(std::move(source), std::move(on_page), std::move(done));
}

void Client::list_groups(GroupSearch search, Callback<std::vector<Group>> done) {
    auto all = std::make_shared<std::vector<Group>>();
    search_groups(std::move(search), PageHandler<Group>([all](const std::vector<Group>& page) {
                      all->insert(all->end(), page.begin(), page.end());
                  }),
                  [all, done = std::move(done)](Result<PageSummary> summary) {
                      if (!summary) {
                          done(summary.error());
                      } else {
                          done(std::move(*all));
                      }
                  });
}

void Client::get_group_roles(std::string directory_id, std::string group_id,
                             Callback<std::vector<GroupRoleAssignment>> done) {
    PageSource<GroupRoleAssignment> source;
    source.request = [path = impl_->directory(directory_id) + "/groups/" +
                             percent_encode_path_segment(group_id) + "/role-assignments",
                      limit =
                          impl_->config().page_limit](const std::optional<std::string>& cursor) {
        ApiRequest request;
        request.path = path;
        request.query = QueryBuilder()
                            .add("limit", std::to_string(clamp_page_limit(limit)))
                            .add_cursor(cursor)
                            .str();
        return request;
    };
    source.parse = parse_group_roles_page;
    impl_->collect<GroupRoleAssignment>(std::move(source), std::move(done));
}

void Client::get_user_roles(std::string account_id,
                            Callback<std::vector<UserRoleAssignment>> done) {
    PageSource<UserRoleAssignment> source;
    source.request = [path = impl_->directory(kAllDirectories) + "/users/" +
                             percent_encode_path_segment(account_id) + "/role-assignments",
                      limit =
                          impl_->config().page_limit](const std::optional<std::string>& cursor) {
        ApiRequest request;
        request.path = path;
        request.query = QueryBuilder()
                            .add("limit", std::to_string(clamp_page_limit(limit)))
                            .add_cursor(cursor)
                            .str();
        return request;
    };
    source.parse = parse_user_roles_page;
    impl_->collect<UserRoleAssignment>(std::move(source), std::move(done));
}

void Client::get_user(std::string account_id, Callback<DirectoryUser> done) {
    ApiRequest request;
    request.path =
        impl_->directory(kAllDirectories) + "/users/" + percent_encode_path_segment(account_id);
    impl_->fetch<DirectoryUser>(std::move(request), parse_user, std::move(done));
}

void Client::last_active_dates(std::string account_id, Callback<UserActivity> done) {
    // Usually one page; when links.next appears, the products of every page are merged.
    struct Merge {
        UserActivity activity;
        std::size_t pages = 0;
    };
    using Parsed = std::pair<UserActivity, std::optional<std::string>>;
    auto merged = std::make_shared<Merge>();
    PageSource<ProductActivity> source;
    source.request = [path = impl_->org_v1() + "/directory/users/" +
                             percent_encode_path_segment(account_id) +
                             "/last-active-dates"](const std::optional<std::string>& cursor) {
        ApiRequest request;
        request.path = path;
        request.query = QueryBuilder().add_cursor(cursor).str();
        request.paced = true;
        return request;
    };
    source.parse = [merged](std::string_view body) -> Result<Page<ProductActivity>> {
        Result<Parsed> parsed = parse_last_active_dates(body);
        if (!parsed)
            return parsed.error();
        if (parsed.value().first.added_to_org_ms) {
            merged->activity.added_to_org_ms = parsed.value().first.added_to_org_ms;
        }
        Page<ProductActivity> page;
        page.items = std::move(parsed.value().first.products);
        page.next_cursor = std::move(parsed.value().second);
        return page;
    };
    impl_->collect<ProductActivity>(
        std::move(source),
        [merged, done = std::move(done)](Result<std::vector<ProductActivity>> all) {
            if (!all) {
                done(all.error());
                return;
            }
            merged->activity.products = std::move(all).value();
            done(std::move(merged->activity));
        });
}

}  // namespace rosterd::atlassian
