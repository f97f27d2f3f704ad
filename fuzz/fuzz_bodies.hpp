#pragma once
// What each libFuzzer target does with one input, shared with the unit tests that replay the
// corpora (tests/unit/fuzz_corpus_test.cpp): a crasher added to fuzz/corpus/<target>/ becomes a
// regression case of `make test`.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "rosterd/atlassian/parse.hpp"
#include "rosterd/config/config.hpp"
#include "rosterd/control/protocol.hpp"

namespace rosterd::fuzz {

// The configuration loader: loads, or throws ConfigError (with file:line:col); nothing else.
inline void config_input(std::string_view text) {
    try {
        auto config = rosterd::parse_config(std::string(text), "fuzz.yaml");
        (void)config;
    } catch (const rosterd::ConfigError&) {
    }
}

// The control protocol: a request or a RequestError for any line, and answer lines for either.
inline void control_input(std::string_view line) {
    auto parsed = rosterd::control::parse_request_line(line);
    if (auto* error = std::get_if<rosterd::control::RequestError>(&parsed)) {
        (void)rosterd::control::error_line(error->id_json, error->code, error->message);
    } else {
        auto& request = std::get<rosterd::control::ParsedRequest>(parsed);
        (void)rosterd::control::error_line(request.id_json, "x", request.command);
    }
}

// Every Admin API response parser on one body; the first byte picks the error's HTTP status.
inline void atlassian_input(std::string_view data) {
    if (data.empty())
        return;
    using namespace rosterd::atlassian;
    const int status = 400 + static_cast<unsigned char>(data[0]) % 200;
    std::string_view body = data.substr(1);
    (void)parse_org(body);
    (void)parse_orgs_page(body);
    (void)parse_workspaces_page(body);
    (void)parse_directories_page(body);
    (void)parse_users_page(body);
    (void)parse_user(body);
    (void)parse_groups_page(body);
    (void)parse_group_roles_page(body);
    (void)parse_user_roles_page(body);
    (void)parse_last_active_dates(body);
    (void)parse_count(body);
    (void)parse_api_error(status, body);
    (void)extract_cursor(body);
    (void)normalize_group_id(body);
    (void)percent_decode(body);
    (void)percent_encode(body);
}

}  // namespace rosterd::fuzz
