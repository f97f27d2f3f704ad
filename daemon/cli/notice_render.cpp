#include "notice_render.hpp"

#include <iostream>

#include "cli_common.hpp"
#include "ctl_table.hpp"

namespace rosterd::cli {

void render_notice_stage(const rapidjson::Value& run) {
    if (!run.IsObject() || !run.HasMember("notice") || !run["notice"].IsObject())
        return;
    const auto& n = run["notice"];
    bool recorded = n.HasMember("recorded") && n["recorded"].IsBool() && n["recorded"].GetBool();
    auto section = [&](const char* key, const char* done, const char* would, bool times) {
        const auto& list = n[key];
        std::cout << (recorded ? done : would) << ": " << list.Size() << "\n";
        if (list.Size() == 0)
            return;
        Table table(times ? std::vector<std::string>{"USER", "EMAIL", "NOTICED", "DEADLINE"}
                          : std::vector<std::string>{"USER", "EMAIL", "REASON"});
        for (const auto& u : list.GetArray())
            if (times)
                table.add_row({string_or(u, "name", ""), string_or(u, "email", ""),
                               string_or(u, "noticed_at", ""), string_or(u, "deadline", "")});
            else
                table.add_row({string_or(u, "name", ""), string_or(u, "email", ""),
                               string_or(u, "reason", "")});
        table.print(std::cout);
    };
    std::cout << "notice stage of task " << string_or(n, "task", "?") << " (grace "
              << string_or(n, "grace_s", "?") << " s)\n";
    section("noticed", "put on notice", "would put on notice", true);
    section("released", "released", "would release", false);
    section("acting", "acting on (notice ran out, still matching)",
            "would act on (notice ran out, still matching)", true);
    std::cout << "still on notice, deadline ahead: " << string_or(n, "waiting", "0")
              << "; reminders " << (recorded ? "queued" : "due") << ": "
              << string_or(n, "reminded", "0") << "\n";
    if (!recorded)
        std::cout << "Dry run: no notice was recorded and no mail was sent.\n";
}

}  // namespace rosterd::cli
