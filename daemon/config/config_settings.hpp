#pragma once
// A configuration file as a flat map of key paths to values, for naming what a reload changed.
#include <yaml-cpp/yaml.h>

#include <map>
#include <string>

namespace rosterd {

std::map<std::string, std::string> flatten_settings(const YAML::Node& root);

}  // namespace rosterd
