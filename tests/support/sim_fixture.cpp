#include "sim_fixture.hpp"

#include <httplib.h>

#include <signal.h>

#include <filesystem>

#include <stdexcept>

namespace rosterd::test {

SimFixture::SimFixture(std::vector<std::string> args) {
    // 0600: rosterd refuses a key file its group or others may read.
    std::filesystem::permissions(
        dir_.write("api-key", "sim-test-key-0123456789\n"),
        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    std::vector<std::string> argv = {ROSTERD_SIM_BIN, "--port-file", (dir_ / "port").string(),
                                     "--api-key-file", key_file()};
    argv.insert(argv.end(), args.begin(), args.end());
    process_ = std::make_unique<ChildProcess>(argv, dir_ / "sim.out", dir_ / "sim.err");
    bool up = wait_until([&] {
        auto text = read_file(dir_ / "port");
        return !text.empty() || !process_->running();
    });
    auto text = read_file(dir_ / "port");
    if (!up || text.empty())
        throw std::runtime_error("rosterd-sim did not start: " + read_file(dir_ / "sim.err"));
    port_ = std::stoi(text);
}

SimFixture::~SimFixture() {
    if (process_) {
        process_->signal(SIGTERM);
        process_->wait(std::chrono::seconds(5));
    }
}

std::string SimFixture::atlassian_yaml() const {
    return "atlassian:\n  org_id: " + org_id() + "\n  api_base: " + base_url() +
           "\n  api_key_file: " + key_file() + "\n";
}

std::string SimFixture::http(const std::string& method, const std::string& path,
                             const std::string& body) const {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(30, 0);
    httplib::Result result = method == "GET" ? client.Get(path.c_str())
                             : method == "DELETE"
                                 ? client.Delete(path.c_str())
                                 : client.Post(path.c_str(), body, "application/json");
    if (!result)
        throw std::runtime_error("rosterd-sim request failed: " + method + " " + path);
    if (result->status >= 300)
        throw std::runtime_error("rosterd-sim answered " + std::to_string(result->status) + " to " +
                                 path + ": " + result->body);
    return result->body;
}

int SimFixture::api(const std::string& method, const std::string& path,
                    const std::string& body) const {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(30, 0);
    client.set_default_headers({{"Authorization", "Bearer sim-test-key-0123456789"}});
    httplib::Result result = method == "DELETE"
                                 ? client.Delete(path.c_str())
                                 : client.Post(path.c_str(), body, "application/json");
    if (!result)
        throw std::runtime_error("rosterd-sim request failed: " + method + " " + path);
    return result->status;
}

rapidjson::Document SimFixture::truth() const {
    rapidjson::Document doc;
    doc.Parse(http("GET", "/_sim/truth").c_str());
    return doc;
}

rapidjson::Document SimFixture::requests() const {
    rapidjson::Document doc;
    doc.Parse(http("GET", "/_sim/requests").c_str());
    return doc;
}

void SimFixture::clear_requests() const {
    http("POST", "/_sim/requests/clear", "{}");
}

void SimFixture::configure(const std::string& json_knobs) const {
    http("POST", "/_sim/config", json_knobs);
}

}  // namespace rosterd::test
