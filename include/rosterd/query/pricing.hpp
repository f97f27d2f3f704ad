#pragma once
// What seats cost: a flat monthly price per seat, or Atlassian-style tiers where every seat costs
// the per-seat price of the band the billable count falls into. Tiers apply per subscription,
// i.e. per product and site. Figures are monthly (annual prices are divided by 12), so that a
// flat and a tiered product add up. Pure functions, unit-tested.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "rosterd/config/config.hpp"

namespace rosterd::query {

struct Pricing {
    std::string currency;                     // empty: no pricing
    std::map<std::string, double> per_seat;   // product key -> monthly price of one seat
    std::map<std::string, PriceTiers> tiers;  // product key -> tiered prices

    static Pricing from_config(const Config::Pricing& config);
    bool priced(const std::string& product) const;
    // "flat", "monthly tiers" or "annual tiers"; empty without a price.
    std::string model(const std::string& product) const;
};

// The band `seats` falls into (index into tiers.bands).
std::size_t band_of(const PriceTiers& tiers, std::int64_t seats);

// The monthly price of one seat of `product` when `seats` are billed; nullopt without a price.
std::optional<double> monthly_seat_price(const Pricing& pricing, const std::string& product,
                                         std::int64_t seats);

// The monthly cost of `seats` billable seats of one subscription; nullopt without a price.
std::optional<double> monthly_cost(const Pricing& pricing, const std::string& product,
                                   std::int64_t seats);

// What giving up `fewer` of `seats` saves a month: cost(seats) - cost(seats - fewer). With tiers
// this is not fewer x price: dropping into a smaller band raises every remaining seat's price,
// and the saving may even be negative; it is shown as it is.
std::optional<double> monthly_saving(const Pricing& pricing, const std::string& product,
                                     std::int64_t seats, std::int64_t fewer);

}  // namespace rosterd::query
