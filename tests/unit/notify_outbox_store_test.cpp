// The outbox tables: recording events once, picking due deliveries, attempts, requeue, pruning.
#include <catch2/catch.hpp>

#include "daemon/notify/outbox_store.hpp"
#include "rosterd/store/store.hpp"
#include "temp_dir.hpp"

using namespace rosterd;
using namespace rosterd::notify;

namespace {

struct Db {
    test::TempDir dir;
    std::unique_ptr<store::Database> db;
    Db() {
        db = store::Database::open((dir / "outbox.db").string());
        store::migrate(*db);
    }
};

Event sample(const std::string& type) {
    Event e;
    e.type = type;
    e.at_ms = 1000;
    e.facts = {{"fingerprint", "0123456789ab"}, {"days_left", "7"}};
    return e;
}

outbox::Attempt attempt(std::int64_t id, int n, const std::string& state, std::int64_t at,
                        std::int64_t next, long status, const std::string& error) {
    outbox::Attempt a;
    a.id = id;
    a.attempts = n;
    a.state = *delivery_state_from(state);
    a.at = at;
    a.next_attempt_at = next;
    a.status = status;
    a.error = error;
    return a;
}

}  // namespace

TEST_CASE("an event becomes one pending delivery per webhook, due at once", "[notify]") {
    Db t;
    auto result = outbox::enqueue(*t.db, sample("sync_failed"), {"slack", "audit"}, 5000);
    CHECK(result.recorded);
    REQUIRE(result.delivery_ids.size() == 2);
    auto batch = outbox::load_due(*t.db, 5000, 100);
    REQUIRE(batch.due.size() == 2);
    CHECK(batch.due[0].webhook == "slack");
    CHECK(batch.due[1].webhook == "audit");
    CHECK(batch.due[0].event.type == "sync_failed");
    CHECK(batch.due[0].event.at_ms == 1000);
    CHECK(batch.due[0].event.facts.at("days_left") == "7");
    CHECK(batch.due[0].uuid != batch.due[1].uuid);  // each delivery has its own id
    CHECK(batch.due[0].attempts == 0);
    CHECK(batch.pending == 2);
    CHECK(batch.dead == 0);
    CHECK_FALSE(batch.next_due);
    // Not due before its time.
    CHECK(outbox::load_due(*t.db, 4999, 100).due.empty());
}

TEST_CASE("a once-only notice is recorded once, across connections", "[notify]") {
    Db t;
    CHECK(outbox::enqueue(*t.db, sample("api_key_expiring"), {"slack"}, 1, "k:fp:7").recorded);
    CHECK_FALSE(
        outbox::enqueue(*t.db, sample("api_key_expiring"), {"slack"}, 2, "k:fp:7").recorded);
    // A restart is a new connection to the same file.
    auto again = store::Database::open(t.db->path());
    CHECK_FALSE(
        outbox::enqueue(*again, sample("api_key_expiring"), {"slack"}, 3, "k:fp:7").recorded);
    CHECK(outbox::enqueue(*again, sample("api_key_expiring"), {"slack"}, 3, "k:fp:1").recorded);
    CHECK(outbox::load_due(*t.db, 10, 100).due.size() == 2);
    // With no webhook configured the notice is still recorded (and not repeated later).
    CHECK(outbox::enqueue(*t.db, sample("api_key_expired"), {}, 4, "expired:fp").recorded);
    CHECK_FALSE(
        outbox::enqueue(*t.db, sample("api_key_expired"), {"slack"}, 5, "expired:fp").recorded);
}

TEST_CASE("the org name of the latest snapshot is added when the event has none", "[notify]") {
    Db t;
    t.db->exec(
        "INSERT INTO snapshots (id, state, org_name, taken_at) VALUES (1, 'complete', 'Old', 1), "
        "(2, 'complete', 'Acme Corp', 2), (3, 'building', 'Half', 3)");
    outbox::enqueue(*t.db, sample("sync_failed"), {"a"}, 10);
    Event named = sample("test");
    named.facts["org_name"] = "Given";
    outbox::enqueue(*t.db, named, {"a"}, 11);
    auto due = outbox::load_due(*t.db, 20, 100).due;
    REQUIRE(due.size() == 2);
    CHECK(due[0].event.facts.at("org_name") == "Acme Corp");
    CHECK(due[1].event.facts.at("org_name") == "Given");
}

