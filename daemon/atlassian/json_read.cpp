#include "json_read.hpp"

#include <rapidjson/error/en.h>

#include <algorithm>

#include "rosterd/base/time_format.hpp"

namespace rosterd::atlassian::json {

namespace {

const char* type_name(const Value& value) {
    if (value.IsNull())
        return "null";
    if (value.IsBool())
        return "a boolean";
    if (value.IsNumber())
        return "a number";
    if (value.IsString())
        return "a string";
    if (value.IsArray())
        return "an array";
    return "an object";
}

[[noreturn]] void wrong_type(const Where& where, const char* expected, const Value& got) {
    throw ParseFailure(where.str() + ": expected " + expected + ", got " + type_name(got));
}

}  // namespace

Where Where::with(Step step) const {
    Where next = *this;
    if (depth_ < kMostSteps)
        next.steps_[next.depth_++] = step;
    else
        next.truncated_ = true;
    return next;
}

std::string Where::str() const {
    std::string text = root_;
    for (std::size_t i = 0; i < depth_; ++i) {
        if (steps_[i].key) {
            if (!text.empty())
                text += '.';
            text += steps_[i].key;
        } else {
            text += '[' + std::to_string(steps_[i].index) + ']';
        }
    }
    if (truncated_)
        text += "...";
    return text;
}

ApiError parse_error(std::string message) {
    ApiError error;
    error.kind = ApiError::Kind::parse;
    error.message = std::move(message);
    // A 2xx body that does not parse is usually a truncated transfer; worth another try.
    error.retryable = true;
    return error;
}

namespace {

// The values of a body take up to about its size (16 bytes a value and member; the strings stay
// in the body).
std::size_t pool_chunk_for(std::string_view body) {
    constexpr std::size_t kSmallest = 64 * 1024;  // RapidJSON's own chunk
    return std::max(kSmallest, body.size());
}

}  // namespace

ParsedObject::ParsedObject(std::string_view body)
    : text_(body), pool_(pool_chunk_for(body)), document_(&pool_) {
    // In place, the text ends at its terminating NUL, as a parse of the view would at an
    // embedded one: both see the end of input there.
    document_.ParseInsitu<rapidjson::kParseIterativeFlag>(text_.data());
    if (document_.HasParseError()) {
        if (body.empty())
            throw ParseFailure("empty response body where JSON was expected");
        throw ParseFailure("malformed JSON at offset " +
                           std::to_string(document_.GetErrorOffset()) + ": " +
                           rapidjson::GetParseError_En(document_.GetParseError()));
    }
    if (!document_.IsObject())
        wrong_type("response body", "an object", document_);
}

const Value* find(const Value& object, const char* key) {
    auto member = object.FindMember(key);
    if (member == object.MemberEnd() || member->value.IsNull())
        return nullptr;
    return &member->value;
}

const Value& require(const Value& object, const char* key, const Where& where) {
    const Value* value = find(object, key);
    if (!value)
        throw ParseFailure(where.key(key).str() + ": required field missing");
    return *value;
}

std::string require_string(const Value& object, const char* key, const Where& where) {
    const Value& value = require(object, key, where);
    if (!value.IsString())
        wrong_type(at(where, key), "a string", value);
    return std::string(value.GetString(), value.GetStringLength());
}

std::string string_or_empty(const Value& object, const char* key, const Where& where) {
    const Value* value = find(object, key);
    if (!value)
        return {};
    if (!value->IsString())
        wrong_type(at(where, key), "a string", *value);
    return std::string(value->GetString(), value->GetStringLength());
}

std::optional<std::int64_t> optional_int(const Value& object, const char* key, const Where& where) {
    const Value* value = find(object, key);
    if (!value)
        return std::nullopt;
    if (!value->IsInt64())
        wrong_type(at(where, key), "an integer", *value);
    return value->GetInt64();
}

bool bool_or(const Value& object, const char* key, bool fallback, const Where& where) {
    const Value* value = find(object, key);
    if (!value)
        return fallback;
    if (!value->IsBool())
        wrong_type(at(where, key), "a boolean", *value);
    return value->GetBool();
}

const Value* optional_array(const Value& object, const char* key, const Where& where) {
    const Value* value = find(object, key);
    if (value && !value->IsArray())
        wrong_type(at(where, key), "an array", *value);
    return value;
}

const Value& require_array(const Value& object, const char* key, const Where& where) {
    const Value& value = require(object, key, where);
    if (!value.IsArray())
        wrong_type(at(where, key), "an array", value);
    return value;
}

const Value* optional_object(const Value& object, const char* key, const Where& where) {
    const Value* value = find(object, key);
    if (value && !value->IsObject())
        wrong_type(at(where, key), "an object", *value);
    return value;
}

const Value& require_object(const Value& object, const char* key, const Where& where) {
    const Value& value = require(object, key, where);
    if (!value.IsObject())
        wrong_type(at(where, key), "an object", value);
    return value;
}

const Value& as_object(const Value& value, const Where& where) {
    if (!value.IsObject())
        wrong_type(where, "an object", value);
    return value;
}

std::vector<std::string> string_array(const Value& object, const char* key, const Where& where) {
    std::vector<std::string> out;
    const Value* array = optional_array(object, key, where);
    if (!array)
        return out;
    out.reserve(array->Size());
    for (rapidjson::SizeType i = 0; i < array->Size(); ++i) {
        const Value& item = (*array)[i];
        if (!item.IsString())
            wrong_type(at(at(where, key), i), "a string", item);
        out.emplace_back(item.GetString(), item.GetStringLength());
    }
    return out;
}

std::optional<std::int64_t> optional_timestamp(const Value& object, const char* key,
                                               const Where& where) {
    std::string text = string_or_empty(object, key, where);
    if (text.empty())
        return std::nullopt;
    auto parsed = parse_iso8601_ms(text);
    // Strict on purpose: reading an unparseable date as "never active" could cost a user a seat.
    if (!parsed)
        throw ParseFailure(where.key(key).str() + ": not an ISO-8601 timestamp: " + text);
    return parsed;
}

std::optional<std::string> next_link(const Value& root) {
    const Value* links = optional_object(root, "links", "");
    if (!links)
        return std::nullopt;
    std::string next = string_or_empty(*links, "next", "links");
    if (next.empty())
        return std::nullopt;
    return next;
}

}  // namespace rosterd::atlassian::json
