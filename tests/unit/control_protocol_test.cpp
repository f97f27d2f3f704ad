#include <catch2/catch.hpp>

#include <limits>
#include <variant>

#include "rosterd/base/json.hpp"
#include "rosterd/control/protocol.hpp"

using namespace rosterd::control;
using Kind = LineFramer::Event::Kind;

namespace {

// Every event the framer has ready, as "line:<text>" or "too_large".
std::vector<std::string> drain(LineFramer& framer) {
    std::vector<std::string> events;
    while (auto event = framer.next())
        events.push_back(event->kind == Kind::line ? "line:" + event->text : "too_large");
    return events;
}

RequestError parse_error_of(std::string_view line) {
    auto parsed = parse_request_line(line);
    REQUIRE(std::holds_alternative<RequestError>(parsed));
    return std::get<RequestError>(parsed);
}

}  // namespace

TEST_CASE("framer joins a line split across reads", "[control]") {
    LineFramer framer;
    framer.feed(R"({"comm)");
    CHECK(drain(framer).empty());
    CHECK(framer.partial_bytes() == 6);
    framer.feed(R"(and":"help"})");
    CHECK(drain(framer).empty());
    framer.feed("\n");
    CHECK(drain(framer) == std::vector<std::string>{R"(line:{"command":"help"})"});
    CHECK(framer.partial_bytes() == 0);
}

TEST_CASE("framer splits several lines from one read, tolerates CRLF, skips blank lines",
          "[control]") {
    LineFramer framer;
    framer.feed("one\n\ntwo\r\n  \r\n\t\nthree\nfou");
    CHECK(drain(framer) == std::vector<std::string>{"line:one", "line:two", "line:three"});
    framer.feed("r\n");
    CHECK(drain(framer) == std::vector<std::string>{"line:four"});
}

TEST_CASE("framer reports an over-long line once and carries on after its newline", "[control]") {
    LineFramer framer(10);
    SECTION("in one read") {
        framer.feed("0123456789A\nok\n");
        CHECK(drain(framer) == std::vector<std::string>{"too_large", "line:ok"});
    }
    SECTION("over several reads, holding none of the excess") {
        framer.feed("first\n01234567");
        framer.feed("89AB");
        CHECK(framer.partial_bytes() == 0);
        framer.feed(std::string(5000, 'x'));
        CHECK(framer.partial_bytes() == 0);
        framer.feed("xx\nnext\n");
        CHECK(drain(framer) == std::vector<std::string>{"line:first", "too_large", "line:next"});
    }
    SECTION("exactly at the cap is allowed") {
        framer.feed("0123456789\n");
        CHECK(drain(framer) == std::vector<std::string>{"line:0123456789"});
    }
}

TEST_CASE("framer hands over an unterminated last line at end of stream", "[control]") {
    LineFramer framer;
    framer.feed("a\nlast");
    framer.finish();
    CHECK(drain(framer) == std::vector<std::string>{"line:a", "line:last"});
    framer.finish();
    CHECK(drain(framer).empty());
}

TEST_CASE("a valid request parses with its id, command and args", "[control]") {
    auto parsed = parse_request_line(R"({"id":"r-1","command":"users.list","args":{"limit":5}})");
    REQUIRE(std::holds_alternative<ParsedRequest>(parsed));
    const auto& request = std::get<ParsedRequest>(parsed);
    CHECK(request.id_json == R"("r-1")");
    CHECK(request.command == "users.list");
    REQUIRE(request.args != nullptr);
    CHECK((*request.args)["limit"].GetInt() == 5);

    auto minimal = parse_request_line(R"({"command":"status"})");
    REQUIRE(std::holds_alternative<ParsedRequest>(minimal));
    CHECK(std::get<ParsedRequest>(minimal).id_json == "null");
    CHECK(std::get<ParsedRequest>(minimal).args == nullptr);

    auto numeric_id = parse_request_line(R"({"id":42,"command":"status"})");
    CHECK(std::get<ParsedRequest>(numeric_id).id_json == "42");
}

TEST_CASE("ids are echoed exactly as the client wrote them", "[control]") {
    auto id_of = [](std::string_view line) {
        auto parsed = parse_request_line(line);
        REQUIRE(std::holds_alternative<ParsedRequest>(parsed));
        return std::get<ParsedRequest>(parsed).id_json;
    };
    // Beyond 64 bits rapidjson holds a double; the echo must stay the integer that was sent.
    CHECK(id_of(R"({"id":123456789012345678901234567890,"command":"status"})") ==
          "123456789012345678901234567890");
    CHECK(id_of(R"({"id":18446744073709551616,"command":"status"})") == "18446744073709551616");
    CHECK(id_of(R"({"id":-9223372036854775809,"command":"status"})") == "-9223372036854775809");
    CHECK(id_of(R"({"id":18446744073709551615,"command":"status"})") == "18446744073709551615");
    CHECK(id_of(R"({"id":9007199254740993,"command":"status"})") == "9007199254740993");
    // Other numbers and strings verbatim too, whatever the spacing and member order.
    CHECK(id_of(R"({"id":1.50,"command":"status"})") == "1.50");
    CHECK(id_of(R"({"id":1E2,"command":"status"})") == "1E2");
    CHECK(id_of(R"({"id":-0,"command":"status"})") == "-0");
    CHECK(id_of(R"( { "command" : "status" , "args" : {"id":5,"x":["}"]}, "id" : 7 } )") == "7");
    CHECK(id_of(R"({"command":"status","id":"a\"b\u00e9"})") == R"("a\"b\u00e9")");
    CHECK(id_of(R"({"\u0069d":99999999999999999999999,"command":"status"})") ==
          "99999999999999999999999");
    CHECK(id_of(R"({"id":true,"command":"status"})") == "true");
    CHECK(id_of(R"({"id":null,"command":"status"})") == "null");
    // Errors found after the id has been read echo it exactly as well.
    CHECK(parse_error_of(R"({"id":100000000000000000000001})").id_json ==
          "100000000000000000000001");
    // And the answer carries it: a client matching answers by id finds its own.
    rapidjson::Document result(rapidjson::kObjectType);
    CHECK(ok_line(id_of(R"({"id":100000000000000000000001,"command":"x"})"), result) ==
          "{\"id\":100000000000000000000001,\"ok\":true,\"result\":{}}\n");
}

