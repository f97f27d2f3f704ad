// Mail over TLS with SMTP AUTH (issue 17) against a real aiosmtpd (tests/support/smtp_sink.py)
// serving a self-signed certificate made by the test: STARTTLS (required by default) with AUTH,
// trusted through email.ca_file and refused without it; a wrong password is retried, dead, with a
// clear error and the password nowhere; smtps:// (TLS from the first byte); and a server without
// STARTTLS is refused with nothing sent in clear text.
#include <catch2/catch.hpp>

#include <filesystem>
#include <thread>

#include "daemon_fixture.hpp"
#include "smtp_sink.hpp"

using namespace rosterd::test;

namespace {

const std::string kUser = "rosterd-mailer";
const std::string kPassword = "Corr3ct-H0rse-9QxZ";       // the sink's
const std::string kWrongPassword = "Wr0ng-Batt3ry-7KpL";  // a stale password file

// The email: section for a sink with TLS: starttls left at its default (required).
std::string email_yaml(const SmtpSink& sink, bool ca_file, const std::string& password_file) {
    std::string out = "email:\n  smtp_url: " + sink.url() +
                      "\n  from: rosterd@acme.test\n  contact: it@acme.test\n";
    if (!password_file.empty())
        out += "  username: " + kUser + "\n  password_file: " + password_file + "\n";
    if (ca_file)
        out += "  ca_file: " + sink.ca_file() + "\n";
    return out;
}

// One attempt per mail: a failure is dead at once, so that a later configuration cannot send it.
const std::string kOneAttempt =
    "notifications:\n  delivery: {backoff_initial_ms: 100, backoff_max_s: 1, max_attempts: 1}\n";

std::string password_file(const DaemonFixture& daemon, const std::string& password) {
    auto path = daemon.dir() / "smtp-password";
    daemon.dir().write("smtp-password", password + "\n");
    return path.string();
}

// The mail deliveries, newest first.
rapidjson::Document mail_deliveries(const DaemonFixture& daemon) {
    return daemon.ctl_json({"notify", "list"});
}

// `secret` is in no answer, log or state file of the daemon, nor in the sink's log. Stops the
// daemon (so that the WAL is checkpointed into the database file).
void check_nowhere(DaemonFixture& daemon, const SmtpSink& sink, const std::string& secret) {
    for (const auto& args : std::vector<std::vector<std::string>>{{"--json", "notify", "list"},
                                                                  {"--json", "status"},
                                                                  {"--json", "notices"},
                                                                  {"--json", "audit"}}) {
        auto r = daemon.ctl(args);
        INFO(args[1]);
        CHECK(r.out.find(secret) == std::string::npos);
        CHECK(r.err.find(secret) == std::string::npos);
    }
    CHECK(daemon.log().find(secret) == std::string::npos);
    CHECK(sink.log().find(secret) == std::string::npos);
    REQUIRE(daemon.stop() == 0);
    for (const auto& file : std::filesystem::directory_iterator(daemon.dir() / "state")) {
        INFO(file.path());
        if (file.is_regular_file())
            CHECK(read_file(file.path()).find(secret) == std::string::npos);
    }
}

}  // namespace

TEST_CASE(
    "STARTTLS with AUTH: the certificate is trusted only through email.ca_file, the password "
    "file logs in, and the mail arrives encrypted and authenticated",
    "[integration][notice][smtp-tls]") {
    SmtpSink sink(0, SmtpSink::Tls::starttls);
    sink.require_auth(kUser, kPassword);
    sink.start();
    DaemonFixture daemon("", false);
    auto secret = password_file(daemon, kPassword);

    // Without email.ca_file the self-signed certificate is not trusted: verification stays on.
    daemon.rewrite_config(email_yaml(sink, false, secret) + kOneAttempt);
    daemon.start();
    auto untrusted = daemon.ctl({"notify", "test-email", "first@acme.test"});
    CHECK(untrusted.exit_code == 1);
    CHECK_THAT(untrusted.err, Catch::Contains("certificate"));
    CHECK(sink.mails().empty());
    CHECK(sink.log().find("AUTH") == std::string::npos);  // no login over an unverified channel
    auto dead = mail_deliveries(daemon);
    REQUIRE(dead["deliveries"].Size() == 1);
    CHECK(std::string(dead["deliveries"][0]["state"].GetString()) == "dead");
    CHECK_THAT(dead["deliveries"][0]["last_error"].GetString(), Catch::Contains("certificate"));

    // With it: STARTTLS, AUTH, delivered.
    REQUIRE(daemon.stop() == 0);
    daemon.rewrite_config(email_yaml(sink, true, secret) + kOneAttempt);
    daemon.start();
    auto sent = daemon.ctl({"notify", "test-email", "admin@acme.test"});
    INFO(sent.out << sent.err << sink.log());
    CHECK(sent.exit_code == 0);
    auto mails = sink.mails();
    REQUIRE(mails.size() == 1);
    CHECK(mails[0].rcpt == "admin@acme.test");
    CHECK_THAT(mails[0].headers, Catch::Contains("X-Sink-TLS: yes"));
    CHECK_THAT(mails[0].headers, Catch::Contains("X-Sink-Auth: " + kUser));
    CHECK_THAT(mails[0].headers, Catch::Contains("Subject: rosterd test message"));
    CHECK_THAT(sink.log(), Catch::Contains("AUTH PLAIN " + kUser + " ok tls=1"));
    CHECK(sink.log().find("tls=0") == std::string::npos);
    auto list = mail_deliveries(daemon);
    REQUIRE(list["deliveries"].Size() == 2);
    CHECK(std::string(list["deliveries"][0]["state"].GetString()) == "delivered");
    CHECK(std::string(list["deliveries"][0]["webhook"].GetString()) == "@email");
    CHECK(std::string(list["deliveries"][1]["state"].GetString()) == "dead");
    // Only one message ever reached the sink: the dead one was not sent by the new configuration.
    std::this_thread::sleep_for(std::chrono::seconds(1));
    CHECK(sink.mails().size() == 1);
    check_nowhere(daemon, sink, kPassword);
}

