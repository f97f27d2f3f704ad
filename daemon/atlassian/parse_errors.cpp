// parse_api_error: one ApiError from whichever of the Admin API's error body shapes arrived.
#include <rapidjson/document.h>

#include "rosterd/atlassian/parse.hpp"

namespace rosterd::atlassian {

namespace {

using rapidjson::Value;

constexpr std::size_t kMaxMessage = 500;  // error bodies end up in logs; keep them bounded

std::string str(const Value& object, const char* key) {
    if (!object.IsObject())
        return {};
    auto member = object.FindMember(key);
    if (member == object.MemberEnd() || !member->value.IsString())
        return {};
    return std::string(member->value.GetString(), member->value.GetStringLength());
}

const Value* member(const Value& object, const char* key) {
    if (!object.IsObject())
        return nullptr;
    auto found = object.FindMember(key);
    return found == object.MemberEnd() ? nullptr : &found->value;
}

std::string join(const std::string& a, const std::string& b, const char* separator) {
    if (a.empty())
        return b;
    if (b.empty() || a == b)
        return a;
    return a + separator + b;
}

std::string html_title(std::string_view body) {
    auto open = body.find("<title>");
    if (open == std::string_view::npos)
        return {};
    open += 7;
    auto close = body.find("</title>", open);
    if (close == std::string_view::npos)
        return {};
    return std::string(body.substr(open, std::min<std::size_t>(close - open, 120)));
}

std::string describe_non_json(int status, std::string_view body) {
    const std::string prefix = "HTTP " + std::to_string(status);
    std::size_t start = body.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos)
        return prefix + " with an empty body";
    if (body[start] == '<') {
        std::string title = html_title(body);
        return prefix + " with an HTML body" + (title.empty() ? "" : ": " + title);
    }
    return prefix + " with a non-JSON body (" + std::to_string(body.size()) + " bytes)";
}

// {"errors":[{"id","status","code","title","detail"}, ...]}
void from_error_list(const Value& errors, ApiError& error) {
    for (rapidjson::SizeType i = 0; i < errors.Size(); ++i) {
        const Value& item = errors[i];
        if (error.code.empty())
            error.code = str(item, "code");
        error.message =
            join(error.message, join(str(item, "title"), str(item, "detail"), ": "), "; ");
    }
}

// User management: {"key": "...", "context": {...}}
void from_key_error(const Value& body, ApiError& error) {
    error.code = str(body, "key");
    std::string message = error.code;
    if (const Value* context = member(body, "context"); context && context->IsObject()) {
        if (const Value* reason = member(*context, "reason")) {
            message = join(message, "reason " + str(*reason, "key"), ", ");
        }
        message = join(message, str(*context, "message"), ": ");
        if (const Value* codes = member(*context, "errorCodes"); codes && codes->IsArray()) {
            for (rapidjson::SizeType i = 0; i < codes->Size(); ++i) {
                message = join(message, str((*codes)[i], "message"), "; ");
            }
        }
        if (auto domain = str(*context, "domain"); !domain.empty()) {
            message = join(message, "domain " + domain, ", ");
        }
    }
    error.message = message;
}

void fill_from_json(const Value& body, ApiError& error) {
    if (const Value* errors = member(body, "errors"); errors && errors->IsArray()) {
        from_error_list(*errors, error);
        return;
    }
    if (const Value* key = member(body, "key"); key && key->IsString()) {
        from_key_error(body, error);
        return;
    }
    const Value* code = member(body, "code");
    if (code && code->IsString()) {  // the workspaces endpoint's flat ApplicationError
        error.code = str(body, "code");
        error.message = join(str(body, "title"), str(body, "detail"), ": ");
        return;
    }
    if (code && code->IsNumber()) {  // gateway ProxyError {code: 401, message}
        error.message = str(body, "message");
        return;
    }
    if (auto kind = str(body, "error"); !kind.empty()) {  // NoPermsError from the authz layer
        error.code = kind;
        error.message = str(body, "message");
        return;
    }
    error.message = str(body, "message");
}

}  // namespace

ApiError parse_api_error(int status, std::string_view body) {
    ApiError error;
    error.status = status;
    error.kind = status == 401   ? ApiError::Kind::auth_rejected
                 : status == 429 ? ApiError::Kind::rate_limited
                                 : ApiError::Kind::http;
    error.retryable = status == 429 || status >= 500;

    rapidjson::Document document;
    document.Parse<rapidjson::kParseIterativeFlag>(body.data(), body.size());
    if (document.HasParseError() || !document.IsObject()) {
        error.message = describe_non_json(status, body);
        return error;
    }
    fill_from_json(document, error);
    if (error.message.empty())
        error.message = "HTTP " + std::to_string(status);
    if (error.message.size() > kMaxMessage)
        error.message.resize(kMaxMessage);
    return error;
}

}  // namespace rosterd::atlassian
