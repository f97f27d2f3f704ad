#pragma once
// Everything the routes share: the model (behind a shared_mutex: searches read in parallel,
// mutations write alone), the knobs, faults, logs, sinks and cursor machinery.
#include <cstdint>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "churn.hpp"
#include "cursor.hpp"
#include "faults.hpp"
#include "knobs.hpp"
#include "model.hpp"
#include "request_log.hpp"
#include "sink_store.hpp"

namespace rosterd::sim {

inline constexpr const char* kDefaultApiKey = "sim-key";

struct SimSettings {
    Knobs knobs;
    std::string api_key = kDefaultApiKey;
    std::uint64_t fault_seed = 1;
    std::optional<std::string> request_log_path;
};

class SimState {
  public:
    SimState(Model model, SimSettings settings);

    const std::string org_id;  // fixed for the server's life, readable without a lock
    mutable std::shared_mutex model_mutex;
    Model model;

    FaultInjector faults;
    RequestLog log;
    SinkStore sinks;
    CursorCodec cursors;
    FilterBook filters;
    Churn churn;  // POST /_sim/churn: users move between partitions mid-listing

    Knobs knobs() const;
    // Applies a POST /_sim/config body; throws std::runtime_error on invalid input.
    void update_knobs(const rapidjson::Value& object);
    // Constant-time comparison with the accepted bearer key.
    bool key_matches(std::string_view presented) const;
    // Puts the model back as it was at start-up (POST /_sim/reset).
    void reset_model();

    static std::int64_t wall_clock_ms();

  private:
    const Model initial_model_;
    mutable std::mutex settings_mutex_;
    Knobs knobs_;
    std::string api_key_;
};

}  // namespace rosterd::sim
