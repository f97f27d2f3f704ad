// Seat prices: flat or by band (pricing.hpp).
#include "rosterd/query/pricing.hpp"

#include <algorithm>

namespace rosterd::query {

Pricing Pricing::from_config(const Config::Pricing& config) {
    return Pricing{config.currency, config.monthly_per_seat, config.tiers};
}

bool Pricing::priced(const std::string& product) const {
    return !currency.empty() && (per_seat.count(product) || tiers.count(product));
}

std::string Pricing::model(const std::string& product) const {
    if (!priced(product))
        return "";
    if (per_seat.count(product))
        return "flat";
    return tiers.at(product).annual ? "annual tiers" : "monthly tiers";
}

std::size_t band_of(const PriceTiers& tiers, std::int64_t seats) {
    for (std::size_t i = 0; i < tiers.bands.size(); ++i)
        if (!tiers.bands[i].up_to || seats <= *tiers.bands[i].up_to)
            return i;
    return tiers.bands.empty() ? 0 : tiers.bands.size() - 1;
}

std::optional<double> monthly_seat_price(const Pricing& pricing, const std::string& product,
                                         std::int64_t seats) {
    if (!pricing.priced(product))
        return std::nullopt;
    if (auto flat = pricing.per_seat.find(product); flat != pricing.per_seat.end())
        return flat->second;
    const auto& tiers = pricing.tiers.at(product);
    double price = tiers.bands[band_of(tiers, seats)].per_seat;
    return tiers.annual ? price / 12.0 : price;
}

std::optional<double> monthly_cost(const Pricing& pricing, const std::string& product,
                                   std::int64_t seats) {
    auto price = monthly_seat_price(pricing, product, seats);
    if (!price)
        return std::nullopt;
    return *price * static_cast<double>(std::max<std::int64_t>(seats, 0));
}

std::optional<double> monthly_saving(const Pricing& pricing, const std::string& product,
                                     std::int64_t seats, std::int64_t fewer) {
    auto now = monthly_cost(pricing, product, seats);
    auto after = monthly_cost(pricing, product, seats - fewer);
    if (!now || !after)
        return std::nullopt;
    return *now - *after;
}

}  // namespace rosterd::query
