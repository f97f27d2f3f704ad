// The json format's signature, checked against RFC 4231 and against an HMAC built by hand from
// SHA-256 (so a receiver's own implementation agrees, not just OpenSSL's HMAC()).
#include <catch2/catch.hpp>
#include <regex>
#include <set>

#include "rosterd/notify/delivery.hpp"
#include "textbook_hmac.hpp"

using namespace rosterd::notify;
using rosterd::test::textbook_hmac_sha256;

TEST_CASE("HMAC-SHA256 matches RFC 4231", "[notify]") {
    // Test case 2.
    CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    // Test case 6: a key longer than the block size.
    CHECK(hmac_sha256_hex(std::string(131, '\xaa'),
                          "Test Using Larger Than Block-Size Key - Hash Key First") ==
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("the signature header signs the timestamp and the body", "[notify]") {
    std::string body = R"({"version":1,"event":"test"})";
    std::string header = signature_header("s3cret", 1777000000, body);
    CHECK(header == "t=1777000000,v1=" + textbook_hmac_sha256("s3cret", "1777000000." + body));
    // Any change to the body or the timestamp changes the signature.
    CHECK(header != signature_header("s3cret", 1777000001, body));
    CHECK(header != signature_header("s3cret", 1777000000, body + " "));
    CHECK(header != signature_header("other", 1777000000, body));
}

TEST_CASE("delivery ids are random version-4 UUIDs", "[notify]") {
    std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    std::set<std::string> seen;
    for (int i = 0; i < 50; ++i) {
        auto id = random_uuid();
        CHECK(std::regex_match(id, uuid));
        seen.insert(id);
    }
    CHECK(seen.size() == 50);
}
