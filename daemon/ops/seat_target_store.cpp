#include "seat_target_store.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "rosterd/base/json.hpp"
#include "rosterd/ops/run_store.hpp"

namespace rosterd::ops {
namespace {

namespace json = control::json;

std::string seats_of_text(const std::map<std::string, std::int64_t>& seats_of) {
    rapidjson::Document doc(rapidjson::kObjectType);
    for (const auto& [account, seats] : seats_of)
        json::add(doc, account, seats, doc.GetAllocator());
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    doc.Accept(writer);
    return buffer.GetString();
}

std::map<std::string, std::int64_t> parse_seats_of(const std::string& text) {
    std::map<std::string, std::int64_t> out;
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    if (doc.IsObject())
        for (const auto& m : doc.GetObject())
            if (m.value.IsInt64())
                out[m.name.GetString()] = m.value.GetInt64();
    return out;
}

}  // namespace

void save_seat_target(store::Database& db, const std::string& run_id, const SeatTargetOutcome& o) {
    db.prepare(
          "INSERT INTO run_seat_targets (run_id, product, site, target, seats, over, candidates, "
          "taken, freed, short_by, not_needed, user_seats) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
          "?, ?)")
        .bind(1, run_id)
        .bind(2, o.product)
        .bind(3, o.site)
        .bind(4, o.target)
        .bind(5, o.seats)
        .bind(6, o.over)
        .bind(7, o.candidates)
        .bind(8, o.taken)
        .bind(9, o.freed)
        .bind(10, o.short_by)
        .bind(11, o.not_needed)
        .bind(12, seats_of_text(o.seats_of))
        .run();
}

std::optional<SeatTargetOutcome> load_seat_target(store::Database& db, const std::string& run_id) {
    auto s = db.prepare(
        "SELECT product, site, target, seats, over, candidates, taken, freed, short_by, "
        "not_needed, user_seats FROM run_seat_targets WHERE run_id = ?");
    s.bind(1, run_id);
    if (!s.step())
        return std::nullopt;
    SeatTargetOutcome o;
    o.product = s.text(0);
    o.site = s.text(1);
    o.target = s.int64(2);
    o.seats = s.int64(3);
    o.over = s.int64(4);
    o.candidates = s.int64(5);
    o.taken = s.int64(6);
    o.freed = s.int64(7);
    o.short_by = s.int64(8);
    o.not_needed = s.int64(9);
    o.seats_of = parse_seats_of(s.text(10));
    return o;
}

std::int64_t seats_over_after(const RunRecord& run) {
    if (!run.seat_target)
        return 0;
    if (!run.apply)
        return run.seat_target->short_by;
    std::vector<std::string> ok;
    for (const auto& u : run.users)
        if (u.outcome() == UserOutcome::ok)
            ok.push_back(u.account_id);
    return seats_left_over(*run.seat_target, ok);
}

rapidjson::Value seat_target_json(const RunRecord& run, rapidjson::Document::AllocatorType& a) {
    rapidjson::Value out(rapidjson::kObjectType);
    if (!run.seat_target)
        return out;
    const auto& o = *run.seat_target;
    json::add(out, "product", o.product, a);
    json::add(out, "site", o.site.empty() ? std::optional<std::string>() : o.site, a);
    json::add(out, "target", o.target, a);
    json::add(out, "seats", o.seats, a);
    json::add(out, "over", o.over, a);
    json::add(out, "candidates", o.candidates, a);
    json::add(out, "taken", o.taken, a);
    json::add(out, "freed", o.freed, a);
    json::add(out, "not_needed", o.not_needed, a);
    json::add(out, "short_by", o.short_by, a);
    json::add(out, "too_few", o.short_by > 0, a);
    // Once an applying run ended, what its successful users actually freed counts.
    if (ended(run.state))
        json::add(out, "over_after", seats_over_after(run), a);
    return out;
}

}  // namespace rosterd::ops
