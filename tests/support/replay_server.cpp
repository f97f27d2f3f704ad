#include "replay_server.hpp"

namespace rosterd::test {

namespace {

std::string not_recorded_body(const std::string& key) {
    rapidjson::Document doc(rapidjson::kObjectType);
    auto& a = doc.GetAllocator();
    rapidjson::Value error(rapidjson::kObjectType);
    error.AddMember("status", "404", a);
    error.AddMember("code", "REPLAY-404", a);
    const std::string title = "replay: the recording holds no answer for " + key;
    error.AddMember("title", rapidjson::Value(title.c_str(), a), a);
    rapidjson::Value errors(rapidjson::kArrayType);
    errors.PushBack(error, a);
    doc.AddMember("errors", errors, a);
    return compact_json(doc);
}

}  // namespace

ReplayServer::ReplayServer(Recording recording) : recording_(std::move(recording)) {
    for (const auto& x : recording_.exchanges)
        by_key_[x.key()] = &x;
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
        answer(req, res);
    };
    for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE"})
        server_.route(method, ".*", handler);
}

void ReplayServer::inject(Fault fault) {
    std::lock_guard lock(mutex_);
    faults_.push_back(std::move(fault));
    fault_matches_.push_back(0);
}

void ReplayServer::answer(const httplib::Request& req, httplib::Response& res) {
    Seen seen;
    seen.at = std::chrono::steady_clock::now();
    seen.method = req.method;
    seen.path = req.path;
    seen.key = RecordedExchange::request_key(req.method, req.target, canonical_json(req.body));
    auto found = by_key_.find(seen.key);
    const RecordedExchange* recorded = found == by_key_.end() ? nullptr : found->second;
    seen.recorded = recorded != nullptr;
    MakeReply fault;
    {
        std::lock_guard lock(mutex_);
        for (std::size_t i = 0; i < faults_.size(); ++i) {
            const auto& f = faults_[i];
            if (f.method != req.method || !req.path.ends_with(f.path_suffix) ||
                (!f.body_contains.empty() && req.body.find(f.body_contains) == std::string::npos))
                continue;
            const int n = ++fault_matches_[i];
            if (!fault && n >= f.nth && (f.count == 0 || n < f.nth + f.count))
                fault = f.reply;
        }
    }
    if (fault) {
        seen.faulted = true;
        TestHttpServer::apply(fault(recorded, req), res);
    } else if (recorded) {
        Reply reply(recorded->status, recorded->body,
                    {recorded->headers.begin(), recorded->headers.end()});
        TestHttpServer::apply(reply, res);
    } else {
        TestHttpServer::apply(Reply(404, not_recorded_body(seen.key)), res);
    }
    seen.status = res.status;
    std::lock_guard lock(mutex_);
    seen_.push_back(std::move(seen));
}

std::vector<ReplayServer::Seen> ReplayServer::seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
}

std::map<std::string, int> ReplayServer::sent() const {
    std::map<std::string, int> counts;
    for (const auto& s : seen())
        ++counts[s.key];
    return counts;
}

std::vector<std::string> ReplayServer::unrecorded() const {
    std::vector<std::string> keys;
    for (const auto& s : seen())
        if (!s.recorded)
            keys.push_back(s.key);
    return keys;
}

ReplayServer::MakeReply ReplayServer::status(
    int code, std::vector<std::pair<std::string, std::string>> headers) {
    return [code, headers](const RecordedExchange*, const httplib::Request&) {
        const std::string body = R"({"errors":[{"status":")" + std::to_string(code) +
                                 R"(","code":"REPLAY-FAULT","title":"injected by the test"}]})";
        return Reply(code, body, headers);
    };
}

ReplayServer::MakeReply ReplayServer::malformed() {
    return [](const RecordedExchange*, const httplib::Request&) {
        return Reply(200, R"({"data": [ {"accountId": "x", )");
    };
}

ReplayServer::MakeReply ReplayServer::truncated() {
    return [](const RecordedExchange* recorded, const httplib::Request&) {
        const std::string body = recorded ? recorded->body : std::string("{\"data\":[]}");
        return Reply(200, body.substr(0, body.size() / 2));
    };
}

ReplayServer::MakeReply ReplayServer::edited(std::function<void(rapidjson::Document&)> edit) {
    return [edit](const RecordedExchange* recorded, const httplib::Request&) {
        rapidjson::Document doc;
        const std::string body = recorded ? recorded->body : std::string("{}");
        doc.Parse(body.c_str(), body.size());
        edit(doc);
        return Reply(200, compact_json(doc));
    };
}

}  // namespace rosterd::test
