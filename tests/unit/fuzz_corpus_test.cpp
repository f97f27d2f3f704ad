// Replays the fuzzing corpora (fuzz/corpus/<target>/, seeds and any crasher found by `make fuzz`)
// through the same code as the libFuzzer targets, so each finding stays a regression case.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fuzz/fuzz_bodies.hpp"

namespace {

std::vector<std::pair<std::string, std::string>> corpus(const std::string& target) {
    std::vector<std::pair<std::string, std::string>> inputs;
    std::filesystem::path dir =
        std::filesystem::path(ROSTERD_SOURCE_DIR) / "fuzz" / "corpus" / target;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        std::ifstream in(entry.path(), std::ios::binary);
        std::stringstream bytes;
        bytes << in.rdbuf();
        inputs.emplace_back(entry.path().filename().string(), bytes.str());
    }
    return inputs;
}

// Every input of a target's corpus through that target's code: none may throw.
void replay(const std::string& target, void (*input)(std::string_view)) {
    auto inputs = corpus(target);
    REQUIRE(!inputs.empty());
    for (const auto& [name, bytes] : inputs) {
        INFO(name);
        CHECK_NOTHROW(input(bytes));
    }
}

}  // namespace

TEST_CASE("fuzz corpora replay cleanly: config loader", "[fuzz]") {
    replay("config", rosterd::fuzz::config_input);
}

TEST_CASE("fuzz corpora replay cleanly: control protocol", "[fuzz]") {
    replay("control", rosterd::fuzz::control_input);
    // Edge cases: empty, deep nesting, invalid UTF-8, NUL bytes.
    CHECK_NOTHROW(rosterd::fuzz::control_input(""));
    CHECK_NOTHROW(rosterd::fuzz::control_input(std::string(100000, '[')));
    CHECK_NOTHROW(rosterd::fuzz::control_input("{\"id\":\"\xff\xfe\",\"command\":\"x\"}"));
    CHECK_NOTHROW(rosterd::fuzz::control_input(std::string("{\"id\":1,\0\"command\":1}", 22)));
}

TEST_CASE("fuzz corpora replay cleanly: Admin API parsers", "[fuzz]") {
    replay("atlassian", rosterd::fuzz::atlassian_input);
    CHECK_NOTHROW(rosterd::fuzz::atlassian_input("a"));
    CHECK_NOTHROW(rosterd::fuzz::atlassian_input("a" + std::string(100000, '{')));
    CHECK_NOTHROW(rosterd::fuzz::atlassian_input("a{\"data\":[{\"accountId\":1}],\"links\":7}"));
}
