// CSV of the users export: RFC 4180 quoting, and rows that parse back to what they came from.
#include <rapidjson/document.h>

#include <catch2/catch.hpp>

#include "csv_reader.hpp"
#include "rosterd/query/csv.hpp"

using namespace rosterd::query;
using rosterd::test::parse_csv;

TEST_CASE("CSV fields are quoted exactly when they must be", "[query][csv]") {
    CHECK(csv_field("plain text") == "plain text");
    CHECK(csv_field("") == "");
    CHECK(csv_field("a,b") == "\"a,b\"");
    CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_field("two\nlines") == "\"two\nlines\"");
    CHECK(csv_field("cr\r") == "\"cr\r\"");
    CHECK(csv_field(" padded") == "\" padded\"");
    CHECK(csv_field("Müller; Ørsted") == "Müller; Ørsted");
    CHECK(csv_record({"a", "b,c", ""}) == "a,\"b,c\",\r\n");
}

TEST_CASE("awkward values survive a CSV round trip", "[query][csv]") {
    std::vector<std::string> fields = {"O'Brien, \"Bob\"", "line1\r\nline2", "", " x ", ",", "\"",
                                       "ünïcødé"};
    auto parsed = parse_csv(csv_record(fields) + csv_record({"second"}));
    REQUIRE(parsed.size() == 2);
    CHECK(parsed[0] == fields);
    CHECK(parsed[1] == std::vector<std::string>{"second"});
}

TEST_CASE("a users row flattens into the export's columns", "[query][csv]") {
    rapidjson::Document row;
    row.Parse(R"({"account_id":"557058:abc","name":"Dana \"D\" Example","email":"dana@acme.com",
        "status":"active","account_type":"atlassian","sites":["a.example.net","b.example.net"],
        "products":[{"product":"jira-software","site":"a.example.net","role":"atlassian/admin",
                     "billable":true,"last_active":null},
                    {"product":"confluence","site":"b.example.net","role":"atlassian/guest",
                     "billable":false,"last_active":"2026-05-01T09:00:00.000Z"}],
        "groups":["eng","ops, infra"],"last_active":"2026-05-01T09:00:00.000Z",
        "added_to_org":null})");
    REQUIRE_FALSE(row.HasParseError());
    CHECK(user_csv_columns() == std::vector<std::string>{"account_id", "name", "email", "status",
                                                         "account_type", "sites", "products",
                                                         "groups", "last_active", "added_to_org"});
    auto cells = user_csv_cells(row);
    CHECK(cells == std::vector<std::string>{
                       "557058:abc", "Dana \"D\" Example", "dana@acme.com", "active", "atlassian",
                       "a.example.net; b.example.net",
                       "jira-software@a.example.net:admin; confluence@b.example.net:guest",
                       "eng; ops, infra", "2026-05-01T09:00:00.000Z", ""});
    CHECK(parse_csv(csv_record(cells))[0] == cells);
}
