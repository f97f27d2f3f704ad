#pragma once
// The webhook sink: POST /sink/{name} records what a notifier sent; per-sink behaviour
// (status, body, Retry-After, how many times) is set with POST /_sim/sink/{name}. Thread-safe.
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rosterd::sim {

struct SinkDelivery {
    std::string name;
    std::int64_t t = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

struct SinkBehaviour {
    int status = 200;
    std::string body = "ok";
    std::optional<int> retry_after;  // seconds
    int times = 0;                   // how many more deliveries get this answer; then 200 "ok"
};

class SinkStore {
  public:
    // Records a delivery and returns the answer to give it.
    SinkBehaviour receive(SinkDelivery delivery);
    void set_behaviour(const std::string& name, SinkBehaviour behaviour);
    std::string deliveries_json(const std::string& name) const;  // JSON array
    void clear(const std::string& name);

  private:
    mutable std::mutex mutex_;
    std::map<std::string, std::vector<SinkDelivery>> deliveries_;
    std::map<std::string, SinkBehaviour> behaviours_;
};

}  // namespace rosterd::sim
