#pragma once
// Where the organization API key comes from, in order of precedence: the key stored by
// `rosterctl key set` (state directory), atlassian.api_key_file, then the systemd credential
// $CREDENTIALS_DIRECTORY/api-key. The key itself is never logged; only its source and fingerprint.
#include <optional>
#include <string>

#include "rosterd/config/config.hpp"

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

// Why atlassian.api_key_file cannot be used, as ssh refuses a private key others may read:
// - it is missing, and no key was installed with `rosterctl key set` (stored key) nor given as a
//   systemd credential;
// - it is readable by its group or by others (whatever key is used in the end: the file exposes
//   one), with the fix (chmod 600).
// nullopt when it is fine or not configured. Reads only the file's metadata.
std::optional<std::string> api_key_file_problem(const Config& config);

// Throws ConfigError naming the configuration file and atlassian.api_key_file when
// api_key_file_problem() finds one: for --check-config, start-up and reload alike.
void check_api_key_file(const Config& config);

// A short non-reversible fingerprint for display: the first 12 hex digits of SHA-256.
std::string key_fingerprint(const std::string& key);

}  // namespace rosterd
