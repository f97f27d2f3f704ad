#pragma once
// CSV for `rosterctl users --format csv` (RFC 4180): rows are the JSON rows of the users command,
// flattened; multi-valued cells are joined with "; ".
#include <rapidjson/document.h>

#include <string>
#include <string_view>
#include <vector>

namespace rosterd::query {

// One field, quoted when it holds a comma, a quote, CR or LF (quotes doubled), or leading or
// trailing blanks; otherwise as it is.
std::string csv_field(std::string_view text);
void append_csv_field(std::string& out, std::string_view text);  // the same, onto `out`

// A record: fields joined with commas, ended with CRLF.
std::string csv_record(const std::vector<std::string>& fields);

// The header of the users export.
const std::vector<std::string>& user_csv_columns();

// The cells of one user row (as user_row_json writes it), in user_csv_columns() order. Products
// are written "product@site:role" with the role's short name ("user", "admin").
std::vector<std::string> user_csv_cells(const rapidjson::Value& row);

// "atlassian/user" -> "user": the role as the products cell writes it.
std::string_view short_role_name(std::string_view role);

}  // namespace rosterd::query
