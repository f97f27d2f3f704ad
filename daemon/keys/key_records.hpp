#pragma once
// What rosterd remembers about each API key it has used, by fingerprint (table api_keys), and the
// stored key file. Run on a database thread.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "rosterd/store/store.hpp"

namespace rosterd::keys {

struct KeyRecord {
    std::optional<std::int64_t> expires_day;  // from `rosterctl key set --expires`
    std::optional<std::int64_t> stored_at;
    std::string org_name;  // from the last successful check
    std::optional<std::int64_t> checked_at;
    std::optional<std::int64_t> rejected_at;  // Atlassian answered 401; cleared by a good check
};

std::map<std::string, KeyRecord> load_key_records(store::Database& db);

// A key passed its check and is being stored: records its expiry and organization.
void save_stored_key_record(store::Database& db, const std::string& fingerprint,
                            std::optional<std::int64_t> expires_day, const std::string& org_name,
                            std::int64_t now_ms);
void save_rejected(store::Database& db, const std::string& fingerprint, std::int64_t now_ms);
// A check or a call succeeded: clears a rejection, and records the organization when given.
void save_accepted(store::Database& db, const std::string& fingerprint, const std::string& org_name,
                   std::optional<std::int64_t> checked_at);

// Writes the key to `path` with mode 0600, atomically (temporary file, fsync, rename), creating
// the directory (0700) when missing. Throws std::runtime_error (never with the key in it).
void write_key_file(const std::string& path, const std::string& key);

}  // namespace rosterd::keys
