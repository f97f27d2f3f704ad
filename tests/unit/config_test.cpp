#include <catch2/catch.hpp>

#include <algorithm>

#include "rosterd/config/config.hpp"
#include "temp_dir.hpp"

using namespace rosterd;

namespace {

// Returns the error a YAML text produces, or fails the test when it loads.
ConfigError error_of(const std::string& yaml) {
    try {
        parse_config(yaml, "test.yaml");
    } catch (const ConfigError& e) {
        return e;
    }
    FAIL("expected a ConfigError for:\n" << yaml);
    throw;  // unreachable
}

}  // namespace

TEST_CASE("a full configuration loads with every key", "[config]") {
    auto config = parse_config(R"(
atlassian:
  org_id: 3f9c1b2e-5d4a-4c1e-9b7a-2a6d8e0f1c35
  api_base: http://127.0.0.1:8080/
  api_key_file: /etc/rosterd/api-key
  api_key_expires: 2027-03-01
http:
  max_in_flight: 12
  connect_timeout_s: 5
  request_timeout_s: 30
  ca_file: /etc/ssl/certs/ca-certificates.crt
  proxy: http://proxy.example:3128
storage:
  path: /var/lib/rosterd/state.db
control:
  socket: /run/rosterd/ctl.sock
  access:
    admin: { users: [root], groups: ["0"] }
    operator: { users: ["1234"] }
    viewer: { groups: [root] }
sync:
  daily_at: "04:30"
  timezone: Europe/Berlin
  activity_source: last-active-dates
  partitions: 6
inactivity:
  days: 90
  per_product: { confluence: 60, jira-software: 45 }
notifications:
  api_key_reminder_days: [30, 7, 1]
  delivery:
    max_attempts: 5
    max_age_h: 6
    backoff_initial_ms: 250
    backoff_max_s: 60
  webhooks:
    - name: ops-slack
      url: https://hooks.slack.example/services/T/B/X
      format: slack
      events: [api_key_expiring, sync_failed]
    - name: audit
      url_file: /etc/rosterd/audit-url
      format: json
      secret: s3cret
      timeout_s: 5
logging:
  level: debug
)",
                               "full.yaml");
    CHECK(config.atlassian.org_id == "3f9c1b2e-5d4a-4c1e-9b7a-2a6d8e0f1c35");
    CHECK(config.atlassian.api_base == "http://127.0.0.1:8080");
    CHECK(config.atlassian.api_key_expires_days == 20878);  // 2027-03-01
    CHECK(config.http.max_in_flight == 12);
    CHECK(config.http.proxy == "http://proxy.example:3128");
    CHECK(config.storage.path == "/var/lib/rosterd/state.db");
    CHECK(config.state_directory() == "/var/lib/rosterd");
    CHECK(config.control.socket == "/run/rosterd/ctl.sock");
    CHECK(config.control.access.admin.uids == std::vector<std::uint32_t>{0});
    CHECK(config.control.access.admin.gids == std::vector<std::uint32_t>{0});
    CHECK(config.control.access.operator_.uids == std::vector<std::uint32_t>{1234});
    CHECK(config.control.access.viewer.gids == std::vector<std::uint32_t>{0});
    CHECK(config.sync.daily_hour == 4);
    CHECK(config.sync.daily_minute == 30);
    CHECK(config.sync.timezone == "Europe/Berlin");
    CHECK(config.sync.activity_source == "last-active-dates");
    CHECK(config.sync.partitions == 6);
    CHECK(config.inactivity.days == 90);
    CHECK(config.inactivity.per_product.at("confluence") == 60);
    CHECK(config.notifications.api_key_reminder_days == std::vector<int>{30, 7, 1});
    CHECK(config.notifications.delivery.max_attempts == 5);
    CHECK(config.notifications.delivery.max_age == std::chrono::hours(6));
    CHECK(config.notifications.delivery.backoff_initial == std::chrono::milliseconds(250));
    CHECK(config.notifications.delivery.backoff_max == std::chrono::seconds(60));
    REQUIRE(config.notifications.webhooks.size() == 2);
    CHECK(config.notifications.webhooks[0].events.size() == 2);
    CHECK(config.notifications.webhooks[1].url_file == "/etc/rosterd/audit-url");
    CHECK(config.notifications.webhooks[1].timeout == std::chrono::seconds(5));
    CHECK(config.logging.level == "debug");
}

