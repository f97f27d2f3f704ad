// `sync.history`: the recent rows of sync_runs (syncs and the refreshes after runs).
#include <algorithm>

#include "rosterd/base/json.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/control/db_reply.hpp"
#include "sync_commands.hpp"
#include "sync_service.hpp"

namespace rosterd::sync {
namespace {

namespace json = control::json;

void sync_history(SyncService& sync, const control::Request& request,
                  std::shared_ptr<control::Reply> reply) {
    auto limit = std::clamp<std::int64_t>(request.int_arg("limit").value_or(20), 1, 1000);
    sync.context().db.read(
        [limit](store::Database& db) {
            auto doc = std::make_shared<rapidjson::Document>(rapidjson::kObjectType);
            auto& a = doc->GetAllocator();
            rapidjson::Value runs(rapidjson::kArrayType);
            auto s = db.prepare(
                "SELECT id, trigger, started_at, finished_at, outcome, error, requests, "
                "retries, users, groups FROM sync_runs ORDER BY id DESC LIMIT ?");
            s.bind(1, limit);
            while (s.step()) {
                rapidjson::Value run(rapidjson::kObjectType);
                json::add(run, "id", s.int64(0), a);
                json::add(run, "trigger", s.text(1), a);
                json::add(run, "started_at", format_iso8601_s(s.int64(2)), a);
                json::add(run, "finished_at",
                          s.is_null(3) ? std::optional<std::string>()
                                       : std::optional<std::string>(format_iso8601_s(s.int64(3))),
                          a);
                json::add(run, "outcome", s.text(4), a);
                json::add(run, "error", s.optional_text(5), a);
                json::add(run, "requests", s.int64(6), a);
                json::add(run, "retries", s.int64(7), a);
                json::add(run, "users", s.optional_int64(8), a);
                json::add(run, "groups", s.optional_int64(9), a);
                runs.PushBack(run, a);
            }
            doc->AddMember("runs", runs, a);
            return doc;
        },
        control::answer_with_document(reply));
}

}  // namespace

control::CommandSpec sync_history_command(SyncService& sync) {
    return {.name = control::cmd::kSyncHistory,
            .summary = "Recent syncs: start, end, outcome, error, requests, retries, users, groups",
            .level = control::AccessLevel::viewer,
            .args = {{control::arg::kLimit, control::ArgType::integer, false,
                      "how many runs (default 20)"}},
            .handler = [&sync](const auto& request, auto reply) {
                sync_history(sync, request, reply);
            }};
}

}  // namespace rosterd::sync
