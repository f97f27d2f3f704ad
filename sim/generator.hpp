#pragma once
// Builds a deterministic simulated organization from a seed: the same options give the same
// model (and byte-identical truth) on every machine.
#include <cstdint>
#include <optional>
#include <string>

#include "model.hpp"

namespace rosterd::sim {

inline constexpr const char* kDefaultOrgId = "3f9c1b2e-5d4a-4c1e-9b7a-2a6d8e0f1c35";
inline constexpr const char* kDefaultOrgName = "Simulated Org";

struct GeneratorOptions {
    std::size_t users = 2000;
    std::size_t sites = 2;
    std::size_t products_per_site = 3;  // 1..4, from the catalogue in order
    std::optional<std::size_t> groups;  // total incl. role-granting; default max(20, users/50)
    std::uint64_t seed = 1;
    std::int64_t now_ms = 0;  // reference instant for activity and addedToOrg
    std::string org_id = kDefaultOrgId;
    std::string org_name = kDefaultOrgName;
};

// Throws std::invalid_argument for options out of range.
Model generate_model(const GeneratorOptions& options);

}  // namespace rosterd::sim
