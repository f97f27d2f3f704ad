#pragma once
// The user filter's flags, made from the filter's own field table (user_filter.hpp), for every
// rosterctl command that selects users (users, bulk): one registration, one meaning.
#include <rapidjson/document.h>
#include <CLI/CLI.hpp>

#include <map>
#include <string>
#include <vector>

namespace rosterd::cli {

struct FilterFlags {
    std::map<std::string, std::vector<std::string>> values;  // text, list, integer, date fields
    std::map<std::string, bool> flags;                       // flag and boolean fields
    std::string saved_filter;                                // --filter NAME
};

// Adds --FIELD for every filter field and --filter NAME to `command`.
void add_filter_flags(CLI::App* command, FilterFlags& flags);
// The flags given, as control-protocol arguments (filter field names, plus "filter").
void add_filter_args(const FilterFlags& flags, rapidjson::Document& args);

}  // namespace rosterd::cli
