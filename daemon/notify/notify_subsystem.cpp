#include "notify_service.hpp"
#include "rosterd/notify/subsystem.hpp"

namespace rosterd::notify {

std::unique_ptr<NotifySubsystem> make_notify_subsystem(DaemonContext& context) {
    return std::make_unique<NotifyService>(context);
}

}  // namespace rosterd::notify
