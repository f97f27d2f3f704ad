#pragma once
// `rosterctl --json`: results printed as indented JSON, stable for scripts and jq.
#include <rapidjson/document.h>

#include <ostream>
#include <string>

namespace rosterd::cli {

// Two-space indentation, one member per line, a final newline.
std::string pretty_json(const rapidjson::Value& value);
void print_json(std::ostream& out, const rapidjson::Value& value);

}  // namespace rosterd::cli
