#pragma once
// tasks[].keep_at_most (a seat target, issue 17) and the `alerts:` section.
#include <yaml-cpp/yaml.h>

#include <string>

#include "rosterd/config/config.hpp"
#include "yaml_reader.hpp"

namespace rosterd::config_detail {

// `keep_at_most: 40` or `keep_at_most: {seats: 40, product: P, site: S}` as written; product and
// site are resolved by resolve_seat_target once the task's filter is known.
struct WrittenSeatTarget {
    SeatTarget target;
    YAML::Mark mark;
    std::string path;
};
WrittenSeatTarget read_seat_target(const YamlReader& r, const YAML::Node& node,
                                   const std::string& path);

// Fills in the product and the site (given, else the task's remove-product-access action, else its
// filter) and checks that some action of the task frees a seat of that product there. Fails with
// the key's line when it cannot.
void resolve_seat_target(const YamlReader& r, const WrittenSeatTarget& written, TaskConfig& task);

void read_alerts(const YamlReader& r, const YAML::Node& node, const std::string& path,
                 Config::Alerts& out);

}  // namespace rosterd::config_detail
