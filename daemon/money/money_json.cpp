// JSON of the seat history and of the savings (money amounts rounded to cents).
#include "money_json.hpp"

#include <cmath>

#include "rosterd/base/json.hpp"
#include "rosterd/query/json.hpp"

namespace rosterd::money {
namespace {

namespace json = control::json;

rapidjson::Value amount(const std::optional<double>& value, JsonAllocator& a) {
    return value ? json::value(std::round(*value * 100.0) / 100.0, a) : rapidjson::Value();
}

rapidjson::Value seats_json(const SeatCount& c, JsonAllocator& a) {
    rapidjson::Value out(rapidjson::kObjectType);
    json::add(out, "product", c.product, a);
    json::add(out, "site", c.site, a);
    json::add(out, "seats", c.seats, a);
    json::add(out, "monthly", amount(c.monthly, a), a);
    return out;
}

}  // namespace

rapidjson::Value history_json(const std::vector<HistoryPoint>& points, JsonAllocator& a) {
    rapidjson::Value list(rapidjson::kArrayType);
    for (const auto& p : points) {
        rapidjson::Value out(rapidjson::kObjectType);
        json::add(out, "at", query::format_instant_ms(p.at_ms), a);
        json::add(out, "at_ms", p.at_ms, a);
        json::add(out, "snapshot", p.snapshot_id, a);
        json::add(out, "product", p.product, a);
        json::add(out, "site", p.site, a);
        json::add(out, "inactive_days", p.inactive_days, a);
        json::add(out, "billable", p.billable, a);
        json::add(out, "active", p.active, a);
        json::add(out, "inactive", p.inactive, a);
        json::add(out, "capacity", p.capacity, a);
        json::add(out, "currency",
                  p.currency.empty() ? rapidjson::Value() : json::value(p.currency, a), a);
        json::add(out, "monthly_cost", amount(p.monthly_cost, a), a);
        json::add(out, "inactive_monthly_cost", amount(p.inactive_monthly_cost, a), a);
        list.PushBack(out, a);
    }
    return list;
}

rapidjson::Value savings_json(const Savings& s, JsonAllocator& a) {
    rapidjson::Value out(rapidjson::kObjectType);
    json::add(out, "currency", s.currency.empty() ? rapidjson::Value() : json::value(s.currency, a),
              a);
    json::add(out, "potential_monthly", amount(s.potential_monthly, a), a);
    json::add(out, "inactive_seats", s.inactive_seats, a);
    json::add(out, "realised_monthly", amount(s.realised_monthly, a), a);
    json::add(out, "realised_seats", s.realised_seats, a);
    rapidjson::Value products(rapidjson::kArrayType);
    for (const auto& c : s.by_product)
        products.PushBack(seats_json(c, a), a);
    json::add(out, "by_product", std::move(products), a);
    rapidjson::Value tasks(rapidjson::kArrayType);
    for (const auto& [task, c] : s.by_task) {
        rapidjson::Value t(rapidjson::kObjectType);
        json::add(t, "task", task.empty() ? rapidjson::Value() : json::value(task, a), a);
        json::add(t, "seats", c.seats, a);
        json::add(t, "monthly", amount(c.monthly, a), a);
        tasks.PushBack(t, a);
    }
    json::add(out, "by_task", std::move(tasks), a);
    rapidjson::Value runs(rapidjson::kArrayType);
    for (const auto& r : s.runs) {
        rapidjson::Value run(rapidjson::kObjectType);
        json::add(run, "run_id", r.run_id, a);
        json::add(run, "kind", r.kind, a);
        json::add(run, "task", r.task.empty() ? rapidjson::Value() : json::value(r.task, a), a);
        json::add(run, "state", r.state, a);
        json::add(run, "finished_at", query::format_instant_ms(r.finished_at), a);
        json::add(run, "seats", r.total_seats(), a);
        json::add(run, "monthly", amount(r.monthly(), a), a);
        rapidjson::Value by(rapidjson::kArrayType);
        for (const auto& c : r.seats)
            by.PushBack(seats_json(c, a), a);
        json::add(run, "by_product", std::move(by), a);
        runs.PushBack(run, a);
    }
    json::add(out, "runs", std::move(runs), a);
    return out;
}

}  // namespace rosterd::money
