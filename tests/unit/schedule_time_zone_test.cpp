#include <catch2/catch.hpp>

#include <date/tz.h>

#include "rosterd/base/time_format.hpp"
#include "rosterd/schedule/schedule.hpp"

using namespace rosterd;

namespace {

SysTime at(std::string_view iso) {
    auto ms = parse_iso8601_ms(iso);
    REQUIRE(ms.has_value());
    return SysTime{std::chrono::milliseconds{*ms}};
}

}  // namespace

TEST_CASE("find_time_zone locates IANA names", "[schedule]") {
    std::string error = "untouched";
    const date::time_zone* berlin = find_time_zone("Europe/Berlin", &error);
    REQUIRE(berlin != nullptr);
    CHECK(berlin->name() == "Europe/Berlin");
    CHECK(error == "untouched");
    REQUIRE(find_time_zone("Australia/Lord_Howe", nullptr) != nullptr);
    CHECK(find_time_zone("Australia/Lord_Howe", nullptr)->name() == "Australia/Lord_Howe");
}

TEST_CASE("find_time_zone reports unknown names instead of throwing", "[schedule]") {
    std::string error;
    CHECK(find_time_zone("Mars/Olympus_Mons", &error) == nullptr);
    CHECK(error ==
          "unknown time zone 'Mars/Olympus_Mons': expected an IANA name from the tz database, "
          "e.g. 'Europe/Berlin' or 'UTC'");
    CHECK(find_time_zone("", &error) == nullptr);
    CHECK(error ==
          "unknown time zone '': expected an IANA name from the tz database, e.g. "
          "'Europe/Berlin' or 'UTC'");
    CHECK(find_time_zone("europe/berlin", nullptr) == nullptr);  // names are case-sensitive
}

TEST_CASE("system_time_zone always yields a zone", "[schedule]") {
    const date::time_zone* system = system_time_zone();
    REQUIRE(system != nullptr);
    CHECK_FALSE(system->name().empty());
}

TEST_CASE("format_local shows local date, minute and zone abbreviation", "[schedule]") {
    CHECK(format_local(at("2026-03-29T03:00:00Z"), find_time_zone("Europe/Berlin", nullptr)) ==
          "2026-03-29 05:00 CEST");
    CHECK(format_local(at("2026-01-15T04:00:59.999Z"), find_time_zone("Europe/Berlin", nullptr)) ==
          "2026-01-15 05:00 CET");
    CHECK(format_local(at("2026-03-28T23:30:00Z"), find_time_zone("Asia/Kolkata", nullptr)) ==
          "2026-03-29 05:00 IST");
    CHECK(format_local(at("2026-11-01T05:30:00Z"), find_time_zone("America/New_York", nullptr)) ==
          "2026-11-01 01:30 EDT");
    CHECK(format_local(at("2026-11-01T06:30:00Z"), find_time_zone("America/New_York", nullptr)) ==
          "2026-11-01 01:30 EST");
    CHECK(format_local(at("2026-03-10T12:00:00Z"), find_time_zone("UTC", nullptr)) ==
          "2026-03-10 12:00 UTC");
}
