#include "rosterd/control_protocol.hpp"

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
        id_json = to_json(id->value).value_or("null");
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
