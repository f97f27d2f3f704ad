#include <catch2/catch.hpp>

#include <algorithm>

#include "rosterd/control/access.hpp"

using namespace rosterd;
using namespace rosterd::control;

namespace {

constexpr std::uint32_t kDaemonUid = 990;

// Made-up ids: no real accounts are needed to test the mapping.
AccessConfig sample_config() {
    AccessConfig config;
    config.admin.uids = {500};
    config.operator_.gids = {600};  // e.g. group "rosterd-ops"
    config.viewer.uids = {1000};
    config.viewer.gids = {700};
    return config;
}

std::optional<AccessLevel> level(std::uint32_t uid, std::vector<std::uint32_t> gids) {
    return resolve_access_level(sample_config(), kDaemonUid, PeerIdentity{uid, std::move(gids)});
}

}  // namespace

TEST_CASE("root and the daemon's own uid are admin", "[control]") {
    CHECK(level(0, {0}) == AccessLevel::admin);
    CHECK(level(kDaemonUid, {kDaemonUid}) == AccessLevel::admin);
    CHECK(resolve_access_level(AccessConfig{}, kDaemonUid, PeerIdentity{0, {}}) ==
          AccessLevel::admin);
}

TEST_CASE("a listed user gets the level it is listed at", "[control]") {
    CHECK(level(500, {500}) == AccessLevel::admin);
    CHECK(level(1000, {1000}) == AccessLevel::viewer);
}

TEST_CASE("a group grants its level through primary or supplementary membership", "[control]") {
    CHECK(level(1001, {600}) == AccessLevel::operator_);            // primary group
    CHECK(level(1002, {1002, 27, 600}) == AccessLevel::operator_);  // supplementary group
    CHECK(level(1003, {1003, 700}) == AccessLevel::viewer);
}

TEST_CASE("the highest matching level wins", "[control]") {
    CHECK(level(1000, {1000, 600}) == AccessLevel::operator_);  // viewer by uid, operator by group
    CHECK(level(500, {700}) == AccessLevel::admin);
}

TEST_CASE("nobody else has any access", "[control]") {
    CHECK(level(1004, {1004, 27}) == std::nullopt);
    CHECK(resolve_access_level(AccessConfig{}, kDaemonUid, PeerIdentity{1000, {1000}}) ==
          std::nullopt);
}

TEST_CASE("access levels are ordered and round-trip through their names", "[control]") {
    CHECK(AccessLevel::viewer < AccessLevel::operator_);
    CHECK(AccessLevel::operator_ < AccessLevel::admin);
    for (auto l : {AccessLevel::viewer, AccessLevel::operator_, AccessLevel::admin})
        CHECK(parse_access_level(to_string(l)) == l);
    CHECK(to_string(AccessLevel::operator_) == "operator");
    CHECK(parse_access_level("Admin") == std::nullopt);
    CHECK(parse_access_level("operator_") == std::nullopt);

    Caller caller;
    caller.level = AccessLevel::operator_;
    CHECK(caller.may_run(AccessLevel::viewer));
    CHECK(caller.may_run(AccessLevel::operator_));
    CHECK_FALSE(caller.may_run(AccessLevel::admin));
    caller.level.reset();
    CHECK_FALSE(caller.may_run(AccessLevel::viewer));
}

TEST_CASE("a real peer is identified through NSS", "[control]") {
    CHECK(lookup_user_name(0) == "root");
    auto groups = lookup_group_ids("root", 0);
    REQUIRE_FALSE(groups.empty());
    CHECK(groups.front() == 0);
    CHECK(std::count(groups.begin(), groups.end(), 0u) == 1);

    AccessPolicy policy(AccessConfig{}, kDaemonUid);
    Caller root = policy.identify(0, 0, 4242);
    CHECK(root.user == "root");
    CHECK(root.pid == 4242);
    CHECK(root.level == AccessLevel::admin);
    CHECK(root.describe() == "root (uid 0)");

    // A uid without a passwd entry is named by its number and matched by uid and primary gid.
    AccessConfig config;
    config.viewer.gids = {3999999};
    Caller ghost = AccessPolicy(config, kDaemonUid).identify(3999998, 3999999, 1);
    CHECK(ghost.user == "3999998");
    CHECK(ghost.level == AccessLevel::viewer);
}
