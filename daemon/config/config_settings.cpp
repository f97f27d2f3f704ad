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

}  // namespace rosterd
