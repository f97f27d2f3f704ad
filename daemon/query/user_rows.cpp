// A user's full row from the index: every site and product they hold, whatever the filter.
#include "rosterd/query/snapshot.hpp"

namespace rosterd::query {
namespace {

std::vector<std::string> split_roles(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        auto comma = text.find(',', start);
        if (comma == std::string::npos)
            comma = text.size();
        if (comma > start)
            out.push_back(text.substr(start, comma - start));
        start = comma + 1;
    }
    return out;
}

std::optional<std::int64_t> instant(std::int64_t ms) {
    return ms == kNoInstant ? std::nullopt : std::optional<std::int64_t>(ms);
}

}  // namespace

UserRow make_user_row(const SnapshotIndex& index, std::uint32_t user, const ActivityScope& scope) {
    const auto& u = index.users[user];
    UserRow row;
    row.account_id = u.account_id;
    row.name = u.name;
    row.nickname = u.nickname;
    row.email = u.email;
    row.status = index.text(u.status);
    row.account_type = index.text(u.account_type);
    row.account_status = index.text(u.account_status);
    row.membership_status = index.text(u.membership_status);
    row.claim_status = index.text(u.claim_status);
    row.management_source = index.text(u.management_source);
    row.directory_id = index.text(u.directory);
    row.added_to_org_ms = instant(u.added);
    row.platform_roles = split_roles(index.text(u.platform_roles));
    row.org_admin = u.org_admin;
    row.site_admin = u.site_admin;
    const bool scoped = scope.product || scope.site;
    std::int64_t scoped_latest = kNoInstant;
    for (auto i = u.access_begin; i < u.access_end; ++i) {
        const auto& a = index.access[i];
        const auto& p = index.products[a.product];
        row.access.push_back({p.resource_id, p.key, p.site, index.text(a.role), a.billable,
                              a.via_group ? "group" : "direct", instant(a.last_active)});
        if (!p.site.empty() && (row.sites.empty() || row.sites.back() != p.site))
            row.sites.push_back(p.site);  // rows are by site: equal hosts are adjacent
        if ((!scope.product || p.key == *scope.product) && (!scope.site || p.site == *scope.site))
            scoped_latest = std::max(scoped_latest, a.last_active);
    }
    for (auto i = u.groups_begin; i < u.groups_end; ++i) {
        const auto& g = index.groups[index.memberships[i]];
        row.groups.push_back({g.id, g.name});
    }
    row.last_active_ms = instant(scoped ? scoped_latest : u.last_active);
    return row;
}

}  // namespace rosterd::query
