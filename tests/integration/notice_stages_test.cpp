// The notice stage over time (issue 17), against rosterd-sim and a real SMTP server: reminders go
// out once per user, not before deadline - remind_before, and not again after kill -9; a dry run
// after the deadline shows would-notice, would-release and would-act and writes nothing (no
// notice, no mail, no request); the applying run then releases the user who came back and mails
// them that nothing will happen (release_email); `notices` shows each user's last activity per
// product and site exactly as the simulator has it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>

#include "notice_helpers.hpp"
#include "notify_helpers.hpp"
#include "smtp_sink.hpp"

using namespace rosterd::test;

namespace {

// The users_noticed / users_released events the sim's webhook sink received: one digest each.
std::vector<rapidjson::Document> events_of(const SimFixture& sim, const std::string& type) {
    std::vector<rapidjson::Document> out;
    auto received = sink_deliveries(sim, "notice-events");
    if (!received.IsArray())
        return out;
    for (const auto& d : received.GetArray()) {
        auto body = body_of(d);
        if (body.IsObject() && body.HasMember("event") && type == body["event"].GetString())
            out.push_back(std::move(body));
    }
    return out;
}

int count_with_subject(const SmtpSink& sink, const std::string& rcpt, const std::string& prefix) {
    int n = 0;
    for (const auto& m : sink.mails())
        if (m.rcpt == rcpt && m.headers.find("Subject: " + prefix) != std::string::npos)
            ++n;
    return n;
}

}  // namespace

