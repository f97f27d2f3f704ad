// `runs` (recent runs with their counts) and `runs.show` (one run in full).
#include <algorithm>

#include "ops_commands.hpp"
#include "ops_service.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/control/db_reply.hpp"

namespace rosterd::ops {
namespace {

void runs(OpsService& ops, const control::Request& request, std::shared_ptr<control::Reply> reply) {
    auto limit = std::clamp<std::int64_t>(request.int_arg("limit").value_or(20), 1, 1000);
    auto own_only = own_runs_only(request);
    ops.context().db.read(
        [limit, own_only](store::Database& db) {
            auto doc = std::make_shared<rapidjson::Document>(rapidjson::kObjectType);
            auto& a = doc->GetAllocator();
            rapidjson::Value runs(rapidjson::kArrayType);
            for (const auto& [run, counts] : list_runs(db, static_cast<int>(limit)))
                if (!own_only || run.caller_uid == *own_only)
                    runs.PushBack(run_summary_json(run, counts, a), a);
            doc->AddMember("runs", runs, a);
            return doc;
        },
        control::answer_with_document(reply));
}

void runs_show(OpsService& ops, const control::Request& request,
               std::shared_ptr<control::Reply> reply) {
    ops.context().db.read(
        [id = *request.string_arg("id"), own_only = own_runs_only(request)](store::Database& db) {
            auto run = load_run(db, id);
            if (own_only && run.caller_uid != *own_only)
                throw std::runtime_error("no run with id '" + id + "' in your scope");
            auto doc = std::make_shared<rapidjson::Document>();
            static_cast<rapidjson::Value&>(*doc) = run_json(run, doc->GetAllocator());
            return doc;
        },
        control::answer_with_document(reply));
}

}  // namespace

control::CommandSpec runs_command(OpsService& ops) {
    return {.name = control::cmd::kRuns,
            .summary = "Recent runs (bulk, task, undo) with their counts",
            .level = control::AccessLevel::viewer,
            .args = {{control::arg::kLimit, control::ArgType::integer, false,
                      "how many runs (default 20)"}},
            .handler = [&ops](const auto& request, auto reply) { runs(ops, request, reply); }};
}

control::CommandSpec runs_show_command(OpsService& ops) {
    return {.name = control::cmd::kRunsShow,
            .summary =
                "One run in full: every user and operation with its outcome (the audit "
                "document)",
            .level = control::AccessLevel::viewer,
            .args = {{control::arg::kId, control::ArgType::string, true, "the run id"}},
            .handler = [&ops](const auto& request, auto reply) { runs_show(ops, request, reply); }};
}

}  // namespace rosterd::ops
