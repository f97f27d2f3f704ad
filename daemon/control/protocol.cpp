#include "rosterd/control/protocol.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <stdexcept>

namespace rosterd::control {
namespace {

bool is_blank(std::string_view text) {
    return text.find_first_not_of(" \t\r") == std::string_view::npos;
}

// Deepest nesting of arrays/objects in JSON text, ignoring brackets inside strings.
int nesting_depth(std::string_view json) {
    int depth = 0;
    int deepest = 0;
    bool in_string = false;
    bool escaped = false;
    for (char c : json) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return deepest;
}

// Quotes and escapes a string as JSON.
std::string json_string(std::string_view text) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
    return std::string(buffer.GetString(), buffer.GetSize());
}

// JSON's insignificant whitespace (a request line holds no '\n').
std::size_t skip_space(std::string_view json, std::size_t at) {
    while (at < json.size() &&
           (json[at] == ' ' || json[at] == '\t' || json[at] == '\r' || json[at] == '\n'))
        ++at;
    return at;
}

// The end of the string token starting with the '"' at `at` (one past its closing quote).
std::size_t skip_string(std::string_view json, std::size_t at) {
    for (++at; at < json.size(); ++at) {
        if (json[at] == '\\')
            ++at;
        else if (json[at] == '"')
            return at + 1;
    }
    return json.size();
}

// The end of the value starting at `at`: a string, a nested array or object, or a bare scalar.
std::size_t skip_value(std::string_view json, std::size_t at) {
    if (at >= json.size())
        return at;
    if (json[at] == '"')
        return skip_string(json, at);
    if (json[at] == '{' || json[at] == '[') {
        int depth = 0;
        while (at < json.size()) {
            char c = json[at];
            if (c == '"') {
                at = skip_string(json, at);
                continue;
            }
            ++at;
            if (c == '{' || c == '[')
                ++depth;
            else if ((c == '}' || c == ']') && --depth == 0)
                return at;
        }
        return at;
    }
    while (at < json.size() && json[at] != ',' && json[at] != '}' && json[at] != ']' &&
           json[at] != ' ' && json[at] != '\t' && json[at] != '\r' && json[at] != '\n')
        ++at;
    return at;
}

// The text of a member name token, unescaped (names such as "\u0069d" are rare but valid).
std::string member_name(std::string_view token) {
    if (token.find('\\') == std::string_view::npos)
        return std::string(token.substr(1, token.size() - 2));
    rapidjson::Document name;
    name.Parse(token.data(), token.size());
    return name.IsString() ? std::string(name.GetString(), name.GetStringLength()) : std::string();
}

// The exact text of the first top-level member `name` of a JSON object that rapidjson has already
// parsed successfully, so the text is known to be valid. The id is echoed from this text, not
// re-written from rapidjson's value: a number beyond 64 bits would come back as a double
// (12345678901234567890123 as 1.2345678901234568e22) and 1.50 as 1.5, and a client matching
// answers to requests by id would no longer find its own.
std::optional<std::string_view> raw_member(std::string_view json, std::string_view name) {
    std::size_t at = skip_space(json, 0);
    if (at >= json.size() || json[at] != '{')
        return std::nullopt;
    at = skip_space(json, at + 1);
    while (at < json.size() && json[at] == '"') {
        std::size_t name_end = skip_string(json, at);
        bool wanted = member_name(json.substr(at, name_end - at)) == name;
        at = skip_space(json, name_end);
        if (at >= json.size() || json[at] != ':')
            return std::nullopt;
        std::size_t value_start = skip_space(json, at + 1);
        std::size_t value_end = skip_value(json, value_start);
        if (wanted)
            return json.substr(value_start, value_end - value_start);
        at = skip_space(json, value_end);
        if (at >= json.size() || json[at] != ',')
            return std::nullopt;
        at = skip_space(json, at + 1);
    }
    return std::nullopt;
}

}  // namespace

void LineFramer::feed(std::string_view bytes) {
    while (!bytes.empty()) {
        std::size_t newline = bytes.find('\n');
        if (discarding_) {
            if (newline == std::string_view::npos)
                return;
            discarding_ = false;
            bytes.remove_prefix(newline + 1);
            continue;
        }
        std::string_view piece = bytes.substr(0, newline);
        if (partial_.size() + piece.size() > max_line_bytes_) {
            partial_.clear();
            partial_.shrink_to_fit();
            events_.push_back(Event{Event::Kind::too_large, {}});
            if (newline == std::string_view::npos) {
                discarding_ = true;
                return;
            }
            bytes.remove_prefix(newline + 1);
            continue;
        }
        partial_.append(piece);
        if (newline == std::string_view::npos)
            return;
        bytes.remove_prefix(newline + 1);
        complete_line();
    }
}

void LineFramer::finish() {
    discarding_ = false;
    complete_line();
}