TEST_CASE("attempts move a delivery to delivered, later, or dead, and dead ones requeue",
          "[notify]") {
    Db t;
    auto ids = outbox::enqueue(*t.db, sample("test"), {"a", "b"}, 100).delivery_ids;
    outbox::record_attempt(*t.db, attempt(ids[0], 1, "pending", 110, 500, 503, "HTTP 503"));
    outbox::record_attempt(*t.db, attempt(ids[1], 1, "delivered", 120, 120, 200, ""));
    auto batch = outbox::load_due(*t.db, 200, 100);
    CHECK(batch.due.empty());
    CHECK(batch.next_due == 500);
    CHECK(batch.pending == 1);

    auto row = outbox::find_delivery(*t.db, ids[0]);
    REQUIRE(row);
    CHECK(to_string(row->state) == "pending");
    CHECK(row->attempts == 1);
    CHECK(row->last_status == 503);
    CHECK(row->last_error == "HTTP 503");
    CHECK(row->last_attempt_at == 110);
    auto delivered = outbox::find_delivery(*t.db, ids[1]);
    CHECK(to_string(delivered->state) == "delivered");
    CHECK(delivered->delivered_at == 120);
    CHECK(delivered->last_error.empty());

    outbox::record_attempt(*t.db, attempt(ids[0], 2, "dead", 510, 9999, 503, "HTTP 503 again"));
    CHECK(outbox::load_due(*t.db, 100000, 100).dead == 1);
    CHECK(outbox::requeue_dead(*t.db, ids[1], 600) == outbox::Requeue::not_dead);
    CHECK(outbox::requeue_dead(*t.db, 999, 600) == outbox::Requeue::not_found);
    CHECK(outbox::requeue_dead(*t.db, ids[0], 600) == outbox::Requeue::requeued);
    auto due = outbox::load_due(*t.db, 600, 100).due;
    REQUIRE(due.size() == 1);
    CHECK(due[0].id == ids[0]);
    CHECK(due[0].attempts == 0);        // a fresh set of attempts
    CHECK(due[0].window_start == 600);  // and a fresh age window

    auto dead = outbox::list_deliveries(*t.db, 10, DeliveryState::delivered);
    REQUIRE(dead.size() == 1);
    CHECK(dead[0].id == ids[1]);
    CHECK(dead[0].event_type == "test");
    auto all = outbox::list_deliveries(*t.db, 10, std::nullopt);
    REQUIRE(all.size() == 2);
    CHECK(all[0].id == ids[1]);  // newest first
}

TEST_CASE("pruning drops old finished deliveries but keeps once-only markers", "[notify]") {
    Db t;
    auto old_id = outbox::enqueue(*t.db, sample("test"), {"a"}, 100).delivery_ids[0];
    auto notice =
        outbox::enqueue(*t.db, sample("api_key_expiring"), {"a"}, 100, "once").delivery_ids[0];
    auto fresh = outbox::enqueue(*t.db, sample("test"), {"a"}, 5000).delivery_ids[0];
    outbox::record_attempt(*t.db, attempt(old_id, 1, "delivered", 110, 110, 200, ""));
    outbox::record_attempt(*t.db, attempt(notice, 1, "delivered", 110, 110, 200, ""));
    outbox::record_attempt(*t.db, attempt(fresh, 1, "delivered", 5010, 5010, 200, ""));
    CHECK(outbox::prune(*t.db, 1000) == 2);
    CHECK_FALSE(outbox::find_delivery(*t.db, old_id));
    CHECK(outbox::find_delivery(*t.db, fresh));
    CHECK_FALSE(outbox::enqueue(*t.db, sample("api_key_expiring"), {"a"}, 6000, "once").recorded);
}

TEST_CASE("facts survive the JSON round trip", "[notify]") {
    std::map<std::string, std::string> facts{{"error", "quote \" and \\ and \n newline"},
                                             {"org_name", "Åcme"}};
    CHECK(outbox::facts_from_json(outbox::facts_to_json(facts)) == facts);
    CHECK(outbox::facts_from_json("not json").empty());
}
