#include "seat_target_section.hpp"

#include <set>

namespace rosterd::config_detail {
namespace {

void read_target_mapping(const YamlReader& r, const YAML::Node& node, const std::string& path,
                         SeatTarget& out, bool& has_seats) {
    r.read_mapping(node, path,
                   {{"seats",
                     [&](auto& v, auto& p) {
                         out.seats = r.integer(v, p, 0, 100000000);
                         has_seats = true;
                     }},
                    {"product", [&](auto& v, auto& p) { out.product = r.non_empty_string(v, p); }},
                    {"site", [&](auto& v, auto& p) { out.site = r.non_empty_string(v, p); }}});
}

// Whether `action` takes away a billable seat of `product` on `site` ("" = on every site).
bool frees_seat(const ops::Action& action, const SeatTarget& target) {
    switch (action.kind) {
        case ops::ActionKind::suspend:
        case ops::ActionKind::deactivate:
        case ops::ActionKind::remove_from_directory:
            return true;
        case ops::ActionKind::remove_product_access:
            // An action on one site frees nothing of a target that counts every site's seats
            // together only if it is that target's site (resolve_seat_target narrows the target).
            return action.product == target.product &&
                   (action.site.empty() || action.site == target.site);
        default:
            return false;
    }
}

}  // namespace

WrittenSeatTarget read_seat_target(const YamlReader& r, const YAML::Node& node,
                                   const std::string& path) {
    WrittenSeatTarget written;
    written.mark = node.Mark();
    written.path = path;
    if (declaring_keys()) {
        // The example file shows one form; walk the mapping form too so its keys are declared.
        SeatTarget ignored;
        bool seen = false;
        read_target_mapping(r, YAML::Load("{seats: 1, product: p, site: s}"), path, ignored, seen);
    }
    if (node.IsMap()) {
        bool has_seats = false;
        read_target_mapping(r, node, path, written.target, has_seats);
        if (!has_seats)
            r.fail(node, path, "missing required key 'seats'");
    } else {
        written.target.seats = r.integer(node, path, 0, 100000000);
    }
    return written;
}

void resolve_seat_target(const YamlReader& r, const WrittenSeatTarget& written, TaskConfig& task) {
    SeatTarget target = written.target;
    std::set<std::string> action_products;
    for (const auto& a : task.actions)
        if (a.kind == ops::ActionKind::remove_product_access)
            action_products.insert(a.product);
    if (target.product.empty()) {
        if (action_products.size() == 1)
            target.product = *action_products.begin();
        else if (action_products.empty() && task.filter.product)
            target.product = *task.filter.product;
        else
            r.fail(written.mark, written.path,
                   action_products.empty()
                       ? "which product's seats? give keep_at_most: {seats: N, product: P}, a "
                         "remove-product-access:P action or a product in the filter"
                       : "the actions remove several products: give keep_at_most: {seats: N, "
                         "product: P}");
    }
    if (target.site.empty()) {
        for (const auto& a : task.actions)
            if (a.kind == ops::ActionKind::remove_product_access && a.product == target.product &&
                !a.site.empty())
                target.site = a.site;
        if (target.site.empty() && task.filter.site)
            target.site = *task.filter.site;
    }
    bool frees = false;
    for (const auto& a : task.actions)
        frees = frees || frees_seat(a, target);
    if (!frees)
        r.fail(written.mark, written.path,
               "no action of the task frees a seat of " + target.product +
                   (target.site.empty() ? "" : " on " + target.site) +
                   " (suspend, deactivate or remove-product-access:" + target.product +
                   (target.site.empty() ? "" : "[@" + target.site + "]") + ")");
    task.keep_at_most = target;
}

void read_alerts(const YamlReader& r, const YAML::Node& node, const std::string& path,
                 Config::Alerts& out) {
    r.read_mapping(node, path, {{"seats", [&](auto& v, auto& p) {
                                     r.read_mapping(v, p, {{"at_percent", [&](auto& pv, auto& pp) {
                                                                out.seats_at_percent =
                                                                    r.integer(pv, pp, 1, 100);
                                                            }}});
                                 }}});
}

}  // namespace rosterd::config_detail
