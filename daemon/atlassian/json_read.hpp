#pragma once
// Strict, type-checked field access over RapidJSON for the response parsers. Every accessor
// throws ParseFailure with the field's location on a type mismatch; the public parse_* functions
// catch it and return an ApiError, so nothing escapes them.
#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "rosterd/atlassian/types.hpp"

namespace rosterd::atlassian::json {

using rapidjson::Value;

struct ParseFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A parsed response body, which must be a JSON object. Its values live in one pool sized from the
// body, so a page of 100 users takes one allocation rather than a 64 KiB chunk at a time: glibc
// consolidates its fast bins whenever such a chunk is freed, ~7 % of a 500k-user sync's CPU
// (perf, bench/sync.py). Used where parsed: it can be neither copied nor moved (the document
// points into the pool).
class ParsedObject {
  public:
    explicit ParsedObject(std::string_view body);
    ParsedObject(const ParsedObject&) = delete;
    ParsedObject& operator=(const ParsedObject&) = delete;

    operator const Value&() const& { return document_; }
    // A temporary's values die with it: `const Value& v = parse_object(body);` must not compile.
    operator const Value&() const&& = delete;

  private:
    rapidjson::MemoryPoolAllocator<> pool_;
    rapidjson::Document document_;
};

inline ParsedObject parse_object(std::string_view body) {
    return ParsedObject(body);
}

// The member, or nullptr when absent or JSON null.
const Value* find(const Value& object, const char* key);
const Value& require(const Value& object, const char* key, const std::string& where);

std::string require_string(const Value& object, const char* key, const std::string& where);
std::string string_or_empty(const Value& object, const char* key, const std::string& where);
std::optional<std::int64_t> optional_int(const Value& object, const char* key,
                                         const std::string& where);
bool bool_or(const Value& object, const char* key, bool fallback, const std::string& where);
const Value* optional_array(const Value& object, const char* key, const std::string& where);
const Value& require_array(const Value& object, const char* key, const std::string& where);
const Value* optional_object(const Value& object, const char* key, const std::string& where);
const Value& require_object(const Value& object, const char* key, const std::string& where);
std::vector<std::string> string_array(const Value& object, const char* key,
                                      const std::string& where);
// An ISO-8601 instant (any fraction length) or a plain date; nullopt when absent or null.
std::optional<std::int64_t> optional_timestamp(const Value& object, const char* key,
                                               const std::string& where);
// Requires `value` to be an object (array elements, nested values).
const Value& as_object(const Value& value, const std::string& where);

// links.next of a page, or nullopt when absent, null or empty.
std::optional<std::string> next_link(const Value& root);

std::string at(const std::string& where, const char* key);    // "where.key"
std::string at(const std::string& where, std::size_t index);  // "where[index]"

ApiError parse_error(std::string message);

// Runs a parser body, turning any exception into an ApiError of kind parse.
template <typename T, typename Fn>
Result<T> guarded(Fn&& fn) {
    try {
        return Result<T>(fn());
    } catch (const ParseFailure& failure) {
        return Result<T>(parse_error(failure.what()));
    } catch (const std::exception& failure) {
        return Result<T>(parse_error(std::string("unexpected parser failure: ") + failure.what()));
    }
}

}  // namespace rosterd::atlassian::json
