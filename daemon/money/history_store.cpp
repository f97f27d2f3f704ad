// The seat history table (schema 6): one row per product and site per successful sync, compacted
// to one per day after 30 days and kept for history.keep days.
#include <algorithm>

#include "rosterd/money/money.hpp"

namespace rosterd::money {

std::vector<HistoryPoint> history_points(const query::Dashboard& dashboard) {
    std::vector<HistoryPoint> points;
    for (const auto& product : dashboard.products)
        for (const auto& site : product.sites) {
            HistoryPoint p;
            p.product = product.product;
            p.site = site.site;
            p.at_ms = dashboard.snapshot.as_of_ms;
            p.snapshot_id = dashboard.snapshot.id;
            p.inactive_days = product.inactive_days;
            p.billable = site.total;
            p.active = site.active();
            p.inactive = site.inactive;
            p.capacity = site.capacity;
            if (site.monthly_cost) {
                p.currency = dashboard.currency;
                p.monthly_cost = site.monthly_cost;
                p.inactive_monthly_cost = site.inactive_monthly_cost;
            }
            points.push_back(std::move(p));
        }
    return points;
}

bool history_has(store::Database& db, std::int64_t snapshot_id) {
    // A few thousand rows at most (400 days, one a day, per product and site): a scan is cheap.
    auto q = db.prepare("SELECT 1 FROM seat_history WHERE snapshot_id = ? LIMIT 1");
    q.bind(1, snapshot_id);
    return q.step();
}

int record_history(store::Database& db, const std::vector<HistoryPoint>& points, int keep_days) {
    if (points.empty())
        return 0;
    store::Transaction transaction(db);
    // Points older than 30 days were compacted when they crossed that age, at an earlier
    // recording: only those that crossed it since the newest point before this one need it.
    std::int64_t previous = 0;
    auto newest = db.prepare("SELECT max(at) FROM seat_history");
    if (newest.step() && !newest.is_null(0))
        previous = newest.int64(0);
    auto insert = db.prepare(
        "INSERT OR IGNORE INTO seat_history (product, site, at, snapshot_id, inactive_days, "
        "billable, active, inactive, capacity, currency, monthly_cost, inactive_monthly_cost) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    int added = 0;
    std::int64_t at = 0;
    for (const auto& p : points) {
        insert.bind(1, p.product).bind(2, p.site).bind(3, p.at_ms).bind(4, p.snapshot_id);
        insert.bind(5, p.inactive_days).bind(6, p.billable).bind(7, p.active).bind(8, p.inactive);
        insert.bind(9, p.capacity);
        insert.bind(10, p.currency.empty() ? std::optional<std::string>() : p.currency);
        insert.bind(11, p.monthly_cost).bind(12, p.inactive_monthly_cost);
        insert.run();
        added += db.changes();
        insert.reset();
        at = std::max(at, p.at_ms);
    }
    // Older than 30 days: keep the last point of each UTC day (a later one the same day exists).
    // From the start of the day that held the previous cutoff.
    auto compact = db.prepare(
        "DELETE FROM seat_history WHERE at < ?1 AND at >= ?3 AND EXISTS (SELECT 1 FROM "
        "seat_history AS l WHERE l.product = seat_history.product AND l.site = "
        "seat_history.site AND l.at > seat_history.at AND l.at < (seat_history.at / ?2 + 1) * "
        "?2)");
    const std::int64_t from =
        previous > 0 ? (previous - kFullDetailMs) / kDayMs * kDayMs - kDayMs : 0;
    compact.bind(1, at - kFullDetailMs).bind(2, kDayMs).bind(3, from);
    compact.run();
    auto expire = db.prepare("DELETE FROM seat_history WHERE at < ?");
    expire.bind(1, at - static_cast<std::int64_t>(keep_days) * kDayMs);
    expire.run();
    transaction.commit();
    return added;
}

std::vector<HistoryPoint> read_history(store::Database& db, const HistoryQuery& query) {
    auto q = db.prepare(
        "SELECT product, site, at, snapshot_id, inactive_days, billable, active, inactive, "
        "capacity, currency, monthly_cost, inactive_monthly_cost FROM seat_history "
        "WHERE at >= ?1 AND (?2 IS NULL OR product = ?2) AND (?3 IS NULL OR site = ?3) "
        "ORDER BY at, product, site");
    q.bind(1, query.since_ms.value_or(0)).bind(2, query.product).bind(3, query.site);
    std::vector<HistoryPoint> out;
    while (q.step()) {
        HistoryPoint p;
        p.product = q.text(0);
        p.site = q.text(1);
        p.at_ms = q.int64(2);
        p.snapshot_id = q.int64(3);
        p.inactive_days = static_cast<int>(q.int64(4));
        p.billable = q.int64(5);
        p.active = q.int64(6);
        p.inactive = q.int64(7);
        p.capacity = q.optional_int64(8);
        p.currency = q.optional_text(9).value_or("");
        if (!q.is_null(10))
            p.monthly_cost = q.real(10);
        if (!q.is_null(11))
            p.inactive_monthly_cost = q.real(11);
        out.push_back(std::move(p));
    }
    return out;
}

namespace {

void add_into(HistoryPoint& sum, const HistoryPoint& p, bool first) {
    sum.billable += p.billable;
    sum.active += p.active;
    sum.inactive += p.inactive;
    if (first)
        sum.capacity = p.capacity;
    else if (sum.capacity && p.capacity)
        *sum.capacity += *p.capacity;
    else
        sum.capacity.reset();
    auto add_money = [&](std::optional<double>& total, const std::optional<double>& part) {
        if (part)
            total = total.value_or(0) + *part;
    };
    add_money(sum.monthly_cost, p.monthly_cost);
    add_money(sum.inactive_monthly_cost, p.inactive_monthly_cost);
    if (sum.currency.empty())
        sum.currency = p.currency;
}

}  // namespace

std::map<std::string, std::vector<HistoryPoint>> sum_history(
    const std::vector<HistoryPoint>& points, bool by_product) {
    std::map<std::string, std::vector<HistoryPoint>> out;
    auto add = [&](const std::string& key, const HistoryPoint& p) {
        auto& series = out[key];
        bool first = series.empty() || series.back().at_ms != p.at_ms;
        if (first) {
            HistoryPoint sum;
            sum.product = key;
            sum.at_ms = p.at_ms;
            sum.snapshot_id = p.snapshot_id;
            sum.inactive_days = p.inactive_days;
            series.push_back(sum);
        }
        add_into(series.back(), p, first);
    };
    for (const auto& p : points) {  // by time: each series grows in order
        add("", p);
        if (by_product)
            add(p.product, p);
    }
    return out;
}

}  // namespace rosterd::money
