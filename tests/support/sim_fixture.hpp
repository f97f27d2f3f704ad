#pragma once
// Starts rosterd-sim on an ephemeral port and exposes its ground truth and control endpoints.
#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <vector>

#include "process.hpp"
#include "temp_dir.hpp"

namespace rosterd::test {

class SimFixture {
  public:
    // `args` are extra rosterd-sim flags, e.g. {"--users", "500", "--sites", "2"}.
    explicit SimFixture(std::vector<std::string> args = {});
    ~SimFixture();

    int port() const { return port_; }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    // The key the sim accepts, stored in a file for rosterd's atlassian.api_key_file.
    std::string key_file() const { return (dir_ / "api-key").string(); }
    std::string org_id() const { return "3f9c1b2e-5d4a-4c1e-9b7a-2a6d8e0f1c35"; }
    // The rosterd YAML that points at this simulator.
    std::string atlassian_yaml() const;

    rapidjson::Document truth() const;
    rapidjson::Document requests() const;  // GET /_sim/requests
    void clear_requests() const;
    void configure(const std::string& json_knobs) const;  // POST /_sim/config
    // A raw HTTP call to the sim (control endpoints); returns the body.
    std::string http(const std::string& method, const std::string& path,
                     const std::string& body = "") const;
    // An Admin API call with the key, as a client would make it (changing the organization
    // underneath rosterd); returns the status.
    int api(const std::string& method, const std::string& path, const std::string& body = "") const;

  private:
    TempDir dir_;
    std::unique_ptr<ChildProcess> process_;
    int port_ = 0;
};

}  // namespace rosterd::test
