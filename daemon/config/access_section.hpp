#pragma once
// control.access: the level-keyed form ({admin: {users, groups}, ...}, unscoped) and the list form
// of issue 19 ([{user|group, level, scope: {sites, products, groups}}]).
#include <yaml-cpp/yaml.h>

#include <string>

#include "rosterd/config/config.hpp"
#include "yaml_reader.hpp"

namespace rosterd::config_detail {

void read_access(const YamlReader& r, const YAML::Node& node, const std::string& path,
                 AccessConfig& out);

}  // namespace rosterd::config_detail