void LineFramer::complete_line() {
    if (!partial_.empty() && partial_.back() == '\r')
        partial_.pop_back();  // CRLF clients (telnet, Windows tools) are tolerated
    if (!is_blank(partial_))
        events_.push_back(Event{Event::Kind::line, std::move(partial_)});
    partial_.clear();
}

std::optional<LineFramer::Event> LineFramer::next() {
    if (events_.empty())
        return std::nullopt;
    Event event = std::move(events_.front());
    events_.pop_front();
    return event;
}

std::optional<std::string> to_json(const rapidjson::Value& value) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    if (!value.Accept(writer))
        return std::nullopt;
    return std::string(buffer.GetString(), buffer.GetSize());
}

std::string_view describe_json_type(const rapidjson::Value& value) {
    if (value.IsNull())
        return "null";
    if (value.IsBool())
        return "a boolean";
    if (value.IsString())
        return "a string";
    if (value.IsArray())
        return "an array";
    if (value.IsObject())
        return "an object";
    if (value.IsInt64() || value.IsUint64())
        return "an integer";
    return "a number";
}

std::variant<ParsedRequest, RequestError> parse_request_line(std::string_view line) {
    auto document = std::make_shared<rapidjson::Document>();
    // Iterative parsing: deeply nested input cannot exhaust the stack while parsing.
    constexpr unsigned kFlags =
        rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
    document->Parse<kFlags>(line.data(), line.size());
    if (document->HasParseError()) {
        return RequestError{"null", kParseError,
                            std::string("invalid JSON at byte ") +
                                std::to_string(document->GetErrorOffset()) + ": " +
                                rapidjson::GetParseError_En(document->GetParseError())};
    }
    if (!document->IsObject())
        return RequestError{"null", kInvalidRequest, "a request must be a JSON object"};

    std::string id_json = "null";
    if (auto id = document->FindMember("id"); id != document->MemberEnd()) {
        if (id->value.IsObject() || id->value.IsArray())
            return RequestError{"null", kInvalidRequest, "\"id\" must be a JSON scalar"};
        auto raw = raw_member(line, "id");
        id_json = raw ? std::string(*raw) : to_json(id->value).value_or("null");
    }
    if (nesting_depth(line) > kMaxRequestDepth) {
        return RequestError{
            id_json, kInvalidRequest,
            "the request is nested deeper than " + std::to_string(kMaxRequestDepth) + " levels"};
    }
    for (const auto& member : document->GetObject()) {
        std::string_view name(member.name.GetString(), member.name.GetStringLength());
        if (name != "id" && name != "command" && name != "args") {
            return RequestError{id_json, kInvalidRequest,
                                "unknown request member " + json_string(name) +
                                    " (expected \"id\", \"command\", \"args\")"};
        }
    }
    auto command = document->FindMember("command");
    if (command == document->MemberEnd())
        return RequestError{id_json, kInvalidRequest, "missing \"command\" (a string)"};
    if (!command->value.IsString()) {
        return RequestError{
            id_json, kInvalidRequest,
            "\"command\" must be a string, got " + std::string(describe_json_type(command->value))};
    }
    ParsedRequest request;
    request.id_json = std::move(id_json);
    request.command.assign(command->value.GetString(), command->value.GetStringLength());
    if (auto args = document->FindMember("args"); args != document->MemberEnd()) {
        if (!args->value.IsObject()) {
            return RequestError{
                request.id_json, kInvalidRequest,
                "\"args\" must be an object, got " + std::string(describe_json_type(args->value))};
        }
        request.args = &args->value;
    }
    request.document = std::move(document);
    return request;
}

std::string ok_line(std::string_view id_json, const rapidjson::Value& result) {
    auto text = to_json(result);
    if (!text)
        return error_line(id_json, kInternal, "the result could not be written as JSON");
    std::string line;
    line.reserve(text->size() + id_json.size() + 32);
    line.append("{\"id\":").append(id_json).append(",\"ok\":true,\"result\":");
    line.append(*text).append("}\n");
    return line;
}

std::string error_line(std::string_view id_json, std::string_view code, std::string_view message) {
    std::string line("{\"id\":");
    line.append(id_json)
        .append(",\"ok\":false,\"error\":{\"code\":")
        .append(json_string(code))
        .append(",\"message\":")
        .append(json_string(message))
        .append("}}\n");
    return line;
}

std::optional<std::string> progress_line(std::string_view id_json,
                                         const rapidjson::Value& progress) {
    auto text = to_json(progress);
    if (!text)
        return std::nullopt;
    std::string line("{\"id\":");
    line.append(id_json).append(",\"progress\":").append(*text).append("}\n");
    return line;
}

std::string request_line(std::string_view id_json, std::string_view command,
                         const rapidjson::Value* args) {
    std::string line("{\"id\":");
    line.append(id_json).append(",\"command\":").append(json_string(command));
    if (args) {
        auto text = to_json(*args);
        if (!text)
            throw std::invalid_argument("the arguments cannot be written as JSON");
        line.append(",\"args\":").append(*text);
    }
    line.append("}\n");
    return line;
}

}  // namespace rosterd::control
