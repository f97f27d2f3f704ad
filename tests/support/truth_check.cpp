#include "truth_check.hpp"

#include <catch2/catch.hpp>

#include "rosterd/store/store.hpp"

namespace rosterd::test {

namespace {

// Returns the access rows checked.
std::size_t check_users(const SnapshotView& view, const rapidjson::Document& truth,
                        const std::set<std::string>& changed) {
    const auto& users = truth["users"];
    REQUIRE(view.user_status.size() == users.Size());
    std::size_t access_rows = 0;
    for (const auto& u : users.GetArray()) {
        std::string account = u["account_id"].GetString();
        INFO("user " << account);
        REQUIRE(view.user_status.count(account) == 1);
        if (!changed.count(account))
            CHECK(view.user_status.at(account) == u["status"].GetString());
        for (const auto& a : u["access"].GetArray()) {
            ++access_rows;
            std::string resource = a["resource_id"].GetString();
            INFO("resource " << resource);
            auto found = view.access.find({account, resource});
            REQUIRE(found != view.access.end());
            CHECK(found->second.role == a["role"].GetString());
            CHECK(found->second.via == a["via"].GetString());
            if (a["last_active_ms"].IsNull())
                CHECK_FALSE(found->second.last_active.has_value());
            else
                CHECK(found->second.last_active == a["last_active_ms"].GetInt64());
        }
    }
    return access_rows;
}

}  // namespace

void check_snapshot_holds_truth_users(const SnapshotView& view, const rapidjson::Document& truth,
                                      const std::set<std::string>& changed) {
    const auto access_rows = check_users(view, truth, changed);
    CHECK(view.access.size() == access_rows);
    CHECK(view.groups == static_cast<std::int64_t>(truth["groups"].Size()));
}

void check_snapshot_matches_truth(const SnapshotView& view, const rapidjson::Document& truth) {
    const auto access_rows = check_users(view, truth, {});
    CHECK(view.access.size() == access_rows);
    for (const auto& b : truth["billable"].GetArray()) {
        std::string resource = b["resource_id"].GetString();
        INFO(b["product"].GetString() << " on " << b["site"].GetString());
        auto found = view.billable_per_resource.find(resource);
        std::int64_t got = found == view.billable_per_resource.end() ? 0 : found->second;
        CHECK(got == static_cast<std::int64_t>(b["users"].Size()));
    }
    CHECK(view.groups == static_cast<std::int64_t>(truth["groups"].Size()));
}

bool database_is_sound(const std::string& db_path) {
    auto db = rosterd::store::Database::open(db_path, rosterd::store::Database::Mode::read_only);
    auto check = db->prepare("PRAGMA integrity_check");
    return check.step() && check.text(0) == "ok";
}

}  // namespace rosterd::test
