// What rosterd.service relies on to start without /etc/rosterd/api-key: when that file is missing,
// systemd falls back to the unit's SetCredential=api-key:\n default, a credential holding a lone
// newline. rosterd must read it as "no key" (so a key stored with `rosterctl key set` is used, or
// the daemon waits for one), never as a key.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "rosterd/keys/api_key_source.hpp"
#include "temp_dir.hpp"

using namespace rosterd;

namespace {

// Sets $CREDENTIALS_DIRECTORY for one test, as systemd does for the unit.
class CredentialsDirectory {
  public:
    explicit CredentialsDirectory(const std::string& dir) {
        ::setenv("CREDENTIALS_DIRECTORY", dir.c_str(), 1);
    }
    ~CredentialsDirectory() { ::unsetenv("CREDENTIALS_DIRECTORY"); }
};

}  // namespace

TEST_CASE("the unit's default credential (a lone newline) is no key", "[keys][systemd]") {
    test::TempDir state, credentials;
    credentials.write("api-key", "\n");  // SetCredential=api-key:\n
    CredentialsDirectory env(credentials.path().string());
    Config config;
    config.storage.path = (state / "rosterd.db").string();

    CHECK_FALSE(load_api_key(config).has_value());

    // A key installed with `rosterctl key set` is found first.
    state.write("api-key", "stored-key\n");
    auto key = load_api_key(config);
    REQUIRE(key);
    CHECK(key->source == "stored");
    CHECK(key->value == "stored-key");
}

TEST_CASE("a credential loaded from /etc/rosterd/api-key is the key", "[keys][systemd]") {
    test::TempDir state, credentials;
    credentials.write("api-key", "the-key\n");
    CredentialsDirectory env(credentials.path().string());
    Config config;
    config.storage.path = (state / "rosterd.db").string();

    auto key = load_api_key(config);
    REQUIRE(key);
    CHECK(key->source == "credential");
    CHECK(key->value == "the-key");
}
