#pragma once
// When automated tasks are due. Pure bookkeeping over an injected clock (no timers, no I/O), so
// that tests move a FakeClock and watch a task fire on time, and hold back while a sync runs:
// a task that falls due during a sync is kept pending and handed out by the first call after it.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rosterd/base/clock.hpp"
#include "rosterd/schedule/schedule.hpp"

namespace rosterd::ops {

struct ScheduledTask {
    std::string name;
    Schedule schedule;
    bool enabled = true;
    std::optional<SysTime> last_run;  // persisted; anchors interval schedules
};

class TaskScheduler {
  public:
    TaskScheduler(const Clock& clock, const date::time_zone* zone) : clock_(clock), zone_(zone) {}

    // Replaces the task list (a reload); what is known about tasks that stay is kept.
    void set_tasks(std::vector<ScheduledTask> tasks, const date::time_zone* zone);
    void set_enabled(const std::string& name, bool enabled);

    // The tasks to start now, in configuration order. While a sync runs none is handed out; the
    // due ones wait (each at most once) for the first call with sync_running false.
    std::vector<std::string> due(bool sync_running);
    // A task ran (by schedule or by hand) at `at`.
    void ran(const std::string& name, SysTime at);

    std::optional<SysTime> next_due(const std::string& name) const;
    bool pending(const std::string& name) const;

  private:
    struct Entry {
        ScheduledTask task;
        std::optional<SysTime> next;
        bool pending = false;
    };
    void arm(Entry& entry, SysTime now);

    const Clock& clock_;
    const date::time_zone* zone_;
    std::vector<Entry> entries_;
};

}  // namespace rosterd::ops
