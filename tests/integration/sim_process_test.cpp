// rosterd-sim as a process: start-up line, port file, truth dump, fixtures, request log, and
// a clean exit on SIGTERM.
#include <httplib.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <thread>

#include "process.hpp"
#include "temp_dir.hpp"

using namespace rosterd::test;

namespace {

// Starts rosterd-sim with `args` and waits for its port file.
struct SimProcess {
    SimProcess(const TempDir& dir, const std::string& name, std::vector<std::string> args)
        : out(dir / (name + ".out")),
          err(dir / (name + ".err")),
          port_file(dir / (name + ".port")) {
        std::vector<std::string> argv = {ROSTERD_SIM_BIN, "--port", "0", "--port-file",
                                         port_file.string()};
        argv.insert(argv.end(), args.begin(), args.end());
        process = std::make_unique<ChildProcess>(argv, out, err);
        bool up = wait_until([&] { return !read_file(port_file).empty() || !process->running(); },
                             std::chrono::seconds(20));
        REQUIRE(up);
        std::string text = read_file(port_file);
        INFO(read_file(err));
        REQUIRE_FALSE(text.empty());
        port = std::stoi(text);
    }

    std::string get(const std::string& path) const {
        httplib::Client client("127.0.0.1", port);
        client.set_default_headers({{"Authorization", "Bearer sim-key"}});
        auto res = client.Get(path.c_str());
        REQUIRE(res);
        REQUIRE(res->status == 200);
        return res->body;
    }

    std::filesystem::path out, err, port_file;
    std::unique_ptr<ChildProcess> process;
    int port = 0;
};

}  // namespace

TEST_CASE("rosterd-sim announces itself, dumps its truth and stops cleanly on SIGTERM", "[sim]") {
    TempDir dir;
    auto truth_file = dir / "truth.json";
    SimProcess sim(dir, "sim",
                   {"--users", "60", "--seed", "4", "--now", "2026-08-15T12:00:00Z", "--dump-truth",
                    truth_file.string()});
    CHECK(read_file(sim.port_file) == std::to_string(sim.port) + "\n");
    bool announced = wait_until([&] { return !read_file(sim.out).empty(); });
    CHECK(announced);
    CHECK(read_file(sim.out) ==
          "rosterd-sim listening on http://127.0.0.1:" + std::to_string(sim.port) + "\n");
    std::string dumped = read_file(truth_file);
    CHECK(dumped == sim.get("/_sim/truth"));
    CHECK(dumped.find("\"now_ms\":1786795200000") != std::string::npos);
    sim.process->signal(SIGTERM);
    CHECK(sim.process->wait(std::chrono::seconds(10)) == 0);
}

TEST_CASE("a dumped truth serves again as a --fixture, with the same truth", "[sim]") {
    TempDir dir;
    auto truth_file = dir / "truth.json";
    {
        SimProcess first(dir, "first",
                         {"--users", "80", "--sites", "3", "--seed", "8", "--now",
                          "2026-08-15T12:00:00Z", "--dump-truth", truth_file.string()});
        first.process->signal(SIGINT);
        CHECK(first.process->wait(std::chrono::seconds(10)) == 0);
    }
    SimProcess second(dir, "second", {"--fixture", truth_file.string()});
    CHECK(second.get("/_sim/truth") == read_file(truth_file));
}

TEST_CASE("the sim with --request-log writes one JSON line per API request", "[sim]") {
    TempDir dir;
    auto log_file = dir / "requests.jsonl";
    SimProcess sim(dir, "sim", {"--users", "20", "--request-log", log_file.string()});
    sim.get("/admin/v1/orgs");
    // An empty cursor asks for the first page.
    sim.get("/admin/v1/orgs/3f9c1b2e-5d4a-4c1e-9b7a-2a6d8e0f1c35/users?cursor=");
    sim.get("/_sim/config");  // control requests are not logged
    // A request is logged once its answer is on the way: the line may land a moment later.
    std::vector<std::string> records;
    auto read_records = [&] {
        records.clear();
        std::istringstream lines(read_file(log_file));
        for (std::string line; std::getline(lines, line);)
            records.push_back(line);
        return records.size() >= 2;
    };
    wait_until(read_records, std::chrono::seconds(5));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    read_records();
    REQUIRE(records.size() == 2);
    // Requests answered on different server threads may log in either order.
    rapidjson::Document first;
    first.Parse(records[0].c_str());
    REQUIRE_FALSE(first.HasParseError());
    if (std::string(first["path"].GetString()) != "/admin/v1/orgs") {
        first.Parse(records[1].c_str());
        REQUIRE_FALSE(first.HasParseError());
    }
    CHECK(std::string(first["path"].GetString()) == "/admin/v1/orgs");
    CHECK(first["status"].GetInt() == 200);
    CHECK(first["body"].IsNull());
}

TEST_CASE("rosterd-sim refuses bad flags and bad fixtures with a message", "[sim]") {
    auto usage = run_command({ROSTERD_SIM_BIN, "--products-per-site", "9"});
    CHECK(usage.exit_code != 0);
    CHECK(usage.err.find("--products-per-site") != std::string::npos);
    TempDir dir;
    auto fixture = dir.write(
        "broken.json", R"({"org":{"id":"o"},"directories":[],"sites":[],"groups":[],"users":[]})");
    auto broken = run_command({ROSTERD_SIM_BIN, "--fixture", fixture.string()});
    CHECK(broken.exit_code == 1);
    CHECK(broken.err.find("at least one directory") != std::string::npos);
    auto key = dir.write("empty-key", "\n");
    auto empty_key = run_command({ROSTERD_SIM_BIN, "--users", "5", "--api-key-file", key.string()});
    CHECK(empty_key.exit_code == 1);
    CHECK(empty_key.err.find("API key file is empty") != std::string::npos);
}
