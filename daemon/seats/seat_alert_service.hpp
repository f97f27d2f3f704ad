#pragma once
// alerts.seats: after every successful sync (and once at start-up, for a sync the daemon had no
// time to judge before it stopped) compares each product's billable seats on each site with its
// capacity and sends seats_near_capacity once per crossing of alerts.seats.at_percent. The
// state lives in seat_alerts, so a restart neither repeats an alert nor forgets one.
#include "rosterd/notify/notify.hpp"
#include "rosterd/service/subsystem.hpp"
#include "rosterd/service/sync_control.hpp"

namespace rosterd::seats {

class SeatAlertService final : public Subsystem {
  public:
    SeatAlertService(DaemonContext& context, SyncControl& sync, notify::NoticeSink& notices);

    std::string_view name() const override { return "alerts"; }
    void start() override;
    void write_status(rapidjson::Value& out,
                      rapidjson::Document::AllocatorType& alloc) const override;
    void stop() override { stopping_ = true; }

  private:
    void evaluate();
    void evaluated();

    DaemonContext& context_;
    notify::NoticeSink& notices_;
    bool stopping_ = false;
    bool evaluating_ = false;
    bool evaluate_again_ = false;
    std::int64_t near_ = 0;  // products at or above the threshold at the last evaluation
    std::int64_t evaluations_ = 0;
};

}  // namespace rosterd::seats
