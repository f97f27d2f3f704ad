#pragma once
// Strict, type-checked field access over RapidJSON for the response parsers. Every accessor
// throws ParseFailure with the field's location on a type mismatch; the public parse_* functions
// catch it and return an ApiError, so nothing escapes them.
#include <rapidjson/document.h>

#include <array>
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

// Where a value sits in a response ("data[3].groups[0].id"), for error messages. Kept as steps
// and spelled out only when an error names it: a users page would otherwise build a few strings
// per user for errors that never happen. Keys must outlive it (they are string literals).
class Where {
  public:
    Where(const char* root = "") : root_(root) {}  // NOLINT: a literal root reads naturally
    Where key(const char* key) const { return with(Step{key, 0}); }
    Where index(std::size_t index) const { return with(Step{nullptr, index}); }
    std::string str() const;

  private:
    struct Step {
        const char* key;  // nullptr: an array index
        std::size_t index;
    };
    static constexpr std::size_t kMostSteps = 6;  // deeper than any response parsed here
    Where with(Step step) const;

    const char* root_;
    std::array<Step, kMostSteps> steps_{};
    std::size_t depth_ = 0;
    bool truncated_ = false;
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
    // The body's own copy, parsed in place: the strings of the document point into it instead of
    // being copied a character at a time into the pool (most of a users page's parse time).
    std::string text_;
    rapidjson::MemoryPoolAllocator<> pool_;
    rapidjson::Document document_;
};

inline ParsedObject parse_object(std::string_view body) {
    return ParsedObject(body);
}

// The member, or nullptr when absent or JSON null.
const Value* find(const Value& object, const char* key);
const Value& require(const Value& object, const char* key, const Where& where);

std::string require_string(const Value& object, const char* key, const Where& where);
std::string string_or_empty(const Value& object, const char* key, const Where& where);
std::optional<std::int64_t> optional_int(const Value& object, const char* key, const Where& where);
bool bool_or(const Value& object, const char* key, bool fallback, const Where& where);
const Value* optional_array(const Value& object, const char* key, const Where& where);
const Value& require_array(const Value& object, const char* key, const Where& where);
const Value* optional_object(const Value& object, const char* key, const Where& where);
const Value& require_object(const Value& object, const char* key, const Where& where);
std::vector<std::string> string_array(const Value& object, const char* key, const Where& where);
// An ISO-8601 instant (any fraction length) or a plain date; nullopt when absent or null.
std::optional<std::int64_t> optional_timestamp(const Value& object, const char* key,
                                               const Where& where);
// Requires `value` to be an object (array elements, nested values).
const Value& as_object(const Value& value, const Where& where);

// links.next of a page, or nullopt when absent, null or empty.
std::optional<std::string> next_link(const Value& root);

inline Where at(const Where& where, const char* key) {  // "where.key"
    return where.key(key);
}
inline Where at(const Where& where, std::size_t index) {  // "where[index]"
    return where.index(index);
}

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
