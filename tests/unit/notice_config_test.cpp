// The email: section and a task's notice: block (issue 17): what loads, the defaults, and what is
// refused with which message (TLS never silently off, no inline password, mail needs email:).
#include <catch2/catch.hpp>

#include "rosterd/config/config.hpp"

using namespace rosterd;

namespace {

std::string error_of(const std::string& yaml) {
    try {
        parse_config(yaml, "test.yaml");
    } catch (const ConfigError& e) {
        return e.what();
    }
    FAIL("expected a ConfigError for:\n" << yaml);
    return "";
}

const std::string kTask = R"(tasks:
  - name: idle
    filter: {product: jira-software, inactive-days: 60}
    actions: [suspend]
    schedule: daily 06:00
    notice:
)";

}  // namespace

TEST_CASE("email: every key loads, with ca_file, the release templates and the defaults",
          "[config][notice]") {
    auto config = parse_config(kTask + R"(      grace: 14d
      email: true
      release_email: true
      remind_before: [1d, 3d, 1d]
email:
  smtp_url: smtps://mail.acme.com:465
  from: rosterd@acme.com
  username: rosterd
  password_file: /etc/rosterd/smtp-password
  ca_file: /etc/rosterd/smtp-ca.pem
  release_subject: "{products}: nothing will happen"
  release_body: "Hello {name}: {release_reason}"
  per_minute: 30
)",
                               "test.yaml");
    const auto& email = config.email;
    CHECK(email.enabled());
    CHECK(email.ca_file == "/etc/rosterd/smtp-ca.pem");
    CHECK(email.starttls);  // required unless said otherwise
    CHECK(email.release_subject == "{products}: nothing will happen");
    CHECK(email.release_body == "Hello {name}: {release_reason}");
    CHECK(email.per_minute == 30);
    REQUIRE(config.tasks.size() == 1);
    const auto& notice = *config.tasks[0].notice;
    CHECK(notice.email);
    CHECK(notice.release_email);
    // Longest first, duplicates dropped.
    CHECK(notice.remind_before ==
          std::vector<std::chrono::seconds>{std::chrono::hours(72), std::chrono::hours(24)});

    auto plain = parse_config(kTask + "      grace: 2h\n", "test.yaml");
    CHECK_FALSE(plain.email.enabled());
    CHECK(plain.email.ca_file.empty());
    CHECK_FALSE(plain.tasks[0].notice->release_email);
    CHECK_THAT(plain.email.release_body, Catch::Contains("{release_reason}"));
}

TEST_CASE("email: refusals name the key and the reason", "[config][notice]") {
    // TLS off is for a local relay only.
    CHECK_THAT(error_of("email:\n  smtp_url: smtp://mail.acme.com:25\n  from: r@acme.com\n"
                        "  starttls: off\n"),
               Catch::Contains("starttls: off is allowed only for an SMTP server on localhost"));
    CHECK_NOTHROW(parse_config(
        "email:\n  smtp_url: smtp://127.0.0.1:2525\n  from: r@acme.com\n  starttls: off\n",
        "test.yaml"));
    CHECK_THAT(error_of("email:\n  smtp_url: smtp://mail.acme.com\n  from: r@acme.com\n"
                        "  starttls: maybe\n"),
               Catch::Contains("'maybe' is not one of: required, off"));
    // No inline password, and a login needs its file.
    CHECK_THAT(error_of("email:\n  smtp_url: smtp://mail.acme.com\n  from: r@acme.com\n"
                        "  password: hunter2\n"),
               Catch::Contains("password"));
    CHECK(error_of("email:\n  smtp_url: smtp://mail.acme.com\n  from: r@acme.com\n"
                   "  password: hunter2\n")
              .find("hunter2") == std::string::npos);
    CHECK_THAT(error_of("email:\n  smtp_url: smtp://mail.acme.com\n  from: r@acme.com\n"
                        "  username: rosterd\n"),
               Catch::Contains("username needs password_file"));
    CHECK_THAT(error_of("email:\n  smtp_url: http://mail.acme.com\n  from: r@acme.com\n"),
               Catch::Contains("expected an smtp:// or smtps:// URL"));
    CHECK_THAT(error_of("email:\n  smtp_url: smtp://mail.acme.com\n  from: r@acme.com\n"
                        "  release_subject: \"two\\nlines\"\n"),
               Catch::Contains("a subject is one line"));
    // Mail to users needs the email: section, for the notice and for the release alike.
    CHECK_THAT(error_of(kTask + "      grace: 1d\n      release_email: true\n"),
               Catch::Contains("tasks[0].notice.release_email"));
    CHECK_THAT(error_of(kTask + "      grace: 1d\n      email: true\n"),
               Catch::Contains("tasks[0].notice.email"));
    CHECK_THAT(error_of(kTask + "      grace: 1d\n      remind_before: [1d]\n"),
               Catch::Contains("each must be shorter than grace"));
}