TEST_CASE("malformed requests get parse_error or invalid_request", "[control]") {
    auto garbage = parse_error_of("{nope");
    CHECK(garbage.code == "parse_error");
    CHECK(garbage.id_json == "null");
    CHECK(garbage.message == "invalid JSON at byte 1: Missing a name for object member.");

    CHECK(parse_error_of("\"\xff\xfe\"").code == "parse_error");  // invalid UTF-8

    auto not_object = parse_error_of("[1,2]");
    CHECK(not_object.code == "invalid_request");
    CHECK(not_object.message == "a request must be a JSON object");

    auto missing = parse_error_of(R"({"id":7})");
    CHECK(missing.code == "invalid_request");
    CHECK(missing.id_json == "7");
    CHECK(missing.message == R"(missing "command" (a string))");

    auto wrong_command = parse_error_of(R"({"id":"x","command":5})");
    CHECK(wrong_command.id_json == R"("x")");
    CHECK(wrong_command.message == R"("command" must be a string, got an integer)");

    auto bad_args = parse_error_of(R"({"id":1,"command":"help","args":[1]})");
    CHECK(bad_args.code == "invalid_request");
    CHECK(bad_args.message == R"("args" must be an object, got an array)");

    auto object_id = parse_error_of(R"({"id":{"a":1},"command":"help"})");
    CHECK(object_id.id_json == "null");
    CHECK(object_id.message == R"("id" must be a JSON scalar)");

    auto typo = parse_error_of(R"({"id":2,"command":"help","arg":{}})");
    CHECK(typo.message == R"(unknown request member "arg" (expected "id", "command", "args"))");

    std::string deep = R"({"id":3,"command":"help","args":{"x":)" + std::string(100, '[') +
                       std::string(100, ']') + "}}";
    auto too_deep = parse_error_of(deep);
    CHECK(too_deep.code == "invalid_request");
    CHECK(too_deep.id_json == "3");
    CHECK(too_deep.message == "the request is nested deeper than 64 levels");
}

TEST_CASE("response lines are exact, one JSON object per line", "[control]") {
    rapidjson::Document result(rapidjson::kObjectType);
    json::add(result, "users", 3, result.GetAllocator());
    CHECK(ok_line("1", result) == "{\"id\":1,\"ok\":true,\"result\":{\"users\":3}}\n");
    CHECK(error_line("\"a\"", kFailed, "quote \" and\nnewline") ==
          "{\"id\":\"a\",\"ok\":false,\"error\":{\"code\":\"failed\",\"message\":\"quote \\\" "
          "and\\nnewline\"}}\n");
    CHECK(progress_line("null", result) == "{\"id\":null,\"progress\":{\"users\":3}}\n");
    CHECK(request_line("5", "help", nullptr) == "{\"id\":5,\"command\":\"help\"}\n");
    CHECK(request_line("5", "echo", &result) ==
          "{\"id\":5,\"command\":\"echo\",\"args\":{\"users\":3}}\n");
}

TEST_CASE("values that JSON cannot hold never end up on the wire", "[control]") {
    rapidjson::Value nan(std::numeric_limits<double>::quiet_NaN());
    CHECK(ok_line("1", nan) ==
          "{\"id\":1,\"ok\":false,\"error\":{\"code\":\"internal\",\"message\":\"the result could "
          "not be written as JSON\"}}\n");
    CHECK_FALSE(progress_line("1", nan).has_value());
}

TEST_CASE("json helpers build values without allocator noise", "[control]") {
    rapidjson::Document doc(rapidjson::kObjectType);
    auto& a = doc.GetAllocator();
    std::string owned = "copied";
    json::add(doc, "s", owned, a);
    json::add(doc, "literal", "text", a);
    json::add(doc, "flag", true, a);
    json::add(doc, "count", 7u, a);
    json::add(doc, "negative", std::int64_t{-2}, a);
    json::add(doc, "ratio", 0.5, a);
    json::add(doc, "none", std::optional<int>{}, a);
    json::add(doc, "some", std::optional<std::string>{"x"}, a);
    rapidjson::Value list(rapidjson::kArrayType);
    json::push(list, 1, a);
    json::push(list, "two", a);
    json::add(doc, "list", std::move(list), a);
    owned = "changed";
    CHECK(to_json(doc) ==
          R"({"s":"copied","literal":"text","flag":true,"count":7,"negative":-2,"ratio":0.5,)"
          R"("none":null,"some":"x","list":[1,"two"]})");
}
