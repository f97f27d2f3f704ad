#include "yaml_syntax.hpp"

#include <algorithm>
#include <optional>
#include <vector>

namespace rosterd::config_detail {
namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) {
            lines.push_back(text.substr(start));
            break;
        }
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

std::size_t indentation(std::string_view line) {
    std::size_t n = 0;
    while (n < line.size() && (line[n] == ' ' || line[n] == '\t'))
        ++n;
    return n;
}

bool blank_or_comment(std::string_view line) {
    auto n = indentation(line);
    return n == line.size() || line[n] == '#';
}

// The column just past the last character of a line's content (comments included: rare here).
int end_column(std::string_view line) {
    auto last = line.find_last_not_of(" \t\r");
    return last == std::string_view::npos ? 1 : static_cast<int>(last) + 2;
}

// The key a line defines ("  name: x", "- name: x"), if any.
std::optional<std::string> key_of(std::string_view line) {
    auto n = indentation(line);
    if (line.substr(n).starts_with("- "))
        n += 2;
    auto colon = line.find(':', n);
    if (colon == std::string_view::npos || colon == n)
        return std::nullopt;
    if (colon + 1 < line.size() && line[colon + 1] != ' ' && line[colon + 1] != '\r')
        return std::nullopt;  // "a:b" is a scalar, not a key
    auto key = line.substr(n, colon - n);
    for (char c : key)
        if (c == ' ' || c == '#' || c == '[' || c == '{' || c == '"' || c == '\'')
            return std::nullopt;
    return std::string(key);
}

// The dotted path of the key on `index` and its parents (by indentation).
std::string key_path_at(const std::vector<std::string_view>& lines, std::size_t index) {
    std::string path;
    std::size_t limit = std::string_view::npos;  // only lines indented less than this are parents
    for (std::size_t i = index + 1; i-- > 0;) {
        auto line = lines[i];
        if (blank_or_comment(line))
            continue;
        auto indent = indentation(line);
        if (limit != std::string_view::npos && indent >= limit)
            continue;
        if (auto key = key_of(line)) {
            path = path.empty() ? *key : *key + "." + path;
            limit = indent;
        } else if (i == index) {
            limit = indent;  // a line without a key: its parents still name the place
        }
        if (limit == 0)
            break;
    }
    return path;
}

// Only a plain scalar (a word, or words) stands between the indentation and `column`: the token
// yaml-cpp failed at continues a plain scalar from an earlier line.
bool plain_prefix(std::string_view line, std::size_t column) {
    auto prefix = line.substr(0, std::min(column, line.size()));
    for (std::size_t i = indentation(prefix); i < prefix.size(); ++i)
        if (std::string_view(":#[]{}\"',&*!|>%@`").find(prefix[i]) != std::string_view::npos ||
            (prefix[i] == '-' && i == indentation(prefix)))
            return false;
    return true;
}

std::optional<std::size_t> previous_content_line(const std::vector<std::string_view>& lines,
                                                 std::size_t index) {
    for (std::size_t i = std::min(index, lines.size()); i-- > 0;)
        if (!blank_or_comment(lines[i]))
            return i;
    return std::nullopt;
}

// The position of the '[' or '{' left open before `end`, skipping quoted text and comments.
std::optional<std::size_t> unclosed_bracket(std::string_view text, std::size_t end) {
    std::vector<std::size_t> open;
    char quote = 0;
    bool comment = false;
    for (std::size_t i = 0; i < std::min(end, text.size()); ++i) {
        char c = text[i];
        if (comment) {
            comment = c != '\n';
            continue;
        }
        if (quote) {
            if (c == quote)
                quote = 0;
            continue;
        }
        if (c == '"' || c == '\'')
            quote = c;
        else if (c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\n'))
            comment = true;
        else if (c == '[' || c == '{')
            open.push_back(i);
        else if ((c == ']' || c == '}') && !open.empty())
            open.pop_back();
    }
    if (open.empty())
        return std::nullopt;
    return open.back();
}

}  // namespace

SyntaxLocation locate_syntax_error(std::string_view text, const YAML::Mark& mark,
                                   std::string_view message) {
    if (mark.is_null())
        return {};
    auto lines = split_lines(text);
    std::size_t line = static_cast<std::size_t>(mark.line);
    std::size_t column = static_cast<std::size_t>(mark.column);
    auto at = [&](std::size_t index, int col) {
        return SyntaxLocation{static_cast<int>(index) + 1, col, key_path_at(lines, index)};
    };
    if (message.find("flow not found") != std::string_view::npos) {
        // "end of sequence/map flow not found": the cause is the bracket that was never closed.
        auto position = static_cast<std::size_t>(std::max(mark.pos, 0));
        if (auto open = unclosed_bracket(text, position)) {
            auto before = text.substr(0, *open);
            auto index = static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
            auto line_start = before.rfind('\n');
            int col = static_cast<int>(
                          *open - (line_start == std::string_view::npos ? 0 : line_start + 1)) +
                      1;
            return at(index, col);
        }
    }
    bool at_end = line >= lines.size() || blank_or_comment(lines[line]);
    bool continued = line < lines.size() && message.find("illegal map value") == 0 &&
                     plain_prefix(lines[line], column);
    if (at_end || continued) {
        // The scalar (or the construct) that failed here began on the line before.
        if (auto previous = previous_content_line(lines, line))
            return at(*previous, end_column(lines[*previous]));
    }
    if (line >= lines.size())
        return {static_cast<int>(line) + 1, static_cast<int>(column) + 1, ""};
    return at(line, static_cast<int>(column) + 1);
}

}  // namespace rosterd::config_detail
