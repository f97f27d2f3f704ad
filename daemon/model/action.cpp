// The one parser of action texts (ops_action.hpp), shared by rosterctl, the protocol and tasks:.
#include <algorithm>
#include <array>
#include <utility>

#include "rosterd/base/text.hpp"
#include "rosterd/model/action.hpp"

namespace rosterd::ops {
namespace {

constexpr std::array<std::pair<std::string_view, ActionKind>, 8> kNames = {{
    {"suspend", ActionKind::suspend},
    {"restore", ActionKind::restore},
    {"remove-product-access", ActionKind::remove_product_access},
    {"add-to-groups", ActionKind::add_to_groups},
    {"remove-from-groups", ActionKind::remove_from_groups},
    {"deactivate", ActionKind::deactivate},
    {"reactivate", ActionKind::reactivate},
    {"remove-from-directory", ActionKind::remove_from_directory},
}};

std::string_view name_of(ActionKind kind) {
    for (const auto& [name, k] : kNames)
        if (k == kind)
            return name;
    return "?";
}

std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> items;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto comma = text.find(',', start);
        auto end = comma == std::string_view::npos ? text.size() : comma;
        items.push_back(trimmed(text.substr(start, end - start)));
        if (comma == std::string_view::npos)
            break;
        start = comma + 1;
    }
    return items;
}

}  // namespace

std::string action_syntax_help() {
    return "suspend, restore, deactivate, reactivate, remove-from-directory, "
           "remove-product-access:PRODUCT[@SITE], add-to-groups:GROUP[,GROUP...], "
           "remove-from-groups:GROUP[,GROUP...]";
}

Action parse_action(std::string_view text) {
    auto colon = text.find(':');
    std::string name = trimmed(text.substr(0, colon));
    std::string parameter =
        colon == std::string_view::npos ? std::string() : trimmed(text.substr(colon + 1));
    bool has_parameter = colon != std::string_view::npos;
    Action action;
    auto found = std::find_if(kNames.begin(), kNames.end(),
                              [&](const auto& entry) { return entry.first == name; });
    if (found == kNames.end())
        throw ActionError("unknown action '" + std::string(text) +
                          "'; expected one of: " + action_syntax_help());
    action.kind = found->second;
    switch (action.kind) {
        case ActionKind::remove_product_access: {
            if (parameter.empty())
                throw ActionError(
                    "remove-product-access needs a product: remove-product-access:PRODUCT[@SITE], "
                    "e.g. remove-product-access:jira-software@acme.atlassian.net");
            auto at = parameter.find('@');
            action.product = trimmed(parameter.substr(0, at));
            if (at != std::string::npos)
                action.site = trimmed(parameter.substr(at + 1));
            if (action.product.empty() || (at != std::string::npos && action.site.empty()))
                throw ActionError("remove-product-access:" + parameter +
                                  ": expected PRODUCT or PRODUCT@SITE");
            action.site = lowercase(action.site);
            break;
        }
        case ActionKind::add_to_groups:
        case ActionKind::remove_from_groups:
            if (parameter.empty())
                throw ActionError(name + " needs groups: " + name + ":GROUP[,GROUP...]");
            action.groups = split_list(parameter);
            for (const auto& group : action.groups)
                if (group.empty())
                    throw ActionError(name + ":" + parameter + ": an empty group name");
            break;
        default:
            if (has_parameter)
                throw ActionError(name + " takes no parameter (got '" + parameter + "')");
            break;
    }
    return action;
}

std::string to_string(const Action& action) {
    std::string text(name_of(action.kind));
    if (action.kind == ActionKind::remove_product_access) {
        text += ":" + action.product;
        if (!action.site.empty())
            text += "@" + action.site;
    } else if (!action.groups.empty()) {
        text += ":";
        for (std::size_t i = 0; i < action.groups.size(); ++i)
            text += (i ? "," : "") + action.groups[i];
    }
    return text;
}

}  // namespace rosterd::ops
