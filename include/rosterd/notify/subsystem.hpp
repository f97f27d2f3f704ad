#pragma once
// The notification subsystem as the daemon assembles it: the outbox every other subsystem reports
// its events to (NoticeSink). The implementation (daemon/notify/) stays private to the module.
#include <memory>

#include "rosterd/notify/notify.hpp"
#include "rosterd/service/subsystem.hpp"

namespace rosterd::notify {

class NotifySubsystem : public Subsystem, public NoticeSink {
  public:
    // Delivers what is due now (mail written by another subsystem, for one).
    virtual void wake() = 0;
};

std::unique_ptr<NotifySubsystem> make_notify_subsystem(DaemonContext& context);

}  // namespace rosterd::notify
