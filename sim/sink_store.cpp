#include "sink_store.hpp"

#include "json_util.hpp"

namespace rosterd::sim {

SinkBehaviour SinkStore::receive(SinkDelivery delivery) {
    std::lock_guard lock(mutex_);
    std::string name = delivery.name;
    deliveries_[name].push_back(std::move(delivery));
    auto it = behaviours_.find(name);
    if (it == behaviours_.end() || it->second.times <= 0)
        return SinkBehaviour{};
    SinkBehaviour answer = it->second;
    if (--it->second.times <= 0)
        behaviours_.erase(it);
    return answer;
}

void SinkStore::set_behaviour(const std::string& name, SinkBehaviour behaviour) {
    std::lock_guard lock(mutex_);
    behaviours_[name] = std::move(behaviour);
}

void SinkStore::clear(const std::string& name) {
    std::lock_guard lock(mutex_);
    deliveries_.erase(name);
    behaviours_.erase(name);
}

std::string SinkStore::deliveries_json(const std::string& name) const {
    std::lock_guard lock(mutex_);
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartArray();
    auto it = deliveries_.find(name);
    if (it != deliveries_.end()) {
        for (const auto& delivery : it->second) {
            w.StartObject();
            key(w, "name");
            put(w, delivery.name);
            key(w, "t");
            w.Int64(delivery.t);
            key(w, "headers");
            w.StartObject();
            for (const auto& [header, value] : delivery.headers) {
                key(w, header);
                put(w, value);
            }
            w.EndObject();
            key(w, "body");
            put(w, delivery.body);
            w.EndObject();
        }
    }
    w.EndArray();
    return to_string(buffer);
}

}  // namespace rosterd::sim