TEST_CASE(
    "reminders: each noticed user gets exactly one notice and one reminder, not before deadline "
    "minus remind_before, and none again after kill -9",
    "[integration][notice][remind]") {
    Setting s;
    SmtpSink smtp;
    smtp.start();
    const std::string config = s.sim.atlassian_yaml() + smtp.yaml() + kFastOutbox +
                               task_yaml("30s", "      remind_before: [15s]\n");
    DaemonFixture daemon(config);
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    wait_quiet(daemon);
    s.sim.clear_requests();

    auto first = daemon.ctl_json({"tasks", "run", "idle", "--apply"});
    REQUIRE(first["notice"]["noticed"].Size() == s.members.size());
    CHECK(first["notice"]["reminded"].GetInt() == 0);
    auto deadline = latest_deadline_ms(daemon);
    const std::int64_t remind_at = deadline - 15000;
    REQUIRE(wait_until([&] { return smtp.mails().size() >= s.members.size(); },
                       std::chrono::seconds(60)));

    // A crash while everyone waits: the notices and their reminder counts are on disk.
    daemon.kill9();
    daemon.start();

    // Runs every second until the deadline: before deadline - remind_before none reminds; the
    // first run after it reminds everyone; the later ones nobody.
    int reminded_total = 0;
    while (now_ms() < deadline - 2000) {
        auto run = daemon.ctl_json({"tasks", "run", "idle", "--apply"});
        CHECK(run["notice"]["noticed"].Size() == 0);
        CHECK(run["notice"]["acting"].Size() == 0);
        int reminded = run["notice"]["reminded"].GetInt();
        if (reminded > 0) {
            // The run's clock was past the reminder moment (it started before the answer).
            CHECK(now_ms() >= remind_at);
            // A crash right after the reminders were recorded: none is sent twice.
            REQUIRE(wait_until([&] { return smtp.mails().size() >= 2 * s.members.size(); },
                               std::chrono::seconds(60)));
            daemon.kill9();
            daemon.start();
        }
        if (now_ms() < remind_at)
            CHECK(reminded == 0);  // the whole run was before the reminder moment
        reminded_total += reminded;
        std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    CHECK(reminded_total == static_cast<int>(s.members.size()));

    // After the deadline the run acts; still no new mail.
    wait_past(deadline);
    wait_quiet(daemon);
    auto acted = daemon.ctl_json({"tasks", "run", "idle", "--apply"});
    CHECK(acted["notice"]["acting"].Size() == s.members.size());
    CHECK(acted["notice"]["reminded"].GetInt() == 0);
    std::this_thread::sleep_for(std::chrono::seconds(2));

    // Exactly one notice and one reminder per user; the reminder received after its moment.
    auto per = smtp.per_recipient();
    CHECK(per.size() == s.members.size());
    for (const auto* u : s.members) {
        INFO(u->email);
        CHECK(per[u->email] == 2);
        CHECK(count_with_subject(smtp, u->email, "Your access to") == 1);
        CHECK(count_with_subject(smtp, u->email, "Reminder: Your access to") == 1);
        // `deadline` is the listed one, in whole seconds: at most the real one.
        for (const auto& m : smtp.mails())
            if (m.rcpt == u->email && m.headers.find("Subject: Reminder: ") != std::string::npos)
                CHECK(m.received_ms >= remind_at);
    }
    auto notices = daemon.ctl_json({"notices"});  // the loop views it: a named document
    for (const auto& n : notices["notices"].GetArray()) {
        CHECK(n["reminders"].GetInt() == 1);
        CHECK(std::string(n["state"].GetString()) == "acted");
    }
}

TEST_CASE(
    "after the deadline a dry run shows would-notice, would-release and would-act and writes "
    "nothing, then the run releases the user who came back and mails them that nothing will "
    "happen, and notices shows last activity per product",
    "[integration][notice]") {
    Setting s;
    SmtpSink smtp;
    smtp.start();
    DaemonFixture daemon(s.sim.atlassian_yaml() + smtp.yaml() +
                         "notifications:\n  delivery: {backoff_initial_ms: 100, backoff_max_s: "
                         "1}\n  webhooks:\n    - name: events\n      url: " +
                         s.sim.base_url() + "/sink/notice-events\n      format: json\n" +
                         task_yaml("20s", "      release_email: true\n"));
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    wait_quiet(daemon);
    auto first = daemon.ctl_json({"tasks", "run", "idle", "--apply"});
    REQUIRE(first["notice"]["noticed"].Size() == s.members.size());
    REQUIRE(wait_until([&] { return smtp.mails().size() >= s.members.size(); },
                       std::chrono::seconds(60)));
    // One digest for the five, naming them, not one event per user.
    REQUIRE(wait_until([&] { return events_of(s.sim, "users_noticed").size() >= 1; },
                       std::chrono::seconds(30)));
    {
        auto noticed = events_of(s.sim, "users_noticed");
        REQUIRE(noticed.size() == 1);
        const auto& data = noticed[0]["data"];
        CHECK(std::string(data["task"].GetString()) == "idle");
        CHECK(std::string(data["count"].GetString()) == std::to_string(s.members.size()));
        std::string names = data["users"].GetString();
        CHECK(std::count(names.begin(), names.end(), ',') ==
              static_cast<long>(s.members.size()) - 1);
        CHECK(names.find("more") == std::string::npos);
    }

    // One member comes back; one other ordinary Jira user stops being active (never active now).
    const TruthUser& back = *s.members.front();
    const std::string jira = s.org.jira_resource_of_host.at(s.org.first_host);
    const TruthUser* newcomer = nullptr;
    for (const auto& u : s.org.users)
        if (u.access.count(jira) && ordinary(u) && !s.member_ids.count(u.id)) {
            newcomer = &u;
            break;
        }
    REQUIRE(newcomer != nullptr);
    set_activity(s.sim, back, "\"" + rosterd::format_iso8601_s(now_ms()) + "\"");
    s.sim.http("POST", "/_sim/activity",
               R"({"account_id":")" + newcomer->id + R"(","resource_id":")" + jira +
                   R"(","last_active":null})");
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    wait_quiet(daemon);
    wait_past(latest_deadline_ms(daemon));
    wait_quiet(daemon);
    s.sim.clear_requests();

    // `notices` shows each user's last activity per product and site, as the simulator has it.
    auto truth = s.sim.truth();
    auto catalogue = site_catalogue(truth);
    std::map<std::string, std::set<std::string>> expected_activity;
    for (const auto& u : truth["users"].GetArray())
        for (const auto& a : u["access"].GetArray()) {
            const auto& r = catalogue.resources.at(a["resource_id"].GetString());
            expected_activity[u["account_id"].GetString()].insert(
                r.product + "@" + r.site + " " +
                (a["last_active_ms"].IsNull()
                     ? std::string("never")
                     : rosterd::format_iso8601_s(a["last_active_ms"].GetInt64())));
        }
    auto before = daemon.ctl_json({"notices"});
    REQUIRE(before["notices"].Size() == s.members.size());
    for (const auto& n : before["notices"].GetArray()) {
        std::set<std::string> shown;
        for (const auto& a : n["activity"].GetArray())
            shown.insert(std::string(a["product"].GetString()) + "@" + a["site"].GetString() + " " +
                         (a["last_active"].IsNull() ? std::string("never")
                                                    : std::string(a["last_active"].GetString())));
        CHECK(shown == expected_activity.at(n["account_id"].GetString()));
    }
    auto outbox_before = daemon.ctl_json({"notify", "list"})["deliveries"].Size();
    auto audit_before = daemon.ctl_json({"audit", "--command", "notice."})["entries"].Size();

    // The dry run: the three lists, and nothing written or sent.
    auto dry = daemon.ctl_json({"tasks", "run", "idle"});
    CHECK_FALSE(dry["notice"]["recorded"].GetBool());
    REQUIRE(dry["notice"]["noticed"].Size() == 1);
    CHECK(std::string(dry["notice"]["noticed"][0]["account_id"].GetString()) == newcomer->id);
    REQUIRE(dry["notice"]["released"].Size() == 1);
    CHECK(std::string(dry["notice"]["released"][0]["account_id"].GetString()) == back.id);
    std::set<std::string> would_act;
    for (const auto& u : dry["notice"]["acting"].GetArray())
        would_act.insert(u["account_id"].GetString());
    std::set<std::string> rest = s.member_ids;
    rest.erase(back.id);
    CHECK(would_act == rest);
    auto text = daemon.ctl({"tasks", "run", "idle"});
    CHECK(text.exit_code == 0);
    CHECK_THAT(text.out, Catch::Contains("would put on notice: 1"));
    CHECK_THAT(text.out, Catch::Contains("would release: 1"));
    CHECK_THAT(text.out, Catch::Contains("would act on (notice ran out, still matching): 4"));
    CHECK_THAT(text.out, Catch::Contains("Dry run: no notice was recorded and no mail was sent."));
    std::this_thread::sleep_for(std::chrono::seconds(1));
    CHECK(mutations(s.sim).empty());
    CHECK(compact(daemon.ctl_json({"notices"})["notices"]) == compact(before["notices"]));
    CHECK(daemon.ctl_json({"notify", "list"})["deliveries"].Size() == outbox_before);
    CHECK(daemon.ctl_json({"audit", "--command", "notice."})["entries"].Size() == audit_before);
    CHECK(smtp.mails().size() == s.members.size());
    CHECK(events_of(s.sim, "users_noticed").size() == 1);  // no event from a dry run
    CHECK(events_of(s.sim, "users_released").empty());

    // The applying run does what the dry run showed, and the released user is told.
    auto applied = daemon.ctl_json({"tasks", "run", "idle", "--apply"});
    CHECK(applied["notice"]["noticed"].Size() == 1);
    CHECK(applied["notice"]["released"].Size() == 1);
    CHECK(applied["notice"]["acting"].Size() == rest.size());
    REQUIRE(wait_until([&] { return smtp.mails().size() >= s.members.size() + 2; },
                       std::chrono::seconds(60)));
    std::this_thread::sleep_for(std::chrono::seconds(1));
    auto per = smtp.per_recipient();
    CHECK(per[back.email] == 2);
    CHECK(count_with_subject(smtp, back.email, "Your access to jira-software stays") == 1);
    for (const auto& m : smtp.mails())
        if (m.rcpt == back.email && m.headers.find("stays") != std::string::npos) {
            CHECK_THAT(m.body, Catch::Contains("you used it again"));
            CHECK_THAT(m.body, Catch::Contains("Nothing will happen"));
        }
    CHECK(per[newcomer->email] == 1);
    for (const auto& id : rest)
        CHECK(per[s.org.user(id).email] == 1);  // acted on: no mail at the act stage
    CHECK(per.size() == s.members.size() + 1);
    auto states = notice_states(daemon);
    CHECK(states.at(back.id) == "released");
    // Its digests: one noticed (the newcomer), one released (the user who came back).
    REQUIRE(wait_until([&] { return events_of(s.sim, "users_released").size() >= 1; },
                       std::chrono::seconds(30)));
    REQUIRE(wait_until([&] { return events_of(s.sim, "users_noticed").size() >= 2; },
                       std::chrono::seconds(30)));
    std::this_thread::sleep_for(std::chrono::seconds(1));
    auto released = events_of(s.sim, "users_released");
    REQUIRE(released.size() == 1);
    CHECK(std::string(released[0]["data"]["count"].GetString()) == "1");
    const auto& run_id = released[0]["data"]["run_id"];  // the json format writes ids as numbers
    CHECK((run_id.IsString() ? std::string(run_id.GetString())
                             : std::to_string(run_id.GetInt64())) == applied["id"].GetString());
    auto noticed = events_of(s.sim, "users_noticed");
    REQUIRE(noticed.size() == 2);
    CHECK(std::string(noticed[1]["data"]["count"].GetString()) == "1");
}

