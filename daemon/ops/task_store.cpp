#include "task_store.hpp"

namespace rosterd::ops {

void save_task_enabled(store::Database& db, const std::string& name, bool enabled) {
    db.prepare(
          "INSERT INTO task_state (name, enabled) VALUES (?, ?) "
          "ON CONFLICT(name) DO UPDATE SET enabled = excluded.enabled")
        .bind(1, name)
        .bind(2, enabled ? 1 : 0)
        .run();
}

std::optional<RunRecord> last_run_of_task(store::Database& db, const std::string& name) {
    auto last =
        db.prepare("SELECT id FROM runs WHERE task = ? ORDER BY created_at DESC, id LIMIT 1");
    last.bind(1, name);
    if (!last.step())
        return std::nullopt;
    return load_run(db, last.text(0));
}

}  // namespace rosterd::ops
