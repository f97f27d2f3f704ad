// The sync's user ledger: where each user was last seen, when two ends of a walk meet, and which
// users a second listing no longer finds.
#include <catch2/catch.hpp>

#include <string>

#include "daemon/sync/user_ledger.hpp"

using rosterd::sync::UserLedger;
using rosterd::sync::WalkEnd;

TEST_CASE("user ledger: the two ends of a walk meet on the first user both returned",
          "[unit][sync]") {
    UserLedger ledger(3);
    CHECK_FALSE(ledger.see("a", 0, WalkEnd::ascending));
    CHECK_FALSE(ledger.see("b", 0, WalkEnd::ascending));
    CHECK_FALSE(ledger.see("z", 0, WalkEnd::descending));
    CHECK_FALSE(ledger.see("y", 0, WalkEnd::descending));
    // The same end returning a user again is not a meeting.
    CHECK_FALSE(ledger.see("b", 0, WalkEnd::ascending));
    CHECK(ledger.see("b", 0, WalkEnd::descending));
    CHECK(ledger.held(0) == 4);
    CHECK(ledger.placed() == 4);
}

TEST_CASE("user ledger: a user seen in two partitions counts once, where it was seen last",
          "[unit][sync]") {
    UserLedger ledger(3);
    ledger.see("moved", 0, WalkEnd::ascending);
    ledger.see("stays", 0, WalkEnd::ascending);
    // Listed by partition 1 after its status changed: not a meeting, and it moves.
    CHECK_FALSE(ledger.see("moved", 1, WalkEnd::descending));
    CHECK(ledger.held(0) == 1);
    CHECK(ledger.held(1) == 1);
    CHECK(ledger.placed() == 2);
    CHECK(ledger.unplaced() == 0);
}

TEST_CASE("user ledger: listing a partition again unplaces its users until seen again",
          "[unit][sync]") {
    UserLedger ledger(2);
    for (int i = 0; i < 10; ++i)
        ledger.see("user-" + std::to_string(i), 1, WalkEnd::ascending);
    ledger.see("other", 0, WalkEnd::ascending);
    ledger.begin_walk(1);
    CHECK(ledger.held(1) == 0);
    CHECK(ledger.placed() == 1);
    CHECK(ledger.unplaced() == 10);
    // The new walk starts afresh: earlier sightings are no meetings.
    for (int i = 0; i < 9; ++i)
        CHECK_FALSE(ledger.see("user-" + std::to_string(i), 1, WalkEnd::descending));
    CHECK(ledger.held(1) == 9);
    CHECK(ledger.unplaced() == 1);
    CHECK(ledger.is_unplaced("user-9"));
    CHECK_FALSE(ledger.is_unplaced("user-0"));
    CHECK_FALSE(ledger.is_unplaced("never-seen"));
    CHECK_FALSE(ledger.is_unplaced("other"));
}

TEST_CASE("user ledger: grows past its first table without losing users", "[unit][sync]") {
    UserLedger ledger(1);
    for (int i = 0; i < 50000; ++i)
        ledger.see("5b10ac8d82e05b22cc7d" + std::to_string(i), 0, WalkEnd::ascending);
    CHECK(ledger.placed() == 50000);
    CHECK(ledger.held(0) == 50000);
    for (int i = 0; i < 50000; i += 997)
        CHECK(ledger.see("5b10ac8d82e05b22cc7d" + std::to_string(i), 0, WalkEnd::descending));
    CHECK(ledger.placed() == 50000);
}
