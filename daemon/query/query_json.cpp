// Renders query results as the JSON the control commands answer with.
#include <cmath>

#include "rosterd/base/json.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/base/units.hpp"
#include "rosterd/query/json.hpp"

namespace rosterd::query {
namespace {

namespace json = control::json;

double percent(std::int64_t part, std::int64_t whole) {
    if (whole <= 0)
        return 0.0;
    return std::round(static_cast<double>(part) * 1000.0 / static_cast<double>(whole)) / 10.0;
}

double money(double amount) {
    return std::round(amount * 100.0) / 100.0;
}

void put_digits(char* out, std::int64_t value, int width) {
    for (int i = width - 1; i >= 0; --i) {
        out[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
}

rapidjson::Value cost_json(const std::optional<double>& amount, JsonAllocator& a) {
    return amount ? json::value(money(*amount), a) : rapidjson::Value();
}

rapidjson::Value site_json(const SiteFigures& s, bool priced, JsonAllocator& a) {
    rapidjson::Value out(rapidjson::kObjectType);
    json::add(out, "site", s.site, a);
    json::add(out, "total", s.total, a);
    json::add(out, "active", s.active(), a);
    json::add(out, "inactive", s.inactive, a);
    json::add(out, "inactive_pct", percent(s.inactive, s.total), a);
    json::add(out, "capacity", s.capacity, a);
    if (priced) {
        json::add(out, "monthly_seat_price", s.monthly_seat_price, a);
        json::add(out, "monthly_cost", cost_json(s.monthly_cost, a), a);
        json::add(out, "inactive_monthly_cost", cost_json(s.inactive_monthly_cost, a), a);
    }
    return out;
}

}  // namespace

std::string format_instant_ms(std::int64_t ms) {
    std::int64_t days = ms / kDayMs, rest = ms % kDayMs;
    if (rest < 0) {
        rest += kDayMs;
        --days;
    }
    // Civil date from days since 1970-01-01 (H. Hinnant's days_from_civil, inverted).
    const std::int64_t z = days + 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    const std::int64_t day = doy - (153 * mp + 2) / 5 + 1;
    const std::int64_t month = mp < 10 ? mp + 3 : mp - 9;
    const std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    if (year < 0 || year > 9999)
        return format_iso8601_ms(ms);
    std::string out = "0000-00-00T00:00:00.000Z";
    put_digits(&out[0], year, 4);
    put_digits(&out[5], month, 2);
    put_digits(&out[8], day, 2);
    put_digits(&out[11], rest / 3'600'000, 2);
    put_digits(&out[14], rest / 60'000 % 60, 2);
    put_digits(&out[17], rest / 1000 % 60, 2);
    put_digits(&out[20], rest % 1000, 3);
    return out;
}

rapidjson::Value instant_json(const std::optional<std::int64_t>& ms, JsonAllocator& a) {
    return ms ? json::value(format_instant_ms(*ms), a) : rapidjson::Value();
}

void add_snapshot_fields(rapidjson::Value& out, const SnapshotInfo& snapshot, std::int64_t now_ms,
                         JsonAllocator& a) {
    json::add(out, "snapshot", snapshot.id, a);
    json::add(out, "as_of", format_instant_ms(snapshot.as_of_ms), a);
    json::add(out, "age_s", (now_ms - snapshot.as_of_ms) / 1000, a);
    json::add(out, "now", format_instant_ms(now_ms), a);
    json::add(out, "now_ms", now_ms, a);
}

rapidjson::Value dashboard_json(const Dashboard& d, JsonAllocator& a) {
    rapidjson::Value out(rapidjson::kObjectType);
    add_snapshot_fields(out, d.snapshot, d.now_ms, a);
    json::add(out, "site", d.site, a);
    json::add(out, "inactive_days", d.inactive_days, a);
    const bool priced = !d.currency.empty();
    if (priced)
        json::add(out, "currency", d.currency, a);
    double total_cost = 0;
    rapidjson::Value products(rapidjson::kArrayType);
    for (const auto& p : d.products) {
        rapidjson::Value product(rapidjson::kObjectType);
        json::add(product, "product", p.product, a);
        json::add(product, "name", p.name, a);
        json::add(product, "inactive_days", p.inactive_days, a);
        json::add(product, "total", p.total, a);
        json::add(product, "active", p.active(), a);
        json::add(product, "inactive", p.inactive, a);
        json::add(product, "inactive_pct", percent(p.inactive, p.total), a);
        json::add(product, "capacity", p.capacity, a);
        if (priced) {
            json::add(
                product, "pricing",
                p.pricing_model.empty() ? rapidjson::Value() : json::value(p.pricing_model, a), a);
            json::add(product, "monthly_seat_price", p.monthly_seat_price, a);
            json::add(product, "monthly_cost", cost_json(p.monthly_cost, a), a);
            json::add(product, "inactive_monthly_cost", cost_json(p.inactive_monthly_cost, a), a);
            total_cost += p.inactive_monthly_cost.value_or(0);
        }
        rapidjson::Value sites(rapidjson::kArrayType);
        for (const auto& s : p.sites)
            sites.PushBack(site_json(s, priced, a), a);
        json::add(product, "sites", std::move(sites), a);
        products.PushBack(product, a);
    }
    json::add(out, "products", std::move(products), a);
    if (priced)
        json::add(out, "inactive_monthly_cost", money(total_cost), a);
    return out;
}

rapidjson::Value user_row_json(const SnapshotIndex& index, std::uint32_t user,
                               const ActivityScope& scope, JsonAllocator& a) {
    const auto& u = index.users[user];
    auto instant = [&](std::int64_t ms) {
        return ms == kNoInstant ? rapidjson::Value() : json::value(format_instant_ms(ms), a);
    };
    rapidjson::Value out(rapidjson::kObjectType);
    json::add(out, "account_id", u.account_id, a);
    json::add(out, "name", u.name, a);
    json::add(out, "email", u.email, a);
    json::add(out, "status", index.text(u.status), a);
    json::add(out, "account_type", index.text(u.account_type), a);
    rapidjson::Value sites(rapidjson::kArrayType);
    rapidjson::Value products(rapidjson::kArrayType);
    const bool scoped = scope.product || scope.site;
    std::int64_t scoped_latest = kNoInstant;
    const std::string* last_site = nullptr;
    for (auto i = u.access_begin; i < u.access_end; ++i) {
        const auto& access = index.access[i];
        const auto& p = index.products[access.product];
        // Rows are ordered by site, so each host appears once, in order.
        if (!p.site.empty() && (!last_site || *last_site != p.site)) {
            json::push(sites, p.site, a);
            last_site = &p.site;
        }
        rapidjson::Value product(rapidjson::kObjectType);
        json::add(product, "product", p.key, a);
        json::add(product, "site", p.site, a);
        json::add(product, "role", index.text(access.role), a);
        json::add(product, "billable", access.billable, a);
        json::add(product, "last_active", instant(access.last_active), a);
        products.PushBack(product, a);
        if ((!scope.product || p.key == *scope.product) && (!scope.site || p.site == *scope.site))
            scoped_latest = std::max(scoped_latest, access.last_active);
    }
    json::add(out, "sites", std::move(sites), a);
    json::add(out, "products", std::move(products), a);
    rapidjson::Value groups(rapidjson::kArrayType);
    for (auto i = u.groups_begin; i < u.groups_end; ++i)
        json::push(groups, index.groups[index.memberships[i]].name, a);
    json::add(out, "groups", std::move(groups), a);
    json::add(out, "last_active", instant(scoped ? scoped_latest : u.last_active), a);
    json::add(out, "added_to_org", instant(u.added), a);
    return out;
}

rapidjson::Value user_detail_json(const UserRow& row, JsonAllocator& a) {
    rapidjson::Value out(rapidjson::kObjectType);
    json::add(out, "account_id", row.account_id, a);
    json::add(out, "name", row.name, a);
    json::add(out, "nickname", row.nickname, a);
    json::add(out, "email", row.email, a);
    json::add(out, "status", row.status, a);
    json::add(out, "account_type", row.account_type, a);
    json::add(out, "account_status", row.account_status, a);
    json::add(out, "membership_status", row.membership_status, a);
    json::add(out, "claim_status", row.claim_status, a);
    json::add(out, "management_source", row.management_source, a);
    json::add(out, "directory_id",
              row.directory_id.empty() ? std::optional<std::string>() : row.directory_id, a);
    json::add(out, "added_to_org", instant_json(row.added_to_org_ms, a), a);
    json::add(out, "last_active", instant_json(row.last_active_ms, a), a);
    json::add(out, "org_admin", row.org_admin, a);
    json::add(out, "site_admin", row.site_admin, a);
    rapidjson::Value roles(rapidjson::kArrayType);
    for (const auto& r : row.platform_roles)
        json::push(roles, r, a);
    json::add(out, "platform_roles", std::move(roles), a);
    rapidjson::Value sites(rapidjson::kArrayType);
    for (const auto& s : row.sites)
        json::push(sites, s, a);
    json::add(out, "sites", std::move(sites), a);
    rapidjson::Value access(rapidjson::kArrayType);
    for (const auto& x : row.access) {
        rapidjson::Value p(rapidjson::kObjectType);
        json::add(p, "product", x.product, a);
        json::add(p, "name", product_display_name(x.product), a);
        json::add(p, "site", x.site, a);
        json::add(p, "resource_id", x.resource_id, a);
        json::add(p, "role", x.role, a);
        json::add(p, "billable", x.billable, a);
        json::add(p, "via", x.via, a);
        json::add(p, "last_active", instant_json(x.last_active_ms, a), a);
        access.PushBack(p, a);
    }
    json::add(out, "products", std::move(access), a);
    rapidjson::Value groups(rapidjson::kArrayType);
    for (const auto& g : row.groups) {
        rapidjson::Value group(rapidjson::kObjectType);
        json::add(group, "id", g.id, a);
        json::add(group, "name", g.name, a);
        groups.PushBack(group, a);
    }
    json::add(out, "groups", std::move(groups), a);
    return out;
}

}  // namespace rosterd::query
