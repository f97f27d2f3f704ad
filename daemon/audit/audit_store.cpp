#include "rosterd/audit/audit.hpp"

#include <charconv>

#include "rosterd/base/json.hpp"
#include "rosterd/base/time_format.hpp"

namespace rosterd::audit {
namespace {

namespace json = control::json;

std::optional<std::string> null_if_empty(const std::string& text) {
    return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

std::optional<std::int64_t> as_uid(const std::string& text) {
    std::int64_t uid = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), uid);
    if (ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return uid;
}

}  // namespace

void append(store::Database& db, const Entry& e) {
    db.cached(
          "INSERT INTO audit_log (at, caller, caller_uid, caller_level, command, args, outcome, "
          "run_id, detail, caller_scope) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, e.at)
        .bind(2, e.caller)
        .bind(3, e.caller_uid)
        .bind(4, null_if_empty(e.caller_level))
        .bind(5, e.command)
        .bind(6, e.args)
        .bind(7, e.outcome)
        .bind(8, null_if_empty(e.run_id))
        .bind(9, e.detail)
        .bind(10, null_if_empty(e.caller_scope))
        .run();
}

std::vector<Entry> read(store::Database& db, const Query& q) {
    // Runs name their caller "alice (uid 1000)" (as rows before schema 5 did): matched too.
    std::string sql =
        "SELECT id, at, caller, caller_uid, coalesce(caller_level, ''), command, args, outcome, "
        "coalesce(run_id, ''), detail, coalesce(caller_scope, '') FROM audit_log WHERE at >= ?1 "
        "AND (?2 = '' OR caller = ?2 OR substr(caller, 1, length(?2) + 6) = ?2 || ' (uid ' "
        "OR caller_uid = ?3) "
        "AND (?4 = '' OR command = ?4 OR (substr(?4, -1) = '.' AND substr(command, 1, "
        "length(?4)) = ?4)) ORDER BY at DESC, id DESC LIMIT ?5";
    auto s = db.prepare(sql);
    s.bind(1, q.since_ms.value_or(0));
    s.bind(2, q.user);
    s.bind(3, as_uid(q.user));
    s.bind(4, q.command);
    s.bind(5, std::int64_t{q.limit});
    std::vector<Entry> out;
    while (s.step()) {
        Entry e;
        e.id = s.int64(0);
        e.at = s.int64(1);
        e.caller = s.text(2);
        e.caller_uid = s.optional_int64(3);
        e.caller_level = s.text(4);
        e.command = s.text(5);
        e.args = s.text(6);
        e.outcome = s.text(7);
        e.run_id = s.text(8);
        e.detail = s.text(9);
        e.caller_scope = s.text(10);
        out.push_back(std::move(e));
    }
    return out;
}

rapidjson::Value to_json(const Entry& e, rapidjson::Document::AllocatorType& a) {
    rapidjson::Value out(rapidjson::kObjectType);
    json::add(out, "id", e.id, a);
    json::add(out, "at", format_iso8601_s(e.at), a);
    json::add(out, "caller", e.caller, a);
    json::add(out, "caller_uid", e.caller_uid, a);
    json::add(out, "caller_level", null_if_empty(e.caller_level), a);
    json::add(out, "caller_scope", null_if_empty(e.caller_scope), a);
    json::add(out, "command", e.command, a);
    rapidjson::Document args;
    args.Parse(e.args.c_str());
    rapidjson::Value copied(rapidjson::kObjectType);
    if (!args.HasParseError() && args.IsObject())
        copied.CopyFrom(args, a);
    json::add(out, "args", std::move(copied), a);
    json::add(out, "outcome", e.outcome, a);
    json::add(out, "run_id", null_if_empty(e.run_id), a);
    json::add(out, "detail", e.detail, a);
    return out;
}

}  // namespace rosterd::audit
