#include "recorded_pages.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace rosterd::test {

namespace {

std::string string_member(const rapidjson::Value& object, const char* name) {
    auto found = object.FindMember(name);
    if (found == object.MemberEnd() || !found->value.IsString())
        throw std::runtime_error(std::string("recording: an exchange has no string \"") + name +
                                 "\"");
    return found->value.GetString();
}

int int_member(const rapidjson::Value& object, const char* name, int fallback) {
    auto found = object.FindMember(name);
    if (found == object.MemberEnd())
        return fallback;
    if (!found->value.IsInt())
        throw std::runtime_error(std::string("recording: \"") + name + "\" is not an integer");
    return found->value.GetInt();
}

// A body member: a JSON value is written compactly, a string stays as it is (a body that was not
// JSON), null means none.
std::string body_member(const rapidjson::Value& object, const char* name) {
    auto found = object.FindMember(name);
    if (found == object.MemberEnd() || found->value.IsNull())
        return "";
    if (found->value.IsString())
        return found->value.GetString();
    return compact_json(found->value);
}

// Writes a body as a JSON value when it is JSON, else as a string.
void put_body(std::string& out, const std::string& body) {
    if (body.empty()) {
        out += "null";
        return;
    }
    rapidjson::Document doc;
    doc.Parse(body.c_str(), body.size());
    if (!doc.HasParseError()) {
        out += compact_json(doc);
        return;
    }
    rapidjson::Value text(body.c_str(), static_cast<rapidjson::SizeType>(body.size()),
                          doc.GetAllocator());
    out += compact_json(text);
}

std::string quoted(const std::string& text) {
    rapidjson::Value value(rapidjson::StringRef(text.c_str(), text.size()));
    return compact_json(value);
}

}  // namespace

std::string compact_json(const rapidjson::Value& value) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value.Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize());
}

std::string RecordedExchange::request_key(const std::string& method, const std::string& target,
                                          const std::string& canonical_body) {
    return method + " " + target + (canonical_body.empty() ? "" : " " + canonical_body);
}

std::string canonical_json(const std::string& text) {
    if (text.empty())
        return text;
    rapidjson::Document doc;
    doc.Parse(text.c_str(), text.size());
    if (doc.HasParseError())
        return text;
    return compact_json(doc);
}

std::string target_path(const std::string& target) {
    return target.substr(0, target.find('?'));
}

Recording Recording::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("recording: cannot read " + path);
    std::stringstream text;
    text << in.rdbuf();
    const std::string content = text.str();
    rapidjson::Document doc;
    doc.Parse(content.c_str(), content.size());
    if (doc.HasParseError() || !doc.IsObject())
        throw std::runtime_error("recording: " + path + " is not a JSON object");
    Recording recording;
    if (auto generator = doc.FindMember("generator"); generator != doc.MemberEnd())
        recording.generator = compact_json(generator->value);
    auto exchanges = doc.FindMember("exchanges");
    if (exchanges == doc.MemberEnd() || !exchanges->value.IsArray())
        throw std::runtime_error("recording: " + path + " has no \"exchanges\" array");
    std::set<std::string> keys;
    for (const auto& e : exchanges->value.GetArray()) {
        if (!e.IsObject())
            throw std::runtime_error("recording: an exchange is not an object");
        RecordedExchange x;
        x.method = string_member(e, "method");
        x.target = string_member(e, "target");
        x.request_body = canonical_json(body_member(e, "request"));
        x.times = int_member(e, "times", 1);
        x.status = int_member(e, "status", 200);
        if (auto headers = e.FindMember("headers");
            headers != e.MemberEnd() && headers->value.IsObject())
            for (const auto& h : headers->value.GetObject())
                if (h.value.IsString())
                    x.headers[h.name.GetString()] = h.value.GetString();
        x.body = body_member(e, "body");
        if (!keys.insert(x.key()).second)
            throw std::runtime_error("recording: the request " + x.key() + " is recorded twice");
        recording.exchanges.push_back(std::move(x));
    }
    return recording;
}

void Recording::save(const std::string& path) const {
    auto sorted = exchanges;
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return a.key() < b.key(); });
    std::string out = "{\"generator\":" + (generator.empty() ? std::string("{}") : generator) +
                      ",\n\"exchanges\":[\n";
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        const auto& x = sorted[i];
        out +=
            "{\"method\":" + quoted(x.method) + ",\"target\":" + quoted(x.target) + ",\"request\":";
        put_body(out, x.request_body);
        out += ",\"times\":" + std::to_string(x.times) + ",\"status\":" + std::to_string(x.status) +
               ",\"headers\":{";
        bool first = true;
        for (const auto& [name, value] : x.headers) {
            out += (first ? "" : ",") + quoted(name) + ":" + quoted(value);
            first = false;
        }
        out += "},\"body\":";
        put_body(out, x.body);
        out += i + 1 < sorted.size() ? "},\n" : "}\n";
    }
    out += "]}\n";
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    if (!file)
        throw std::runtime_error("recording: cannot write " + path);
    file << out;
    if (!file.flush())
        throw std::runtime_error("recording: writing " + path + " failed");
}

std::vector<rapidjson::Document> recorded_bodies(const Recording& recording,
                                                 const std::string& method,
                                                 const std::string& path_suffix) {
    std::vector<rapidjson::Document> bodies;
    for (const auto& x : recording.exchanges) {
        if (x.method != method || !target_path(x.target).ends_with(path_suffix))
            continue;
        rapidjson::Document doc;
        doc.Parse(x.body.c_str(), x.body.size());
        if (doc.HasParseError())
            throw std::runtime_error("recording: the body of " + x.key() + " is not JSON");
        bodies.push_back(std::move(doc));
    }
    return bodies;
}

}  // namespace rosterd::test
