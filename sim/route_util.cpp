#include "route_util.hpp"

#include <cctype>

#include "field_source.hpp"
#include "prng.hpp"
#include "rosterd/base/text.hpp"

namespace rosterd::sim {

void send_json(httplib::Response& res, int status, const std::string& body) {
    res.status = status;
    res.set_content(body, kJsonContentType);
}

void send_no_content(httplib::Response& res) {
    res.status = 204;
    res.body.clear();
}

void send_api_error(const httplib::Request& req, httplib::Response& res, int status, int number,
                    std::string_view detail) {
    ApiFamily family = family_of(req.path);
    std::string code = error_code(family, status, number);
    std::string title = reason_phrase(status);
    if (family == ApiFamily::Workspaces) {
        send_json(res, status, flat_error(status, code, title, detail));
    } else {
        send_json(res, status, application_errors(status, code, title, detail));
    }
}

bool is_json_content_type(const httplib::Request& req) {
    std::string type = lowercase(req.get_header_value("Content-Type"));
    return type.starts_with("application/json");
}

std::string percent_encode(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0xF]);
        }
    }
    return out;
}

std::string request_host(const httplib::Request& req) {
    std::string host = req.get_header_value("Host");
    if (host.empty())
        host = req.local_addr + ":" + std::to_string(req.local_port);
    return host;
}

rapidjson::Document parse_body_object(const httplib::Request& req) {
    rapidjson::Document doc;
    if (req.body.empty()) {
        doc.SetObject();
        return doc;
    }
    doc.Parse(req.body.data(), req.body.size());
    if (doc.HasParseError())
        throw BadRequest("request body is not valid JSON");
    if (!doc.IsObject())
        throw BadRequest("request body must be a JSON object");
    return doc;
}

bool check_org(const SimState& state, const httplib::Request& req, httplib::Response& res,
               std::string_view org_id) {
    if (org_id == state.org_id)
        return true;
    send_api_error(req, res, 404, 2, "Organization not found");
    return false;
}

std::optional<std::size_t> path_directory(const Model& model, std::string_view segment) {
    if (segment == "-")
        return std::nullopt;
    auto index = model.find_directory(segment);
    if (!index)
        throw NotFound(1, "Directory not found");
    return index;
}

std::uint64_t filter_hash(std::string_view canonical, std::string_view scope) {
    return fnv1a64(scope, fnv1a64(canonical));
}

CursorResolution resolve_cursor(SimState& state, CursorKind kind, std::string_view token,
                                std::uint64_t hash, bool request_has_filters, bool v1) {
    auto decoded = v1 ? state.cursors.decode_v1(token) : state.cursors.decode_v2(token);
    if (!decoded || decoded->kind != kind)
        throw InvalidCursor("Invalid page cursor");
    double ttl_s = state.knobs().cursor_ttl_s;
    if (ttl_s > 0 &&
        static_cast<double>(SimState::wall_clock_ms() - decoded->issued_ms) > ttl_s * 1000.0) {
        throw InvalidCursor("Invalid page cursor: the cursor has expired");
    }
    CursorResolution resolution;
    resolution.position = decoded->position;
    resolution.filter_hash = decoded->filter_hash;
    if (decoded->filter_hash != hash) {
        if (request_has_filters) {
            throw InvalidCursor("Invalid page cursor: it belongs to different filters");
        }
        resolution.recalled = state.filters.recall(decoded->filter_hash);
        if (!resolution.recalled)
            throw InvalidCursor("Invalid page cursor");
    }
    return resolution;
}

std::string issue_cursor(SimState& state, CursorKind kind, std::size_t position, std::uint64_t hash,
                         const std::string& canonical, bool v1) {
    state.filters.remember(hash, canonical);
    CursorState cursor{kind, static_cast<std::uint32_t>(position), hash, SimState::wall_clock_ms()};
    return v1 ? state.cursors.encode_v1(cursor) : state.cursors.encode_v2(cursor);
}

}  // namespace rosterd::sim
