// libFuzzer target: see fuzz_bodies.hpp (rosterd::fuzz::control_input).
#include <cstddef>
#include <cstdint>

#include "fuzz_bodies.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    rosterd::fuzz::control_input(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
