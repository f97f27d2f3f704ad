// Seat prices: flat, monthly and annual tiers, the band boundaries, and the dashboard's costs when
// a product is priced by tiers (each product on each site is its own subscription).
#include <catch2/catch.hpp>

#include "query_fixture.hpp"
#include "rosterd/config/config.hpp"
#include "rosterd/query/pricing.hpp"
#include "rosterd/query/query.hpp"
#include "rosterd/query/snapshot.hpp"

using namespace rosterd;
using namespace rosterd::query;

namespace {

// 1-100 seats at 8.00, 101-250 at 7.00, 251 and more at 6.00, a month.
PriceTiers monthly_tiers() {
    return PriceTiers{false, {{100, 8.0}, {250, 7.0}, {std::nullopt, 6.0}}};
}

Pricing tiered() {
    Pricing p;
    p.currency = "USD";
    p.tiers["confluence"] = monthly_tiers();
    p.tiers["jira-software"] = PriceTiers{true, {{10, 120.0}, {std::nullopt, 96.0}}};  // annual
    p.per_seat["jira-service-management"] = 7.53;
    return p;
}

}  // namespace

TEST_CASE("a count falls into the band whose up_to it does not exceed", "[money][pricing]") {
    auto t = monthly_tiers();
    CHECK(band_of(t, 1) == 0);
    CHECK(band_of(t, 100) == 0);
    CHECK(band_of(t, 101) == 1);
    CHECK(band_of(t, 250) == 1);
    CHECK(band_of(t, 251) == 2);
    CHECK(band_of(t, 1'000'000) == 2);
}

TEST_CASE("tiers bill every seat at the band price, annual prices are shown a month",
          "[money][pricing]") {
    auto p = tiered();
    CHECK(*monthly_cost(p, "confluence", 100) == Approx(800.0));
    CHECK(*monthly_cost(p, "confluence", 101) == Approx(707.0));
    CHECK(*monthly_cost(p, "confluence", 250) == Approx(1750.0));
    CHECK(*monthly_cost(p, "confluence", 251) == Approx(1506.0));
    CHECK(*monthly_cost(p, "confluence", 0) == Approx(0.0));
    CHECK(*monthly_seat_price(p, "jira-software", 10) == Approx(10.0));  // 120 a year
    CHECK(*monthly_seat_price(p, "jira-software", 11) == Approx(8.0));   // 96 a year
    CHECK(*monthly_cost(p, "jira-software", 12) == Approx(96.0));
    CHECK(*monthly_cost(p, "jira-service-management", 3) == Approx(22.59));
    CHECK_FALSE(monthly_cost(p, "opsgenie", 3).has_value());
    CHECK(p.model("confluence") == "monthly tiers");
    CHECK(p.model("jira-software") == "annual tiers");
    CHECK(p.model("jira-service-management") == "flat");
    CHECK(p.model("opsgenie").empty());
    Pricing no_currency = p;
    no_currency.currency.clear();
    CHECK_FALSE(monthly_cost(no_currency, "confluence", 3).has_value());
}

TEST_CASE("cutting seats across a band boundary saves less, or costs more: shown as it is",
          "[money][pricing]") {
    auto p = tiered();
    // 260 -> 250 seats: 1,560 -> 1,750 a month: cutting 10 seats costs 190 more.
    CHECK(*monthly_saving(p, "confluence", 260, 10) == Approx(-190.0));
    // 101 -> 100: 707 -> 800.
    CHECK(*monthly_saving(p, "confluence", 101, 1) == Approx(-93.0));
    // Inside one band it is seats x price.
    CHECK(*monthly_saving(p, "confluence", 200, 50) == Approx(350.0));
    // Flat: always seats x price.
    CHECK(*monthly_saving(p, "jira-service-management", 10, 4) == Approx(30.12));
    // 12 -> 10 annual seats: 96 -> 100 a month.
    CHECK(*monthly_saving(p, "jira-software", 12, 2) == Approx(-4.0));
}

