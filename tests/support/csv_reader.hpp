#pragma once
// A strict RFC 4180 reader, written independently of rosterd's CSV writer so tests can parse
// exports back: quotes only around whole fields, "" inside quotes, CRLF record ends. Anything
// else throws, so a malformed export fails the test that reads it.
#include <stdexcept>
#include <string>
#include <vector>

namespace rosterd::test {

inline std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
    auto malformed = [](const std::string& why, std::size_t at) {
        return std::runtime_error("malformed CSV at byte " + std::to_string(at) + ": " + why);
    };
    std::vector<std::vector<std::string>> records(1);
    std::string field;
    bool quoted = false, was_quoted = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            if (!field.empty())
                throw malformed("a quote inside an unquoted field", i);
            quoted = was_quoted = true;
        } else if (c == ',') {
            records.back().push_back(field);
            field.clear();
            was_quoted = false;
        } else if (c == '\r') {
            if (i + 1 >= text.size() || text[i + 1] != '\n')
                throw malformed("CR without LF", i);
        } else if (c == '\n') {
            records.back().push_back(field);
            field.clear();
            was_quoted = false;
            records.emplace_back();
        } else {
            if (was_quoted)
                throw malformed("text after a closing quote", i);
            field += c;
        }
    }
    if (quoted)
        throw malformed("an unterminated quote", text.size());
    if (!field.empty())
        throw malformed("no CRLF after the last record", text.size());
    records.pop_back();  // after the final CRLF
    return records;
}

}  // namespace rosterd::test
