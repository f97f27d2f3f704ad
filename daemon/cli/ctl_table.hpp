#pragma once
// Aligned text tables for rosterctl's human output:
//
//   Table table({"NAME", "USERS", "LAST ACTIVE"});
//   table.add_row({"Jira", "1204", "2026-05-01"});
//   table.print(std::cout);
//
// Columns are separated by two spaces; a column whose cells are all numbers is right-aligned
// (header included); lines carry no trailing blanks. Widths count terminal columns, not bytes, and
// control characters in cells (names come from Atlassian) are shown as '?', so a cell cannot move
// the cursor or inject terminal escapes.
#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace rosterd::cli {

class Table {
  public:
    enum class Align { automatic, left, right };

    explicit Table(std::vector<std::string> headers);

    // Fewer cells than headers are padded with empty cells; more throw std::invalid_argument.
    Table& add_row(std::vector<std::string> cells);
    // Overrides the automatic choice for one column.
    Table& align(std::size_t column, Align alignment);

    std::size_t row_count() const { return rows_.size(); }
    void print(std::ostream& out) const;
    std::string str() const;

  private:
    bool right_aligned(std::size_t column) const;

    std::vector<std::string> headers_;
    std::vector<std::vector<std::string>> rows_;
    std::vector<Align> alignment_;
};

// Terminal columns taken by UTF-8 text: combining marks take none, East Asian wide characters and
// emoji take two, everything else one. Invalid bytes count one each.
std::size_t display_width(std::string_view utf8);

// A number as rosterctl prints them: "42", "-3", "1,204", "12.5", "97%".
bool looks_numeric(std::string_view text);

// Replaces control characters (and invalid UTF-8 bytes) with '?'.
std::string printable(std::string_view text);

}  // namespace rosterd::cli