TEST_CASE("the dashboard prices each site's subscription by its own band", "[money][pricing]") {
    // The fixture: jira-software@a 4 billable (1 inactive), jira-software@b 3 (2 inactive).
    test::QuerySnapshot s;
    DashboardOptions options;
    options.now_ms = test::kQueryNow;
    options.pricing.currency = "EUR";
    options.pricing.tiers["jira-software"] = PriceTiers{false, {{3, 10.0}, {std::nullopt, 6.0}}};
    auto d = compute_dashboard(*load_snapshot_index(s.db()), options);
    REQUIRE(d.products.size() == 2);
    const auto& jira = d.products[1];
    REQUIRE(jira.product == "jira-software");
    REQUIRE(jira.sites.size() == 2);
    const auto& a = jira.sites[0];
    const auto& b = jira.sites[1];
    CHECK(a.total == 4);
    CHECK(a.inactive == 1);
    CHECK(*a.monthly_seat_price == Approx(6.0));
    CHECK(*a.monthly_cost == Approx(24.0));
    // 4 -> 3 seats moves into the 10.00 band: 24 -> 30, so the inactive seat "saves" -6.
    CHECK(*a.inactive_monthly_cost == Approx(-6.0));
    CHECK(b.total == 3);
    CHECK(b.inactive == 2);
    CHECK(*b.monthly_seat_price == Approx(10.0));
    CHECK(*b.monthly_cost == Approx(30.0));
    CHECK(*b.inactive_monthly_cost == Approx(20.0));  // 30 -> 10
    CHECK(*jira.monthly_cost == Approx(54.0));
    CHECK(*jira.inactive_monthly_cost == Approx(14.0));
    CHECK_FALSE(jira.monthly_seat_price.has_value());  // two bands: no one price
    CHECK(jira.pricing_model == "monthly tiers");
    const auto& confluence = d.products[0];
    CHECK_FALSE(confluence.monthly_cost.has_value());  // no price
}

TEST_CASE("pricing tiers load from YAML and wrong bands are refused", "[money][pricing][config]") {
    auto config = parse_config(R"(
pricing:
  currency: USD
  monthly_per_seat:
    jira-software: 7.53
  tiers:
    confluence:
      billing: annual
      bands:
        - up_to: 100
          per_seat: 66
        - {per_seat: 55.5}
history:
  keep: 90
digest:
  schedule: weekly fri 16:30
)",
                               "t.yaml");
    REQUIRE(config.pricing.tiers.count("confluence") == 1);
    const auto& t = config.pricing.tiers.at("confluence");
    CHECK(t.annual);
    REQUIRE(t.bands.size() == 2);
    CHECK(t.bands[0].up_to == 100);
    CHECK(t.bands[0].per_seat == Approx(66.0));
    CHECK_FALSE(t.bands[1].up_to.has_value());
    CHECK(t.bands[1].per_seat == Approx(55.5));
    CHECK(config.history.keep_days == 90);
    CHECK(config.digest.schedule_text == "weekly fri 16:30");

    auto error_of = [](const std::string& text) {
        try {
            parse_config(text, "t.yaml");
        } catch (const ConfigError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(error_of("pricing:\n  currency: EUR\n  tiers:\n    confluence:\n      bands:\n        - "
                   "{up_to: 10, per_seat: 5}\n") ==
          "t.yaml:6:9: pricing.tiers.confluence.bands: every band but the last needs up_to, and "
          "the last must have none (it takes every count above)");
    CHECK(error_of("pricing:\n  currency: EUR\n  tiers:\n    confluence:\n      bands:\n        - "
                   "{up_to: 10, per_seat: 5}\n        - {up_to: 10, per_seat: 4}\n        - "
                   "{per_seat: 3}\n") ==
          "t.yaml:6:9: pricing.tiers.confluence.bands: up_to must grow from band to band");
    CHECK(error_of("pricing:\n  currency: EUR\n  monthly_per_seat:\n    confluence: 5\n  tiers:\n "
                   "   confluence:\n      bands:\n        - {per_seat: 3}\n") ==
          "t.yaml:6:5: pricing.tiers.confluence: duplicate key (a product has a flat price or "
          "tiers, not both)");
    CHECK(
        error_of("pricing:\n  tiers:\n    confluence:\n      bands:\n        - {per_seat: 3}\n") ==
        "t.yaml:2:3: pricing: missing required key 'currency' (prices need a currency)");
    CHECK(error_of("history:\n  keep: 7\n").find("history.keep") != std::string::npos);
    CHECK(error_of("digest:\n  schedule: daily 09:00\n") ==
          "t.yaml:2:13: digest.schedule: expected a weekly schedule such as 'weekly mon 09:00' "
          "(in sync.timezone)");
}
