#pragma once
// rosterd-sim's command line (CLI11) and how it turns into a model and server settings.
#include <optional>
#include <string>

#include "generator.hpp"
#include "model.hpp"
#include "sim_state.hpp"

namespace rosterd::sim {

struct SimOptions {
    std::string listen = "127.0.0.1";
    int port = 0;
    std::optional<std::string> port_file;
    GeneratorOptions generator;
    std::optional<std::string> now;  // ISO-8601; default: the current time
    std::optional<std::string> fixture;
    std::optional<std::string> api_key_file;
    std::optional<std::string> key_expires;
    std::optional<std::string> dump_truth;
    SimSettings settings;
};

// Parses the command line into `options`. Returns -1 to go on, or the exit code to leave with
// (0 after --help, non-zero after a usage error, which is printed).
int parse_command_line(int argc, const char* const* argv, SimOptions& options);

// The model from --fixture or from the generator flags. Throws std::runtime_error.
Model build_model(const SimOptions& options);

// Server settings including the API key from --api-key-file and --key-expires.
// Throws std::runtime_error.
SimSettings build_settings(const SimOptions& options);

// Writes `content` to `path` atomically (temporary file in the same directory, then rename).
void write_file_atomically(const std::string& path, const std::string& content);

}  // namespace rosterd::sim
