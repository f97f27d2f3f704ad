// rosterd-sim's POST /_sim/churn: users change inside a chosen users/search request, as the sync
// tests need them to (status moves, and email moves between verified domains).
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>

#include "sim_live_server.hpp"

using namespace rosterd::sim;
using namespace rosterd::sim::test;

namespace {

std::map<std::string, std::string> emails_by_account(LiveSim& sim) {
    auto truth = sim.truth();
    std::map<std::string, std::string> emails;
    for (const auto& u : truth["users"].GetArray())
        emails[u["account_id"].GetString()] = u["email"].GetString();
    return emails;
}

std::string domain_of(const std::string& email) {
    return email.substr(email.find('@') + 1);
}

// Fires an armed plan: the next users/search request.
void fire(LiveSim& sim) {
    auto res = sim.post_json(sim.v2("/directories/-/users/search"), R"({"limit":1})");
    REQUIRE(res);
    REQUIRE(res->status == 200);
}

std::set<std::string> moved_accounts(LiveSim& sim) {
    auto state = parse_json(sim.anonymous.Get("/_sim/churn")->body);
    REQUIRE(state["fired"].GetBool());
    std::set<std::string> moved;
    for (const auto& id : state["moved"].GetArray())
        moved.insert(id.GetString());
    return moved;
}

// users/count of the users on `domain`.
std::int64_t count_on(LiveSim& sim, const std::string& domain) {
    auto res = sim.get(sim.v2("/directories/-/users/count?emailDomains=" + domain));
    REQUIRE(res);
    REQUIRE(res->status == 200);
    return parse_json(res->body)["count"].GetInt64();
}

}  // namespace

TEST_CASE("sim churn: rehome moves managed users to the next verified domain, found there",
          "[sim][churn]") {
    LiveSim sim(small_org(600, 7));
    const auto before = emails_by_account(sim);
    std::map<std::string, std::int64_t> counted_before;
    for (const std::string domain : {"acme.com", "acme.io", "acme-labs.com"})
        counted_before[domain] = count_on(sim, domain);

    auto armed = sim.anonymous.Post("/_sim/churn", R"({"after_pages":1,"rehome":30,"seed":3})",
                                    "application/json");
    REQUIRE(armed);
    REQUIRE(armed->status == 200);
    fire(sim);
    const auto moved = moved_accounts(sim);
    REQUIRE(moved.size() == 30);

    // Verified domains in order: acme-labs.com, acme.com, acme.io, then round again.
    const std::map<std::string, std::string> next = {
        {"acme-labs.com", "acme.com"}, {"acme.com", "acme.io"}, {"acme.io", "acme-labs.com"}};
    const auto after = emails_by_account(sim);
    std::map<std::string, std::int64_t> gained;
    for (const auto& [account, email] : after) {
        INFO(account);
        if (!moved.count(account)) {
            CHECK(email == before.at(account));
            continue;
        }
        const auto& old_email = before.at(account);
        CHECK(email.substr(0, email.find('@')) == old_email.substr(0, old_email.find('@')));
        CHECK(domain_of(email) == next.at(domain_of(old_email)));
        ++gained[domain_of(email)];
        --gained[domain_of(old_email)];
        // Found by its new address, not by its old one.
        auto by_new = sim.post_json(sim.v2("/directories/-/users/search"),
                                    R"({"limit":10,"emails":[")" + email + R"("]})");
        REQUIRE(by_new);
        CHECK(parse_json(by_new->body)["data"].Size() == 1);
        auto by_old = sim.post_json(sim.v2("/directories/-/users/search"),
                                    R"({"limit":10,"emails":[")" + old_email + R"("]})");
        REQUIRE(by_old);
        CHECK(parse_json(by_old->body)["data"].Size() == 0);
    }
    for (const auto& [domain, was] : counted_before)
        CHECK(count_on(sim, domain) == was + gained[domain]);
}

TEST_CASE("sim churn: rehome_to moves managed users to one domain, and bad plans are refused",
          "[sim][churn]") {
    LiveSim sim(small_org(600, 7));
    const auto on_io = count_on(sim, "acme.io");
    auto armed = sim.anonymous.Post(
        "/_sim/churn", R"({"after_pages":1,"rehome":50,"rehome_to":"acme.io","seed":3})",
        "application/json");
    REQUIRE(armed);
    REQUIRE(armed->status == 200);
    fire(sim);
    CHECK(moved_accounts(sim).size() == 50);
    CHECK(count_on(sim, "acme.io") == on_io + 50);

    for (const std::string bad : {R"({"rehome":-1})", R"({"rehome":1,"rehome_to":7})"}) {
        INFO(bad);
        auto refused = sim.anonymous.Post("/_sim/churn", bad, "application/json");
        REQUIRE(refused);
        CHECK(refused->status == 400);
    }
}
