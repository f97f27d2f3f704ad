// The metrics text and the metrics.listen rule, without a daemon.
#include <catch2/catch.hpp>

#include "rosterd/config/config.hpp"
#include "rosterd/metrics/metrics.hpp"

using namespace rosterd;
using namespace rosterd::metrics;

TEST_CASE("seat metrics render each product and site of a dashboard exactly", "[unit][metrics]") {
    query::Dashboard d;
    d.snapshot.id = 12;
    d.now_ms = 1780293646500;
    d.currency = "EUR";
    query::ProductFigures jira;
    jira.product = "jira-software";
    jira.inactive_days = 30;
    jira.monthly_seat_price = 7.53;
    jira.sites = {{"a.atlassian.net", "ari:a", 1210, 110, 1500, {}, {}, {}},
                  {"b.atlassian.net", "ari:b", 630, 50, std::nullopt, {}, {}, {}}};
    query::ProductFigures wiki;
    wiki.product = "confluence";
    wiki.inactive_days = 60;
    wiki.sites = {{"a.atlassian.net", "ari:c", 3, 3, 10, {}, {}, {}}};
    d.products = {wiki, jira};

    CHECK(render_seat_metrics(d) ==
          "# HELP rosterd_snapshot_id Id of the published snapshot (the last complete sync) the "
          "seat figures come from.\n"
          "# TYPE rosterd_snapshot_id gauge\n"
          "rosterd_snapshot_id 12\n"
          "# HELP rosterd_seats_measured_timestamp_seconds The instant inactivity was measured "
          "from (Unix time).\n"
          "# TYPE rosterd_seats_measured_timestamp_seconds gauge\n"
          "rosterd_seats_measured_timestamp_seconds 1780293646.5\n"
          "# HELP rosterd_seats_billable Billable seats per product and site (active, human users "
          "with a user or admin role).\n"
          "# TYPE rosterd_seats_billable gauge\n"
          "rosterd_seats_billable{product=\"confluence\",site=\"a.atlassian.net\"} 3\n"
          "rosterd_seats_billable{product=\"jira-software\",site=\"a.atlassian.net\"} 1210\n"
          "rosterd_seats_billable{product=\"jira-software\",site=\"b.atlassian.net\"} 630\n"
          "# HELP rosterd_seats_active Billable seats used within the product's inactivity "
          "threshold.\n"
          "# TYPE rosterd_seats_active gauge\n"
          "rosterd_seats_active{product=\"confluence\",site=\"a.atlassian.net\"} 0\n"
          "rosterd_seats_active{product=\"jira-software\",site=\"a.atlassian.net\"} 1100\n"
          "rosterd_seats_active{product=\"jira-software\",site=\"b.atlassian.net\"} 580\n"
          "# HELP rosterd_seats_inactive Billable seats not used for at least the product's "
          "inactivity threshold.\n"
          "# TYPE rosterd_seats_inactive gauge\n"
          "rosterd_seats_inactive{product=\"confluence\",site=\"a.atlassian.net\"} 3\n"
          "rosterd_seats_inactive{product=\"jira-software\",site=\"a.atlassian.net\"} 110\n"
          "rosterd_seats_inactive{product=\"jira-software\",site=\"b.atlassian.net\"} 50\n"
          "# HELP rosterd_seats_capacity Seats the product's licence allows on the site, where "
          "Atlassian reports it.\n"
          "# TYPE rosterd_seats_capacity gauge\n"
          "rosterd_seats_capacity{product=\"confluence\",site=\"a.atlassian.net\"} 10\n"
          "rosterd_seats_capacity{product=\"jira-software\",site=\"a.atlassian.net\"} 1500\n"
          "# HELP rosterd_seats_inactive_threshold_seconds Time without activity after which a "
          "product's seat counts as inactive (its days x 86400).\n"
          "# TYPE rosterd_seats_inactive_threshold_seconds gauge\n"
          "rosterd_seats_inactive_threshold_seconds{product=\"confluence\"} 5184000\n"
          "rosterd_seats_inactive_threshold_seconds{product=\"jira-software\"} 2592000\n"
          "# HELP rosterd_seats_inactive_monthly_cost Monthly cost of the inactive seats "
          "(pricing.monthly_per_seat), in the currency label's unit.\n"
          "# TYPE rosterd_seats_inactive_monthly_cost gauge\n"
          "rosterd_seats_inactive_monthly_cost{product=\"jira-software\",site=\"a.atlassian.net\","
          "currency=\"EUR\"} 828.3\n"
          "rosterd_seats_inactive_monthly_cost{product=\"jira-software\",site=\"b.atlassian.net\","
          "currency=\"EUR\"} 376.5\n");
}

