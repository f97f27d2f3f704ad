// Webhook payloads: golden files for every format and event (tests/unit/notify_golden/), plus the
// rules each chat tool enforces. Regenerate the goldens after an intended change with
//   ROSTERD_UPDATE_GOLDEN=1 rosterd_unit_tests "[notify][golden]"
// and review the diff.
#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "rosterd/base/time_format.hpp"
#include "rosterd/notify/format.hpp"

using namespace rosterd;
using namespace rosterd::notify;

namespace {

const RenderContext kContext{"rosterd-host", "0.1.0", 42, "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"};

std::int64_t ms(const char* iso) {
    return *parse_iso8601_ms(iso);
}

Event event(std::string type, std::map<std::string, std::string> facts) {
    Event e;
    e.type = std::move(type);
    e.at_ms = ms("2026-04-24T06:00:00Z");
    e.facts = std::move(facts);
    e.facts["org_id"] = "3f9c1b2e-5d4a-4c1e-9b7a-2a6d8e0f1c35";
    e.facts["org_name"] = "Acme Corp";
    return e;
}

// One realistic event per type, with the facts its emitter sends.
std::vector<Event> sample_events() {
    return {
        event("api_key_expiring", {{"fingerprint", "0123456789ab"},
                                   {"source", "stored"},
                                   {"expires", "2026-05-01"},
                                   {"days_left", "7"},
                                   {"lead_days", "7"}}),
        event("api_key_expired", {{"fingerprint", "0123456789ab"},
                                  {"source", "api_key_file"},
                                  {"expires", "2026-04-24"},
                                  {"days_left", "0"}}),
        event("api_key_rejected", {{"fingerprint", "0123456789ab"}, {"source", "credential"}}),
        event("sync_failed", {{"run_id", "17"},
                              {"users", "0"},
                              {"groups", "0"},
                              {"requests", "3"},
                              {"error", "http 503: Service Unavailable (6 attempts)"}}),
        event("sync_succeeded",
              {{"run_id", "18"}, {"users", "1204"}, {"groups", "57"}, {"requests", "31"}}),
        event("run_succeeded", {{"run_id", "5"},
                                {"task", "reclaim-jira"},
                                {"ok", "12"},
                                {"failed", "0"},
                                {"skipped", "2"}}),
        event("run_partially_failed", {{"run_id", "6"},
                                       {"task", "reclaim-jira"},
                                       {"ok", "10"},
                                       {"failed", "2"},
                                       {"skipped", "1"}}),
        event("run_failed", {{"run_id", "7"},
                             {"task", "suspend-leavers"},
                             {"ok", "0"},
                             {"failed", "0"},
                             {"skipped", "0"},
                             {"error", "the API key was rejected (HTTP 401)"}}),
        event("sync_interrupted", {{"run_id", "19"},
                                   {"trigger", "schedule"},
                                   {"started_at", "2026-04-24T05:00:00Z"},
                                   {"requests", "412"},
                                   {"error", "rosterd stopped before the sync finished"}}),
        event("run_cancelled", {{"run_id", "8"},
                                {"task", "reclaim-jira"},
                                {"ok", "4"},
                                {"failed", "0"},
                                {"skipped", "16"},
                                {"cancelled_by", "alice (uid 1000)"},
                                {"reason", "wrong filter"}}),
        event("run_refused", {{"run_id", "9"},
                              {"task", "reclaim-jira"},
                              {"ok", "0"},
                              {"failed", "0"},
                              {"skipped", "0"},
                              {"caller", "rosterd (schedule)"},
                              {"error",
                               "the plan acts on 140 users, more than the cap of 100 "
                               "(the task's max_users)"}}),
        event("users_noticed", {{"task", "reclaim-jira"},
                                {"count", "12"},
                                {"users", "Ann Lee, Bob Roe, Cid Poe, Dee Ray, Eve Fox and 7 more"},
                                {"deadline", "2026-05-15 06:00:00 UTC"},
                                {"run_id", "11"}}),
        event("users_released", {{"task", "reclaim-jira"},
                                 {"count", "2"},
                                 {"users", "Ann Lee, Bob Roe"},
                                 {"run_id", "12"}}),
        event("run_nothing_to_do", {{"run_id", "10"},
                                    {"task", "reclaim-jira"},
                                    {"ok", "0"},
                                    {"failed", "0"},
                                    {"skipped", "3"}}),
        event("digest", {{"billable", "1840"},
                         {"active", "1680"},
                         {"inactive", "160"},
                         {"currency", "EUR"},
                         {"monthly_cost", "13855.20"},
                         {"inactive_monthly_cost", "1204.80"},
                         {"week_ago", "2026-04-17"},
                         {"billable_change", "-12"},
                         {"inactive_change", "-20"},
                         {"inactive_cost_change", "-150.60"},
                         {"realised_monthly", "301.20"},
                         {"realised_seats", "40"},
                         {"runs_this_week", "2"}}),
        event("test", {{"webhook", "ops-slack"}, {"requested_by", "alice (uid 1000)"}}),
        event("seats_near_capacity", {{"product", "jira-software"},
                                      {"product_name", "Jira"},
                                      {"site", "acme.atlassian.net"},
                                      {"resource_id", "ari:cloud:jira::site/1"},
                                      {"seats", "192"},
                                      {"capacity", "200"},
                                      {"percent", "96"},
                                      {"at_percent", "95"},
                                      {"crossing", "1"}}),
        event("seats_over_target", {{"task", "keep-jira-at-150"},
                                    {"run_id", "11"},
                                    {"state", "planned"},
                                    {"mode", "dry-run"},
                                    {"product", "jira-software"},
                                    {"site", "acme.atlassian.net"},
                                    {"target", "150"},
                                    {"seats", "192"},
                                    {"taken", "30"},
                                    {"candidates", "30"},
                                    {"over_after", "12"}}),
    };
}

std::string pretty(const std::string& compact) {
    rapidjson::Document doc;
    doc.Parse(compact.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    rapidjson::StringBuffer buffer;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
    writer.SetIndent(' ', 2);
    doc.Accept(writer);
    return std::string(buffer.GetString()) + "\n";
}

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

rapidjson::Document parse(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    return doc;
}

}  // namespace

TEST_CASE("the samples cover every event type, so each has its golden payloads", "[notify]") {
    std::set<std::string> sampled, declared;
    for (const auto& e : sample_events())
        sampled.insert(e.type);
    for (auto type : rosterd::kEventTypes)
        declared.emplace(type);
    CHECK(sampled == declared);
}

TEST_CASE("payloads match the golden files for every format and event", "[notify][golden]") {
    std::filesystem::path dir =
        std::filesystem::path(ROSTERD_SOURCE_DIR) / "tests/unit/notify_golden";
    bool update = std::getenv("ROSTERD_UPDATE_GOLDEN") != nullptr;
    for (Format format :
         {Format::slack, Format::teams, Format::google_chat, Format::discord, Format::json}) {
        for (const auto& e : sample_events()) {
            auto path = dir / std::string(to_string(format)) / (e.type + ".json");
            INFO(path.string());
            std::string got = pretty(render_payload(format, e, kContext));
            if (update) {
                std::filesystem::create_directories(path.parent_path());
                std::ofstream(path, std::ios::binary) << got;
                continue;
            }
            REQUIRE(std::filesystem::exists(path));
            CHECK(got == read_text(path));
        }
    }
}

TEST_CASE("an expiring key's message carries what a reader needs", "[notify]") {
    auto m = describe_event(sample_events()[0], kContext);
    CHECK(m.severity == Severity::warning);
    CHECK(m.title == "Atlassian API key expires in 7 days");
    CHECK(m.summary ==
          "The organization API key for Acme Corp expires on 2026-05-01, in 7 days. rosterd "
          "cannot sync or run operations after that.");
    using Facts = std::vector<std::pair<std::string, std::string>>;
    CHECK(m.facts == Facts{{"Organization", "Acme Corp (3f9c1b2e-5d4a-4c1e-9b7a-2a6d8e0f1c35)"},
                           {"Key", "fingerprint 0123456789ab (stored by rosterctl key set)"},
                           {"Expires", "2026-05-01"},
                           {"Days left", "7"}});
    CHECK(m.action ==
          "Create a new organization API key in admin.atlassian.com (Settings > API keys), then "
          "run `rosterctl key set --expires YYYY-MM-DD` on rosterd-host.");
}

TEST_CASE("one day left is singular, and unknown facts still reach the reader", "[notify]") {
    auto e = event("api_key_expiring",
                   {{"days_left", "1"}, {"expires", "2026-04-25"}, {"note", "from a test"}});
    auto m = describe_event(e, kContext);
    CHECK(m.title == "Atlassian API key expires in 1 day");
    REQUIRE_FALSE(m.facts.empty());
    CHECK(m.facts.back() == std::pair<std::string, std::string>{"note", "from a test"});
}

TEST_CASE("each format follows its chat tool's rules", "[notify]") {
    Event e = sample_events()[3];  // sync_failed
    e.facts["org_name"] = "R&D <Ops>";
    e.facts["error"] = std::string(5000, 'x');

    SECTION("Slack: text fallback, header, escaped mrkdwn, limits") {
        auto doc = parse(render_payload(Format::slack, e, kContext));
        std::string text = doc["text"].GetString();
        CHECK_THAT(text, Catch::StartsWith("The sync of R&amp;D &lt;Ops&gt; failed: xxx"));
        CHECK(text.size() <= 3000);
        const auto& blocks = doc["blocks"];
        CHECK(std::string(blocks[0]["type"].GetString()) == "header");
        CHECK(std::string(blocks[0]["text"]["type"].GetString()) == "plain_text");
        CHECK(std::string(blocks[0]["text"]["text"].GetString()) == "Sync failed");
        const auto& fields = blocks[2]["fields"];
        CHECK(fields.Size() <= 10);
        for (const auto& f : fields.GetArray())
            CHECK(f["text"].GetStringLength() <= 2000);
        CHECK(std::string(fields[0]["text"].GetString()) ==
              "*Organization*\nR&amp;D &lt;Ops&gt; (3f9c1b2e-5d4a-4c1e-9b7a-2a6d8e0f1c35)");
    }
    SECTION("Teams: an Adaptive Card in an attachments array") {
        auto doc = parse(render_payload(Format::teams, e, kContext));
        CHECK(std::string(doc["type"].GetString()) == "message");
        const auto& attachment = doc["attachments"][0];
        CHECK(std::string(attachment["contentType"].GetString()) ==
              "application/vnd.microsoft.card.adaptive");
        CHECK(attachment["contentUrl"].IsNull());
        CHECK(std::string(attachment["content"]["type"].GetString()) == "AdaptiveCard");
        CHECK(std::string(attachment["content"]["body"][0]["text"].GetString()) == "Sync failed");
        CHECK(std::string(attachment["content"]["body"][0]["color"].GetString()) == "Warning");
    }
    SECTION("Google Chat: cardsV2 with escaped HTML and a bounded size") {
        std::string body = render_payload(Format::google_chat, e, kContext);
        CHECK(body.size() < 32000);
        auto doc = parse(body);
        const auto& card = doc["cardsV2"][0]["card"];
        CHECK(std::string(card["header"]["title"].GetString()) == "Sync failed");
        CHECK(std::string(card["sections"][0]["widgets"][0]["decoratedText"]["text"].GetString()) ==
              "R&amp;D &lt;Ops&gt; (3f9c1b2e-5d4a-4c1e-9b7a-2a6d8e0f1c35)");
    }
    SECTION("Discord: one embed within limits, decimal colour, no pings") {
        auto doc = parse(render_payload(Format::discord, e, kContext));
        CHECK(doc["allowed_mentions"]["parse"].Size() == 0);
        const auto& embed = doc["embeds"][0];
        CHECK(embed["color"].GetInt64() == 0xE8A317);
        CHECK(embed["description"].GetStringLength() <= 4096);
        std::size_t total =
            embed["title"].GetStringLength() + embed["description"].GetStringLength();
        for (const auto& f : embed["fields"].GetArray()) {
            CHECK(f["value"].GetStringLength() <= 1024);
            CHECK(f["value"].GetStringLength() > 0);
            total += f["name"].GetStringLength() + f["value"].GetStringLength();
        }
        CHECK(total <= 6000);
        CHECK(std::string(embed["timestamp"].GetString()) == "2026-04-24T06:00:00.000Z");
    }
    SECTION("json: the versioned envelope with typed data") {
        auto doc = parse(render_payload(Format::json, e, kContext));
        CHECK(doc["version"].GetInt() == kEnvelopeVersion);
        CHECK(std::string(doc["event"].GetString()) == "sync_failed");
        CHECK(doc["event_id"].GetInt64() == 42);
        CHECK(std::string(doc["delivery_id"].GetString()) == kContext.delivery_id);
        CHECK(std::string(doc["organization"]["name"].GetString()) == "R&D <Ops>");
        CHECK(doc["data"]["run_id"].GetInt64() == 17);
        CHECK(doc["data"]["requests"].GetInt64() == 3);
        CHECK(doc["data"]["error"].GetStringLength() == 5000);  // machines get it whole
        CHECK_FALSE(doc["data"].HasMember("org_name"));
    }
}

TEST_CASE("truncation keeps UTF-8 whole", "[notify]") {
    CHECK(truncate_utf8("short", 10) == "short");
    CHECK(truncate_utf8("abcdefghij", 8) == "abcde...");
    // "é" is two bytes; the cut never splits it.
    CHECK(truncate_utf8("abcd\xC3\xA9"
                        "fgh",
                        8) == "abcd...");
    CHECK(truncate_utf8("abcdef", 2) == "..");
}

TEST_CASE("format names", "[notify]") {
    CHECK(parse_format("google-chat") == Format::google_chat);
    CHECK(parse_format("teams") == Format::teams);
    CHECK_FALSE(parse_format("email"));
    CHECK(to_string(Format::google_chat) == "google-chat");
}
