#pragma once
// Helpers shared by the route handlers: responses, bodies, org checks, paging and cursors.
#include <httplib.h>
#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api_errors.hpp"
#include "cursor.hpp"
#include "sim_state.hpp"

namespace rosterd::sim {

// The Content-Type of every JSON answer, as the Admin API sends it. With a charset, cpp-httplib
// does not compress the body: it would otherwise pick brotli for curl's Accept-Encoding, at about
// 100 ms of CPU per 100-user page, and the sim, not the client, would set the pace of a sync.
inline constexpr const char* kJsonContentType = "application/json;charset=UTF-8";

void send_json(httplib::Response& res, int status, const std::string& body);
void send_no_content(httplib::Response& res);
// An error in the shape of the request path's family, with the given code number
// (e.g. 404 with number 8 -> ADMIN-404-8).
void send_api_error(const httplib::Request& req, httplib::Response& res, int status, int number,
                    std::string_view detail);

bool is_json_content_type(const httplib::Request& req);
std::string percent_encode(std::string_view text);
// The request's Host header (the sim's own address if absent), for absolute links.
std::string request_host(const httplib::Request& req);

// Parses the body as a JSON object; an empty body counts as {}. Throws BadRequest otherwise.
rapidjson::Document parse_body_object(const httplib::Request& req);

// Answers 404 ADMIN-404-2 and returns false unless `org_id` is the simulated org.
bool check_org(const SimState& state, const httplib::Request& req, httplib::Response& res,
               std::string_view org_id);

// The directory named in a path: nullopt for "-" (every directory). Throws NotFound for an
// unknown id.
struct NotFound : std::runtime_error {
    int number;
    NotFound(int code_number, const std::string& what)
        : std::runtime_error(what), number(code_number) {}
};
std::optional<std::size_t> path_directory(const Model& model, std::string_view segment);

struct InvalidCursor : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// What a cursor says about where to continue.
struct CursorResolution {
    std::size_t position = 0;
    std::uint64_t filter_hash = 0;  // the filters the cursor was issued for
    // Set when the request carried no filters of its own and the cursor's filters were recalled:
    // the caller re-reads them from this canonical JSON.
    std::optional<std::string> recalled;
};

// Validates a cursor (format, kind, age, filters). `hash` is the hash of the request's own
// filters; a mismatch is allowed only when the request has no filters (then the cursor's are
// recalled). Throws InvalidCursor.
CursorResolution resolve_cursor(SimState& state, CursorKind kind, std::string_view token,
                                std::uint64_t hash, bool request_has_filters, bool v1 = false);
// Issues a cursor for `position` and remembers the filters behind `hash`.
std::string issue_cursor(SimState& state, CursorKind kind, std::size_t position, std::uint64_t hash,
                         const std::string& canonical, bool v1 = false);

std::uint64_t filter_hash(std::string_view canonical, std::string_view scope);

// Runs a handler body, mapping BadRequest/InvalidCursor/NotFound to their 400/404 answers.
template <typename Fn>
void guarded(const httplib::Request& req, httplib::Response& res, Fn&& body);

}  // namespace rosterd::sim

#include "route_util_inl.hpp"
