#pragma once
// The notice stage of tasks (`tasks[].notice`) and the `email:` section (issue 17), read apart from
// the rest of the settings table so that each stays one job.
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

#include "rosterd/config/config.hpp"
#include "yaml_reader.hpp"

namespace rosterd::config_detail {

// "14d", "36h", "30m", "45s": a whole number and one unit.
std::optional<std::chrono::seconds> parse_notice_duration(const std::string& text);

NoticeConfig read_notice(const YamlReader& r, const YAML::Node& node, const std::string& path);
void read_email(const YamlReader& r, const YAML::Node& node, const std::string& path,
                Config::Email& out);
// What needs the whole file: a task that mails needs `email:`; "@email" is the outbox's own
// target and cannot name a webhook.
void check_notice_settings(const YamlReader& r, const YAML::Node& root, const Config& config);

}  // namespace rosterd::config_detail
