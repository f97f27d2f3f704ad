#include "ctl_json.hpp"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

namespace rosterd::cli {

std::string pretty_json(const rapidjson::Value& value) {
    rapidjson::StringBuffer buffer;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
    writer.SetIndent(' ', 2);
    // Values come from the daemon's JSON, which cannot hold NaN; writing cannot fail here.
    value.Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

void print_json(std::ostream& out, const rapidjson::Value& value) {
    out << pretty_json(value);
}

}  // namespace rosterd::cli
