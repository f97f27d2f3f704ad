// control.max_connections, max_connections_per_user, admin_reserve and idle_timeout_s.
#include <catch2/catch.hpp>

#include "rosterd/config/config.hpp"

using namespace rosterd;

TEST_CASE("the control connection limits have defaults and can be set", "[config]") {
    auto defaults = parse_config("", "empty.yaml");
    CHECK(defaults.control.max_connections == 256);
    CHECK(defaults.control.max_connections_per_user == 32);
    CHECK(defaults.control.admin_reserve == 16);
    CHECK(defaults.control.idle_timeout_s == 60);

    auto set = parse_config(
        "control:\n  max_connections: 64\n  max_connections_per_user: 4\n"
        "  admin_reserve: 8\n  idle_timeout_s: 300\n",
        "set.yaml");
    CHECK(set.control.max_connections == 64);
    CHECK(set.control.max_connections_per_user == 4);
    CHECK(set.control.admin_reserve == 8);
    CHECK(set.control.idle_timeout_s == 300);
}

TEST_CASE("control connection limits out of range are errors with their location", "[config]") {
    auto error_of = [](const std::string& yaml) -> std::string {
        try {
            parse_config(yaml, "limits.yaml");
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "no error";
    };
    CHECK(error_of("control:\n  max_connections: 0\n") ==
          "limits.yaml:2:20: control.max_connections: must be between 1 and 4096, got 0");
    CHECK(error_of("control:\n  idle_timeout_s: 0\n") ==
          "limits.yaml:2:19: control.idle_timeout_s: must be between 1 and 86400, got 0");
    // A reserve as large as the whole would let nobody but admins in.
    CHECK(error_of("control:\n  max_connections: 16\n  admin_reserve: 16\n") ==
          "limits.yaml:3:18: control.admin_reserve: 16 must be less than "
          "control.max_connections (16)");
    // The default reserve counts too.
    CHECK(error_of("control:\n  max_connections: 10\n") ==
          "limits.yaml:2:3: control.admin_reserve: 16 must be less than "
          "control.max_connections (10)");
}
