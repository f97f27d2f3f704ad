#include <spdlog/spdlog.h>

#include "rosterd/control_registry.hpp"

namespace rosterd::control {

Reply::Reply(std::string id_json, Sink sink)
    : id_json_(std::move(id_json)), sink_(std::move(sink)) {}

Reply::~Reply() {
    // No handler path may leave a client waiting forever.
    if (!completed())
        fail(kInternal, "the command ended without an answer");
}

void Reply::progress(const rapidjson::Value& data) {
    auto line = progress_line(id_json_, data);
    if (!line) {
        spdlog::warn("control: dropped a progress report that is not valid JSON (NaN?)");
        return;
    }
    send(std::move(*line), false);
}

void Reply::ok(const rapidjson::Value& result) {
    send(ok_line(id_json_, result), true);
}

void Reply::ok() {
    ok(rapidjson::Value());
}

void Reply::fail(std::string_view code, std::string_view message) {
    send(error_line(id_json_, code, message), true);
}

bool Reply::completed() const {
    std::lock_guard lock(mutex_);
    return completed_;
}

void Reply::send(std::string line, bool final) {
    std::lock_guard lock(mutex_);
    if (completed_)
        return;
    completed_ = final;
    if (sink_)
        sink_(std::move(line), final);
    if (final)
        sink_ = nullptr;  // release whatever the sink holds as soon as the answer is out
}

}  // namespace rosterd::control