TEST_CASE("an empty file gives the documented defaults", "[config]") {
    auto config = parse_config("", "empty.yaml");
    CHECK(config.atlassian.api_base == "https://api.atlassian.com");
    CHECK(config.storage.path == "/var/lib/rosterd/rosterd.db");
    CHECK(config.control.socket == "/run/rosterd/control.sock");
    CHECK(config.sync.daily_hour == 5);
    CHECK(config.sync.daily_minute == 0);
    CHECK(config.sync.timezone.empty());
    CHECK(config.inactivity.days == 30);
    CHECK(config.notifications.api_key_reminder_days == std::vector<int>{7});
    CHECK(config.notifications.delivery.max_attempts == 12);
    CHECK(config.notifications.delivery.max_age == std::chrono::hours(48));
    CHECK(config.notifications.delivery.backoff_initial == std::chrono::seconds(10));
    CHECK(config.notifications.delivery.backoff_max == std::chrono::minutes(30));
}

TEST_CASE("errors name the file, line, column and key path", "[config]") {
    SECTION("unknown top-level key, with a suggestion") {
        auto e = error_of("atlassian:\n  org_id: x\nsynk:\n  daily_at: \"05:00\"\n");
        CHECK(e.line() == 3);
        CHECK(e.column() == 1);
        CHECK(e.key_path() == "synk");
        CHECK(std::string(e.what()) ==
              "test.yaml:3:1: synk: unknown key 'synk' (did you mean 'sync'?)");
    }
    SECTION("unknown nested key lists the valid ones when nothing is close") {
        auto e = error_of("sync:\n  frequency: daily\n");
        CHECK(e.line() == 2);
        CHECK(e.column() == 3);
        CHECK(e.key_path() == "sync.frequency");
        CHECK_THAT(e.what(), Catch::Contains("expected one of: daily_at, timezone"));
    }
    SECTION("wrong type") {
        auto e = error_of("inactivity:\n  days: thirty\n");
        CHECK(e.line() == 2);
        CHECK(e.column() == 9);
        CHECK(e.key_path() == "inactivity.days");
        CHECK(e.detail() == "expected an integer, got 'thirty'");
    }
    SECTION("a mapping where a scalar belongs") {
        auto e = error_of("storage:\n  path: {a: 1}\n");
        CHECK(e.key_path() == "storage.path");
        CHECK(e.detail() == "expected a non-empty string, got a mapping");
    }
    SECTION("out of range") {
        auto e = error_of("inactivity:\n  days: 0\n");
        CHECK(e.detail() == "must be between 1 and 3650, got 0");
    }
    SECTION("bad time zone") {
        auto e = error_of("sync:\n  timezone: Europe/Atlantis\n");
        CHECK(e.line() == 2);
        CHECK(e.key_path() == "sync.timezone");
        CHECK_THAT(e.detail(), Catch::StartsWith("unknown time zone 'Europe/Atlantis'"));
    }
    SECTION("bad times of day") {
        for (auto bad : {"25:00", "7:05", "12:60", "noon"}) {
            auto e = error_of(std::string("sync:\n  daily_at: \"") + bad + "\"\n");
            CHECK(e.key_path() == "sync.daily_at");
            CHECK_THAT(e.detail(), Catch::StartsWith("expected a time of day HH:MM"));
        }
    }
    SECTION("bad date") {
        auto e = error_of("atlassian:\n  api_key_expires: 2027-02-30\n");
        CHECK(e.key_path() == "atlassian.api_key_expires");
        CHECK(e.detail() == "expected a date YYYY-MM-DD, got '2027-02-30'");
    }
    SECTION("empty names") {
        auto e = error_of(
            "notifications:\n  webhooks:\n    - name: \"\"\n      url: https://x\n      format: "
            "json\n");
        CHECK(e.line() == 3);
        CHECK(e.key_path() == "notifications.webhooks[0].name");
        CHECK(e.detail() == "must not be empty");
    }
    SECTION("duplicate webhook names") {
        auto e = error_of(R"(notifications:
  webhooks:
    - {name: a, url: "https://x", format: json}
    - {name: a, url: "https://y", format: slack}
)");
        CHECK(e.line() == 4);
        CHECK(e.key_path() == "notifications.webhooks[1].name");
        CHECK(e.detail() == "duplicate webhook name 'a'");
    }
    SECTION("webhook format and events are checked") {
        auto e = error_of(
            "notifications:\n  webhooks:\n    - {name: a, url: \"https://x\", "
            "format: irc}\n");
        CHECK(e.key_path() == "notifications.webhooks[0].format");
        CHECK_THAT(e.detail(), Catch::StartsWith("'irc' is not one of:"));
        auto e2 = error_of(
            "notifications:\n  webhooks:\n    - {name: a, url: \"https://x\", "
            "format: json, events: [lunch]}\n");
        CHECK(e2.key_path() == "notifications.webhooks[0].events[0]");
    }
    SECTION("reminder days start at 1 and delivery limits are checked") {
        auto e = error_of("notifications:\n  api_key_reminder_days: [7, 0]\n");
        CHECK(e.key_path() == "notifications.api_key_reminder_days[1]");
        auto e2 = error_of("notifications:\n  delivery:\n    max_attempts: 0\n");
        CHECK(e2.key_path() == "notifications.delivery.max_attempts");
        auto e3 = error_of("notifications:\n  delivery:\n    backoff_initial_ms: 5\n");
        CHECK(e3.key_path() == "notifications.delivery.backoff_initial_ms");
        auto e4 = error_of("notifications:\n  delivery:\n    retries: 3\n");
        CHECK(e4.key_path() == "notifications.delivery.retries");
    }
    SECTION("a webhook needs exactly one of url and url_file; the URL is never echoed") {
        auto e = error_of("notifications:\n  webhooks:\n    - {name: a, format: json}\n");
        CHECK(e.detail() == "exactly one of 'url' or 'url_file' is required");
        auto e2 = error_of(
            "notifications:\n  webhooks:\n    - {name: a, url: "
            "\"ftp://token-abc\", format: json}\n");
        CHECK(std::string(e2.what()).find("token-abc") == std::string::npos);
    }
    SECTION("duplicate keys") {
        auto e = error_of("sync:\n  daily_at: \"01:00\"\n  daily_at: \"02:00\"\n");
        CHECK(e.line() == 3);
        CHECK(e.detail() == "duplicate key");
    }
    SECTION("unknown access user") {
        auto e = error_of("control:\n  access:\n    admin:\n      users: [no-such-user-xyz]\n");
        CHECK(e.key_path() == "control.access.admin.users[0]");
        CHECK(e.detail() == "unknown user 'no-such-user-xyz'");
    }
    SECTION("malformed YAML") {
        auto e = error_of("sync:\n  daily_at: [\n");
        CHECK(e.line() >= 2);
        CHECK_THAT(e.detail(), Catch::StartsWith("invalid YAML"));
    }
    SECTION("top level not a mapping") {
        auto e = error_of("- a\n- b\n");
        CHECK(e.detail() == "the top level must be a mapping of sections");
    }
}

