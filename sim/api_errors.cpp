#include "api_errors.hpp"

#include <atomic>
#include <cstdio>

#include "json_util.hpp"

namespace rosterd::sim {

namespace {

// Error ids only need to be unique per process; a counter keeps responses reproducible.
std::string next_error_id() {
    static std::atomic<std::uint64_t> counter{0};
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "00000000-0000-4000-8000-%012llx",
                  static_cast<unsigned long long>(++counter));
    return buffer;
}

void write_application_error(JsonWriter& w, int status, std::string_view code,
                             std::string_view title, std::string_view detail) {
    w.StartObject();
    key(w, "id");
    put(w, next_error_id());
    key(w, "status");
    put(w, std::to_string(status));  // a string here, unlike ProxyError's numeric code
    key(w, "code");
    put(w, code);
    key(w, "title");
    put(w, title);
    key(w, "detail");
    put(w, detail);
    w.EndObject();
}

}  // namespace

ApiFamily family_of(std::string_view path) {
    if (path.starts_with("/users/"))
        return ApiFamily::UserManagement;
    if (path.starts_with("/admin/v2/")) {
        auto workspaces = path.find("/workspaces");
        if (workspaces != std::string_view::npos &&
            workspaces + std::string_view("/workspaces").size() == path.size()) {
            return ApiFamily::Workspaces;
        }
        return ApiFamily::OrgV2;
    }
    if (path.starts_with("/admin/v1/")) {
        if (path.find("/users/") != std::string_view::npos &&
            (path.find("/roles/") != std::string_view::npos ||
             path.find("/role-assignments/") != std::string_view::npos)) {
            return ApiFamily::OrgV1Roles;
        }
        return ApiFamily::OrgV1;
    }
    if (path.starts_with("/admin/"))
        return ApiFamily::OrgV1;
    return ApiFamily::NotApi;
}

bool is_api_path(std::string_view path) {
    return family_of(path) != ApiFamily::NotApi;
}

std::string reason_phrase(int status) {
    switch (status) {
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 402:
            return "Payment Required";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 409:
            return "Conflict";
        case 415:
            return "Unsupported Media Type";
        case 429:
            return "Too Many Requests";
        case 500:
            return "Internal Server Error";
        case 502:
            return "Bad Gateway";
        case 503:
            return "Service Unavailable";
        case 504:
            return "Gateway Timeout";
        default:
            return "Error";
    }
}

std::string proxy_error(int code, std::string_view message) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    key(w, "code");
    w.Int(code);
    key(w, "message");
    put(w, message);
    w.EndObject();
    return to_string(buffer);
}

std::string application_errors(int status, std::string_view code, std::string_view title,
                               std::string_view detail) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    key(w, "errors");
    w.StartArray();
    write_application_error(w, status, code, title, detail);
    w.EndArray();
    w.EndObject();
    return to_string(buffer);
}

std::string flat_error(int status, std::string_view code, std::string_view title,
                       std::string_view detail) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    write_application_error(w, status, code, title, detail);
    return to_string(buffer);
}

std::string no_perms_error(std::string_view path, std::string_view timestamp) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    key(w, "timestamp");
    put(w, timestamp);
    key(w, "path");
    put(w, "/api" + std::string(path));  // e.g. /api/admin/v1/orgs/<orgId>/users
    key(w, "status");
    w.Int(403);
    key(w, "error");
    put(w, "Forbidden");
    key(w, "message");
    put(w, "User has no permission to access resource.");
    key(w, "requestId");
    put(w, next_error_id());
    w.EndObject();
    return to_string(buffer);
}

std::string um_key_error(std::string_view error_key) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    key(w, "key");
    put(w, error_key);
    w.EndObject();
    return to_string(buffer);
}

std::string um_forbidden_action(std::string_view reason_key) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    key(w, "key");
    put(w, "forbidden.action");
    key(w, "context");
    w.StartObject();
    key(w, "allowed");
    w.Bool(false);
    key(w, "reason");
    w.StartObject();
    key(w, "key");
    put(w, reason_key);
    w.EndObject();
    w.EndObject();
    w.EndObject();
    return to_string(buffer);
}

std::string um_lifecycle_conflict(std::string_view account_id, std::string_view message) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    key(w, "key");
    put(w, "conflict.lifecycleErrors");
    key(w, "context");
    w.StartObject();
    key(w, "accountId");
    put(w, account_id);
    key(w, "message");
    put(w, message);
    key(w, "errorCodes");
    w.StartArray();
    w.StartObject();
    key(w, "code");
    put(w, "ACCOUNT_STATE_CONFLICT");
    key(w, "message");
    put(w, message);
    w.EndObject();
    w.EndArray();
    w.EndObject();
    w.EndObject();
    return to_string(buffer);
}

std::string error_code(ApiFamily family, int status, int number) {
    std::string prefix = family == ApiFamily::OrgV1Roles ? "ADMIN-UAM-" : "ADMIN-";
    return prefix + std::to_string(status) + "-" + std::to_string(number);
}

std::string failure_body(std::string_view path, int status, std::string_view detail) {
    ApiFamily family = family_of(path);
    std::string title = reason_phrase(status);
    if (family == ApiFamily::UserManagement) {
        switch (status) {
            case 401:
                return um_key_error("unauthorized");
            case 403:
                return um_key_error("forbidden");
            case 404:
                return um_key_error("notFound");
            case 429:
                return proxy_error(429, "Too many requests");
            default:
                return um_key_error(status >= 500 ? "internalServerError" : "badRequest");
        }
    }
    // The gateway answers these itself, in its own shape, whatever the endpoint.
    if (status == 401)
        return proxy_error(401, "Unauthorized");
    if (status == 503 || status == 502 || status == 504)
        return proxy_error(status, title);
    if (status == 429 && family != ApiFamily::OrgV2)
        return proxy_error(429, "Too many requests");
    if (family == ApiFamily::Workspaces) {
        return flat_error(status, error_code(family, status), title, detail);
    }
    return application_errors(status, error_code(family, status), title, detail);
}

}  // namespace rosterd::sim
