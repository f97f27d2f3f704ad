#include "json_util.hpp"

#include <stdexcept>

namespace rosterd::sim {

std::string to_json(const rapidjson::Value& value) {
    rapidjson::StringBuffer buffer;
    JsonWriter writer(buffer);
    value.Accept(writer);
    return to_string(buffer);
}

std::optional<std::string> optional_string(const rapidjson::Value& object, const char* name) {
    auto it = object.FindMember(name);
    if (it == object.MemberEnd() || it->value.IsNull())
        return std::nullopt;
    if (!it->value.IsString())
        throw std::runtime_error(std::string(name) + " must be a string");
    return std::string(it->value.GetString(), it->value.GetStringLength());
}

std::string required_string(const rapidjson::Value& object, const char* name) {
    auto value = optional_string(object, name);
    if (!value)
        throw std::runtime_error(std::string(name) + " is required");
    return *value;
}

std::optional<std::int64_t> optional_int64(const rapidjson::Value& object, const char* name) {
    auto it = object.FindMember(name);
    if (it == object.MemberEnd() || it->value.IsNull())
        return std::nullopt;
    if (!it->value.IsInt64())
        throw std::runtime_error(std::string(name) + " must be an integer");
    return it->value.GetInt64();
}

bool optional_bool(const rapidjson::Value& object, const char* name, bool fallback) {
    auto it = object.FindMember(name);
    if (it == object.MemberEnd() || it->value.IsNull())
        return fallback;
    if (!it->value.IsBool())
        throw std::runtime_error(std::string(name) + " must be a boolean");
    return it->value.GetBool();
}

std::vector<std::string> string_array(const rapidjson::Value& object, const char* name) {
    std::vector<std::string> out;
    auto it = object.FindMember(name);
    if (it == object.MemberEnd() || it->value.IsNull())
        return out;
    if (!it->value.IsArray())
        throw std::runtime_error(std::string(name) + " must be an array");
    for (const auto& item : it->value.GetArray()) {
        if (!item.IsString())
            throw std::runtime_error(std::string(name) + " must hold strings");
        out.emplace_back(item.GetString(), item.GetStringLength());
    }
    return out;
}

}  // namespace rosterd::sim
