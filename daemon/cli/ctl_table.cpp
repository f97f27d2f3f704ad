#include "ctl_table.hpp"

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <stdexcept>

namespace rosterd::cli {
namespace {

// Decodes one UTF-8 sequence at `text[i]`; returns the code point and advances i, or returns -1
// and advances one byte for an invalid sequence.
std::int32_t decode(std::string_view text, std::size_t& i) {
    auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    unsigned char lead = byte(i);
    std::size_t length = lead < 0x80           ? 1
                         : (lead >> 5) == 0x6  ? 2
                         : (lead >> 4) == 0xE  ? 3
                         : (lead >> 3) == 0x1E ? 4
                                               : 0;
    if (length == 0 || i + length > text.size()) {
        ++i;
        return -1;
    }
    std::int32_t code = length == 1 ? lead : lead & (0x7F >> length);
    for (std::size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) {
            ++i;
            return -1;
        }
        code = (code << 6) | (byte(i + k) & 0x3F);
    }
    i += length;
    return code;
}

bool is_combining(std::int32_t c) {
    return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
           (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
           (c >= 0xFE20 && c <= 0xFE2F) || c == 0x200B || c == 0x200D ||
           (c >= 0xFE00 && c <= 0xFE0F);
}

bool is_wide(std::int32_t c) {
    return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) ||
           (c >= 0x3041 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
           (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
           (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
           (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD);
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

}  // namespace

std::size_t display_width(std::string_view utf8) {
    std::size_t width = 0;
    for (std::size_t i = 0; i < utf8.size();) {
        std::int32_t code = decode(utf8, i);
        if (code >= 0 && is_combining(code))
            continue;
        width += code >= 0 && is_wide(code) ? 2 : 1;
    }
    return width;
}

bool looks_numeric(std::string_view text) {
    if (!text.empty() && (text.front() == '-' || text.front() == '+'))
        text.remove_prefix(1);
    if (!text.empty() && text.back() == '%')
        text.remove_suffix(1);
    if (text.empty() || !is_digit(text.front()) || !is_digit(text.back()))
        return false;
    bool seen_point = false;
    for (char c : text) {
        if (c == '.') {
            if (seen_point)
                return false;
            seen_point = true;
        } else if (c == ',') {
            if (seen_point)
                return false;
        } else if (!is_digit(c)) {
            return false;
        }
    }
    return true;
}

std::string printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        std::size_t start = i;
        std::int32_t code = decode(text, i);
        bool control = code < 0x20 || code == 0x7F || (code >= 0x80 && code < 0xA0);
        if (code < 0 || control)
            out.push_back('?');
        else
            out.append(text.substr(start, i - start));
    }
    return out;
}

Table::Table(std::vector<std::string> headers)
    : headers_(std::move(headers)), alignment_(headers_.size(), Align::automatic) {
    for (auto& header : headers_)
        header = printable(header);
}

Table& Table::add_row(std::vector<std::string> cells) {
    if (cells.size() > headers_.size()) {
        throw std::invalid_argument("table row has " + std::to_string(cells.size()) +
                                    " cells for " + std::to_string(headers_.size()) + " columns");
    }
    cells.resize(headers_.size());
    for (auto& cell : cells)
        cell = printable(cell);
    rows_.push_back(std::move(cells));
    return *this;
}

Table& Table::align(std::size_t column, Align alignment) {
    alignment_.at(column) = alignment;
    return *this;
}

// Automatic: right-aligned when every non-empty cell is a number ("-" stands for none).
bool Table::right_aligned(std::size_t column) const {
    if (alignment_[column] != Align::automatic)
        return alignment_[column] == Align::right;
    bool any_number = false;
    for (const auto& row : rows_) {
        const std::string& cell = row[column];
        if (cell.empty() || cell == "-")
            continue;
        if (!looks_numeric(cell))
            return false;
        any_number = true;
    }
    return any_number;
}

void Table::print(std::ostream& out) const {
    const std::size_t columns = headers_.size();
    std::vector<std::size_t> width(columns, 0);
    std::vector<bool> right(columns, false);
    for (std::size_t c = 0; c < columns; ++c) {
        width[c] = display_width(headers_[c]);
        for (const auto& row : rows_)
            width[c] = std::max(width[c], display_width(row[c]));
        right[c] = right_aligned(c);
    }
    auto print_line = [&](const std::vector<std::string>& cells) {
        std::string line;
        for (std::size_t c = 0; c < columns; ++c) {
            if (c > 0)
                line += "  ";
            std::string padding(width[c] - display_width(cells[c]), ' ');
            line += right[c] ? padding + cells[c] : cells[c] + padding;
        }
        line.erase(line.find_last_not_of(' ') + 1);
        out << line << '\n';
    };
    print_line(headers_);
    for (const auto& row : rows_)
        print_line(row);
}

std::string Table::str() const {
    std::ostringstream out;
    print(out);
    return out.str();
}

}  // namespace rosterd::cli