TEST_CASE(
    "notices exempt: the user's notice ends as exempt, they are not noticed again, and the "
    "exemption is in notices, user X and the audit trail",
    "[integration][notice]") {
    Setting s;
    SmtpSink smtp;
    smtp.start();
    DaemonFixture daemon(s.sim.atlassian_yaml() + smtp.yaml() + kFastOutbox + task_yaml("1h"));
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    wait_quiet(daemon);
    auto first = daemon.ctl_json({"tasks", "run", "idle", "--apply"});
    REQUIRE(first["notice"]["noticed"].Size() == s.members.size());
    const TruthUser& away = *s.members.back();

    // Bad dates are refused before anything is written.
    auto past =
        daemon.ctl({"notices", "exempt", away.id, "--until", "2001-01-01", "--reason", "x"});
    CHECK(past.exit_code == 2);  // invalid arguments
    CHECK_THAT(ctl_text(past), Catch::Contains("the date has passed"));
    auto bad = daemon.ctl({"notices", "exempt", away.id, "--until", "next week", "--reason", "x"});
    CHECK(bad.exit_code == 2);
    CHECK_THAT(ctl_text(bad), Catch::Contains("expected a date YYYY-MM-DD"));
    CHECK(notice_states(daemon).at(away.id) == "on-notice");

    // By email, until tomorrow.
    auto tomorrow = rosterd::format_iso8601_s(now_ms() + 86400000).substr(0, 10);
    auto done = daemon.ctl_json(
        {"notices", "exempt", away.email, "--until", tomorrow, "--reason", "parental leave"});
    CHECK(std::string(done["account_id"].GetString()) == away.id);
    CHECK(done["notices_ended"].GetInt() == 1);
    CHECK(std::string(done["until"].GetString()) == tomorrow + "T00:00:00Z");
    auto exempt = daemon.ctl_json({"notices", "--state", "exempt"});
    REQUIRE(exempt["notices"].Size() == 1);
    CHECK(std::string(exempt["notices"][0]["account_id"].GetString()) == away.id);
    CHECK_THAT(exempt["notices"][0]["reason"].GetString(), Catch::Contains("parental leave"));
    CHECK_FALSE(exempt["notices"][0].HasMember("days_left"));  // only on-notice ones count down
    auto waiting = daemon.ctl_json({"notices", "--state", "on-notice"});
    CHECK(waiting["notices"].Size() == s.members.size() - 1);
    for (const auto& n : waiting["notices"].GetArray())
        CHECK(n["days_left"].GetInt() == 0);  // an hour of grace: 0 whole days left

    // The next run does not notice them again, and leaves the others waiting.
    auto again = daemon.ctl_json({"tasks", "run", "idle", "--apply"});
    CHECK(again["notice"]["noticed"].Size() == 0);
    CHECK(again["notice"]["released"].Size() == 0);
    CHECK(again["notice"]["waiting"].GetInt() == static_cast<int>(s.members.size()) - 1);

    // user X carries the history; the audit trail the exemption.
    auto user = daemon.ctl_json({"user", away.id});
    REQUIRE(user["notices"].Size() == 1);
    CHECK(std::string(user["notices"][0]["state"].GetString()) == "exempt");
    CHECK(std::string(user["notices"][0]["task"].GetString()) == "idle");
    auto audit = daemon.ctl_json({"audit", "--command", "notices.exempt"});
    REQUIRE(audit["entries"].Size() >= 1);
    CHECK_THAT(compact(audit["entries"]), Catch::Contains("parental leave"));

    // --limit: the newest first.
    auto newest = daemon.ctl_json({"notices", "--limit", "2"});
    auto every = daemon.ctl_json({"notices"});
    REQUIRE(newest["notices"].Size() == 2);
    CHECK(newest["notices"][0]["id"].GetInt64() == every["notices"][0]["id"].GetInt64());
    CHECK(newest["notices"][1]["id"].GetInt64() == every["notices"][1]["id"].GetInt64());

    // CSV: the documented columns, one row per notice.
    auto csv = daemon.ctl({"notices", "--format", "csv"});
    REQUIRE(csv.exit_code == 0);
    CHECK(csv.out.substr(0, csv.out.find("\r\n")) ==  // RFC 4180 line ends
          "account_id,name,email,task,state,noticed_at,deadline,days_left,reason,mail,run_id,"
          "activity");
    CHECK(static_cast<std::size_t>(std::count(csv.out.begin(), csv.out.end(), '\n')) ==
          s.members.size() + 1);
}

