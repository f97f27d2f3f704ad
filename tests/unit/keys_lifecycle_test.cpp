// The key's state, refusals and reminder schedule, with explicit instants.
#include <catch2/catch.hpp>

#include "rosterd/base/time_format.hpp"
#include "rosterd/keys/keys.hpp"

using namespace rosterd;
using namespace rosterd::keys;

namespace {

SysTime at(const char* iso) {
    auto ms = parse_iso8601_ms(iso);
    REQUIRE(ms);
    return SysTime(std::chrono::milliseconds(*ms));
}

std::int64_t day(const char* date) {
    auto d = parse_date_days(date);
    REQUIRE(d);
    return *d;
}

}  // namespace

TEST_CASE("a key lapses at 00:00 UTC on its date and days left round up", "[keys]") {
    auto expires = day("2026-05-01");
    CHECK(expiry_instant(expires) == at("2026-05-01T00:00:00Z"));
    CHECK(days_left(expires, at("2026-04-24T06:00:00Z")) == 7);
    CHECK(days_left(expires, at("2026-04-24T00:00:00Z")) == 7);
    CHECK(days_left(expires, at("2026-04-23T23:59:59Z")) == 8);
    CHECK(days_left(expires, at("2026-04-30T23:59:59Z")) == 1);
    CHECK(days_left(expires, at("2026-05-01T00:00:00Z")) == 0);
    CHECK(days_left(expires, at("2026-06-01T00:00:00Z")) == 0);
}

TEST_CASE("the key's state", "[keys]") {
    std::vector<int> leads{30, 7, 1};
    KeyFacts key{.present = true, .rejected = false, .expires_day = day("2026-05-01")};
    CHECK(key_state(key, at("2026-03-01T00:00:00Z"), leads) == KeyState::ok);
    // The window opens at the largest lead time.
    CHECK(key_state(key, at("2026-03-31T23:59:59Z"), leads) == KeyState::ok);
    CHECK(key_state(key, at("2026-04-01T00:00:00Z"), leads) == KeyState::expiring);
    CHECK(key_state(key, at("2026-04-30T23:59:59Z"), leads) == KeyState::expiring);
    CHECK(key_state(key, at("2026-05-01T00:00:00Z"), leads) == KeyState::expired);

    SECTION("unknown expiry is ok (status warns)") {
        key.expires_day.reset();
        CHECK(key_state(key, at("2030-01-01T00:00:00Z"), leads) == KeyState::ok);
    }
    SECTION("a 401 wins over dates") {
        key.rejected = true;
        CHECK(key_state(key, at("2026-03-01T00:00:00Z"), leads) == KeyState::rejected);
        CHECK(key_state(key, at("2026-06-01T00:00:00Z"), leads) == KeyState::rejected);
    }
    SECTION("no key") {
        key.present = false;
        key.rejected = true;
        CHECK(key_state(key, at("2026-03-01T00:00:00Z"), leads) == KeyState::missing);
    }
    CHECK(usable(KeyState::ok));
    CHECK(usable(KeyState::expiring));
    CHECK_FALSE(usable(KeyState::missing));
    CHECK_FALSE(usable(KeyState::expired));
    CHECK_FALSE(usable(KeyState::rejected));
}

TEST_CASE("refusals say why and how to fix it", "[keys]") {
    CHECK_FALSE(refusal_message(KeyState::ok));
    CHECK_FALSE(refusal_message(KeyState::expiring));
    CHECK_THAT(*refusal_message(KeyState::missing),
               Catch::StartsWith("no organization API key: install one with `rosterctl key set "
                                 "--expires YYYY-MM-DD`"));
    CHECK_THAT(*refusal_message(KeyState::expired, "2026-05-01"),
               Catch::StartsWith("the organization API key expired on 2026-05-01: create a new "
                                 "organization API key in admin.atlassian.com"));
    CHECK_THAT(*refusal_message(KeyState::rejected),
               Catch::StartsWith("the API key was rejected by Atlassian (HTTP 401): it expired or "
                                 "was revoked; install a new key"));
}

TEST_CASE("reminder schedule", "[keys]") {
    auto expires = day("2026-05-01");
    std::vector<int> leads{30, 7, 1};

    SECTION("before the window: nothing due, the timer aims at the 30-day moment") {
        auto plan = plan_reminders(expires, leads, at("2026-03-15T12:00:00Z"));
        CHECK_FALSE(plan.expiring_lead);
        CHECK_FALSE(plan.expired);
        REQUIRE(plan.next_due);
        CHECK(*plan.next_due == at("2026-04-01T00:00:00Z"));
    }
    SECTION("the window entered while running: due exactly at the moment, then the next one") {
        auto plan = plan_reminders(expires, leads, at("2026-04-01T00:00:00Z"));
        CHECK(plan.expiring_lead == 30);
        REQUIRE(plan.next_due);
        CHECK(*plan.next_due == at("2026-04-24T00:00:00Z"));
        auto later = plan_reminders(expires, leads, at("2026-04-24T00:00:00Z"));
        CHECK(later.expiring_lead == 7);
        CHECK(*later.next_due == at("2026-04-30T00:00:00Z"));
        auto last = plan_reminders(expires, leads, at("2026-04-30T00:00:00Z"));
        CHECK(last.expiring_lead == 1);
        CHECK(*last.next_due == at("2026-05-01T00:00:00Z"));  // then the expiry notice
    }
    SECTION("a daemon started inside two windows sends only the nearest reminder") {
        auto plan = plan_reminders(expires, leads, at("2026-04-27T09:30:00Z"));
        CHECK(plan.expiring_lead == 7);
        CHECK(*plan.next_due == at("2026-04-30T00:00:00Z"));
    }
    SECTION("lead times in any order, duplicates and nonsense ignored") {
        auto plan = plan_reminders(expires, {1, 7, 7, 0, -3, 30}, at("2026-04-27T09:30:00Z"));
        CHECK(plan.expiring_lead == 7);
    }
    SECTION("expiry passed: api_key_expired is due and nothing is scheduled") {
        auto plan = plan_reminders(expires, leads, at("2026-05-01T00:00:00Z"));
        CHECK(plan.expired);
        CHECK_FALSE(plan.expiring_lead);
        CHECK_FALSE(plan.next_due);
    }
    SECTION("no known expiry: nothing, ever") {
        auto plan = plan_reminders(std::nullopt, leads, at("2026-04-27T09:30:00Z"));
        CHECK_FALSE(plan.expiring_lead);
        CHECK_FALSE(plan.expired);
        CHECK_FALSE(plan.next_due);
    }
}

TEST_CASE("notice keys are per key fingerprint and lead time", "[keys]") {
    CHECK(notice_key("api_key_expiring", "0123456789ab", 7) == "api_key_expiring:0123456789ab:7");
    CHECK(notice_key("api_key_expired", "0123456789ab") == "api_key_expired:0123456789ab");
    // A new key has a new fingerprint, so its reminders go out again.
    CHECK(notice_key("api_key_expiring", "ffffffffffff", 7) !=
          notice_key("api_key_expiring", "0123456789ab", 7));
}
