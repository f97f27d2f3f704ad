#pragma once
// Where a YAML syntax error really is. yaml-cpp reports the token at which it noticed the problem,
// which is often the line after the cause: a key without its colon continues as a plain scalar
// onto the next line and fails there, an unclosed '[' or '{' fails at the next line or the end
// of the file. This moves the location back to the cause and names the key it belongs to.
#include <yaml-cpp/yaml.h>

#include <string>
#include <string_view>

namespace rosterd::config_detail {

struct SyntaxLocation {
    int line = 0;    // 1-based; 0 when unknown
    int column = 0;  // 1-based
    std::string key_path;
};

SyntaxLocation locate_syntax_error(std::string_view text, const YAML::Mark& mark,
                                   std::string_view message);

}  // namespace rosterd::config_detail
