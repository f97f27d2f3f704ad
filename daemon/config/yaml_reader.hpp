#pragma once
// Typed, position-aware reading of YAML nodes: every error carries file, line, column and the
// dotted key path, and every mapping is checked against the keys its section declares.
#include <yaml-cpp/yaml.h>

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "rosterd/config/config.hpp"

namespace rosterd::config_detail {

class YamlReader {
  public:
    explicit YamlReader(std::string source) : source_(std::move(source)) {}

    [[noreturn]] void fail(const YAML::Node& at, const std::string& path,
                           const std::string& message) const;
    [[noreturn]] void fail(const YAML::Mark& at, const std::string& path,
                           const std::string& message) const;

    // One handler per declared key of a mapping; unknown and duplicate keys are errors.
    using KeyHandler = std::function<void(const YAML::Node& value, const std::string& path)>;
    struct Key {
        std::string_view name;
        KeyHandler handle;
    };
    void read_mapping(const YAML::Node& node, const std::string& path,
                      const std::vector<Key>& keys) const;

    std::string string(const YAML::Node& node, const std::string& path) const;
    std::string non_empty_string(const YAML::Node& node, const std::string& path) const;
    int integer(const YAML::Node& node, const std::string& path, int min, int max) const;
    bool boolean(const YAML::Node& node, const std::string& path) const;
    std::vector<std::string> string_list(const YAML::Node& node, const std::string& path) const;
    std::vector<int> integer_list(const YAML::Node& node, const std::string& path, int min,
                                  int max) const;
    void expect_sequence(const YAML::Node& node, const std::string& path) const;

    // Runs `read` and records a ConfigError it throws instead of passing it on, so reading goes
    // on with the next key or item; returns whether `read` succeeded. Throws TooManyIssues once
    // ConfigError::kMaxConfigIssues are recorded.
    bool guard(const std::function<void()>& read) const;
    struct TooManyIssues {};
    // Problems recorded so far (a caller skips checks that would only repeat one of them).
    std::size_t issue_count() const { return issues_.size(); }
    // Throws a ConfigError with every recorded issue when there is any.
    void throw_if_issues(bool truncated = false) const;

    const std::string& source() const { return source_; }

  private:
    void read_entry(const YAML::Node& key_node, const YAML::Node& value, const std::string& path,
                    const std::vector<Key>& keys, std::set<std::string>& seen) const;
    std::string scalar(const YAML::Node& node, const std::string& path, const char* expected) const;
    std::string source_;
    mutable std::vector<ConfigIssue> issues_;
};

// While one is alive on a thread, every read_mapping() on that thread reports the path of each key
// its section declares, present in the YAML or not: how the manual page learns the settings table
// without a second list of keys that could drift from it (declared_config_keys()).
class DeclaredKeyObserver {
  public:
    using Callback = std::function<void(const std::string& key_path)>;
    explicit DeclaredKeyObserver(Callback callback);
    ~DeclaredKeyObserver();
    DeclaredKeyObserver(const DeclaredKeyObserver&) = delete;
    DeclaredKeyObserver& operator=(const DeclaredKeyObserver&) = delete;

  private:
    Callback callback_;
    DeclaredKeyObserver* previous_;
    friend class YamlReader;
};

// Whether a DeclaredKeyObserver is alive on this thread (a section with two forms walks both).
bool declaring_keys();

std::string child_path(const std::string& parent, std::string_view key);
std::string index_path(const std::string& parent, std::size_t index);

}  // namespace rosterd::config_detail
