#pragma once
// A compact JSON writer with the few calls the payload renderers need, members in the order
// written (so payloads are byte-for-byte reproducible).
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace rosterd::notify::detail {

class JsonOut {
  public:
    JsonOut() : writer_(buffer_) {}
    JsonOut& begin_object() {
        writer_.StartObject();
        return *this;
    }
    JsonOut& end_object() {
        writer_.EndObject();
        return *this;
    }
    JsonOut& begin_array() {
        writer_.StartArray();
        return *this;
    }
    JsonOut& end_array() {
        writer_.EndArray();
        return *this;
    }
    JsonOut& key(std::string_view name) {
        writer_.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
        return *this;
    }
    JsonOut& string(std::string_view text) {
        writer_.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
        return *this;
    }
    JsonOut& integer(std::int64_t value) {
        writer_.Int64(value);
        return *this;
    }
    JsonOut& boolean(bool value) {
        writer_.Bool(value);
        return *this;
    }
    JsonOut& null() {
        writer_.Null();
        return *this;
    }
    // key: value shorthands
    JsonOut& field(std::string_view name, std::string_view text) { return key(name).string(text); }
    JsonOut& field(std::string_view name, const char* text) {
        return key(name).string(std::string_view(text));
    }
    JsonOut& field(std::string_view name, const std::string& text) {
        return key(name).string(text);
    }
    JsonOut& field(std::string_view name, std::int64_t value) { return key(name).integer(value); }
    JsonOut& field(std::string_view name, int value) { return key(name).integer(value); }
    JsonOut& field(std::string_view name, bool value) { return key(name).boolean(value); }

    std::string str() const { return std::string(buffer_.GetString(), buffer_.GetSize()); }

  private:
    rapidjson::StringBuffer buffer_;
    rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

// &, < and > as entities: Slack mrkdwn treats them as control characters and Google Chat card
// paragraphs as HTML, so text from Atlassian must not link, mention or mark up anything.
std::string escape_markup(std::string_view text);

// "2026-04-24 06:00 UTC" for people.
std::string human_time(std::int64_t epoch_ms);
// The footer line every format shows: "rosterd 0.1.0 on host1 · 2026-04-24 06:00 UTC".
std::string origin_line(std::int64_t at_ms, const std::string& host, const std::string& version);

}  // namespace rosterd::notify::detail