TEST_CASE("config files load from disk and missing files are reported", "[config]") {
    test::TempDir dir;
    auto path = dir.write("rosterd.yaml", "inactivity:\n  days: 14\n");
    CHECK(load_config_file(path.string()).inactivity.days == 14);
    CHECK(load_config_file(path.string()).source_path == path.string());
    try {
        load_config_file((dir / "missing.yaml").string());
        FAIL("missing file loaded");
    } catch (const ConfigError& e) {
        CHECK(e.detail() == "cannot open the configuration file");
    }
}

TEST_CASE("the example configuration is valid", "[config]") {
    auto config = load_config_file(ROSTERD_SOURCE_DIR "/config/rosterd.example.yaml");
    CHECK_FALSE(config.atlassian.org_id.empty());
}

TEST_CASE("pricing and saved filters load, through the filter's own field parser", "[config]") {
    auto config = parse_config(R"(
pricing:
  currency: EUR
  monthly_per_seat:
    jira-software: 7.53
    confluence: 5
filters:
  stale-jira:
    product: jira-software
    inactive-days: 90
    domain: [acme.com, "@Acme.IO"]
    no-admins: true
  contractors:
    unmanaged: true
    status: active
)",
                               "test.yaml");
    CHECK(config.pricing.currency == "EUR");
    CHECK(config.pricing.monthly_per_seat.at("jira-software") == 7.53);
    CHECK(config.pricing.monthly_per_seat.at("confluence") == 5.0);
    REQUIRE(config.filters.size() == 2);
    const auto& stale = config.filters.at("stale-jira");
    CHECK(stale.product == "jira-software");
    CHECK(stale.inactive_days == 90);
    CHECK(stale.domains == std::vector<std::string>{"acme.com", "acme.io"});
    CHECK(stale.admins == false);
    const auto& contractors = config.filters.at("contractors");
    CHECK(contractors.managed == false);
    CHECK(contractors.statuses == std::vector<std::string>{"active"});

    SECTION("a misspelt filter field is named with its line and a suggestion") {
        auto e = error_of("filters:\n  old:\n    inactive_days: 90\n");
        CHECK(e.line() == 3);
        CHECK(e.key_path() == "filters.old.inactive_days");
        CHECK(e.detail() == "unknown key 'inactive_days' (did you mean 'inactive-days'?)");
    }
    SECTION("a bad filter value says what the field expects") {
        auto e = error_of("filters:\n  old:\n    role: owner\n");
        CHECK(e.line() == 3);
        CHECK(e.column() == 11);
        CHECK(e.key_path() == "filters.old.role");
        CHECK(e.detail() ==
              "role: 'owner' is not one of: admin, basic, contributor, customer, guest, "
              "stakeholder, user");
    }
    SECTION("filter names are plain words") {
        auto e = error_of("filters:\n  \"my filter\":\n    product: x\n");
        CHECK(e.detail() == "a filter name may hold letters, digits, '-', '_' and '.' only");
    }
    SECTION("prices are numbers and need a currency") {
        CHECK(error_of("pricing:\n  currency: EUR\n  monthly_per_seat:\n    jira: cheap\n")
                  .detail() == "expected a price per seat and month such as 7.75");
        CHECK(error_of("pricing:\n  monthly_per_seat:\n    jira: 7\n").detail() ==
              "missing required key 'currency' (prices need a currency)");
    }
}

