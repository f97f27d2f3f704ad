#pragma once
// Small conveniences over RapidJSON for writing responses and reading request bodies.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rosterd::sim {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

inline void put(JsonWriter& w, std::string_view text) {
    w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}
inline void key(JsonWriter& w, std::string_view name) {
    put(w, name);
}
inline void put_optional(JsonWriter& w, const std::optional<std::string>& text) {
    if (text) {
        put(w, *text);
    } else {
        w.Null();
    }
}
inline void put_optional(JsonWriter& w, const std::optional<std::int64_t>& number) {
    if (number) {
        w.Int64(*number);
    } else {
        w.Null();
    }
}

inline std::string to_string(const rapidjson::StringBuffer& buffer) {
    return std::string(buffer.GetString(), buffer.GetSize());
}

// Serializes any RapidJSON value compactly.
std::string to_json(const rapidjson::Value& value);

// Reads an optional string member; nullopt if absent or null; throws std::runtime_error naming
// the field if present with another type.
std::optional<std::string> optional_string(const rapidjson::Value& object, const char* name);
std::string required_string(const rapidjson::Value& object, const char* name);
std::optional<std::int64_t> optional_int64(const rapidjson::Value& object, const char* name);
bool optional_bool(const rapidjson::Value& object, const char* name, bool fallback);
// A member that must be an array of strings if present.
std::vector<std::string> string_array(const rapidjson::Value& object, const char* name);

}  // namespace rosterd::sim
