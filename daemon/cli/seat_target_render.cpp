// How rosterctl shows a task run's seat target (keep_at_most, issue 17).
#include <iostream>

#include "cli_common.hpp"
#include "run_render.hpp"

namespace rosterd::cli {

void render_seat_target(const rapidjson::Value& run) {
    if (!run.HasMember("seat_target") || !run["seat_target"].IsObject())
        return;
    const auto& t = run["seat_target"];
    std::string where =
        string_or(t, "product", "?") + " on " +
        (t.HasMember("site") && t["site"].IsString() ? std::string(t["site"].GetString())
                                                     : std::string("every site"));
    std::string over = string_or(t, "over", "0");
    std::cout << "seat target: " << where << " at most " << string_or(t, "target", "?") << ": "
              << string_or(t, "seats", "?") << " billable seats, ";
    if (over == "0") {
        std::cout << "at or under the target; takes no one.\n";
    } else {
        std::cout << over << " over; takes " << string_or(t, "taken", "0")
                  << " users, longest inactive first (frees " << string_or(t, "freed", "0")
                  << " seats) of " << string_or(t, "candidates", "0") << " candidates.\n";
        if (t.HasMember("too_few") && t["too_few"].IsBool() && t["too_few"].GetBool())
            std::cout << "the filter leaves too few: the target is missed by "
                      << string_or(t, "short_by", "?") << " seats.\n";
    }
    std::string state = string_or(run, "state", "");
    if (state != "planned" && t.HasMember("over_after") && string_or(t, "over_after", "0") != "0")
        std::cout << "after the run: " << string_or(t, "over_after", "?")
                  << " seats still over the target.\n";
}

}  // namespace rosterd::cli
