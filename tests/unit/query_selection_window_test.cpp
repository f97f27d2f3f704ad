// A user selection holds for a window of instants (select_users reports its end), and the
// selection cache reuses an answer only inside that window and computes one selection once for
// identical questions asked together.
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "daemon/query/selection_cache.hpp"
#include "rosterd/query/snapshot.hpp"

using namespace rosterd;

namespace {

constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kNow = 1'790'000'000'000;

// A random snapshot: users with and without products, activity spread over 120 days (some never
// active, some joined at an unknown instant), a few exactly at a 30-day cutoff.
query::SnapshotIndex random_index(std::mt19937& random) {
    query::SnapshotIndex index;
    const std::size_t product_count = 1 + random() % 3;
    for (std::size_t p = 0; p < product_count; ++p)
        index.products.push_back({"res-" + std::to_string(p),
                                  p % 2 ? "confluence" : "jira",
                                  "site-" + std::to_string(p) + ".atlassian.net",
                                  {}});
    index.listed_products = product_count;
    const auto active = index.intern("active");
    const auto suspended = index.intern("suspended");
    auto instant = [&]() -> std::int64_t {
        switch (random() % 6) {
            case 0:
                return query::kNoInstant;
            case 1:
                return kNow - 30 * kDay;
            default:
                return kNow - static_cast<std::int64_t>(random() % (120 * kDay));
        }
    };
    const std::size_t user_count = random() % 80;
    for (std::size_t u = 0; u < user_count; ++u) {
        query::IndexedUser user;
        user.account_id = index.keep("acc-" + std::to_string(1000 + u));
        user.name_lower = user.name = index.keep("user " + std::to_string(random() % 50));
        user.status = random() % 4 ? active : suspended;
        user.added = instant();
        user.access_begin = static_cast<std::uint32_t>(index.access.size());
        for (std::size_t p = 0; p < product_count; ++p)
            if (random() % 2) {
                query::IndexedAccess a;
                a.product = static_cast<std::uint32_t>(p);
                a.billable = true;
                a.last_active = instant();
                user.last_active = std::max(user.last_active, a.last_active);
                index.access.push_back(a);
            }
        user.access_end = static_cast<std::uint32_t>(index.access.size());
        index.users.push_back(user);
    }
    index.index_users();
    return index;
}

query::UserSelection selection_at(const std::vector<UserFilter>& filters, std::int64_t now) {
    return {filters, query::UserSort::name, now};
}

}  // namespace

TEST_CASE(
    "a selection holds from its instant until the instant select_users reports, and "
    "changes there",
    "[query][cache]") {
    std::mt19937 random(20261204);
    int changed = 0, forever = 0;
    for (int round = 0; round < 300; ++round) {
        const auto index = random_index(random);
        UserFilter filter;
        filter.inactive_days = 1 + static_cast<int>(random() % 90);
        if (random() % 2)
            filter.product = random() % 2 ? "jira" : "confluence";
        const std::int64_t now = kNow + static_cast<std::int64_t>(random() % kDay);
        std::int64_t until = 0;
        const auto at_now = query::select_users(index, selection_at({filter}, now), until);
        REQUIRE(until > now);
        INFO("round " << round << ", until " << until);
        // Every instant of the window answers the same: its first, its last and some between.
        std::vector<std::int64_t> instants{now, now + 1};
        if (until != query::kNever) {
            instants.push_back(until - 1);
            for (int i = 0; i < 5; ++i)
                instants.push_back(now + static_cast<std::int64_t>(random() % (until - now)));
        } else {
            instants.push_back(now + 400 * kDay);
        }
        for (auto t : instants)
            CHECK(query::select_users(index, selection_at({filter}, t)) == at_now);
        // Where the window ends, a user has just become idle long enough: the answer grows.
        if (until != query::kNever) {
            const auto at_end = query::select_users(index, selection_at({filter}, until));
            CHECK(at_end.size() > at_now.size());
            ++changed;
        } else {
            ++forever;
        }
    }
    // Both kinds of window occurred, so both branches above were exercised.
    CHECK(changed > 50);
    CHECK(forever > 5);
}

