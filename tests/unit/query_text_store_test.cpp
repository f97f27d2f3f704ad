// The query index's text storage: views stay valid however many texts are kept and when the
// index is moved; lowering shares the text when there is nothing to lower.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "rosterd/query/snapshot.hpp"

using rosterd::query::SnapshotIndex;
using rosterd::query::TextStore;

TEST_CASE("kept texts stay valid across blocks, long texts and moves", "[query][index]") {
    TextStore store;
    std::vector<std::string> originals;
    std::vector<std::string_view> kept;
    // 300,000 bytes of short texts fill several 64 KiB blocks; every 1000th is longer than a
    // quarter block and gets a block of its own without disturbing the current one.
    for (int i = 0; i < 20000; ++i) {
        originals.push_back(i % 1000 == 999 ? std::string(20000, static_cast<char>('a' + i % 26))
                                            : "user-" + std::to_string(i) + "@example.com");
        kept.push_back(store.keep(originals.back()));
    }
    TextStore moved = std::move(store);
    for (std::size_t i = 0; i < kept.size(); ++i) {
        INFO(i);
        REQUIRE(kept[i] == originals[i]);
        REQUIRE(kept[i].data() != originals[i].data());  // a copy, not the caller's buffer
    }
    CHECK(moved.keep("").empty());
}

TEST_CASE("keep_lower shares a text with nothing to lower and lowers ASCII only",
          "[query][index]") {
    TextStore store;
    auto lower = store.keep("ada@example.com");
    CHECK(store.keep_lower(lower).data() == lower.data());
    auto mixed = store.keep("Ada Lovelace ÄB");
    auto lowered = store.keep_lower(mixed);
    CHECK(lowered == "ada lovelace Äb");  // bytes beyond ASCII (Ä) are left as they are
    CHECK(lowered.data() != mixed.data());
}

TEST_CASE("an index's users are found by account id after the index is moved", "[query][index]") {
    SnapshotIndex index;
    for (std::string id : {"acc-c", "acc-a", "acc-b"}) {
        rosterd::query::IndexedUser u;
        u.account_id = index.keep(id);  // `id` dies with the loop: the index holds its own copy
        index.users.push_back(u);
    }
    index.index_users();
    SnapshotIndex moved = std::move(index);
    CHECK(moved.find_user("acc-a") == 1u);
    CHECK(moved.find_user("acc-b") == 2u);
    CHECK(moved.find_user("acc-c") == 0u);
    CHECK_FALSE(moved.find_user("acc-d").has_value());
    CHECK_FALSE(moved.find_user("acc").has_value());
}
