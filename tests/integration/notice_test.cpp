// Notice before reclaim (issue 17) against rosterd-sim's ground truth and a real SMTP server
// (tests/support/smtp_sink.py on python3-aiosmtpd): the noticed set is the filter's truth, the
// notice stage sends nothing to Atlassian, each user gets one mail with their deadline, a user who
// comes back is released and untouched, the rest are acted on once after the deadline and undo
// restores them; kill -9 in either stage neither repeats a mail nor an action; mail waits for an
// SMTP server that is down and is then delivered once; a refused recipient is recorded.
#include <catch2/catch.hpp>

#include <thread>

#include "notice_helpers.hpp"
#include "smtp_sink.hpp"

using namespace rosterd::test;

TEST_CASE(
    "a notice task notices exactly the filter's users without a mutation, mails each once with "
    "their deadline, releases a user who came back and acts on the rest once, and undo restores",
    "[integration][notice]") {
    Setting s;
    SmtpSink smtp;
    smtp.start();
    DaemonFixture daemon(s.sim.atlassian_yaml() + smtp.yaml() + kFastOutbox + task_yaml("25s"));
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    wait_quiet(daemon);
    s.sim.clear_requests();

    // A dry run shows who would be noticed and records nothing.
    auto dry = daemon.ctl_json({"tasks", "run", "idle"});
    CHECK(dry["notice"]["noticed"].Size() == s.members.size());
    CHECK_FALSE(dry["notice"]["recorded"].GetBool());
    CHECK(daemon.ctl_json({"notices"})["notices"].Size() == 0);

    // The notice stage: every member, and nobody else, is put on notice; nothing is sent.
    auto first = daemon.ctl_json({"tasks", "run", "idle", "--apply"});
    CHECK(std::string(first["state"].GetString()) == "nothing_to_do");
    std::set<std::string> noticed;
    for (const auto& u : first["notice"]["noticed"].GetArray())
        noticed.insert(u["account_id"].GetString());
    CHECK(noticed == s.member_ids);
    CHECK(first["notice"]["acting"].Size() == 0);
    CHECK(mutations_settled(s.sim, 0).empty());
    auto states = notice_states(daemon);
    CHECK(states.size() == s.members.size());
    for (const auto& [id, state] : states)
        CHECK(state == "on-notice");

    // Exactly one mail per user, naming their deadline.
    REQUIRE(wait_until([&] { return smtp.mails().size() >= s.members.size(); },
                       std::chrono::seconds(60)));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto per = smtp.per_recipient();
    CHECK(per.size() == s.members.size());
    for (const auto& [rcpt, count] : per) {
        CHECK(s.member_emails.count(rcpt) == 1);
        CHECK(count == 1);
    }
    auto listed = daemon.ctl_json({"notices"});
    for (const auto& n : listed["notices"].GetArray()) {
        std::string deadline =
            rosterd::notice::format_deadline(*rosterd::parse_iso8601_ms(n["deadline"].GetString()));
        std::string email = n["email"].GetString();
        bool found = false;
        for (const auto& m : smtp.mails())
            if (m.rcpt == email) {
                found = true;
                CHECK_THAT(m.body, Catch::Contains(deadline));
                CHECK_THAT(m.headers, Catch::Contains("Subject: Your access to"));
            }
        CHECK(found);
        CHECK(std::string(n["mail"].GetString()) == "sent");
    }
    // A second run before the deadline changes nothing and mails nobody again.
    auto again = daemon.ctl_json({"tasks", "run", "idle", "--apply"});
    CHECK(again["notice"]["noticed"].Size() == 0);
    CHECK(again["notice"]["acting"].Size() == 0);
    CHECK(again["notice"]["waiting"].GetInt() == static_cast<int>(s.members.size()));

    // One user comes back before the deadline.
    const TruthUser& back = *s.members.front();
    set_activity(
        s.sim, back,
        "\"" +
            rosterd::format_iso8601_s(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count()) +
            "\"");
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    wait_quiet(daemon);
    auto before = s.sim.truth();  // what undo must bring back
    wait_past(latest_deadline_ms(daemon));

    auto acted = daemon.ctl_json({"tasks", "run", "idle", "--apply"});
    CHECK(std::string(acted["state"].GetString()) == "succeeded");
    REQUIRE(acted["notice"]["released"].Size() == 1);
    CHECK(std::string(acted["notice"]["released"][0]["account_id"].GetString()) == back.id);
    CHECK(acted["notice"]["acting"].Size() == s.members.size() - 1);
    auto outcome = outcomes(acted);
    CHECK(outcome.size() == s.members.size() - 1);
    CHECK(outcome.count(back.id) == 0);
    for (const auto& [id, o] : outcome)
        CHECK(o == "ok");
    std::multiset<std::string> expected;
    for (const auto* u : s.members)
        if (u->id != back.id)
            expected.insert(suspend_of(s.sim, u->id));
    check_mutations(s.sim, expected);
    states = notice_states(daemon);
    CHECK(states.at(back.id) == "released");
    for (const auto* u : s.members)
        if (u->id != back.id)
            CHECK(states.at(u->id) == "acted");
    CHECK(smtp.mails().size() == s.members.size());  // no mail at the act stage

    // Acted on once: the next run finds nobody to act on.
    wait_quiet(daemon);
    auto after = daemon.ctl_json({"tasks", "run", "idle", "--apply"});
    CHECK(after["notice"]["acting"].Size() == 0);
    CHECK(mutations_settled(s.sim, expected.size()).size() == expected.size());

    // The notice history is in the audit trail.
    auto audit = daemon.ctl_json({"audit", "--command", "notice."});
    CHECK(audit["entries"].Size() >= 2 * s.members.size());

    // Undo restores every user the act stage suspended.
    wait_quiet(daemon);
    auto undo = daemon.ctl_json({"runs", "undo", acted["id"].GetString(), "--apply"});
    CHECK(std::string(undo["state"].GetString()) == "succeeded");
    auto restored = s.sim.truth();
    CHECK(compact(restored["users"]) == compact(before["users"]));
}

