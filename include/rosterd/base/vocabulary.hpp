#pragma once
// A vocabulary is an enum with one table of (value, text) pairs that gives both directions: the
// text is what the database, the control protocol and the events carry, so it never changes;
// code compares the enums. Each module declares its tables (ops/run_vocabulary.hpp,
// notify/delivery_state.hpp); these two look them up.
#include <optional>
#include <string_view>

namespace rosterd::vocabulary {

// The text of `value` in `table`; "?" for a value the table lacks.
template <class Table, class E>
constexpr std::string_view name_in(const Table& table, E value) {
    for (const auto& [e, name] : table)
        if (e == value)
            return name;
    return "?";
}

// The value `text` names in `table`; nullopt for an unknown text (a newer database).
template <class Table>
constexpr auto value_in(const Table& table, std::string_view text)
    -> std::optional<typename Table::value_type::first_type> {
    for (const auto& [e, name] : table)
        if (name == text)
            return e;
    return std::nullopt;
}

}  // namespace rosterd::vocabulary
