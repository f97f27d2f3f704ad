#include "config_settings.hpp"

#include <set>

#include "rosterd/config/config.hpp"

namespace rosterd {
namespace {

void flatten(const YAML::Node& node, const std::string& path,
             std::map<std::string, std::string>& out) {
    switch (node.Type()) {
        case YAML::NodeType::Map:
            for (const auto& item : node) {
                auto key = item.first.IsScalar() ? item.first.Scalar() : std::string("?");
                flatten(item.second, path.empty() ? key : path + "." + key, out);
            }
            break;
        case YAML::NodeType::Sequence:
            for (std::size_t i = 0; i < node.size(); ++i)
                flatten(node[i], path + "[" + std::to_string(i) + "]", out);
            break;
        case YAML::NodeType::Scalar:
            out[path] = node.Scalar();
            break;
        default:
            out[path] = "";  // null or undefined: present, without a value
            break;
    }
}

}  // namespace

std::map<std::string, std::string> flatten_settings(const YAML::Node& root) {
    std::map<std::string, std::string> out;
    if (root.IsDefined() && !root.IsNull())
        flatten(root, "", out);
    return out;
}

std::vector<std::string> changed_settings(const Config& before, const Config& after) {
    std::set<std::string> keys;
    for (const auto& [key, value] : before.settings) {
        auto found = after.settings.find(key);
        if (found == after.settings.end() || found->second != value)
            keys.insert(key);
    }
    for (const auto& [key, value] : after.settings)
        if (!before.settings.count(key))
            keys.insert(key);
    return {keys.begin(), keys.end()};
}

namespace {

struct RestartOnlyKey {
    std::string_view key;
    std::string (*value)(const Config&);
};

const RestartOnlyKey kRestartOnly[] = {
    {"storage.path", [](const Config& c) { return c.storage.path; }},
    {"control.socket", [](const Config& c) { return c.control.socket; }},
    {"metrics.listen", [](const Config& c) { return c.metrics.listen; }},
};

}  // namespace

std::vector<std::string_view> restart_only_keys() {
    std::vector<std::string_view> keys;
    for (const auto& entry : kRestartOnly)
        keys.push_back(entry.key);
    return keys;
}

std::vector<std::string> restart_only_changes(const Config& before, const Config& after) {
    std::vector<std::string> changed;
    for (const auto& entry : kRestartOnly)
        if (entry.value(before) != entry.value(after))
            changed.emplace_back(entry.key);
    return changed;
}

}  // namespace rosterd
