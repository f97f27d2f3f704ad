#include "sim_state.hpp"

#include <chrono>

#include "prng.hpp"

namespace rosterd::sim {

SimState::SimState(Model initial, SimSettings settings)
    : org_id(initial.org.id),
      model(initial),
      faults(settings.fault_seed),
      log(settings.request_log_path),
      cursors(fnv1a64(initial.org.id, 0x73696d2d63757273ULL)),
      initial_model_(std::move(initial)),
      knobs_(settings.knobs),
      api_key_(std::move(settings.api_key)) {}

Knobs SimState::knobs() const {
    std::lock_guard lock(settings_mutex_);
    return knobs_;
}

void SimState::update_knobs(const rapidjson::Value& object) {
    std::lock_guard lock(settings_mutex_);
    KnobSideEffects effects = apply_knobs_json(knobs_, object);
    if (effects.api_key)
        api_key_ = *effects.api_key;
    if (effects.fault_seed)
        faults.reseed(*effects.fault_seed);
}

bool SimState::key_matches(std::string_view presented) const {
    std::lock_guard lock(settings_mutex_);
    if (presented.size() != api_key_.size())
        return false;
    unsigned char difference = 0;
    for (std::size_t i = 0; i < presented.size(); ++i) {
        difference |= static_cast<unsigned char>(presented[i] ^ api_key_[i]);
    }
    return difference == 0;
}

void SimState::reset_model() {
    std::unique_lock lock(model_mutex);
    model = initial_model_;
    model.finalize();
}

std::int64_t SimState::wall_clock_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace rosterd::sim
