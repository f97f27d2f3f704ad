#include "task_scheduler.hpp"

#include <algorithm>

namespace rosterd::ops {

void TaskScheduler::arm(Entry& entry, SysTime now) {
    if (!entry.task.enabled) {
        entry.next.reset();
        return;
    }
    // Intervals count from the last run (or from now, for a task never run); calendars from now.
    std::optional<SysTime> anchor = entry.task.last_run;
    if (std::holds_alternative<IntervalSchedule>(entry.task.schedule) && !anchor)
        anchor = now;
    entry.next = next_occurrence(entry.task.schedule, now, zone_, anchor);
}

void TaskScheduler::set_tasks(std::vector<ScheduledTask> tasks, const date::time_zone* zone) {
    zone_ = zone;
    auto now = clock_.now();
    std::vector<Entry> entries;
    for (auto& task : tasks) {
        Entry entry;
        auto known = std::find_if(entries_.begin(), entries_.end(),
                                  [&](const Entry& e) { return e.task.name == task.name; });
        if (known != entries_.end()) {
            if (!task.last_run)
                task.last_run = known->task.last_run;
            entry.pending = known->pending;
        }
        entry.task = std::move(task);
        arm(entry, now);
        if (known != entries_.end() && known->task.schedule == entry.task.schedule && known->next &&
            entry.task.enabled)
            entry.next = known->next;  // unchanged: keep its rhythm
        entries.push_back(std::move(entry));
    }
    entries_ = std::move(entries);
}

void TaskScheduler::set_enabled(const std::string& name, bool enabled) {
    for (auto& e : entries_)
        if (e.task.name == name) {
            e.task.enabled = enabled;
            e.pending = e.pending && enabled;
            arm(e, clock_.now());
        }
}

std::vector<std::string> TaskScheduler::due(bool sync_running) {
    auto now = clock_.now();
    std::vector<std::string> out;
    for (auto& e : entries_) {
        if (!e.task.enabled || !e.next)
            continue;
        if (now >= *e.next) {
            e.pending = true;
            // The next occurrence after now; an interval keeps its anchor (no drift).
            auto anchor = std::holds_alternative<IntervalSchedule>(e.task.schedule)
                              ? std::optional<SysTime>(*e.next)
                              : std::nullopt;
            e.next = next_occurrence(e.task.schedule, now, zone_, anchor);
        }
        if (e.pending && !sync_running) {
            e.pending = false;
            out.push_back(e.task.name);
        }
    }
    return out;
}

void TaskScheduler::ran(const std::string& name, SysTime at) {
    for (auto& e : entries_)
        if (e.task.name == name)
            e.task.last_run = at;
}

std::optional<SysTime> TaskScheduler::next_due(const std::string& name) const {
    for (const auto& e : entries_)
        if (e.task.name == name)
            return e.next;
    return std::nullopt;
}

bool TaskScheduler::pending(const std::string& name) const {
    for (const auto& e : entries_)
        if (e.task.name == name)
            return e.pending;
    return false;
}

}  // namespace rosterd::ops