TEST_CASE(
    "a wrong SMTP password: the login is refused, retried, then dead with a clear error, and the "
    "password is in no answer, log or database",
    "[integration][notice][smtp-tls]") {
    SmtpSink sink(0, SmtpSink::Tls::starttls);
    sink.require_auth(kUser, kPassword);
    sink.start();
    DaemonFixture daemon("", false);
    auto secret = password_file(daemon, kWrongPassword);
    daemon.rewrite_config(
        email_yaml(sink, true, secret) +
        "notifications:\n  delivery: {backoff_initial_ms: 100, backoff_max_s: 1, max_attempts: "
        "3}\n");
    daemon.start();
    auto sent = daemon.ctl({"notify", "test-email", "admin@acme.test"});
    CHECK(sent.exit_code == 1);
    CHECK_THAT(sent.err, Catch::Contains("refused the login of '" + kUser + "'"));
    CHECK(sent.err.find(kWrongPassword) == std::string::npos);
    // Retried (a password file being rotated is worth another attempt), then dead.
    REQUIRE(wait_until(
        [&] {
            auto list = mail_deliveries(daemon);
            return list["deliveries"].Size() == 1 &&
                   std::string(list["deliveries"][0]["state"].GetString()) == "dead";
        },
        std::chrono::seconds(60)));
    auto list = mail_deliveries(daemon);
    const auto& d = list["deliveries"][0];
    CHECK(d["attempts"].GetInt() == 3);
    std::string error = d["last_error"].GetString();
    CHECK_THAT(error, Catch::Contains("refused the login of '" + kUser + "'"));
    CHECK_THAT(error, Catch::Contains("email.password_file"));
    CHECK_THAT(error, Catch::Contains("535"));
    CHECK(sink.mails().empty());
    // Three logins, each over TLS, each refused; no MAIL command got through.
    std::string log = sink.log();
    std::size_t refused = 0;
    for (auto at = log.find(" refused tls=1"); at != std::string::npos;
         at = log.find(" refused tls=1", at + 1))
        ++refused;
    CHECK(refused == 3);
    CHECK(log.find("MAIL") == std::string::npos);
    check_nowhere(daemon, sink, kWrongPassword);
}

TEST_CASE("smtps:// (TLS from the first byte) with AUTH delivers through the sink's certificate",
          "[integration][notice][smtp-tls]") {
    SmtpSink sink(0, SmtpSink::Tls::implicit);
    sink.require_auth(kUser, kPassword);
    sink.start();
    REQUIRE(sink.url().rfind("smtps://", 0) == 0);
    DaemonFixture daemon("", false);
    daemon.rewrite_config(email_yaml(sink, true, password_file(daemon, kPassword)) + kOneAttempt);
    daemon.start();
    auto sent = daemon.ctl({"notify", "test-email", "admin@acme.test"});
    INFO(sent.out << sent.err << sink.log());
    CHECK(sent.exit_code == 0);
    auto mails = sink.mails();
    REQUIRE(mails.size() == 1);
    CHECK(mails[0].rcpt == "admin@acme.test");
    CHECK_THAT(mails[0].headers, Catch::Contains("X-Sink-TLS: yes"));
    CHECK_THAT(mails[0].headers, Catch::Contains("X-Sink-Auth: " + kUser));
    CHECK(sink.log().find("tls=0") == std::string::npos);
    check_nowhere(daemon, sink, kPassword);
}

TEST_CASE(
    "starttls required against a server without STARTTLS: refused with a clear error and nothing "
    "sent in clear text",
    "[integration][notice][smtp-tls]") {
    SmtpSink sink;  // plain SMTP, no STARTTLS offered, accepts anything
    sink.start();
    DaemonFixture daemon("", false);
    // starttls is not written: `required` is the default.
    daemon.rewrite_config(
        "email:\n  smtp_url: " + sink.url() + "\n  from: rosterd@acme.test\n  username: " + kUser +
        "\n  password_file: " + password_file(daemon, kPassword) + "\n" + kOneAttempt);
    daemon.start();
    auto sent = daemon.ctl({"notify", "test-email", "admin@acme.test"});
    CHECK(sent.exit_code == 1);
    CHECK_THAT(sent.err, Catch::Contains("does not offer STARTTLS"));
    REQUIRE(wait_until([&] {
        auto list = mail_deliveries(daemon);
        return list["deliveries"].Size() == 1 &&
               std::string(list["deliveries"][0]["state"].GetString()) == "dead";
    }));
    auto list = mail_deliveries(daemon);
    CHECK_THAT(list["deliveries"][0]["last_error"].GetString(),
               Catch::Contains("email.starttls is required"));
    // Neither a login nor a message crossed the connection.
    CHECK(sink.mails().empty());
    CHECK(sink.log().find("MAIL") == std::string::npos);
    CHECK(sink.log().find("AUTH") == std::string::npos);
    check_nowhere(daemon, sink, kPassword);
}
