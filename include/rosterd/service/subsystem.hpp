#pragma once
// The daemon's parts and what they share: DaemonContext (given to every subsystem) and the
// Subsystem interface. Lives below every feature module so none of them depends on app/.
//
// A part of the daemon with its own commands, status and reaction to a reloaded configuration.
// The daemon owns the subsystems and drives them all the same way.
#include <rapidjson/document.h>

#include <asio/io_context.hpp>

#include <memory>
#include <string_view>

#include "rosterd/base/clock.hpp"
#include "rosterd/config/config.hpp"
#include "rosterd/control/registry.hpp"
#include "rosterd/model/events.hpp"
#include "rosterd/store/db_executor.hpp"

namespace rosterd {

namespace query {
class SnapshotCache;
}

// Everything subsystems share. Lives as long as the daemon.
struct DaemonContext {
    asio::io_context& loop;
    const Clock& clock;
    store::DbExecutor& db;
    // The configuration in force; replaced (never mutated) on reload.
    std::shared_ptr<const Config> config;
    // Where subsystems report events; null until the notification subsystem provides one.
    EventSink* events = nullptr;
    // The published snapshot's in-memory index, one for every subsystem that asks questions
    // (queries, bulk plans): at 100k users it is ~40 MiB and half a second to build.
    // Set by the daemon.
    std::shared_ptr<query::SnapshotCache> snapshots = nullptr;
};

class Subsystem {
  public:
    virtual ~Subsystem() = default;
    // The key of this subsystem's object in `rosterctl status`.
    virtual std::string_view name() const = 0;
    // Called once, before the control socket starts serving.
    virtual void register_commands(control::CommandRegistry&) {}
    // Called once the loop runs.
    virtual void start() {}
    // Fills this subsystem's status object (on the loop thread).
    virtual void write_status(rapidjson::Value& out,
                              rapidjson::Document::AllocatorType& alloc) const = 0;
    // A new, valid configuration took effect.
    virtual void apply_config(const Config&) {}
    // Shutdown: cancel or finish in-flight work promptly (the daemon allows 5 s in total).
    virtual void stop() {}
};

}  // namespace rosterd
