#pragma once
// The key subsystem as the daemon assembles it: the KeyGate syncs and runs take their key from,
// the key's state for the metrics, and a hook to start a sync when a key is set. The
// implementation (daemon/keys/) stays private to the module.
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "rosterd/keys/keys.hpp"
#include "rosterd/notify/notify.hpp"
#include "rosterd/service/subsystem.hpp"

namespace rosterd::keys {

class KeySubsystem : public Subsystem, public KeyGate {
  public:
    // Called when `key set` stored a key: starts a sync when there is no snapshot yet, or when
    // `replaces_broken` (the key replaced a rejected or expired one); returns the trigger of the
    // sync it started ("initial", "new-key"), nullopt when none.
    using SyncStarter = std::function<std::optional<std::string>(bool replaces_broken)>;
    virtual void set_sync_starter(SyncStarter starter) = 0;

    // The key's state now and the instant it lapses (nullopt: no key, or its expiry is unknown),
    // as `key show` reports them (for the metrics).
    virtual KeyState current_state() const = 0;
    virtual std::optional<SysTime> current_expiry() const = 0;
};

// `notices` may be null (then no notices are sent).
std::unique_ptr<KeySubsystem> make_key_subsystem(DaemonContext& context,
                                                 notify::NoticeSink* notices);

}  // namespace rosterd::keys
