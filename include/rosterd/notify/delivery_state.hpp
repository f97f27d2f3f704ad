#pragma once
// The state of one outbox delivery (a webhook message or a mail): pending until an attempt
// delivers it or the retries give up (dead); `notify retry` makes a dead one pending again. The
// text is what notify_deliveries.state holds and what `notify list`, `notify test` and status
// answer, so it never changes; code compares the enum.
#include <array>
#include <optional>
#include <string_view>
#include <utility>

#include "rosterd/base/vocabulary.hpp"

namespace rosterd::notify {

enum class DeliveryState { pending, delivered, dead };

inline constexpr std::array<std::pair<DeliveryState, std::string_view>, 3> kDeliveryStateNames{{
    {DeliveryState::pending, "pending"},
    {DeliveryState::delivered, "delivered"},
    {DeliveryState::dead, "dead"},
}};

constexpr std::string_view to_string(DeliveryState v) {
    return vocabulary::name_in(kDeliveryStateNames, v);
}
constexpr std::optional<DeliveryState> delivery_state_from(std::string_view text) {
    return vocabulary::value_in(kDeliveryStateNames, text);
}

}  // namespace rosterd::notify
