// Cursor tokens and their encodings.
#include <catch2/catch.hpp>

#include "base64.hpp"
#include "cursor.hpp"

using namespace rosterd::sim;

TEST_CASE("base64 round-trips in both alphabets and rejects garbage", "[sim]") {
    const std::string bytes("\xfb\xff\x00\x10 hello\xfe", 10);
    CHECK(base64_decode(base64_encode(bytes)) == bytes);
    CHECK(base64url_decode(base64url_encode(bytes)) == bytes);
    CHECK(base64_encode("ab") == "YWI=");
    CHECK(base64url_encode("ab") == "YWI");
    CHECK(base64_encode("\xfb\xff\xbf") == "+/+/");
    CHECK(base64url_encode("\xfb\xff\xbf") == "-_-_");
    CHECK_FALSE(base64_decode("YWI"));   // missing padding
    CHECK_FALSE(base64_decode("Y*I="));  // not in the alphabet
    CHECK_FALSE(base64url_decode("Y"));  // impossible length
}

TEST_CASE("v1 cursors hold + / = and v2 cursors are URL-safe", "[sim]") {
    CursorCodec codec(1234);
    CursorState state{CursorKind::V1Users, 4242, 0x1122334455667788ULL, 1786795200000};
    std::string v1 = codec.encode_v1(state);
    CHECK(v1.find('+') != std::string::npos);
    CHECK(v1.find('/') != std::string::npos);
    CHECK(v1.ends_with("=="));
    auto decoded = codec.decode_v1(v1);
    REQUIRE(decoded);
    CHECK(decoded->kind == CursorKind::V1Users);
    CHECK(decoded->position == 4242);
    CHECK(decoded->filter_hash == 0x1122334455667788ULL);
    CHECK(decoded->issued_ms == 1786795200000);

    state.kind = CursorKind::Users;
    std::string v2 = codec.encode_v2(state);
    CHECK(
        v2.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
        std::string::npos);
    REQUIRE(codec.decode_v2(v2));
    CHECK(codec.decode_v2(v2)->position == 4242);
}

TEST_CASE("tampered, foreign and garbage cursors are rejected", "[sim]") {
    CursorCodec codec(99);
    std::string token = codec.encode_v2({CursorKind::Users, 10, 5, 1000});
    std::string tampered = token;
    tampered[3] = tampered[3] == 'A' ? 'B' : 'A';
    CHECK_FALSE(codec.decode_v2(tampered));
    CHECK_FALSE(CursorCodec(100).decode_v2(token));  // another server's secret
    CHECK_FALSE(codec.decode_v2("kloHX1ZQVasDAkx_P48NYQ"));
    CHECK_FALSE(codec.decode_v2(""));
    CHECK_FALSE(codec.decode_v1(token));
    CHECK_FALSE(codec.decode_v2(codec.encode_v1({CursorKind::V1Users, 1, 1, 1})));
}

TEST_CASE("the filter book recalls filters by hash", "[sim]") {
    FilterBook book;
    book.remember(7, "{\"status\":[\"active\"]}");
    CHECK(book.recall(7) == std::string("{\"status\":[\"active\"]}"));
    CHECK_FALSE(book.recall(8));
}
