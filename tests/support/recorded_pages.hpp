#pragma once
// A recording of the Admin API's answers to one sync (tests/unit/fixtures/sync_pages.json,
// written by record-sync-pages, replayed by ReplayServer).
//
// The file is one JSON object: "generator" says how the simulated organization was made (so the
// recording can be made again), "exchanges" holds one exchange per line, sorted by request:
//   {"method":"POST","target":"/admin/v2/orgs/<org>/directories/-/users/search",
//    "request":{...request body...} | null, "times":1, "status":200,
//    "headers":{"Retry-After":"1"}, "body":{...response body...}}
// `target` is the request target as the client sent it (path and query, still encoded);
// `times` is how often the sync sent that request while it was recorded. Cursor tokens are
// renamed to stable names ("cursor-<hex>") by the recording proxy, so the file is byte-identical
// whenever it is recorded from the same organization.
#include <rapidjson/document.h>

#include <map>
#include <string>
#include <vector>

namespace rosterd::test {

struct RecordedExchange {
    std::string method;
    std::string target;
    std::string request_body;  // compact JSON as canonical_json() writes it; "" when none
    int times = 1;
    int status = 200;
    std::map<std::string, std::string> headers;  // only the ones that matter (Retry-After)
    std::string body;                            // the response body, compact JSON

    // What a request is matched by: method, target and (canonical) body.
    std::string key() const { return request_key(method, target, request_body); }
    static std::string request_key(const std::string& method, const std::string& target,
                                   const std::string& canonical_body);
};

struct Recording {
    std::string generator;  // compact JSON object: how the organization was generated
    std::vector<RecordedExchange> exchanges;

    // Throws std::runtime_error naming the problem (missing file, bad JSON, duplicate request).
    static Recording load(const std::string& path);
    // One exchange per line, sorted by key; throws std::runtime_error when it cannot write.
    void save(const std::string& path) const;
};

// A JSON value written compactly (rapidjson's Writer).
std::string compact_json(const rapidjson::Value& value);

// `text` re-written compactly by rapidjson (member order kept), so that two spellings of the same
// JSON compare equal; text that is not JSON comes back unchanged, "" stays "".
std::string canonical_json(const std::string& text);

// The recorded response bodies parsed, for ground-truth figures: every exchange whose method is
// `method` and whose path (target without query) ends with `path_suffix`.
std::vector<rapidjson::Document> recorded_bodies(const Recording& recording,
                                                 const std::string& method,
                                                 const std::string& path_suffix);

// The path of a target (without its query string).
std::string target_path(const std::string& target);

}  // namespace rosterd::test
