#pragma once
// The API request log: one record per request on /admin and /users paths, kept in memory for
// GET /_sim/requests and optionally appended to a JSON-lines file (--request-log). Thread-safe.
#include <cstdint>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace rosterd::sim {

struct RequestRecord {
    std::int64_t t = 0;  // epoch ms when the request arrived
    std::string method;
    std::string path;
    std::string query;  // raw query string, without '?'
    int status = 0;
    std::int64_t duration_ms = 0;
    std::string body_json;  // the request body re-serialized compactly if JSON, else "null"
    std::string fault;      // the injected fault, if any ("error", "reset", "rate_limit"...)
};

class RequestLog {
  public:
    // Opens (appends to) `path` when given. Throws std::runtime_error if it cannot be opened.
    explicit RequestLog(const std::optional<std::string>& path = std::nullopt);

    void add(RequestRecord record);
    void clear();
    std::string records_json() const;  // JSON array
    std::size_t size() const;

    static std::string record_json(const RequestRecord& record);

  private:
    // Long demo runs must not grow without bound: past this many records the oldest half goes
    // (the file, if any, keeps everything).
    static constexpr std::size_t kMaxRecords = 200'000;

    mutable std::mutex mutex_;
    std::vector<RequestRecord> records_;
    std::ofstream file_;
};

}  // namespace rosterd::sim
