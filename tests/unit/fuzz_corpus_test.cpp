// Replays the fuzzing corpora (fuzz/corpus/<target>/, seeds and any crasher found by `make fuzz`)
// through the same code as the libFuzzer targets, so each finding stays a regression case.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../../fuzz/fuzz_bodies.hpp"

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

}  // namespace

TEST_CASE("fuzz corpora replay cleanly: config loader", "[fuzz]") {
    auto inputs = corpus("config");
    REQUIRE(!inputs.empty());
    for (const auto& [name, bytes] : inputs) {
        INFO(name);
        CHECK_NOTHROW(rosterd::fuzz::config_input(bytes));
    }
}

TEST_CASE("fuzz corpora replay cleanly: control protocol", "[fuzz]") {
    auto inputs = corpus("control");
    REQUIRE(!inputs.empty());
    for (const auto& [name, bytes] : inputs) {
        INFO(name);
        CHECK_NOTHROW(rosterd::fuzz::control_input(bytes));
    }
    // Edge cases: empty, deep nesting, invalid UTF-8, NUL bytes.
    CHECK_NOTHROW(rosterd::fuzz::control_input(""));
    CHECK_NOTHROW(rosterd::fuzz::control_input(std::string(100000, '[')));
    CHECK_NOTHROW(rosterd::fuzz::control_input("{\"id\":\"\xff\xfe\",\"command\":\"x\"}"));
    CHECK_NOTHROW(rosterd::fuzz::control_input(std::string("{\"id\":1,\0\"command\":1}", 22)));
}

TEST_CASE("fuzz corpora replay cleanly: Admin API parsers", "[fuzz]") {
    auto inputs = corpus("atlassian");
    REQUIRE(!inputs.empty());
    for (const auto& [name, bytes] : inputs) {
        INFO(name);
        CHECK_NOTHROW(rosterd::fuzz::atlassian_input(bytes));
    }
    CHECK_NOTHROW(rosterd::fuzz::atlassian_input("a"));
    CHECK_NOTHROW(rosterd::fuzz::atlassian_input("a" + std::string(100000, '{')));
    CHECK_NOTHROW(rosterd::fuzz::atlassian_input("a{\"data\":[{\"accountId\":1}],\"links\":7}"));
}