TEST_CASE(
    "email.per_minute: at most that many mails a minute, the rest wait in the outbox and go out "
    "once the minute has passed, each once",
    "[integration][notice][slow]") {
    Setting s;
    SmtpSink smtp;
    smtp.start();
    DaemonFixture daemon(s.sim.atlassian_yaml() + smtp.yaml("  per_minute: 3\n") + kFastOutbox +
                         task_yaml("1h"));
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    wait_quiet(daemon);
    auto first = daemon.ctl_json({"tasks", "run", "idle", "--apply"});
    REQUIRE(first["notice"]["noticed"].Size() == s.members.size());
    REQUIRE(wait_until([&] { return smtp.mails().size() >= 3; }, std::chrono::seconds(30)));
    // Well inside the minute: three sent, the other two waiting, not failed.
    std::this_thread::sleep_for(std::chrono::seconds(10));
    CHECK(smtp.mails().size() == 3);
    auto pending = daemon.ctl_json({"notify", "list", "--state", "pending"});
    CHECK(pending["deliveries"].Size() == s.members.size() - 3);
    for (const auto& d : pending["deliveries"].GetArray()) {
        CHECK(std::string(d["webhook"].GetString()) == "@email");
        CHECK(d["attempts"].GetInt() == 0);
    }
    REQUIRE(wait_until([&] { return smtp.mails().size() >= s.members.size(); },
                       std::chrono::seconds(120)));
    std::this_thread::sleep_for(std::chrono::seconds(1));
    auto mails = smtp.mails();  // in the order received
    REQUIRE(mails.size() == s.members.size());
    // The fourth went out a minute after the first (the first's send began before it arrived).
    CHECK(mails[3].received_ms - mails[0].received_ms >= 60000 - 2000);
    for (const auto& [rcpt, count] : smtp.per_recipient())
        CHECK(count == 1);
}
