#pragma once
// Small helpers that make building command results with rapidjson less noisy:
//
//   rapidjson::Document result(rapidjson::kObjectType);
//   auto& a = result.GetAllocator();
//   json::add(result, "users", 1234, a);
//   json::add(result, "org", org_name, a);          // strings are copied
//   rapidjson::Value rows(rapidjson::kArrayType);
//   json::push(rows, "alice", a);
//   json::add(result, "rows", std::move(rows), a);
//   reply->ok(result);
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace rosterd::control::json {

using Allocator = rapidjson::Document::AllocatorType;

// A JSON value from a C++ value; strings are copied into `allocator`; nullopt becomes null.
inline rapidjson::Value value(std::string_view text, Allocator& allocator) {
    // An empty view may have no data at all (a default one): rapidjson wants a pointer anyway.
    return rapidjson::Value(text.data() ? text.data() : "",
                            static_cast<rapidjson::SizeType>(text.size()), allocator);
}
inline rapidjson::Value value(const char* text, Allocator& allocator) {
    return value(std::string_view(text), allocator);
}
inline rapidjson::Value value(const std::string& text, Allocator& allocator) {
    return value(std::string_view(text), allocator);
}
// Moves a value whose memory already belongs to `allocator` (built with it).
inline rapidjson::Value value(rapidjson::Value&& moved, Allocator&) {
    return std::move(moved);
}
// A whole Document owns its own allocator; moving it would leave dangling memory: copy it instead.
rapidjson::Value value(rapidjson::Document&& document, Allocator& allocator) = delete;
// Deep copy, for values owned by another document.
inline rapidjson::Value value(const rapidjson::Value& copied, Allocator& allocator) {
    return rapidjson::Value(copied, allocator);
}
template <typename T>
requires std::same_as < std::remove_cvref_t<T>,
bool > inline rapidjson::Value value(T flag, Allocator&) {
    return rapidjson::Value(static_cast<bool>(flag));
}
template <std::integral T>
requires(!std::same_as<std::remove_cvref_t<T>, bool>) inline rapidjson::Value
    value(T number, Allocator&) {
    if constexpr (std::is_signed_v<T>)
        return rapidjson::Value(static_cast<std::int64_t>(number));
    else
        return rapidjson::Value(static_cast<std::uint64_t>(number));
}
template <std::floating_point T>
inline rapidjson::Value value(T number, Allocator&) {
    return rapidjson::Value(static_cast<double>(number));
}
template <typename T>
inline rapidjson::Value value(const std::optional<T>& maybe, Allocator& allocator) {
    return maybe ? value(*maybe, allocator) : rapidjson::Value();
}

// Adds `key: v` to an object (the key is copied).
template <typename T>
void add(rapidjson::Value& object, std::string_view key, T&& v, Allocator& allocator) {
    object.AddMember(value(key, allocator), value(std::forward<T>(v), allocator), allocator);
}

// Appends `v` to an array.
template <typename T>
void push(rapidjson::Value& array, T&& v, Allocator& allocator) {
    array.PushBack(value(std::forward<T>(v), allocator), allocator);
}

// `v` as compact JSON text.
// The integer member `key` of `v`, or `fallback` when `v` has none (or not an integer).
inline std::int64_t int_of(const rapidjson::Value& v, const char* key, std::int64_t fallback = 0) {
    if (!v.IsObject() || !v.HasMember(key) || !v[key].IsInt64())
        return fallback;
    return v[key].GetInt64();
}

inline std::string to_compact(const rapidjson::Value& v) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    v.Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace rosterd::control::json
