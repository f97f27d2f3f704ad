#include <filesystem>

#include "rosterd/config/config.hpp"

namespace rosterd {
namespace {

std::string compose_all(const std::vector<ConfigIssue>& issues, bool truncated) {
    std::string text;
    for (const auto& issue : issues)
        text += (text.empty() ? "" : "\n") + issue.text();
    if (truncated && !issues.empty())
        text += "\n" + issues.front().file + ": stopped after " +
                std::to_string(ConfigError::kMaxConfigIssues) + " errors";
    return text;
}

}  // namespace

std::string ConfigIssue::text() const {
    std::string out = file;
    if (line > 0)
        out += ":" + std::to_string(line) + ":" + std::to_string(column);
    out += ": ";
    if (!key_path.empty())
        out += key_path + ": ";
    return out + message;
}

ConfigError::ConfigError(std::string file, int line, int column, std::string key_path,
                         std::string message)
    : ConfigError(std::vector<ConfigIssue>{
          {std::move(file), line, column, std::move(key_path), std::move(message)}}) {}

ConfigError::ConfigError(std::vector<ConfigIssue> issues, bool truncated)
    : std::runtime_error(compose_all(issues, truncated)),
      issues_(std::move(issues)),
      truncated_(truncated) {
    if (issues_.empty())  // callers always pass one; keep the accessors safe regardless
        issues_.push_back({"", 0, 0, "", "invalid configuration"});
}

std::string Config::state_directory() const {
    auto parent = std::filesystem::path(storage.path).parent_path();
    return parent.empty() ? std::string(".") : parent.string();
}

}  // namespace rosterd
