// rosterd-sim's command line.
#include <catch2/catch.hpp>

#include <vector>

#include "options.hpp"
#include "temp_dir.hpp"

using namespace rosterd::sim;

namespace {

int parse(std::vector<const char*> args, SimOptions& options) {
    args.insert(args.begin(), "rosterd-sim");
    return parse_command_line(static_cast<int>(args.size()), args.data(), options);
}

}  // namespace

TEST_CASE("the command line has the documented defaults", "[sim]") {
    SimOptions options;
    REQUIRE(parse({}, options) == -1);
    CHECK(options.listen == "127.0.0.1");
    CHECK(options.port == 0);
    CHECK(options.generator.users == 2000);
    CHECK(options.generator.sites == 2);
    CHECK(options.generator.products_per_site == 3);
    CHECK_FALSE(options.generator.groups);
    CHECK(options.generator.seed == 1);
    CHECK(options.generator.org_id == "3f9c1b2e-5d4a-4c1e-9b7a-2a6d8e0f1c35");
    CHECK(options.generator.org_name == "Simulated Org");
    CHECK(options.settings.api_key == "sim-key");
    CHECK(options.settings.knobs.page_size == 50);
    CHECK(options.settings.knobs.last_active_limit == 200);
    CHECK(options.settings.knobs.require_json_body);
    CHECK_FALSE(options.settings.knobs.retry_after);
}

TEST_CASE("flags set the org, the knobs and the key", "[sim]") {
    rosterd::test::TempDir dir;
    auto key_file = dir.write("key", "  secret-key\n");
    SimOptions options;
    std::string key_path = key_file.string();
    REQUIRE(parse({"--users",
                   "10",
                   "--sites",
                   "3",
                   "--products-per-site",
                   "4",
                   "--groups",
                   "30",
                   "--seed",
                   "9",
                   "--now",
                   "2026-08-15T12:00:00Z",
                   "--latency-ms",
                   "5",
                   "--error-rate",
                   "0.25",
                   "--rate-limit",
                   "100",
                   "--retry-after",
                   "--no-require-json-body",
                   "--cursor-ttl-s",
                   "1.5",
                   "--api-key-file",
                   key_path.c_str(),
                   "--key-expires",
                   "2027-01-01T00:00:00Z"},
                  options) == -1);
    CHECK(options.generator.groups == std::size_t(30));
    CHECK(options.settings.knobs.latency_ms == 5);
    CHECK(options.settings.knobs.error_rate == 0.25);
    CHECK(options.settings.knobs.rate_limit == 100);
    CHECK(options.settings.knobs.retry_after);
    CHECK_FALSE(options.settings.knobs.require_json_body);
    CHECK(options.settings.knobs.cursor_ttl_s == 1.5);
    Model model = build_model(options);
    CHECK(model.users.size() == 10);
    CHECK(model.sites.size() == 3);
    CHECK(model.products.size() == 12);
    CHECK(model.groups.size() ==
          33);  // 3 sites x 11 role-granting groups: more than --groups asked
    CHECK(model.now_ms == 1786795200000);
    SimSettings settings = build_settings(options);
    CHECK(settings.api_key == "secret-key");
    CHECK(settings.knobs.key_expires_ms == 1798761600000);
}

TEST_CASE("invalid command lines are refused", "[sim]") {
    SimOptions options;
    CHECK(parse({"--products-per-site", "5"}, options) > 0);
    SimOptions more;
    CHECK(parse({"--error-rate", "2"}, more) > 0);
    SimOptions mixed;
    CHECK(parse({"--fixture", "/etc/hostname", "--users", "5"}, mixed) > 0);
    SimOptions bad_now;
    REQUIRE(parse({"--now", "yesterday"}, bad_now) == -1);
    CHECK_THROWS_WITH(build_model(bad_now), Catch::Contains("--now"));
}

TEST_CASE("files are written atomically", "[sim]") {
    rosterd::test::TempDir dir;
    std::string path = (dir / "port").string();
    write_file_atomically(path, "1234\n");
    CHECK(rosterd::test::read_file(path) == "1234\n");
    CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
    CHECK_THROWS(write_file_atomically((dir / "missing" / "port").string(), "1"));
}
