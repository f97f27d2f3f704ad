#include "ops_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "rosterd/base/json.hpp"
#include "run_planner.hpp"

namespace rosterd::ops {

OpsService::OpsService(DaemonContext& context, keys::KeyGate& keys, SyncControl& sync)
    : context_(context),
      keys_(keys),
      supervisor_(context, keys, sync, [this] { queue_.pump(); }),
      queue_(context, sync,
             {.applying = [this] { return supervisor_.applying(); },
              .plan = [this](RunRequest request) { plan(std::move(request)); },
              .refuse =
                  [this](RunRequest request, std::string message) {
                      supervisor_.refuse(std::move(request), control::kFailed, message);
                  }}) {}

OpsService::~OpsService() {
    stop();
}

void OpsService::start() {
    supervisor_.resume_journal([this](RunRequest request) { submit(std::move(request)); });
}

void OpsService::stop() {
    if (stopping_)
        return;
    stopping_ = true;
    supervisor_.stop();
    queue_.stop();
}

void OpsService::submit(RunRequest request) {
    if (stopping_) {
        if (request.reply)
            request.reply->fail(control::kUnavailable, "rosterd is shutting down");
        return;
    }
    queue_.push(std::move(request));
}

void OpsService::plan(RunRequest request) {
    PlanInputs in{context_.clock.now().time_since_epoch().count(), context_.config->protect,
                  context_.snapshots};
    auto shared = std::make_shared<RunRequest>(std::move(request));
    context_.db.read([r = shared, in](store::Database& db) { return plan_run(db, *r, in); },
                     [this, shared](store::DbResult<std::shared_ptr<Planned>> r) {
                         queue_.planned();
                         if (stopping_)
                             return;
                         std::shared_ptr<Planned> planned;
                         if (r.ok()) {
                             planned = *r.value;
                         } else {
                             planned = std::make_shared<Planned>();
                             planned->error = r.error;
                         }
                         on_planned(std::move(*shared), std::move(planned));
                         queue_.pump();
                     });
}

void OpsService::on_planned(RunRequest request, std::shared_ptr<Planned> planned) {
    if (!planned->error.empty())
        return supervisor_.refuse(std::move(request), planned->code, planned->error,
                                  planned->snapshot_id);
    ExecutorSetup setup;
    setup.base = planned->index;
    setup.protect = context_.config->protect;
    setup.filter_now_ms = planned->now_ms;

    if (request.resuming()) {
        RunRecord run = std::move(planned->resumed);
        // An undo acts on the users of the run it reverses, whatever they match now.
        setup.filters =
            run.kind == RunKind::undo ? std::vector<UserFilter>{} : filters_of(run.selection);
        setup.recheck_protection = run.kind != RunKind::undo;
        request.kind = run.kind;
        request.task = run.task;
        request.apply = true;
        return supervisor_.resume(std::move(request), std::move(run), std::move(setup));
    }

    // The admin approved the size of the run an undo reverses when they applied it.
    if (request.kind == RunKind::undo)
        request.max_users = std::max(request.max_users, planned->undo_allowance);
    RunRecord run = new_run(request, planned->now_ms);
    run.snapshot_id = planned->snapshot_id;
    run.users = records_of(planned->plan);
    run.seat_target = planned->seat_target;
    if (request.reply)
        request.reply->note("run_id", run.id);
    admit(run, request, planned->plan, [this] {
        auto lease = keys_.acquire();
        return lease.key ? std::string() : lease.refusal;
    });
    setup.filters = request.kind == RunKind::undo ? std::vector<UserFilter>{} : request.filters;
    setup.recheck_protection = request.kind != RunKind::undo;
    supervisor_.journal(std::move(request), std::move(run), std::move(setup));
}

void OpsService::write_status(rapidjson::Value& out,
                              rapidjson::Document::AllocatorType& alloc) const {
    namespace json = control::json;
    const auto* active = supervisor_.active();
    json::add(out, "queued", queue_.size(), alloc);
    json::add(out, "active_run",
              active ? std::optional<std::string>(active->run().id) : std::nullopt, alloc);
    if (active) {
        json::add(out, "active_done", active->finished_users(), alloc);
        json::add(out, "active_total", active->run().users.size(), alloc);
    }
    json::add(out, "max_users", context_.config->ops.max_users, alloc);
    json::add(out, "protected_users", context_.config->protect.users.size(), alloc);
    json::add(out, "protected_groups", context_.config->protect.groups.size(), alloc);
    json::add(out, "protected_domains", context_.config->protect.domains.size(), alloc);
}

}  // namespace rosterd::ops
