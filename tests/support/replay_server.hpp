#pragma once
// Answers the Admin API from a recording (recorded_pages.hpp), for unit tests of the sync
// engine: each request is matched by method, target (path and query) and canonical JSON body.
// A request the recording does not hold is answered 404 with a body that names it, and listed
// by unrecorded(), so a test fails loudly instead of syncing something else.
//
// Faults replace the recorded answer of chosen requests: the nth request (1-based, counted per
// method and path, whatever the query or body) and the `count` after it (0: every later one).
// Built on TestHttpServer (cpp-httplib on 127.0.0.1, an ephemeral port).
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "recorded_pages.hpp"
#include "test_http_server.hpp"

namespace rosterd::test {

class ReplayServer {
  public:
    // What a fault answers: given the recorded exchange for the request (null when none) and
    // the request itself.
    using MakeReply =
        std::function<Reply(const RecordedExchange* recorded, const httplib::Request& request)>;

    struct Fault {
        std::string method = "GET";
        std::string path_suffix;    // the request path ends with it
        std::string body_contains;  // and its body contains it ("" for any)
        int nth = 1;                // the first matching request it answers (1-based)
        int count = 1;              // how many in a row; 0 = every later one
        MakeReply reply;
    };

    struct Seen {
        std::string key;  // RecordedExchange::request_key of the request
        std::string method;
        std::string path;
        int status = 0;
        bool faulted = false;
        bool recorded = false;
        std::chrono::steady_clock::time_point at;
    };

    explicit ReplayServer(Recording recording);

    std::string base_url() const { return server_.base_url(); }
    const Recording& recording() const { return recording_; }

    void inject(Fault fault);

    // Every request in arrival order, with what it was answered.
    std::vector<Seen> seen() const;
    // How often each request key was sent.
    std::map<std::string, int> sent() const;
    // Keys of requests the recording does not hold.
    std::vector<std::string> unrecorded() const;

    // Fault answers.
    static MakeReply status(int code,
                            std::vector<std::pair<std::string, std::string>> headers = {});
    static MakeReply malformed();  // 200 whose body is not JSON
    static MakeReply truncated();  // 200 with the first half of the recorded body
    // 200 with the recorded body, changed by `edit` (parsed JSON, edited, written back).
    static MakeReply edited(std::function<void(rapidjson::Document&)> edit);

  private:
    void answer(const httplib::Request& req, httplib::Response& res);

    Recording recording_;
    std::map<std::string, const RecordedExchange*> by_key_;
    mutable std::mutex mutex_;
    std::vector<Fault> faults_;
    std::vector<int> fault_matches_;  // per fault: matching requests so far
    std::vector<Seen> seen_;
    TestHttpServer server_;  // last: it stops (and its handlers end) before the rest goes
};

}  // namespace rosterd::test