TEST_CASE("protect, ops and tasks load, and tasks reuse saved filters and the action parser",
          "[config][ops]") {
    auto defaults = parse_config("", "empty.yaml");
    CHECK(defaults.ops.max_users == 100);
    CHECK(defaults.ops.max_staleness == std::chrono::hours(24));
    CHECK(defaults.tasks.empty());
    CHECK(defaults.protect.users.empty());

    auto config = parse_config(R"(
protect:
  users: [CEO@acme.com, 5b10ac8d82e05b22cc7d4ef5]
  groups: [Break-Glass]
  domains: [partner.dev]
ops:
  max_users: 250
  max_staleness: 90m
tasks:
  - name: reclaim-jira
    filter: stale-jira
    actions: ["remove-product-access:jira-software@acme.atlassian.net"]
    schedule: weekly mon,thu 09:30
    mode: apply
    max_users: 20
  - name: suspend-idle
    filter: { inactive-days: 180, unmanaged: true }
    actions: [suspend, "remove-from-groups:team-a,team-b"]
    schedule: every 360m
    enabled: false
filters:
  stale-jira:
    product: jira-software
    inactive-days: 90
)",
                               "test.yaml");
    CHECK(config.protect.users ==
          std::vector<std::string>{"ceo@acme.com", "5b10ac8d82e05b22cc7d4ef5"});
    CHECK(config.protect.groups == std::vector<std::string>{"break-glass"});
    CHECK(config.protect.domains == std::vector<std::string>{"partner.dev"});
    CHECK(config.ops.max_users == 250);
    CHECK(config.ops.max_staleness == std::chrono::minutes(90));
    REQUIRE(config.tasks.size() == 2);
    const auto& reclaim = config.tasks[0];
    CHECK(reclaim.name == "reclaim-jira");
    CHECK(reclaim.saved_filter == "stale-jira");
    CHECK(reclaim.filter == config.filters.at("stale-jira"));  // the filter defined below it
    REQUIRE(reclaim.actions.size() == 1);
    CHECK(reclaim.actions[0].kind == ops::ActionKind::remove_product_access);
    CHECK(reclaim.schedule_text == "weekly mon,thu 09:30");
    CHECK(reclaim.apply);
    CHECK(reclaim.max_users == 20);
    CHECK(reclaim.enabled);
    const auto& idle = config.tasks[1];
    CHECK(idle.saved_filter.empty());
    CHECK(idle.filter.inactive_days == 180);
    CHECK(idle.filter.managed == false);
    CHECK(idle.actions.size() == 2);
    CHECK(idle.schedule_text == "every 6h");
    CHECK_FALSE(idle.apply);
    CHECK_FALSE(idle.max_users);
    CHECK_FALSE(idle.enabled);

    SECTION("bad tasks are refused with the line and what was expected") {
        auto e = error_of(
            "tasks:\n  - name: t\n    filter: nope\n    actions: [suspend]\n    schedule: every "
            "1h\n");
        CHECK(e.line() == 3);
        CHECK(e.key_path() == "tasks[0].filter");
        CHECK(e.detail() == "no saved filter named 'nope' under filters:");
        e = error_of(
            "tasks:\n  - name: t\n    filter: {status: active}\n    actions: [suspend, "
            "frobnicate]\n    schedule: every 1h\n");
        CHECK(e.line() == 4);
        CHECK(e.key_path() == "tasks[0].actions[1]");
        CHECK_THAT(e.detail(), Catch::StartsWith("unknown action 'frobnicate'"));
        e = error_of(
            "tasks:\n  - name: t\n    filter: {status: active}\n    actions: [suspend]\n    "
            "schedule: hourly\n");
        CHECK(e.key_path() == "tasks[0].schedule");
        e = error_of("tasks:\n  - name: t\n    filter: {status: active}\n    schedule: every 1h\n");
        CHECK(e.detail() == "missing required key 'actions'");
        e = error_of(
            "tasks:\n  - name: t\n    filter: {status: active}\n    actions: "
            "[remove-from-directory]\n    schedule: every 1h\n");
        CHECK_THAT(e.detail(), Catch::Contains("destructive"));
        e = error_of(
            "tasks:\n  - name: t\n    filter: {status: active}\n    actions: [suspend]\n    "
            "schedule: every 1h\n    mode: yolo\n");
        CHECK(e.key_path() == "tasks[0].mode");
        e = error_of("ops:\n  max_staleness: soon\n");
        CHECK(e.detail() == "expected a duration such as 90m, 24h or 2d");
        e = error_of("protect:\n  domains: [a@b.com]\n");
        CHECK(e.key_path() == "protect.domains[0]");
    }
}

