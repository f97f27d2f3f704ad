#include "yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <set>

namespace rosterd::config_detail {
namespace {

// Edit distance, to suggest the key a typo most likely meant.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

const char* describe(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Map:
            return "a mapping";
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Null:
            return "nothing (null)";
        case YAML::NodeType::Scalar:
            return "a scalar";
        default:
            return "an undefined value";
    }
}

thread_local DeclaredKeyObserver* current_observer = nullptr;

}  // namespace

DeclaredKeyObserver::DeclaredKeyObserver(Callback callback)
    : callback_(std::move(callback)), previous_(current_observer) {
    current_observer = this;
}

DeclaredKeyObserver::~DeclaredKeyObserver() {
    current_observer = previous_;
}

std::string child_path(const std::string& parent, std::string_view key) {
    return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string index_path(const std::string& parent, std::size_t index) {
    return parent + "[" + std::to_string(index) + "]";
}

bool declaring_keys() {
    return current_observer != nullptr;
}

void YamlReader::fail(const YAML::Mark& at, const std::string& path,
                      const std::string& message) const {
    int line = at.is_null() ? 0 : at.line + 1;
    int column = at.is_null() ? 0 : at.column + 1;
    throw ConfigError(source_, line, column, path, message);
}

void YamlReader::fail(const YAML::Node& at, const std::string& path,
                      const std::string& message) const {
    fail(at.Mark(), path, message);
}

bool YamlReader::guard(const std::function<void()>& read) const {
    try {
        read();
        return true;
    } catch (const ConfigError& e) {
        issues_.insert(issues_.end(), e.issues().begin(), e.issues().end());
    }
    if (issues_.size() >= ConfigError::kMaxConfigIssues)
        throw TooManyIssues{};
    return false;
}

void YamlReader::throw_if_issues(bool truncated) const {
    if (issues_.empty())
        return;
    auto issues = issues_;
    if (issues.size() > ConfigError::kMaxConfigIssues)
        issues.resize(ConfigError::kMaxConfigIssues);
    throw ConfigError(std::move(issues), truncated);
}

void YamlReader::read_mapping(const YAML::Node& node, const std::string& path,
                              const std::vector<Key>& keys) const {
    if (current_observer)
        for (const auto& key : keys)
            current_observer->callback_(child_path(path, key.name));
    if (node.IsNull())
        return;  // an empty section keeps every default
    if (!node.IsMap())
        fail(node, path, std::string("expected a mapping, got ") + describe(node));
    std::set<std::string> seen;
    for (const auto& entry : node) {
        // Each key on its own: a bad one is recorded and the next is still read.
        guard([&] { read_entry(entry.first, entry.second, path, keys, seen); });
    }
}

void YamlReader::read_entry(const YAML::Node& key_node, const YAML::Node& value,
                            const std::string& path, const std::vector<Key>& keys,
                            std::set<std::string>& seen) const {
    if (!key_node.IsScalar())
        fail(key_node, path, "keys must be plain strings");
    std::string key = key_node.Scalar();
    std::string key_path = child_path(path, key);
    if (!seen.insert(key).second)
        fail(key_node, key_path, "duplicate key");
    auto known =
        std::find_if(keys.begin(), keys.end(), [&](const Key& k) { return k.name == key; });
    if (known == keys.end()) {
        std::string message = "unknown key '" + key + "'";
        std::string_view best;
        std::size_t best_distance = 3;  // only suggest close matches
        for (const auto& k : keys) {
            auto d = edit_distance(key, k.name);
            if (d < best_distance) {
                best_distance = d;
                best = k.name;
            }
        }
        if (!best.empty()) {
            message += " (did you mean '" + std::string(best) + "'?)";
        } else {
            message += " (expected one of:";
            for (std::size_t i = 0; i < keys.size(); ++i)
                message += (i ? ", " : " ") + std::string(keys[i].name);
            message += ")";
        }
        fail(key_node, key_path, message);
    }
    known->handle(value, key_path);
}

std::string YamlReader::scalar(const YAML::Node& node, const std::string& path,
                               const char* expected) const {
    if (!node.IsScalar())
        fail(node, path, std::string("expected ") + expected + ", got " + describe(node));
    return node.Scalar();
}

std::string YamlReader::string(const YAML::Node& node, const std::string& path) const {
    return scalar(node, path, "a string");
}

std::string YamlReader::non_empty_string(const YAML::Node& node, const std::string& path) const {
    auto value = scalar(node, path, "a non-empty string");
    if (value.empty())
        fail(node, path, "must not be empty");
    return value;
}

int YamlReader::integer(const YAML::Node& node, const std::string& path, int min, int max) const {
    auto text = scalar(node, path, "an integer");
    int value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
        fail(node, path, "expected an integer, got '" + text + "'");
    if (value < min || value > max)
        fail(node, path,
             "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                 text);
    return value;
}

bool YamlReader::boolean(const YAML::Node& node, const std::string& path) const {
    auto text = scalar(node, path, "true or false");
    if (text == "true")
        return true;
    if (text == "false")
        return false;
    fail(node, path, "expected true or false, got '" + text + "'");
}

void YamlReader::expect_sequence(const YAML::Node& node, const std::string& path) const {
    if (!node.IsSequence())
        fail(node, path, std::string("expected a list, got ") + describe(node));
}

std::vector<std::string> YamlReader::string_list(const YAML::Node& node,
                                                 const std::string& path) const {
    expect_sequence(node, path);
    std::vector<std::string> values;
    for (std::size_t i = 0; i < node.size(); ++i)
        values.push_back(non_empty_string(node[i], index_path(path, i)));
    return values;
}

std::vector<int> YamlReader::integer_list(const YAML::Node& node, const std::string& path, int min,
                                          int max) const {
    expect_sequence(node, path);
    std::vector<int> values;
    for (std::size_t i = 0; i < node.size(); ++i)
        values.push_back(integer(node[i], index_path(path, i), min, max));
    return values;
}

}  // namespace rosterd::config_detail
