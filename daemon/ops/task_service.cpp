#include "task_service.hpp"

#include <spdlog/spdlog.h>

#include "rosterd/base/json.hpp"
#include "rosterd/base/time_format.hpp"
#include "task_commands.hpp"

namespace rosterd::ops {
namespace {

namespace json = control::json;

constexpr auto kTick = std::chrono::seconds(1);

const date::time_zone* zone_of(const Config& config) {
    if (config.sync.timezone.empty())
        return system_time_zone();
    auto* zone = find_time_zone(config.sync.timezone, nullptr);
    return zone ? zone : system_time_zone();
}

std::string actions_of(const TaskConfig& task) {
    std::string out;
    for (const auto& a : task.actions)
        out += (out.empty() ? "" : " ") + to_string(a);
    return out;
}

}  // namespace

TaskService::TaskService(DaemonContext& context, OpsService& ops, SyncControl& sync)
    : context_(context),
      ops_(ops),
      sync_(sync),
      scheduler_(context.clock, zone_of(*context.config)),
      timer_(context.loop) {}

void TaskService::start() {
    context_.db.read(
        [](store::Database& db) {
            std::map<std::string, State> state;
            auto s = db.prepare("SELECT name, enabled, last_run_at FROM task_state");
            while (s.step()) {
                State st;
                if (!s.is_null(1))
                    st.enabled = s.int64(1) != 0;
                st.last_run_at = s.optional_int64(2);
                state[s.text(0)] = st;
            }
            return state;
        },
        [this](store::DbResult<std::map<std::string, State>> r) {
            if (stopping_)
                return;
            if (!r.ok())
                spdlog::error("tasks: cannot read the task state: {}", r.error);
            else
                state_ = std::move(*r.value);
            started_ = true;
            load_schedule();
            tick();
        });
}

bool TaskService::enabled(const TaskConfig& task) const {
    auto found = state_.find(task.name);
    if (found != state_.end() && found->second.enabled)
        return *found->second.enabled;
    return task.enabled;
}

const TaskConfig* TaskService::find(const std::string& name) const {
    for (const auto& t : context_.config->tasks)
        if (t.name == name)
            return &t;
    return nullptr;
}

void TaskService::load_schedule() {
    std::vector<ScheduledTask> tasks;
    for (const auto& t : context_.config->tasks) {
        ScheduledTask s{t.name, t.schedule, enabled(t), std::nullopt};
        auto found = state_.find(t.name);
        if (found != state_.end() && found->second.last_run_at)
            s.last_run = SysTime(std::chrono::milliseconds(*found->second.last_run_at));
        tasks.push_back(std::move(s));
    }
    scheduler_.set_tasks(std::move(tasks), zone_of(*context_.config));
}

void TaskService::apply_config(const Config&) {
    if (started_ && !stopping_)
        load_schedule();
}

void TaskService::stop() {
    stopping_ = true;
    timer_.cancel();
}

void TaskService::tick() {
    if (stopping_)
        return;
    for (const auto& name : scheduler_.due(sync_.running())) {
        const auto* task = find(name);
        if (!task)
            continue;
        if (in_flight_.count(name)) {
            spdlog::warn("tasks: {} is due but its previous run has not ended; skipped", name);
            continue;
        }
        spdlog::info("tasks: {} is due ({})", name, task->apply ? "apply" : "dry run");
        run_task(*task, task->apply, "rosterd (schedule)", std::nullopt, nullptr, "");
    }
    timer_.expires_after(kTick);
    timer_.async_wait([this](const std::error_code& ec) {
        if (!ec)
            tick();
    });
}

void TaskService::run_task(const TaskConfig& task, bool apply, const std::string& caller,
                           std::optional<std::int64_t> uid, std::shared_ptr<control::Reply> reply,
                           std::string reason, Scope scope) {
    std::shared_ptr<RunStage> stage;
    if (task.notice) {
        if (!stage_factory_) {
            spdlog::error("tasks: {} has a notice: block but no notice stage is available",
                          task.name);
            if (reply)
                reply->fail(control::kFailed, "the notice stage is not available");
            return;
        }
        stage = stage_factory_(task);
    }
    RunRequest r;
    r.stage = std::move(stage);
    r.kind = RunKind::task;
    r.task = task.name;
    r.command = "task " + task.name + " (schedule)";  // audited here when no one asked for it
    r.reason = reason.empty() ? task.reason : std::move(reason);
    r.apply = apply;
    r.actions = task.actions;
    r.filters = {task.filter};
    r.saved_filter = task.saved_filter;
    r.max_users = task.max_users.value_or(context_.config->ops.max_users);
    r.keep_at_most = task.keep_at_most;
    r.caller = caller;
    r.caller_uid = uid;
    // Tasks from the configuration run as the daemon, unscoped; a scoped caller's `tasks.run`
    // is refused unless every action and step lies in their scope.
    r.scope = std::move(scope);
    r.reply = std::move(reply);
    auto at = context_.clock.now();
    scheduler_.ran(task.name, at);
    in_flight_.insert(task.name);
    r.finished = [this, name = task.name, at](const RunRecord&) {
        in_flight_.erase(name);
        auto at_ms = at.time_since_epoch().count();
        state_[name].last_run_at = at_ms;
        context_.db.write(
            [name, at_ms](store::Database& db) {
                db.prepare(
                      "INSERT INTO task_state (name, last_run_at) VALUES (?, ?) "
                      "ON CONFLICT(name) DO UPDATE SET last_run_at = excluded.last_run_at")
                    .bind(1, name)
                    .bind(2, at_ms)
                    .run();
                return true;
            },
            [](store::DbResult<bool> r) {
                if (!r.ok())
                    spdlog::error("tasks: cannot record the last run: {}", r.error);
            });
    };
    ops_.submit(std::move(r));
}

void TaskService::write_status(rapidjson::Value& out,
                               rapidjson::Document::AllocatorType& alloc) const {
    json::add(out, "configured", context_.config->tasks.size(), alloc);
    std::size_t on = 0;
    for (const auto& t : context_.config->tasks)
        on += enabled(t) ? 1 : 0;
    json::add(out, "enabled", on, alloc);
    json::add(out, "running", in_flight_.size(), alloc);
}

void TaskService::register_commands(control::CommandRegistry& registry) {
    registry.add(tasks_command(*this));
    registry.add(tasks_run_command(*this));
    registry.add(tasks_enable_command(*this, true));
    registry.add(tasks_enable_command(*this, false));
}

std::vector<TaskService::Row> TaskService::rows() const {
    std::vector<Row> rows;
    for (const auto& t : context_.config->tasks) {
        auto next = scheduler_.next_due(t.name);
        rows.push_back(
            {t.name, t.saved_filter.empty() ? describe_user_filter(t.filter) : t.saved_filter,
             actions_of(t), t.schedule_text, std::string(mode_name(t.apply)), enabled(t),
             t.max_users.value_or(context_.config->ops.max_users),
             next ? std::optional<std::int64_t>(next->time_since_epoch().count()) : std::nullopt,
             scheduler_.pending(t.name)});
    }
    return rows;
}

const date::time_zone* TaskService::zone() const {
    return zone_of(*context_.config);
}

void TaskService::set_enabled(const std::string& name, bool on) {
    state_[name].enabled = on;
    scheduler_.set_enabled(name, on);
}

}  // namespace rosterd::ops