TEST_CASE("a syntax error is located at its cause, not at the line where yaml-cpp noticed it",
          "[config]") {
    SECTION("a key without its colon runs on into the next line") {
        auto e = error_of("atlassian:\n  org_id: abc\n  api_base x\nstorage:\n  path: /x\n");
        CHECK(e.line() == 3);
        CHECK(e.column() == 13);
        CHECK(e.key_path() == "atlassian");
        CHECK(std::string(e.what()) ==
              "test.yaml:3:13: atlassian: invalid YAML: illegal map value");
    }
    SECTION("the same at the top level") {
        auto e = error_of("logging:\n  level: info\nsync daily\nhttp:\n  max_in_flight: 4\n");
        CHECK(e.line() == 3);
        CHECK(e.detail() == "invalid YAML: illegal map value");
    }
    SECTION("an unclosed bracket is reported where it opens") {
        auto e = error_of("sync:\n  daily_at: [\n");
        CHECK(e.line() == 2);
        CHECK(e.column() == 13);
        CHECK(e.key_path() == "sync.daily_at");
        CHECK(e.detail() == "invalid YAML: end of sequence flow not found");
        auto map = error_of("notifications:\n  delivery: {max_attempts: 3\nlogging: {}\n");
        CHECK(map.line() == 2);
        CHECK(map.column() == 13);
        CHECK(map.key_path() == "notifications.delivery");
    }
    SECTION("a badly indented key stays where it is") {
        auto e = error_of("sync:\n  daily_at: \"05:00\"\n timezone: UTC\n");
        CHECK(e.line() == 3);
        CHECK(e.column() == 2);
    }
}

