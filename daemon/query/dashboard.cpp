// The licence dashboard: billable seats per product and site, and how many of them sit unused,
// in one pass over the snapshot's access rows.
#include <algorithm>
#include <stdexcept>

#include "rosterd/base/units.hpp"
#include "rosterd/query/snapshot.hpp"

namespace rosterd::query {
namespace {

int days_for(const DashboardOptions& options, const std::string& product) {
    if (options.inactive_days)
        return *options.inactive_days;
    auto found = options.per_product.find(product);
    return found == options.per_product.end() ? options.default_days : found->second;
}

void check_site_known(const SnapshotIndex& index, const std::string& site) {
    if (std::find(index.sites.begin(), index.sites.end(), site) != index.sites.end())
        return;
    std::string known;
    for (const auto& h : index.sites)
        known += (known.empty() ? "" : ", ") + h;
    throw QueryError("unknown site '" + site + "' (the snapshot has: " +
                     (known.empty() ? std::string("no sites") : known) + ")");
}

// A site's costs (each product on each site is its own subscription: tiers apply per site), and
// their sums on the product.
void add_costs(const Pricing& pricing, const std::string& key, SiteFigures& site,
               ProductFigures& product, bool first_site) {
    site.monthly_seat_price = monthly_seat_price(pricing, key, site.total);
    if (!site.monthly_seat_price)
        return;
    site.monthly_cost = monthly_cost(pricing, key, site.total);
    site.inactive_monthly_cost = monthly_saving(pricing, key, site.total, site.inactive);
    product.monthly_cost = product.monthly_cost.value_or(0) + *site.monthly_cost;
    product.inactive_monthly_cost =
        product.inactive_monthly_cost.value_or(0) + *site.inactive_monthly_cost;
    // One seat price for the product only when every site pays the same.
    if (first_site || product.monthly_seat_price == site.monthly_seat_price)
        product.monthly_seat_price = site.monthly_seat_price;
    else
        product.monthly_seat_price.reset();
}

}  // namespace

Dashboard compute_dashboard(const SnapshotIndex& index, const DashboardOptions& options) {
    Dashboard out;
    out.snapshot = index.info;
    out.now_ms = options.now_ms;
    out.inactive_days = options.inactive_days.value_or(options.default_days);
    out.site = options.site;
    out.currency = options.pricing.currency;
    if (options.site)
        check_site_known(index, *options.site);

    // The cutoff of each listed product: idle since then or earlier counts as inactive.
    const std::size_t listed = index.listed_products;
    std::vector<std::int64_t> cutoff(listed);
    for (std::size_t p = 0; p < listed; ++p)
        cutoff[p] = options.now_ms - days_for(options, index.products[p].key) * kDayMs;
    if (index.seat_idle_since.size() != listed)
        throw std::logic_error("compute_dashboard: the index's seats are not indexed");
    std::vector<std::int64_t> seats(listed, 0), idle(listed, 0);
    for (std::size_t p = 0; p < listed; ++p) {
        // Idle: since the cutoff or earlier; an unknown instant (never used, join date unknown)
        // proves nothing and sorts first.
        const auto& since = index.seat_idle_since[p];
        auto known = std::upper_bound(since.begin(), since.end(), kNoInstant);
        seats[p] = static_cast<std::int64_t>(since.size());
        idle[p] = std::upper_bound(known, since.end(), cutoff[p]) - known;
    }

    for (std::size_t p = 0; p < listed; ++p) {  // listed products come by key, then site
        const auto& product = index.products[p];
        if (options.site && product.site != *options.site)
            continue;
        if (out.products.empty() || out.products.back().product != product.key) {
            ProductFigures figures;
            figures.product = product.key;
            figures.name = product_display_name(product.key);
            figures.inactive_days = days_for(options, product.key);
            figures.pricing_model = options.pricing.model(product.key);
            figures.capacity = 0;
            out.products.push_back(std::move(figures));
        }
        auto& figures = out.products.back();
        SiteFigures site{
            product.site, product.resource_id, seats[p], idle[p], product.capacity, {}, {}, {}};
        add_costs(options.pricing, product.key, site, figures, figures.sites.empty());
        figures.total += site.total;
        figures.inactive += site.inactive;
        // A product-wide capacity only means something when every site reports one.
        if (figures.capacity && site.capacity)
            *figures.capacity += *site.capacity;
        else
            figures.capacity.reset();
        figures.sites.push_back(std::move(site));
    }
    return out;
}

}  // namespace rosterd::query
