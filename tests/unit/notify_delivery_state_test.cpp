// The delivery states' one table: every state round-trips through its text, and the texts are the
// ones notify_deliveries.state holds (its CHECK constraint) and the answers carry.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "rosterd/notify/delivery_state.hpp"

using namespace rosterd::notify;

TEST_CASE("notify delivery state: every state round-trips through its table") {
    std::set<std::string_view> texts;
    for (const auto& [state, text] : kDeliveryStateNames) {
        CHECK(to_string(state) == text);
        REQUIRE(delivery_state_from(text).has_value());
        CHECK(*delivery_state_from(text) == state);
        CHECK(texts.insert(text).second);  // no text names two states
    }
    CHECK(texts == std::set<std::string_view>{"pending", "delivered", "dead"});
}

TEST_CASE("notify delivery state: an unknown text parses to nothing") {
    CHECK_FALSE(delivery_state_from("").has_value());
    CHECK_FALSE(delivery_state_from("Pending").has_value());
    CHECK_FALSE(delivery_state_from("sent").has_value());
}
