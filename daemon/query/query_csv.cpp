// RFC 4180 CSV for the users export.
#include "rosterd/query/csv.hpp"

namespace rosterd::query {
namespace {

std::string text_of(const rapidjson::Value& row, const char* key) {
    auto found = row.FindMember(key);
    if (found == row.MemberEnd() || !found->value.IsString())
        return {};
    return std::string(found->value.GetString(), found->value.GetStringLength());
}

std::string joined_strings(const rapidjson::Value& row, const char* key) {
    std::string out;
    auto found = row.FindMember(key);
    if (found == row.MemberEnd() || !found->value.IsArray())
        return out;
    for (const auto& item : found->value.GetArray())
        if (item.IsString())
            out +=
                (out.empty() ? "" : "; ") + std::string(item.GetString(), item.GetStringLength());
    return out;
}

std::string short_role(std::string_view role) {
    return std::string(short_role_name(role));
}

std::string products_cell(const rapidjson::Value& row) {
    std::string out;
    auto found = row.FindMember("products");
    if (found == row.MemberEnd() || !found->value.IsArray())
        return out;
    for (const auto& p : found->value.GetArray())
        out += (out.empty() ? "" : "; ") + text_of(p, "product") + "@" + text_of(p, "site") + ":" +
               short_role(text_of(p, "role"));
    return out;
}

}  // namespace

std::string_view short_role_name(std::string_view role) {
    constexpr std::string_view prefix = "atlassian/";
    if (role.substr(0, prefix.size()) == prefix)
        role.remove_prefix(prefix.size());
    return role;
}

void append_csv_field(std::string& out, std::string_view text) {
    bool quote = text.find_first_of(",\"\r\n") != std::string_view::npos ||
                 (!text.empty() && (text.front() == ' ' || text.back() == ' ' ||
                                    text.front() == '\t' || text.back() == '\t'));
    if (!quote) {
        out += text;
        return;
    }
    out += '"';
    for (char c : text) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
}

std::string csv_field(std::string_view text) {
    std::string out;
    append_csv_field(out, text);
    return out;
}

std::string csv_record(const std::vector<std::string>& fields) {
    std::string out;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i)
            out += ',';
        out += csv_field(fields[i]);
    }
    return out + "\r\n";
}

const std::vector<std::string>& user_csv_columns() {
    static const std::vector<std::string> columns = {
        "account_id", "name",     "email",  "status",      "account_type",
        "sites",      "products", "groups", "last_active", "added_to_org"};
    return columns;
}

std::vector<std::string> user_csv_cells(const rapidjson::Value& row) {
    return {text_of(row, "account_id"),   text_of(row, "name"),
            text_of(row, "email"),        text_of(row, "status"),
            text_of(row, "account_type"), joined_strings(row, "sites"),
            products_cell(row),           joined_strings(row, "groups"),
            text_of(row, "last_active"),  text_of(row, "added_to_org")};
}

}  // namespace rosterd::query
