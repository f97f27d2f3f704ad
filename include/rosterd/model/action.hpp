#pragma once
// What a bulk run or a task does to each user: the actions as people write them, on the command
// line, in the control protocol and in `tasks:` alike. One syntax, one parser:
//
//   suspend | restore | deactivate | reactivate | remove-from-directory
//   remove-product-access:PRODUCT[@SITE]      e.g.
//   remove-product-access:jira-software@acme.atlassian.net add-to-groups:GROUP[,GROUP...] group
//   names (case-insensitive) or ids remove-from-groups:GROUP[,GROUP...]
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rosterd::ops {

enum class ActionKind {
    suspend,
    restore,
    remove_product_access,
    add_to_groups,
    remove_from_groups,
    deactivate,
    reactivate,
    remove_from_directory
};

struct Action {
    ActionKind kind = ActionKind::suspend;
    std::string product;              // remove-product-access: the product key
    std::string site;                 // remove-product-access: one site's host; empty = every site
    std::vector<std::string> groups;  // add-to-groups, remove-from-groups

    // Destructive actions need an explicit --force (remove-from-directory).
    bool destructive() const { return kind == ActionKind::remove_from_directory; }
    bool operator==(const Action&) const = default;
};

// What went wrong with an action's text; what() says what was expected.
class ActionError : public std::invalid_argument {
  public:
    using std::invalid_argument::invalid_argument;
};

// Throws ActionError for an unknown action, a missing or an unexpected parameter.
Action parse_action(std::string_view text);
// The canonical text, which parse_action reads back to an equal Action.
std::string to_string(const Action& action);
// "suspend, restore, ..." for messages and help.
std::string action_syntax_help();

}  // namespace rosterd::ops
