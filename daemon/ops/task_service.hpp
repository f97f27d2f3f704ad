#pragma once
// Automated tasks (`tasks:`): a one-second tick asks the TaskScheduler which tasks are due and
// submits them as runs (never during a sync: the scheduler holds them until it ends); the tasks
// commands; enable/disable persisted in task_state, so it survives restarts and reloads.
#include <asio/steady_timer.hpp>

#include <map>
#include <set>

#include "ops_service.hpp"
#include "task_scheduler.hpp"

namespace rosterd::ops {

class TaskService final : public Subsystem {
  public:
    TaskService(DaemonContext& context, OpsService& ops, SyncControl& sync);

    std::string_view name() const override { return "tasks"; }
    void register_commands(control::CommandRegistry& registry) override;
    void start() override;
    void write_status(rapidjson::Value& out,
                      rapidjson::Document::AllocatorType& alloc) const override;
    void apply_config(const Config& config) override;
    void stop() override;

    // Makes the notice stage of a task with a notice: block (issue 17). Without one such a task
    // does not run: acting without the notice stage would skip the grace period.
    using StageFactory = std::function<std::shared_ptr<RunStage>(const TaskConfig&)>;
    void set_stage_factory(StageFactory factory) { stage_factory_ = std::move(factory); }

    // For the tasks commands (task_command_*.cpp).
    // One line of `tasks`, as the loop knows it (the last run is read from the journal).
    struct Row {
        std::string name, filter, actions, schedule, mode;
        bool enabled;
        std::optional<std::int64_t> max_users, next_ms;
        bool pending;
    };
    std::vector<Row> rows() const;
    const date::time_zone* zone() const;  // sync.timezone: tasks' schedules are in it
    const TaskConfig* find(const std::string& name) const;
    void run_task(const TaskConfig& task, bool apply, const std::string& caller,
                  std::optional<std::int64_t> uid, std::shared_ptr<control::Reply> reply,
                  std::string reason, Scope scope = Scope::unscoped_scope());
    // rosterctl tasks enable|disable, on the loop (the caller persists it: task_store.hpp).
    void set_enabled(const std::string& name, bool on);
    DaemonContext& context() { return context_; }

  private:
    struct State {
        std::optional<bool> enabled;  // rosterctl tasks enable|disable
        std::optional<std::int64_t> last_run_at;
    };
    void load_schedule();
    void tick();
    bool enabled(const TaskConfig& task) const;

    DaemonContext& context_;
    OpsService& ops_;
    SyncControl& sync_;
    TaskScheduler scheduler_;
    asio::steady_timer timer_;
    std::map<std::string, State> state_;
    std::set<std::string> in_flight_;
    bool started_ = false;
    bool stopping_ = false;
    StageFactory stage_factory_;
};

}  // namespace rosterd::ops
