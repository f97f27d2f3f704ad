#pragma once
// Users moving between users/search partitions while a client pages through them: armed through
// POST /_sim/churn, it fires once, inside the N-th users/search request after arming (before that
// request is answered), and changes the status or the email domain of some users. A client that
// lists users through several disjoint filters (rosterd's sync: by claim status and email domain;
// by status too, for other clients) must then neither miss nor double-count anyone.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "model.hpp"

namespace rosterd::sim {

struct ChurnPlan {
    int after_pages = 1;  // fires in this users/search request after arming (1 = the next one)
    int suspend = 0;      // active users suspended (status active -> suspended)
    int restore = 0;      // suspended users restored (suspended -> active)
    int deactivate = 0;   // active managed users deactivated (-> deactivated)
    int rehome = 0;  // managed users moved to the next verified domain (a domain part to another)
    std::string rehome_to;  // or to this verified domain (those not on it already)
    std::uint64_t seed = 1;
};

class Churn {
  public:
    void arm(const ChurnPlan& plan);
    // Counts one users/search request; returns the plan when it is the one the plan waits for.
    std::optional<ChurnPlan> on_users_search();
    void record(std::vector<std::string> moved);
    // {"armed": bool, "pages_seen": n, "fired": bool, "moved": [account ids]}
    std::string state_json() const;

  private:
    mutable std::mutex mutex_;
    std::optional<ChurnPlan> armed_;
    int pages_seen_ = 0;
    bool fired_ = false;
    std::vector<std::string> moved_;
};

// Applies a plan to the model (the caller holds the model's write lock): picks users with the
// plan's seed among those the move applies to (human accounts still in the organization) and
// returns their account ids.
std::vector<std::string> apply_churn(Model& model, const ChurnPlan& plan);

}  // namespace rosterd::sim
