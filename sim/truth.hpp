#pragma once
// The ground truth: the whole organization as rosterd should end up seeing it, in one JSON
// document (GET /_sim/truth, --dump-truth). The same format loads back as a fixture (--fixture).
#include <string>
#include <string_view>

#include "json_util.hpp"
#include "model.hpp"

namespace rosterd::sim {

inline constexpr int kTruthVersion = 1;

std::string truth_json(const Model& model);

// One user's truth object, and just its members (GET /_sim/users/{accountId} adds more).
void write_user_truth(JsonWriter& writer, const Model& model, const User& user);
void write_user_truth_fields(JsonWriter& writer, const Model& model, const User& user);

// Builds a model from a truth/fixture document. Throws std::runtime_error naming the offending
// entry when the document is malformed or inconsistent.
Model model_from_truth(std::string_view json);

}  // namespace rosterd::sim