TEST_CASE("live metrics list every run and key state, and leave out what is unknown",
          "[unit][metrics]") {
    LiveFigures f;
    f.runs = {{"planned", 4}, {"succeeded", 2}, {"running", 1}};
    f.syncs = {{"failed", 1}, {"succeeded", 3}};
    f.key_state = "expiring";
    f.key_expiry_ms = 1'800'000'000'000;
    f.now_ms = 1'800'000'000'000 - 5 * 86'400'000 - 3'600'000 - 250;
    f.outbox_pending = 2;
    f.last_outcome = "failed";
    f.last_duration_ms = 1500;
    f.last_requests = 40;
    f.last_retries = 3;
    auto text = render_live_metrics(f, "1.2.3");
    for (const char* line : {
             "rosterd_build_info{version=\"1.2.3\"} 1\n",
             "rosterd_sync_running 0\n",
             "rosterd_last_sync_success 0\n",
             "rosterd_last_sync_duration_seconds 1.5\n",
             "rosterd_last_sync_requests 40\n",
             "rosterd_last_sync_retries 3\n",
             "# TYPE rosterd_syncs_total counter\n",
             "rosterd_syncs_total{outcome=\"failed\"} 1\n",
             "rosterd_syncs_total{outcome=\"succeeded\"} 3\n",
             "rosterd_api_key_expiry_timestamp_seconds 1800000000\n",
             "rosterd_api_key_remaining_seconds 435600.25\n",
             "rosterd_api_key_state{state=\"expiring\"} 1\n",
             "rosterd_api_key_state{state=\"ok\"} 0\n",
             "rosterd_outbox_deliveries{state=\"pending\"} 2\n",
             "rosterd_outbox_deliveries{state=\"dead\"} 0\n",
             "# TYPE rosterd_runs_total counter\n",
             "rosterd_runs_total{state=\"planned\"} 4\n",
             "rosterd_runs_total{state=\"succeeded\"} 2\n",
             "rosterd_runs_total{state=\"refused\"} 0\n",
             "rosterd_runs_total{state=\"nothing_to_do\"} 0\n",
             "rosterd_runs_in_progress{state=\"running\"} 1\n",
             "rosterd_runs_in_progress{state=\"queued\"} 0\n",
         })
        CHECK_THAT(text, Catch::Contains(line));
    f.now_ms = *f.key_expiry_ms + 1;  // lapsed: nothing left, never negative
    CHECK_THAT(render_live_metrics(f, "1.2.3"),
               Catch::Contains("rosterd_api_key_remaining_seconds 0\n"));
    // Never synced successfully: no timestamp rather than 0 (1970).
    CHECK_THAT(text, !Catch::Contains("rosterd_last_successful_sync_timestamp_seconds"));
    CHECK(escape_label("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
}

TEST_CASE("metrics.listen takes IP literals and UNIX paths, and only local ones unless allowed",
          "[unit][metrics][config]") {
    std::string error;
    auto v4 = parse_listen_address("127.0.0.1:9817", &error);
    REQUIRE(v4);
    CHECK(v4->host == "127.0.0.1");
    CHECK(v4->port == 9817);
    CHECK(v4->is_local());
    auto v6 = parse_listen_address("[::1]:9817", &error);
    REQUIRE(v6);
    CHECK(v6->is_local());
    CHECK(v6->describe() == "[::1]:9817");
    CHECK(parse_listen_address("localhost:1", &error)->host == "127.0.0.1");
    CHECK(parse_listen_address("127.8.9.10:80", &error)->is_local());
    CHECK_FALSE(parse_listen_address("0.0.0.0:9817", &error)->is_local());
    CHECK_FALSE(parse_listen_address("[::]:9817", &error)->is_local());
    CHECK(parse_listen_address("/run/rosterd/metrics.sock", &error)->is_local());
    for (const char* bad : {"9817", "127.0.0.1", "127.0.0.1:", "127.0.0.1:70000", "host:9817",
                            "[::1]9817", "::1:9817", "127.0.0.1:0", "relative/path"}) {
        INFO(bad);
        CHECK_FALSE(parse_listen_address(bad, &error));
    }
    CHECK_FALSE(parse_listen_address("/" + std::string(107, 'x'), &error));

    CHECK(parse_config("", "t.yaml").metrics.listen.empty());  // off by default
    try {
        parse_config("metrics:\n  listen: \"[::]:9817\"\n", "t.yaml");
        FAIL("a wildcard address was accepted");
    } catch (const ConfigError& e) {
        CHECK(e.key_path() == "metrics.listen");
        CHECK(e.line() == 2);
        CHECK_THAT(e.detail(), Catch::Contains(":: is not a loopback address"));
    }
    auto allowed = parse_config("metrics:\n  allow_remote: true\n  listen: 10.0.0.1:9817\n", "t");
    CHECK(allowed.metrics.listen == "10.0.0.1:9817");
    CHECK(allowed.metrics.allow_remote);
}
