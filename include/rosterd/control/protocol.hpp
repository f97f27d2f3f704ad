#pragma once
// The control protocol, shared by rosterd and rosterctl (docs/control-protocol.md): one JSON object
// per '\n'-terminated line. Requests {"id":<scalar>,"command":"name","args":{...}}; responses
// {"id":..,"ok":true,"result":..} or {"id":..,"ok":false,"error":{"code":..,"message":..}},
// possibly preceded by progress lines {"id":..,"progress":..}.
#include <rapidjson/document.h>

#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace rosterd::control {

// A request line may hold at most this many bytes before its '\n'.
inline constexpr std::size_t kMaxRequestBytes = 1024 * 1024;
// JSON nested deeper than this is refused, so no code that walks a request can run out of stack.
inline constexpr int kMaxRequestDepth = 64;

// Error codes: fixed strings, part of the protocol.
inline constexpr const char* kParseError = "parse_error";             // invalid JSON; id null
inline constexpr const char* kInvalidRequest = "invalid_request";     // not a valid request object
inline constexpr const char* kRequestTooLarge = "request_too_large";  // line over kMaxRequestBytes
inline constexpr const char* kUnknownCommand = "unknown_command";
inline constexpr const char* kInvalidArgs = "invalid_args";  // unknown, mistyped or missing arg
inline constexpr const char* kForbidden = "forbidden";       // caller's level is too low
inline constexpr const char* kFailed = "failed";             // the command ran and failed
inline constexpr const char* kUnavailable = "unavailable";   // e.g. the daemon is shutting down
inline constexpr const char* kInternal = "internal";         // a bug or an unexpected exception

// Splits a byte stream into lines without ever holding more than one over-long line's cap:
// bytes of a line past the cap are dropped as they arrive and reported once as too_large.
class LineFramer {
  public:
    struct Event {
        enum class Kind { line, too_large };
        Kind kind;
        std::string text;  // the line without '\n' and a trailing '\r'; empty for too_large
    };

    explicit LineFramer(std::size_t max_line_bytes = kMaxRequestBytes)
        : max_line_bytes_(max_line_bytes) {}

    // Adds received bytes; complete lines become events.
    void feed(std::string_view bytes);
    // The stream ended: an unterminated last line becomes an event too.
    void finish();
    // The next event in arrival order. Blank (whitespace-only) lines are skipped.
    std::optional<Event> next();

    // Bytes held for the unterminated current line.
    std::size_t partial_bytes() const { return partial_.size(); }

  private:
    void complete_line();

    std::size_t max_line_bytes_;
    std::string partial_;
    bool discarding_ = false;  // inside an over-long line, waiting for its '\n'
    std::deque<Event> events_;
};

// The JSON text of a JSON value, compact. nullopt if it cannot be written (NaN or infinity).
std::optional<std::string> to_json(const rapidjson::Value& value);

// A request line, parsed and checked for shape (not for the command's arguments).
struct ParsedRequest {
    std::string id_json;  // the id as JSON text ("null" when absent), echoed in every reply line
    std::string command;
    std::shared_ptr<const rapidjson::Document> document;  // owns args
    const rapidjson::Value* args = nullptr;               // an object, or nullptr when absent
};

// Why a line is not a request; id_json is "null" unless the id could be read.
struct RequestError {
    std::string id_json;
    std::string code;  // kParseError or kInvalidRequest
    std::string message;
};

std::variant<ParsedRequest, RequestError> parse_request_line(std::string_view line);

// Response lines, '\n'-terminated. `id_json` must be JSON text (as in ParsedRequest).
// ok_line falls back to an `internal` error line if the result cannot be written (NaN, infinity);
// progress_line then gives nullopt, as a progress line must never end a request.
std::string ok_line(std::string_view id_json, const rapidjson::Value& result);
std::string error_line(std::string_view id_json, std::string_view code, std::string_view message);
std::optional<std::string> progress_line(std::string_view id_json,
                                         const rapidjson::Value& progress);
// A request line, for clients. `args` may be nullptr.
std::string request_line(std::string_view id_json, std::string_view command,
                         const rapidjson::Value* args);

// "a string", "an integer", "an object"... for messages.
std::string_view describe_json_type(const rapidjson::Value& value);

}  // namespace rosterd::control