TEST_CASE(
    "kill -9 during the notice stage and the act stage mails nobody twice, acts on nobody "
    "twice and on nobody before the deadline",
    "[integration][notice][crash]") {
    Setting s;
    SmtpSink smtp;
    smtp.start();
    const std::string rest = s.sim.atlassian_yaml();
    DaemonFixture daemon(rest + smtp.yaml("  per_minute: 2\n") + kFastOutbox + task_yaml("20s"));
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    wait_quiet(daemon);
    s.sim.clear_requests();

    // Notice stage: two mails a minute, so the kill lands with mail still to send.
    auto first = daemon.ctl_json({"tasks", "run", "idle", "--apply"});
    CHECK(first["notice"]["noticed"].Size() == s.members.size());
    REQUIRE(wait_until([&] { return smtp.mails().size() >= 1; }, std::chrono::seconds(60)));
    daemon.kill9();
    daemon.rewrite_config(rest + smtp.yaml() + kFastOutbox + task_yaml("20s"));
    daemon.start();
    // The rest go out after the restart (within the per-minute limit), none twice.
    auto accounted = [&] {
        auto dead = daemon.ctl_json({"notify", "list", "--state", "dead"})["deliveries"].Size();
        return smtp.mails().size() + dead;
    };
    REQUIRE(wait_until([&] { return accounted() >= s.members.size(); }, std::chrono::seconds(90)));
    for (const auto& [rcpt, count] : smtp.per_recipient())
        CHECK(count == 1);
    // A run after the restart notices nobody again.
    auto again = daemon.ctl_json({"tasks", "run", "idle", "--apply"});
    CHECK(again["notice"]["noticed"].Size() == 0);
    CHECK(mutations_settled(s.sim, 0).empty());  // nothing before the deadline

    // Act stage: each suspend takes 2 s, so the kill lands mid-run.
    auto deadline = latest_deadline_ms(daemon);
    wait_past(deadline);
    wait_quiet(daemon);
    s.sim.configure(R"({"slow_ms": 2000, "slow_rate": 1.0, "slow_path": "/suspend"})");
    std::thread client([&] { daemon.ctl({"tasks", "run", "idle", "--apply"}); });
    REQUIRE(wait_until([&] { return rereads(s.sim) >= 1; }, std::chrono::seconds(30)));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    daemon.kill9();
    client.join();
    s.sim.configure(R"({"slow_ms": 0, "slow_rate": 0.0, "slow_path": ""})");
    daemon.start();
    wait_for_newest_run(daemon, "succeeded", std::chrono::seconds(120));
    wait_quiet(daemon);
    // A later run acts on nobody again.
    auto later = daemon.ctl_json({"tasks", "run", "idle", "--apply"});
    CHECK(later["notice"]["acting"].Size() == 0);
    std::multiset<std::string> expected;
    for (const auto* u : s.members)
        expected.insert(suspend_of(s.sim, u->id));
    check_mutations(s.sim, expected);
    auto states = notice_states(daemon);
    for (const auto* u : s.members)
        CHECK(states.at(u->id) == "acted");
    for (const auto& [rcpt, count] : smtp.per_recipient())
        CHECK(count == 1);
    // Every action came after the deadline: the act-stage run was created after it.
    auto runs = daemon.ctl_json({"runs"});
    for (const auto& r : runs["runs"].GetArray())
        if (std::string(r["state"].GetString()) == "succeeded" &&
            std::string(r["kind"].GetString()) == "task")
            CHECK(*rosterd::parse_iso8601_ms(r["created_at"].GetString()) >= deadline - 999);
}

