#pragma once
// Notice before reclaim (issue 17), the pure part: which users a task's run puts on notice,
// releases, reminds and acts on, and the mail templates. The rules, which the property test
// checks for random activity histories and clocks:
//   - a user is acted on only while on notice, once now >= deadline (= noticed_at + grace), and
//     only while they still match (the caller passes the users matching now);
//   - a user on notice who no longer matches, or is exempt, is released;
//   - a matching user who is neither on notice nor exempt is put on notice.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace rosterd::notice {

inline constexpr const char* kOnNotice = "on-notice";
inline constexpr const char* kReleased = "released";
inline constexpr const char* kActed = "acted";
inline constexpr const char* kExempt = "exempt";

struct OpenNotice {
    std::int64_t id = 0;
    std::string account_id;
    std::int64_t noticed_at = 0;
    std::int64_t deadline = 0;
    int reminders = 0;  // reminders mailed so far
};

struct NoticeInputs {
    std::vector<std::string> matching;  // users the task would act on now (match, not protected)
    std::vector<OpenNotice> open;       // the task's on-notice records
    std::set<std::string> exempt;       // users exempt now
    std::int64_t now_ms = 0;
    std::int64_t grace_ms = 0;
    std::vector<std::int64_t> remind_before_ms;  // longest first
};

struct NoticeDecision {
    std::vector<std::string> notice;                          // put on notice now
    std::vector<std::pair<OpenNotice, std::string>> release;  // with "exempt" or "no-match"
    std::vector<OpenNotice> act;                              // deadline passed, still matching
    std::vector<OpenNotice> waiting;                          // on notice, deadline ahead
    std::vector<std::pair<OpenNotice, int>> remind;  // a reminder is due: reminders count after it
};

NoticeDecision decide_notices(const NoticeInputs& in);

// The deadline of a notice given at `now_ms`.
inline std::int64_t notice_deadline(std::int64_t now_ms, std::int64_t grace_ms) {
    return now_ms + grace_ms;
}

// Replaces {name} style placeholders with their values; unknown ones are left as written.
std::string render_template(const std::string& text,
                            const std::map<std::string, std::string>& values);

// "2026-05-01 06:00 UTC": how mails and tables write a deadline.
std::string format_deadline(std::int64_t ms);

}  // namespace rosterd::notice
