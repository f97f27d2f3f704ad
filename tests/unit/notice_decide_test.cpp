// The notice rules (issue 17) as a pure function: fixed cases, and a property over random activity
// histories and clocks: nobody is acted on unless on notice for at least the grace and matching at
// acting time; nobody is noticed twice at once; everyone who matches ends up noticed.
#include <catch2/catch.hpp>

#include <map>
#include <random>

#include "rosterd/notice/notice.hpp"

using namespace rosterd::notice;

namespace {

constexpr std::int64_t kDay = 86400000;

}  // namespace

TEST_CASE("notice: new matches are noticed, returning users released, expired ones acted on",
          "[notice]") {
    NoticeInputs in;
    in.now_ms = 100 * kDay;
    in.grace_ms = 14 * kDay;
    in.matching = {"a", "b", "c", "e"};
    in.open = {{1, "b", 80 * kDay, 94 * kDay, 0},   // deadline passed, still matching: act
               {2, "c", 90 * kDay, 104 * kDay, 0},  // deadline ahead: wait
               {3, "d", 80 * kDay, 94 * kDay, 0}};  // no longer matching: release
    in.exempt = {"e"};
    auto d = decide_notices(in);
    REQUIRE(d.notice == std::vector<std::string>{"a"});
    REQUIRE(d.act.size() == 1);
    CHECK(d.act[0].account_id == "b");
    REQUIRE(d.waiting.size() == 1);
    CHECK(d.waiting[0].account_id == "c");
    REQUIRE(d.release.size() == 1);
    CHECK(d.release[0].first.account_id == "d");
    CHECK(d.release[0].second == "no-match");
    CHECK(d.remind.empty());
}

TEST_CASE("notice: an exempt user on notice is released and not noticed again", "[notice]") {
    NoticeInputs in;
    in.now_ms = 10 * kDay;
    in.grace_ms = kDay;
    in.matching = {"x"};
    in.open = {{7, "x", 9 * kDay, 10 * kDay, 0}};
    in.exempt = {"x"};
    auto d = decide_notices(in);
    REQUIRE(d.release.size() == 1);
    CHECK(d.release[0].second == "exempt");
    CHECK(d.act.empty());
    CHECK(d.notice.empty());
}

TEST_CASE("notice: reminders go out once each, the latest due only", "[notice]") {
    NoticeInputs in;
    in.grace_ms = 14 * kDay;
    in.remind_before_ms = {7 * kDay, 3 * kDay};
    in.matching = {"u"};
    OpenNotice n{1, "u", 0, 14 * kDay, 0};
    in.open = {n};
    in.now_ms = 6 * kDay;  // before the first reminder
    CHECK(decide_notices(in).remind.empty());
    in.now_ms = 8 * kDay;  // the 7-day reminder is due
    auto d = decide_notices(in);
    REQUIRE(d.remind.size() == 1);
    CHECK(d.remind[0].second == 1);
    in.open[0].reminders = 1;
    CHECK(decide_notices(in).remind.empty());  // sent already
    in.open[0].reminders = 0;
    in.now_ms = 12 * kDay;  // both due after a pause: one reminder, counting both
    d = decide_notices(in);
    REQUIRE(d.remind.size() == 1);
    CHECK(d.remind[0].second == 2);
}

TEST_CASE("notice: templates fill known placeholders and keep the rest", "[notice]") {
    CHECK(render_template("Hi {name}, {products} until {deadline} {unknown} {",
                          {{"name", "Ann"}, {"products", "jira"}, {"deadline", "D"}}) ==
          "Hi Ann, jira until D {unknown} {");
    CHECK(format_deadline(0) == "1970-01-01 00:00:00 UTC");
}

TEST_CASE(
    "notice property: for random activity histories and clocks, no user is acted on unless "
    "on notice for at least the grace and matching at acting time",
    "[notice][property]") {
    std::uint64_t seed = std::random_device{}();
    INFO("seed " << seed);
    std::mt19937_64 rng(seed);
    for (int trial = 0; trial < 200; ++trial) {
        const int users = 1 + static_cast<int>(rng() % 12);
        const std::int64_t grace = (1 + static_cast<std::int64_t>(rng() % 20)) * kDay / 2;
        const std::int64_t idle_days = 1 + static_cast<std::int64_t>(rng() % 40);
        std::vector<std::int64_t> last_active(users);
        for (auto& t : last_active)
            t = -static_cast<std::int64_t>(rng() % (60 * kDay));
        std::map<std::string, OpenNotice> open;  // the store, as the stage keeps it
        std::set<std::string> exempt;
        std::int64_t next_id = 1;
        std::int64_t now = 0;
        for (int step = 0; step < 60; ++step) {
            now += static_cast<std::int64_t>(rng() % (5 * kDay));  // the clock only moves on
            for (int u = 0; u < users; ++u)  // someone comes back now and then
                if (rng() % 10 == 0)
                    last_active[u] = now - static_cast<std::int64_t>(rng() % kDay);
            if (rng() % 15 == 0) {
                auto who = "u" + std::to_string(rng() % users);
                if (!exempt.erase(who))
                    exempt.insert(who);
            }
            NoticeInputs in;
            in.now_ms = now;
            in.grace_ms = grace;
            in.exempt = exempt;
            std::set<std::string> matching;
            for (int u = 0; u < users; ++u)
                if (now - last_active[u] >= idle_days * kDay) {
                    in.matching.push_back("u" + std::to_string(u));
                    matching.insert("u" + std::to_string(u));
                }
            for (const auto& [id, n] : open)
                in.open.push_back(n);
            auto d = decide_notices(in);
            std::set<std::string> seen;
            for (const auto& n : d.act) {
                REQUIRE(open.count(n.account_id) == 1);  // never without having been noticed
                const auto& record = open.at(n.account_id);
                CHECK(now - record.noticed_at >= grace);   // never before the deadline
                CHECK(matching.count(n.account_id) == 1);  // still matching when acted on
                CHECK(exempt.count(n.account_id) == 0);
                CHECK(seen.insert(n.account_id).second);
            }
            for (const auto& [n, why] : d.release) {
                CHECK((matching.count(n.account_id) == 0 || exempt.count(n.account_id) == 1));
                CHECK(seen.insert(n.account_id).second);
            }
            for (const auto& n : d.waiting)
                CHECK(seen.insert(n.account_id).second);
            for (const auto& id : d.notice) {
                CHECK(open.count(id) == 0);  // never on notice twice at once
                CHECK(matching.count(id) == 1);
                CHECK(seen.insert(id).second);
            }
            // Everyone matching and not exempt is accounted for.
            for (const auto& id : matching)
                if (!exempt.count(id))
                    CHECK(seen.count(id) == 1);
            // Apply the decision as the stage records it.
            for (const auto& n : d.act)
                open.erase(n.account_id);
            for (const auto& [n, why] : d.release)
                open.erase(n.account_id);
            for (const auto& id : d.notice)
                open[id] = {next_id++, id, now, notice_deadline(now, grace), 0};
        }
    }
}