TEST_CASE(
    "mail waits while the SMTP server is down and is delivered once when it is up, and a "
    "refused recipient is recorded on the notice",
    "[integration][notice]") {
    Setting s;
    SmtpSink smtp;  // not started: nothing listens on its port
    smtp.refuse(s.members.back()->email);
    DaemonFixture daemon(s.sim.atlassian_yaml() + smtp.yaml() +
                         "notifications:\n  delivery: {backoff_initial_ms: 100, backoff_max_s: 1, "
                         "max_attempts: 100}\n" +
                         task_yaml("1h"));
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    wait_quiet(daemon);
    auto first = daemon.ctl_json({"tasks", "run", "idle", "--apply"});
    CHECK(first["notice"]["noticed"].Size() == s.members.size());
    // Attempts fail and are retried.
    REQUIRE(wait_until(
        [&] {
            auto list = daemon.ctl_json({"notify", "list"});
            for (const auto& d : list["deliveries"].GetArray())
                if (d["attempts"].GetInt() >= 2)
                    return true;
            return false;
        },
        std::chrono::seconds(60)));
    CHECK(smtp.mails().empty());
    auto pending = daemon.ctl_json({"notify", "list", "--state", "pending"});
    CHECK(pending["deliveries"].Size() >= 1);
    CHECK(std::string(pending["deliveries"][0]["webhook"].GetString()) == "@email");

    smtp.start();
    REQUIRE(wait_until([&] { return smtp.mails().size() >= s.members.size() - 1; },
                       std::chrono::seconds(60)));
    std::this_thread::sleep_for(std::chrono::seconds(2));
    auto per = smtp.per_recipient();
    CHECK(per.size() == s.members.size() - 1);
    for (const auto& [rcpt, count] : per)
        CHECK(count == 1);
    CHECK(per.count(s.members.back()->email) == 0);
    REQUIRE(wait_until(
        [&] {
            auto doc = daemon.ctl_json({"notices", "--user", s.members.back()->id});
            return doc["notices"].Size() == 1 &&
                   std::string(doc["notices"][0]["mail"].GetString()) == "refused";
        },
        std::chrono::seconds(30)));
    auto refused = daemon.ctl_json({"notices", "--user", s.members.back()->id});
    CHECK_THAT(refused["notices"][0]["mail_error"].GetString(), Catch::Contains("550"));
    CHECK(std::string(refused["notices"][0]["state"].GetString()) == "on-notice");

    // notify test-email goes through the same outbox.
    auto test = daemon.ctl({"notify", "test-email", "admin@acme.test"});
    CHECK(test.exit_code == 0);
    CHECK(smtp.per_recipient()["admin@acme.test"] == 1);
}
