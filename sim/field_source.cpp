#include "field_source.hpp"

#include <charconv>

namespace rosterd::sim {

namespace {

[[noreturn]] void bad_type(const char* name, const char* expected) {
    throw BadRequest(std::string(name) + " must be " + expected);
}

SortSpec read_sort_object(const char* name, const rapidjson::Value& v) {
    if (!v.IsObject())
        bad_type(name, "an array of {field, direction} objects");
    SortSpec spec;
    auto field = v.FindMember("field");
    if (field == v.MemberEnd() || !field->value.IsString())
        bad_type(name, "items with a field");
    spec.field = field->value.GetString();
    auto direction = v.FindMember("direction");
    if (direction == v.MemberEnd())
        direction = v.FindMember("order");
    if (direction != v.MemberEnd()) {
        if (!direction->value.IsString())
            bad_type(name, "items with direction asc or desc");
        std::string_view text = direction->value.GetString();
        if (text != "asc" && text != "desc")
            bad_type(name, "items with direction asc or desc");
        spec.descending = text == "desc";
    }
    return spec;
}

}  // namespace

const rapidjson::Value* JsonFields::find(const char* name) const {
    auto it = object_.FindMember(name);
    if (it == object_.MemberEnd() || it->value.IsNull())
        return nullptr;
    return &it->value;
}

bool JsonFields::has(const char* name) const {
    return find(name) != nullptr;
}

std::optional<std::vector<std::string>> JsonFields::strings(const char* name) const {
    const auto* v = find(name);
    if (!v)
        return std::nullopt;
    if (!v->IsArray())
        bad_type(name, "an array of strings");
    std::vector<std::string> out;
    for (const auto& item : v->GetArray()) {
        if (!item.IsString())
            bad_type(name, "an array of strings");
        out.emplace_back(item.GetString(), item.GetStringLength());
    }
    return out;
}

std::optional<std::string> JsonFields::string(const char* name) const {
    const auto* v = find(name);
    if (!v)
        return std::nullopt;
    if (!v->IsString())
        bad_type(name, "a string");
    return std::string(v->GetString(), v->GetStringLength());
}

std::optional<bool> JsonFields::boolean(const char* name) const {
    const auto* v = find(name);
    if (!v)
        return std::nullopt;
    if (!v->IsBool())
        bad_type(name, "a boolean");
    return v->GetBool();
}

std::optional<std::int64_t> JsonFields::integer(const char* name) const {
    const auto* v = find(name);
    if (!v)
        return std::nullopt;
    if (!v->IsInt64())
        bad_type(name, "an integer");
    return v->GetInt64();
}

std::optional<std::vector<SortSpec>> JsonFields::sort(const char* name) const {
    const auto* v = find(name);
    if (!v)
        return std::nullopt;
    std::vector<SortSpec> out;
    if (v->IsObject()) {
        out.push_back(read_sort_object(name, *v));
        return out;
    }
    if (!v->IsArray())
        bad_type(name, "an array of {field, direction} objects");
    for (const auto& item : v->GetArray())
        out.push_back(read_sort_object(name, item));
    return out;
}

bool QueryFields::has(const char* name) const {
    return params_.find(name) != params_.end();
}

std::optional<std::vector<std::string>> QueryFields::strings(const char* name) const {
    auto range = params_.equal_range(name);
    if (range.first == range.second)
        return std::nullopt;
    std::vector<std::string> out;
    for (auto it = range.first; it != range.second; ++it) {
        std::string_view value = it->second;
        std::size_t start = 0;
        while (start <= value.size()) {
            std::size_t comma = value.find(',', start);
            if (comma == std::string_view::npos)
                comma = value.size();
            if (comma > start)
                out.emplace_back(value.substr(start, comma - start));
            start = comma + 1;
        }
    }
    return out;
}

std::optional<std::string> QueryFields::string(const char* name) const {
    auto it = params_.find(name);
    if (it == params_.end())
        return std::nullopt;
    return it->second;
}

std::optional<bool> QueryFields::boolean(const char* name) const {
    auto text = string(name);
    if (!text)
        return std::nullopt;
    if (*text == "true")
        return true;
    if (*text == "false")
        return false;
    bad_type(name, "true or false");
}

std::optional<std::int64_t> QueryFields::integer(const char* name) const {
    auto text = string(name);
    if (!text)
        return std::nullopt;
    std::int64_t value = 0;
    auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
    if (error != std::errc() || end != text->data() + text->size())
        bad_type(name, "an integer");
    return value;
}

std::optional<std::vector<SortSpec>> QueryFields::sort(const char* name) const {
    auto values = strings(name);
    if (!values)
        return std::nullopt;
    std::vector<SortSpec> out;
    for (const auto& value : *values) {
        SortSpec spec;
        auto colon = value.find(':');
        spec.field = value.substr(0, colon);
        if (colon != std::string::npos) {
            std::string direction = value.substr(colon + 1);
            if (direction != "asc" && direction != "desc") {
                bad_type(name, "field, field:asc or field:desc");
            }
            spec.descending = direction == "desc";
        }
        out.push_back(spec);
    }
    return out;
}

void check_list_size(const char* name, const std::vector<std::string>& values, std::size_t max) {
    if (values.empty())
        throw BadRequest(std::string(name) + " must not be empty");
    if (values.size() > max) {
        throw BadRequest(std::string(name) + " accepts at most " + std::to_string(max) + " items");
    }
}

std::optional<std::string> read_cursor(const FieldSource& fields) {
    auto cursor = fields.string("cursor");
    if (cursor && cursor->empty())
        return std::nullopt;
    return cursor;
}

int read_limit(const FieldSource& fields, int default_limit, int max_limit) {
    auto limit = fields.integer("limit");
    if (!limit)
        return default_limit;
    if (*limit < 1 || *limit > max_limit) {
        throw BadRequest("limit must be between 1 and " + std::to_string(max_limit));
    }
    return static_cast<int>(*limit);
}

}  // namespace rosterd::sim
