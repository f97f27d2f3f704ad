#include "seat_alert_service.hpp"

#include <spdlog/spdlog.h>

#include "rosterd/base/json.hpp"
#include "rosterd/query/query.hpp"
#include "rosterd/seats/seat_alerts.hpp"

namespace rosterd::seats {
namespace {

namespace json = control::json;

std::map<std::string, AlertState> load_states(store::Database& db) {
    std::map<std::string, AlertState> out;
    auto s = db.prepare("SELECT resource_id, above, crossings FROM seat_alerts");
    while (s.step())
        out[s.text(0)] = {s.int64(1) != 0, s.int64(2)};
    return out;
}

void save_states(store::Database& db, const std::map<std::string, AlertState>& before,
                 const AlertStep& step, const std::vector<SeatLevel>& levels, std::int64_t now_ms) {
    auto& upsert = db.cached(
        "INSERT INTO seat_alerts (resource_id, product, site, above, crossings, changed_at) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(resource_id) DO UPDATE SET above = excluded.above, "
        "crossings = excluded.crossings, changed_at = excluded.changed_at");
    for (const auto& level : levels) {
        const auto& state = step.states.at(level.resource_id);
        auto old = before.find(level.resource_id);
        if (old != before.end() && old->second == state)
            continue;
        upsert.bind(1, level.resource_id)
            .bind(2, level.product)
            .bind(3, level.site)
            .bind(4, state.above ? 1 : 0)
            .bind(5, state.crossings)
            .bind(6, now_ms)
            .run();
    }
}

struct Evaluation {
    std::vector<std::pair<SeatLevel, std::int64_t>> above;
};

}  // namespace

SeatAlertService::SeatAlertService(DaemonContext& context, SyncControl& sync,
                                   notify::NoticeSink& notices)
    : context_(context), notices_(notices) {
    sync.on_success([this] { evaluate(); });
}

void SeatAlertService::start() {
    evaluate();
}

void SeatAlertService::evaluate() {
    if (stopping_)
        return;
    auto at_percent = context_.config->alerts.seats_at_percent;
    if (!at_percent)
        return;
    if (evaluating_) {
        evaluate_again_ = true;
        return;
    }
    evaluating_ = true;
    auto now = context_.clock.now().time_since_epoch().count();
    // The levels on a reader thread (the index is shared), the state change on the writer.
    context_.db.read(
        [snapshots = context_.snapshots](store::Database& db) {
            store::Transaction read(db, store::Transaction::Kind::deferred);
            return seat_levels(*snapshots->current(db));
        },
        [this, at = *at_percent, now](store::DbResult<std::vector<SeatLevel>> levels) {
            if (stopping_)
                return;
            if (!levels.ok()) {
                if (levels.error != query::kNoDataMessage)
                    spdlog::warn("alerts: cannot read the seats: {}", levels.error);
                return evaluated();
            }
            context_.db.write(
                [levels = std::move(*levels.value), at, now](store::Database& db) {
                    store::Transaction t(db);
                    auto before = load_states(db);
                    auto step = step_alerts(before, levels, at);
                    save_states(db, before, step, levels, now);
                    t.commit();
                    return Evaluation{std::move(step.above)};
                },
                [this, at](store::DbResult<Evaluation> r) {
                    if (stopping_)
                        return;
                    if (!r.ok()) {
                        spdlog::warn("alerts: cannot record the seat alerts: {}", r.error);
                        return evaluated();
                    }
                    near_ = static_cast<std::int64_t>(r.value->above.size());
                    // Counted once every event is in the outbox (status tells tests and people
                    // that this snapshot was judged).
                    auto pending = std::make_shared<std::size_t>(r.value->above.size() + 1);
                    auto one_done = [this, pending](bool) {
                        if (--*pending == 0) {
                            ++evaluations_;
                            evaluated();
                        }
                    };
                    for (const auto& [level, crossing] : r.value->above) {
                        Event event;
                        event.type = "seats_near_capacity";
                        event.facts = {{"product", level.product},
                                       {"product_name", query::product_display_name(level.product)},
                                       {"site", level.site},
                                       {"resource_id", level.resource_id},
                                       {"seats", std::to_string(level.seats)},
                                       {"capacity", std::to_string(level.capacity)},
                                       {"percent", std::to_string(percent_of_capacity(level))},
                                       {"at_percent", std::to_string(at)},
                                       {"crossing", std::to_string(crossing)}};
                        // Once per crossing: the key names it, the outbox keeps it.
                        notices_.emit_once(std::move(event),
                                           "seats_near_capacity:" + level.resource_id + ":" +
                                               std::to_string(crossing),
                                           one_done);
                    }
                    one_done(true);
                });
        });
}

void SeatAlertService::evaluated() {
    evaluating_ = false;
    if (evaluate_again_) {
        evaluate_again_ = false;
        evaluate();
    }
}

void SeatAlertService::write_status(rapidjson::Value& out,
                                    rapidjson::Document::AllocatorType& alloc) const {
    auto at = context_.config->alerts.seats_at_percent;
    json::add(out, "seats_at_percent", at ? std::optional<std::int64_t>(*at) : std::nullopt, alloc);
    json::add(out, "seats_near_capacity", near_, alloc);
    json::add(out, "evaluations", evaluations_, alloc);
}

}  // namespace rosterd::seats