TEST_CASE("every error of a file is reported, each with file, line, column and key", "[config]") {
    auto e = error_of(R"(atlassian:
  org_id: ""
inactivity:
  days: thirty
sync:
  frequency: daily
  timezone: Europe/Atlantis
tasks:
  - {name: "bad name", filter: {status: active}, actions: [suspend], schedule: every 1d}
  - {name: t2, filter: {status: active}, actions: [suspend], schedule: every 1d, mode: maybe}
)");
    const auto& issues = e.issues();
    REQUIRE(issues.size() == 6);
    auto check = [&](std::size_t i, int line, int column, const std::string& key) {
        INFO(i << ": " << issues[i].text());
        CHECK(issues[i].file == "test.yaml");
        CHECK(issues[i].line == line);
        CHECK(issues[i].column == column);
        CHECK(issues[i].key_path == key);
    };
    check(0, 2, 11, "atlassian.org_id");
    check(1, 4, 9, "inactivity.days");
    check(2, 6, 3, "sync.frequency");
    check(3, 7, 13, "sync.timezone");
    check(4, 9, 12, "tasks[0].name");
    check(5, 10, 88, "tasks[1].mode");
    CHECK(issues[1].message == "expected an integer, got 'thirty'");
    CHECK_FALSE(e.truncated());
    // what() has one line per issue, in file order.
    std::string what = e.what();
    CHECK(std::count(what.begin(), what.end(), '\n') == 5);
    CHECK_THAT(what, Catch::StartsWith("test.yaml:2:11: atlassian.org_id: must not be empty\n"
                                       "test.yaml:4:9: inactivity.days: expected an integer"));
    // The accessors describe the first.
    CHECK(e.line() == 2);
    CHECK(e.key_path() == "atlassian.org_id");
}

TEST_CASE("a file with very many errors reports the first 20 and says it stopped", "[config]") {
    std::string yaml = "sync:\n";
    for (int i = 0; i < 30; ++i)
        yaml += "  bogus_" + std::to_string(i) + ": 1\n";
    auto e = error_of(yaml);
    REQUIRE(e.issues().size() == 20);
    CHECK(e.truncated());
    CHECK(e.issues()[19].line == 21);
    CHECK(e.issues()[19].key_path == "sync.bogus_19");
    CHECK_THAT(e.what(), Catch::EndsWith("\ntest.yaml: stopped after 20 errors"));
}
