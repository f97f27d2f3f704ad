#include "run_refresh.hpp"

#include <algorithm>

namespace rosterd::ops {

sync::RefreshRequest refresh_request(const RunRecord& run) {
    sync::RefreshRequest request;
    request.trigger = "run";
    for (const auto& u : run.users) {
        // A failed step may have been carried out (its answer lost), and one found already so
        // shows that the snapshot was wrong about the user: read them again too.
        auto touched = [](const StepRecord& s) {
            return s.state == StepState::ok || s.state == StepState::failed;
        };
        // Skipped because the re-read found them changed since the snapshot: the snapshot learns
        // how (whatever changed, their roles included).
        const bool found_changed =
            u.state == UserState::skipped && u.reason.rfind("changed", 0) == 0;
        if (!found_changed && std::none_of(u.steps.begin(), u.steps.end(), touched))
            continue;
        sync::RefreshUser user{u.account_id, u.email, false, found_changed};
        for (const auto& s : u.steps) {
            if (!touched(s))
                continue;
            const auto& op = s.step.op;
            // Gone from the organization: nothing to read (a removal the API confirmed).
            if (op == kOpRemoveFromDirectory && s.state == StepState::ok)
                user.removed = true;
            // Groups and direct roles decide a user's role on each product; a status does not.
            if (op == kOpAddToGroup || op == kOpRemoveFromGroup || op == kOpRevokeRole ||
                op == kOpAssignRole)
                user.roles_changed = true;
        }
        request.users.push_back(std::move(user));
    }
    return request;
}

}  // namespace rosterd::ops
