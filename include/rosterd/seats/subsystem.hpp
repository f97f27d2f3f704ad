#pragma once
// The seat alerts (alerts.seats) as the daemon assembles them.
#include <memory>

#include "rosterd/notify/notify.hpp"
#include "rosterd/service/subsystem.hpp"
#include "rosterd/service/sync_control.hpp"

namespace rosterd::seats {

// Judges the seats after each successful sync of `sync`; alerts go to `notices`.
std::unique_ptr<Subsystem> make_seat_alert_subsystem(DaemonContext& context, SyncControl& sync,
                                                     notify::NoticeSink& notices);

}  // namespace rosterd::seats
