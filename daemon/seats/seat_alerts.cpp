// The crossing logic of seat alerts (see seat_alerts.hpp).
#include "rosterd/seats/seat_alerts.hpp"

namespace rosterd::seats {

std::vector<SeatLevel> seat_levels(const query::SnapshotIndex& index) {
    std::vector<std::int64_t> seats(index.listed_products, 0);
    for (const auto& a : index.access)
        if (a.billable && a.product < index.listed_products)
            ++seats[a.product];
    std::vector<SeatLevel> out;
    for (std::size_t p = 0; p < index.listed_products; ++p) {
        const auto& product = index.products[p];
        if (!product.capacity || *product.capacity <= 0)
            continue;
        out.push_back(
            {product.resource_id, product.key, product.site, seats[p], *product.capacity});
    }
    return out;
}

bool near_capacity(const SeatLevel& level, int at_percent) {
    return level.capacity > 0 && level.seats * 100 >= level.capacity * at_percent;
}

std::int64_t percent_of_capacity(const SeatLevel& level) {
    return level.capacity > 0 ? level.seats * 100 / level.capacity : 0;
}

AlertStep step_alerts(const std::map<std::string, AlertState>& before,
                      const std::vector<SeatLevel>& levels, int at_percent) {
    AlertStep out;
    out.states = before;
    for (const auto& level : levels) {
        auto& state = out.states[level.resource_id];
        bool now = near_capacity(level, at_percent);
        if (now && !state.above)
            ++state.crossings;
        state.above = now;
        if (now)
            out.above.emplace_back(level, state.crossings);
    }
    return out;
}

}  // namespace rosterd::seats
