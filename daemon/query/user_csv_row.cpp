// One user's CSV record straight from the snapshot index, for exports rendered by the daemon: the
// same text as csv_record(user_csv_cells(user_row_json(...))), which rosterctl used to build from
// each page's JSON (500k users: a JSON tree, its text and a parse per row on both ends).
#include "rosterd/query/csv.hpp"
#include "rosterd/query/json.hpp"

namespace rosterd::query {
namespace {

void append_instant(std::string& out, std::int64_t ms) {
    if (ms != kNoInstant)
        out += format_instant_ms(ms);  // digits, '-', ':', '.', 'T', 'Z': never quoted
}

}  // namespace

void append_user_csv(const SnapshotIndex& index, std::uint32_t user, const ActivityScope& scope,
                     std::string& out) {
    const auto& u = index.users[user];
    auto field = [&](std::string_view text) {
        append_csv_field(out, text);
        out += ',';
    };
    field(u.account_id);
    field(u.name);
    field(u.email);
    field(index.text(u.status));
    field(index.text(u.account_type));

    // Sites (each host once: access rows come by site) and products, "product@site:role".
    std::string sites, products;
    const std::string* last_site = nullptr;
    const bool scoped = scope.product || scope.site;
    std::int64_t scoped_latest = kNoInstant;
    for (auto i = u.access_begin; i < u.access_end; ++i) {
        const auto& access = index.access[i];
        const auto& p = index.products[access.product];
        if (!p.site.empty() && (!last_site || *last_site != p.site)) {
            if (!sites.empty())
                sites += "; ";
            sites += p.site;
            last_site = &p.site;
        }
        if (!products.empty())
            products += "; ";
        products += p.key;
        products += '@';
        products += p.site;
        products += ':';
        products += short_role_name(index.text(access.role));
        if ((!scope.product || p.key == *scope.product) && (!scope.site || p.site == *scope.site))
            scoped_latest = std::max(scoped_latest, access.last_active);
    }
    field(sites);
    field(products);

    std::string groups;
    for (auto i = u.groups_begin; i < u.groups_end; ++i) {
        if (!groups.empty())  // as user_csv_cells joins them
            groups += "; ";
        groups += index.groups[index.memberships[i]].name;
    }
    field(groups);
    append_instant(out, scoped ? scoped_latest : u.last_active);
    out += ',';
    append_instant(out, u.added);
    out += "\r\n";
}

}  // namespace rosterd::query
