// Who the control server lets in when connections pile up (daemon/control/admission.hpp).
#include <catch2/catch.hpp>

#include "daemon/control/admission.hpp"

using namespace rosterd::control;
using rosterd::control::detail::admission_refusal;

namespace {

Caller caller(std::uint32_t uid, std::string user, std::optional<AccessLevel> level) {
    Caller c;
    c.uid = uid;
    c.user = std::move(user);
    c.level = level;
    return c;
}

const ConnectionLimits kLimits{.max_connections = 10, .max_per_user = 3, .admin_reserve = 2};
const std::string kFull = "too many control connections; try again later";

}  // namespace

TEST_CASE("a user below admin gets max_per_user connections, counted by uid", "[control]") {
    const auto nobody = caller(65534, "nobody", std::nullopt);
    CHECK(admission_refusal(kLimits, 0, 0, nobody) == std::nullopt);
    CHECK(admission_refusal(kLimits, 5, 2, nobody) == std::nullopt);
    CHECK(admission_refusal(kLimits, 5, 3, nobody) ==
          "too many control connections from nobody (uid 65534): at most 3 per user; close some "
          "or try again later");
    const auto viewer = caller(1000, "alice", AccessLevel::viewer);
    CHECK(admission_refusal(kLimits, 3, 3, viewer) ==
          "too many control connections from alice (uid 1000): at most 3 per user; close some "
          "or try again later");
    const auto operator_ = caller(1001, "bob", AccessLevel::operator_);
    CHECK(admission_refusal(kLimits, 3, 0, operator_) == std::nullopt);
}

TEST_CASE("the last admin_reserve connections are for admins only", "[control]") {
    const auto viewer = caller(1000, "alice", AccessLevel::viewer);
    const auto admin = caller(1002, "carol", AccessLevel::admin);
    const auto root = caller(0, "root", AccessLevel::admin);
    CHECK(admission_refusal(kLimits, 7, 0, viewer) == std::nullopt);
    CHECK(admission_refusal(kLimits, 8, 0, viewer) == kFull);  // 10 - 2 open: the reserve is left
    CHECK(admission_refusal(kLimits, 8, 0, admin) == std::nullopt);
    CHECK(admission_refusal(kLimits, 9, 0, root) == std::nullopt);
    CHECK(admission_refusal(kLimits, 10, 0, root) == kFull);  // nobody beyond the whole
    CHECK(admission_refusal(kLimits, 10, 0, admin) == kFull);
    // Admins are trusted with the whole, one uid or not: the per-user count does not bind them.
    CHECK(admission_refusal(kLimits, 9, 9, root) == std::nullopt);
}

TEST_CASE("a reserve as large as the whole leaves room for admins only", "[control]") {
    const ConnectionLimits all_reserved{
        .max_connections = 4, .max_per_user = 4, .admin_reserve = 9};
    CHECK(admission_refusal(all_reserved, 0, 0, caller(1000, "alice", AccessLevel::viewer)) ==
          kFull);
    CHECK(admission_refusal(all_reserved, 3, 0, caller(0, "root", AccessLevel::admin)) ==
          std::nullopt);
}
