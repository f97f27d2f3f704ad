// The accounts a sync has written and their user numbers, found without the account index the
// generation gets only once its users are in.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "daemon/sync/account_numbers.hpp"
#include "daemon/sync/snapshot_writer.hpp"
#include "rosterd/store/snapshot_slots.hpp"
#include "temp_dir.hpp"

using namespace rosterd;

namespace {

// Every account of the same length collides: the stored account must tell them apart.
std::uint64_t by_length(std::string_view account) {
    return account.size();
}

atlassian::DirectoryUser user(const std::string& account, const std::string& name,
                              std::vector<std::string> groups) {
    atlassian::DirectoryUser u;
    u.account_id = account;
    u.name = name;
    u.status = "active";
    for (const auto& g : groups)
        u.groups.push_back({g, g});
    return u;
}

struct Stored {
    std::map<std::string, std::string> name_of;  // account -> name
    std::map<std::string, std::int64_t> number_of;
    std::int64_t memberships = 0;
};

Stored read_back(store::Database& db, std::int64_t snapshot) {
    Stored stored;  // the first generation, with nothing published, is in slot 0
    auto users = db.prepare("SELECT account_id, name, user_no FROM users_0 WHERE snapshot_id = ?");
    users.bind(1, snapshot);
    while (users.step()) {
        stored.name_of[users.text(0)] = users.text(1);
        stored.number_of[users.text(0)] = users.int64(2);
    }
    auto groups = db.prepare("SELECT count(*) FROM user_groups_0 WHERE snapshot_id = ?");
    groups.bind(1, snapshot);
    groups.step();
    stored.memberships = groups.int64(0);
    return stored;
}

}  // namespace

TEST_CASE("account numbers: a repeated account is found, an account with the same hash is not",
          "[unit][sync]") {
    std::map<std::int64_t, std::string> stored;
    const sync::AccountNumbers::StoredAccount lookup = [&](std::int64_t number) {
        return stored.count(number) ? stored.at(number) : std::string();
    };
    sync::AccountNumbers numbers(&by_length);
    auto write = [&](const std::string& account) {
        if (auto found = numbers.find(account, lookup))
            return *found;
        const auto number = static_cast<std::int64_t>(stored.size()) + 1;
        stored[number] = account;
        numbers.add(account, number);
        return number;
    };
    CHECK(write("aaa") == 1);
    CHECK(write("bbb") == 2);  // same hash as aaa, kept apart
    CHECK(write("ccc") == 3);
    CHECK(write("dddd") == 4);
    CHECK(write("bbb") == 2);
    CHECK(write("aaa") == 1);
    CHECK(write("ccc") == 3);
    CHECK(write("dddd") == 4);
    CHECK(numbers.size() == 4);
    CHECK_FALSE(numbers.find("eee", lookup));

    // Many accounts: the table grows and every number is found again.
    sync::AccountNumbers many;
    std::map<std::int64_t, std::string> all;
    const sync::AccountNumbers::StoredAccount from_all = [&](std::int64_t n) { return all.at(n); };
    for (std::int64_t i = 1; i <= 5000; ++i) {
        all[i] = "account-" + std::to_string(i);
        REQUIRE_FALSE(many.find(all[i], from_all));
        many.add(all[i], i);
    }
    for (std::int64_t i = 1; i <= 5000; ++i)
        REQUIRE(many.find(all[i], from_all) == i);
    CHECK(many.size() == 5000);
    many.release();
    CHECK(many.size() == 0);
    CHECK_FALSE(many.find(all[1], from_all));
}

TEST_CASE(
    "write_users: without the account index, a repeated account replaces its earlier copy "
    "across batches and within one, and accounts with the same hash stay two users",
    "[unit][sync]") {
    test::TempDir dir;
    auto db = store::Database::open((dir / "rosterd.db").string());
    store::migrate(*db);
    const auto ids = sync::begin_snapshot(*db, "manual", 1000);
    const auto snapshot = ids.snapshot_id;
    // begin_snapshot left the slot without its index.
    auto index = db->prepare("SELECT count(*) FROM sqlite_master WHERE name = ?");
    auto has_index = [&] {
        index.bind(1, store::account_index(0));
        index.step();
        const bool found = index.int64(0) == 1;
        index.reset();
        return found;
    };
    CHECK_FALSE(has_index());

    sync::AccountNumbers numbers(&by_length);
    const sync::GroupGrants grants;
    CHECK(sync::write_users(*db, snapshot,
                            {user("acc-b", "B1", {"g1", "g2"}), user("acc-a", "A1", {"g1"}),
                             user("acc-b", "B2", {"g3"})},
                            grants, numbers) == 2);
    CHECK(sync::write_users(*db, snapshot,
                            {user("acc-c", "C1", {}), user("acc-a", "A2", {"g2", "g3"})}, grants,
                            numbers) == 1);
    sync::index_accounts(*db, snapshot);
    CHECK(has_index());

    const auto stored = read_back(*db, snapshot);
    CHECK(stored.name_of ==
          std::map<std::string, std::string>{{"acc-a", "A2"}, {"acc-b", "B2"}, {"acc-c", "C1"}});
    // Numbered in the order written; a replaced copy keeps its number.
    CHECK(stored.number_of ==
          std::map<std::string, std::int64_t>{{"acc-a", 2}, {"acc-b", 1}, {"acc-c", 3}});
    CHECK(stored.memberships == 3);  // acc-a: g2, g3; acc-b: g3

    // The index is built once: asking again changes nothing.
    sync::index_accounts(*db, snapshot);
    CHECK(has_index());
}
