// The notice rules as one pure function (include/rosterd/notice.hpp).
#include <algorithm>
#include <ctime>

#include "rosterd/notice/notice.hpp"

namespace rosterd::notice {

NoticeDecision decide_notices(const NoticeInputs& in) {
    NoticeDecision out;
    std::set<std::string> matching(in.matching.begin(), in.matching.end());
    std::set<std::string> open_users;
    for (const auto& n : in.open) {
        open_users.insert(n.account_id);
        if (in.exempt.count(n.account_id)) {
            out.release.push_back({n, "exempt"});
            continue;
        }
        if (!matching.count(n.account_id)) {
            out.release.push_back({n, "no-match"});
            continue;
        }
        if (in.now_ms >= n.deadline) {
            out.act.push_back(n);
            continue;
        }
        out.waiting.push_back(n);
        // Reminders due by now: the offsets whose moment (deadline - offset) has come. Only the
        // latest goes out (a run after a long pause does not send several at once).
        int due = 0;
        for (auto before : in.remind_before_ms)
            if (in.now_ms >= n.deadline - before)
                ++due;
        if (due > n.reminders)
            out.remind.push_back({n, due});
    }
    for (const auto& user : in.matching)
        if (!open_users.count(user) && !in.exempt.count(user))
            out.notice.push_back(user);
    return out;
}

std::string render_template(const std::string& text,
                            const std::map<std::string, std::string>& values) {
    std::string out;
    out.reserve(text.size());
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == '{') {
            auto close = text.find('}', i);
            if (close != std::string::npos) {
                auto found = values.find(text.substr(i + 1, close - i - 1));
                if (found != values.end()) {
                    out += found->second;
                    i = close + 1;
                    continue;
                }
            }
        }
        out += text[i++];
    }
    return out;
}

std::string format_deadline(std::int64_t ms) {
    std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buffer;
}

}  // namespace rosterd::notice
