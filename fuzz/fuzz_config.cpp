// libFuzzer target: the YAML configuration loader. Any input must either load or throw the
// loader's ConfigError (with file:line:col); nothing else may escape, crash or leak.
#include <cstddef>
#include <cstdint>
#include <string>

#include "rosterd/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    try {
        auto config = rosterd::parse_config(text, "fuzz.yaml");
        (void)config;
    } catch (const rosterd::ConfigError&) {
    }
    return 0;
}
