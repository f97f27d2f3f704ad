#pragma once
// A stage a task's run passes through before it acts (issue 17: the notice stage). The run
// machinery stays the one way anything is changed (journal, cap, undo, events); a stage only
// narrows whom it acts on, and keeps its own records in the transaction that journals the run, so
// that a crash leaves both or neither.
#include <rapidjson/document.h>

#include <cstdint>

#include "rosterd/ops/plan.hpp"
#include "rosterd/ops/run_store.hpp"
#include "rosterd/query/snapshot.hpp"
#include "rosterd/store/store.hpp"

namespace rosterd::ops {

class RunStage {
  public:
    virtual ~RunStage() = default;
    // On a database thread, inside the planning read, after the plan of every matching user is
    // built (protected users skipped): leaves in `plan` only the users to act on now.
    virtual void narrow(store::Database& db, const query::SnapshotIndex& index, Plan& plan,
                        std::int64_t now_ms) = 0;
    // On a database thread, inside the transaction that records an applying run that was not
    // refused. Throws to refuse recording the run (nothing of either is written).
    virtual void record(store::Database& db, const RunRecord& run) = 0;
    // On the loop, once that transaction committed: events, mail.
    virtual void recorded(const RunRecord& run) = 0;
    // On the loop: the stage's lists, added to the run's answer (dry runs show them all).
    virtual void describe(rapidjson::Value& out, rapidjson::Document::AllocatorType& a) const = 0;
};

}  // namespace rosterd::ops
