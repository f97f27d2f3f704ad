#include <spdlog/spdlog.h>

#include "rosterd/control/registry.hpp"

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
    send(std::move(*line), false, {}, {});
}

void Reply::ok(const rapidjson::Value& result) {
    send(ok_line(id_json_, result), true, {}, {});
}

void Reply::ok() {
    ok(rapidjson::Value());
}

void Reply::fail(std::string_view code, std::string_view message) {
    send(error_line(id_json_, code, message), true, code, message);
}

bool Reply::completed() const {
    std::lock_guard lock(mutex_);
    return completed_;
}

void Reply::note(std::string key, std::string value) {
    std::lock_guard lock(mutex_);
    notes_[std::move(key)] = std::move(value);
}

void Reply::on_completion(Completion completion) {
    std::lock_guard lock(mutex_);
    completion_ = std::move(completion);
}

void Reply::send(std::string line, bool final, std::string_view code, std::string_view message) {
    Completion completion;
    std::map<std::string, std::string> notes;
    {
        std::lock_guard lock(mutex_);
        if (completed_)
            return;
        completed_ = final;
        if (sink_)
            sink_(std::move(line), final);
        if (!final)
            return;
        sink_ = nullptr;  // release whatever the sink holds as soon as the answer is out
        completion = std::move(completion_);
        notes = std::move(notes_);
    }
    // Outside the lock: the completion may take its time (it only queues a write).
    if (completion)
        completion(code, message, notes);
}

}  // namespace rosterd::control
