// What the outbox remembers across a restart: status reports the last successful delivery from
// the database, not only from what this run of the daemon delivered.
#include <catch2/catch.hpp>

#include "daemon_fixture.hpp"
#include "notify_helpers.hpp"
#include "sim_fixture.hpp"

using namespace rosterd::test;

TEST_CASE("status shows the last delivery after a restart", "[integration][notify]") {
    SimFixture sim({"--users", "10", "--sites", "1"});
    DaemonFixture daemon("notifications:\n  webhooks:\n    - name: chat\n      url: " +
                         sim.base_url() + "/sink/restart-chat\n      format: slack\n");
    auto before = daemon.ctl_json({"status"});
    CHECK(before["notify"]["last_delivered"].IsNull());

    REQUIRE(daemon.ctl({"notify", "test", "chat"}).exit_code == 0);
    REQUIRE(sink_count(sim, "restart-chat") == 1);
    auto list = daemon.ctl_json({"notify", "list"});
    REQUIRE(list["deliveries"].Size() == 1);
    const std::string delivered_at = list["deliveries"][0]["delivered_at"].GetString();
    auto live = daemon.ctl_json({"status"});
    REQUIRE(live["notify"]["last_delivered"].IsString());
    CHECK(live["notify"]["last_delivered"].GetString() == delivered_at);

    REQUIRE(daemon.stop() == 0);
    daemon.start();
    // Read from the outbox at start-up, on the database thread: a moment after the socket opens.
    CHECK(wait_until(
        [&] { return daemon.ctl_json({"status"})["notify"]["last_delivered"].IsString(); }));
    auto restarted = daemon.ctl_json({"status"});
    REQUIRE(restarted["notify"]["last_delivered"].IsString());
    CHECK(restarted["notify"]["last_delivered"].GetString() == delivered_at);
    CHECK_THAT(daemon.ctl({"status"}).out, Catch::Contains("  last_delivered: " + delivered_at));
    CHECK(sink_count(sim, "restart-chat") == 1);  // nothing sent again
}
