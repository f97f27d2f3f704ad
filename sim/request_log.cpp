#include "request_log.hpp"

#include <stdexcept>

#include "json_util.hpp"

namespace rosterd::sim {

RequestLog::RequestLog(const std::optional<std::string>& path) {
    if (path) {
        file_.open(*path, std::ios::out | std::ios::app);
        if (!file_)
            throw std::runtime_error("cannot open request log " + *path);
    }
}

std::string RequestLog::record_json(const RequestRecord& r) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    key(w, "t");
    w.Int64(r.t);
    key(w, "method");
    put(w, r.method);
    key(w, "path");
    put(w, r.path);
    key(w, "query");
    put(w, r.query);
    key(w, "status");
    w.Int(r.status);
    key(w, "duration_ms");
    w.Int64(r.duration_ms);
    key(w, "body");
    w.RawValue(r.body_json.data(), r.body_json.size(), rapidjson::kObjectType);
    if (!r.fault.empty()) {
        key(w, "fault");
        put(w, r.fault);
    }
    w.EndObject();
    return to_string(buffer);
}

void RequestLog::add(RequestRecord record) {
    std::lock_guard lock(mutex_);
    if (file_.is_open()) {
        file_ << record_json(record) << '\n';
        file_.flush();
    }
    if (records_.size() >= kMaxRecords) {
        records_.erase(records_.begin(), records_.begin() + kMaxRecords / 2);
    }
    records_.push_back(std::move(record));
}

void RequestLog::clear() {
    std::lock_guard lock(mutex_);
    records_.clear();
}

std::size_t RequestLog::size() const {
    std::lock_guard lock(mutex_);
    return records_.size();
}

std::string RequestLog::records_json() const {
    std::lock_guard lock(mutex_);
    std::string out = "[";
    for (std::size_t i = 0; i < records_.size(); ++i) {
        if (i > 0)
            out += ',';
        out += record_json(records_[i]);
    }
    out += ']';
    return out;
}

}  // namespace rosterd::sim
