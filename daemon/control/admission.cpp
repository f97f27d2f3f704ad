#include "admission.hpp"

#include <algorithm>

namespace rosterd::control::detail {

std::optional<std::string> admission_refusal(const ConnectionLimits& limits, std::size_t open,
                                             std::size_t open_by_caller, const Caller& caller) {
    if (open >= limits.max_connections)
        return "too many control connections; try again later";
    if (caller.may_run(AccessLevel::admin))
        return std::nullopt;
    const std::size_t reserve = std::min(limits.admin_reserve, limits.max_connections);
    if (open + reserve >= limits.max_connections)
        return "too many control connections; try again later";
    if (open_by_caller >= limits.max_per_user) {
        return "too many control connections from " + caller.describe() + ": at most " +
               std::to_string(limits.max_per_user) + " per user; close some or try again later";
    }
    return std::nullopt;
}

}  // namespace rosterd::control::detail
