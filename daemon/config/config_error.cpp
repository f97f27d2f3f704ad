#include <filesystem>

#include "rosterd/config.hpp"

namespace rosterd {
namespace {

std::string compose(const std::string& file, int line, int column, const std::string& key_path,
                    const std::string& message) {
    std::string text = file;
    if (line > 0)
        text += ":" + std::to_string(line) + ":" + std::to_string(column);
    text += ": ";
    if (!key_path.empty())
        text += key_path + ": ";
    return text + message;
}

}  // namespace

ConfigError::ConfigError(std::string file, int line, int column, std::string key_path,
                         std::string message)
    : std::runtime_error(compose(file, line, column, key_path, message)),
      file_(std::move(file)),
      line_(line),
      column_(column),
      key_path_(std::move(key_path)),
      detail_(std::move(message)) {}

std::string Config::state_directory() const {
    auto parent = std::filesystem::path(storage.path).parent_path();
    return parent.empty() ? std::string(".") : parent.string();
}

}  // namespace rosterd
