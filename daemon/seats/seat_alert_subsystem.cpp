#include "rosterd/seats/subsystem.hpp"
#include "seat_alert_service.hpp"

namespace rosterd::seats {

std::unique_ptr<Subsystem> make_seat_alert_subsystem(DaemonContext& context, SyncControl& sync,
                                                     notify::NoticeSink& notices) {
    return std::make_unique<SeatAlertService>(context, sync, notices);
}

}  // namespace rosterd::seats