TEST_CASE("with other conditions and a second filter the window still never ends too late",
          "[query][cache]") {
    std::mt19937 random(7);
    for (int round = 0; round < 300; ++round) {
        const auto index = random_index(random);
        UserFilter saved;
        saved.statuses = {"active"};
        saved.inactive_days = 1 + static_cast<int>(random() % 60);
        UserFilter flags;
        flags.inactive_days = 1 + static_cast<int>(random() % 90);
        flags.product = "jira";
        const std::int64_t now = kNow;
        std::int64_t until = 0;
        const auto at_now = query::select_users(index, selection_at({saved, flags}, now), until);
        REQUIRE(until > now);
        INFO("round " << round);
        // Brute force: the first instant (to the day, then to the millisecond) the answer changes
        // is not before the reported end.
        for (std::int64_t t = now; t < now + 200 * kDay && t < until; t += kDay / 4)
            CHECK(query::select_users(index, selection_at({saved, flags}, t)) == at_now);
        if (until != query::kNever)
            CHECK(query::select_users(index, selection_at({saved, flags}, until - 1)) == at_now);
    }
}

TEST_CASE(
    "the selection cache finds an answer only for its key, inside its window and while "
    "its index is held",
    "[query][cache]") {
    query::SelectionCache cache;
    auto index = std::make_shared<const query::SnapshotIndex>();
    auto users = std::make_shared<const std::vector<std::uint32_t>>(std::vector<std::uint32_t>{3});
    cache.remember({"jira 30d", index, users, 10, 1000, 5000});
    CHECK(cache.find("jira 30d", 999) == nullptr);  // before it was computed for
    REQUIRE(cache.find("jira 30d", 1000) != nullptr);
    CHECK(cache.find("jira 30d", 4999)->users == users);
    CHECK(cache.find("jira 30d", 5000) == nullptr);  // where it may no longer hold
    CHECK(cache.find("jira 60d", 2000) == nullptr);

    // One entry per key: a newer window replaces the older one.
    cache.remember({"jira 30d", index, users, 10, 5000, 9000});
    CHECK(cache.size() == 1);
    CHECK(cache.find("jira 30d", 2000) == nullptr);
    CHECK(cache.find("jira 30d", 6000) != nullptr);

    // The most recently used stay: "jira 30d", asked again, outlives keys remembered after it.
    for (std::size_t i = 0; i + 1 < query::SelectionCache::kEntries; ++i)
        cache.remember({"key " + std::to_string(i), index, users, 10, 0, query::kNever});
    REQUIRE(cache.find("jira 30d", 6000) != nullptr);
    cache.remember({"one more", index, users, 10, 0, query::kNever});
    CHECK(cache.size() == query::SelectionCache::kEntries);
    CHECK(cache.find("jira 30d", 6000) != nullptr);
    CHECK(cache.find("key 0", 1) == nullptr);  // the least recently used went
    CHECK(cache.find("one more", 1) != nullptr);

    // An index a sync let go: its entries are misses (the question computes, or waits for the
    // one computing), not answers.
    auto other = std::make_shared<const query::SnapshotIndex>();
    cache.remember({"scoped", other, users, 10, 0, query::kNever});
    REQUIRE(cache.find("scoped", 1) != nullptr);
    other.reset();
    CHECK(cache.find("scoped", 1) == nullptr);
}

TEST_CASE("identical questions asked together wait for one computation, then ask again",
          "[query][cache]") {
    query::SelectionCache cache;
    std::vector<std::string> ran;
    CHECK_FALSE(cache.wait("k", [&] { ran.push_back("never"); }));  // the first one computes
    CHECK(cache.wait("k", [&] { ran.push_back("second"); }));
    CHECK(cache.wait("k", [&] { ran.push_back("third"); }));
    CHECK_FALSE(cache.wait("other", [&] { ran.push_back("never"); }));  // another key computes
    CHECK(ran.empty());

    cache.computed("k");
    CHECK(ran == std::vector<std::string>{"second", "third"});

    // A waiting question that fails does not strand the others.
    CHECK_FALSE(cache.wait("f", [] {}));
    CHECK(cache.wait("f", [] { throw std::runtime_error("no"); }));
    CHECK(cache.wait("f", [&] { ran.push_back("after the failure"); }));
    cache.computed("f");
    REQUIRE(ran.size() == 3);
    CHECK(ran.back() == "after the failure");
    ran.pop_back();
    // Nobody computes k now: the next question computes it (and a retry that misses again would).
    CHECK_FALSE(cache.wait("k", [] {}));
    cache.computed("k");
    cache.computed("k");  // nothing waits: harmless
    CHECK(ran.size() == 2);

    cache.count_answer(true);
    cache.count_answer(false);
    cache.count_answer(false);
    CHECK(cache.answers_computed() == 1);
    CHECK(cache.answers_reused() == 2);
}
