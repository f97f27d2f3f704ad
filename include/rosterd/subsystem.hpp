#pragma once
// A part of the daemon with its own commands, status and reaction to a reloaded configuration.
// The daemon owns the subsystems and drives them all the same way.
#include <rapidjson/document.h>

#include <string_view>

#include "rosterd/config.hpp"
#include "rosterd/control_registry.hpp"

namespace rosterd {

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
