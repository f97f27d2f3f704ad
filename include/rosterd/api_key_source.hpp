#pragma once
// Where the organization API key comes from, in order of precedence: the key stored by
// `rosterctl key set` (state directory), atlassian.api_key_file, then the systemd credential
// $CREDENTIALS_DIRECTORY/api-key. The key itself is never logged; only its source and fingerprint.
#include <optional>
#include <string>

#include "rosterd/config.hpp"

namespace rosterd {

struct ApiKey {
    std::string value;   // secret
    std::string source;  // "stored", "api_key_file", "credential"
    std::string path;    // the file it was read from
};

// The stored key's file in the state directory.
std::string stored_key_path(const Config& config);

// Loads the first key found, trimmed of surrounding whitespace; nullopt when none is configured.
std::optional<ApiKey> load_api_key(const Config& config);

// A short non-reversible fingerprint for display: the first 12 hex digits of SHA-256.
std::string key_fingerprint(const std::string& key);

}  // namespace rosterd
