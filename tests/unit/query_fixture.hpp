#pragma once
// A small hand-made snapshot for the query tests, written with plain SQL so that every figure the
// tests expect follows from the rows below and not from the sync's own derivations.
//
// Now is 2026-06-01T00:00:00Z. Two sites, a.example.net (jira-software, capacity 100;
// confluence) and b.example.net (jira-software, capacity 50). Days are "days before now".
//
//  id      name            email                    status       added  notes
//  acc-01  Ann Alpha       ann@acme.com             active       400    jira@a user 5d,
//  confluence@a user 40d; eng acc-02  Bob Beta        bob@acme.com             active       200
//  jira@a admin never; eng, ops acc-03  cid Gamma       cid@gmail.com            active        10
//  jira@a user never; unmanaged acc-04  Dee Delta       dee@acme.io              suspended    300
//  jira@a user 100d (not billable); org admin; ops acc-05  Eve Epsilon     eve@partner.dev active
//  150    confluence@a guest 60d; unmanaged acc-06  Automation App  bot@connect.atlassian.com
//  active       50    jira@a user 1d (app, not billable) acc-07  Fay Zeta        fay@acme.com
//  active       250    jira@a user 29d, jira@b user 31d; site admin; eng acc-08  Gus Eta
//  gus@acme.io              active       120    jira@b user exactly 30d acc-09  Hal Theta
//  hal@gmail.com            active       —      jira@b user never; unmanaged acc-10  Ivy Iota
//  ivy@acme.com             deactivated  500    no product access
#include <cstdint>
#include <optional>
#include <string>

#include "rosterd/store/store.hpp"
#include "temp_dir.hpp"

namespace rosterd::test {

inline constexpr std::int64_t kDayMs = 86'400'000;
inline constexpr std::int64_t kQueryNow = 1'780'272'000'000;  // 2026-06-01T00:00:00Z
inline constexpr std::int64_t kQueryAsOf = kQueryNow - 3'600'000;

inline constexpr const char* kJiraA = "ari:cloud:jira::site/cloud-a";
inline constexpr const char* kConfluenceA = "ari:cloud:confluence::site/cloud-a";
inline constexpr const char* kJiraB = "ari:cloud:jira::site/cloud-b";

inline std::int64_t days_ago(std::int64_t days) {
    return kQueryNow - days * kDayMs;
}

class QuerySnapshot {
  public:
    // Creates the database; `populate` writes the rows above and publishes snapshot 1.
    explicit QuerySnapshot(bool populate = true);

    store::Database& db() { return *db_; }
    std::int64_t snapshot() const { return 1; }

    struct User {
        User(std::string id_, std::string name_, std::string email_, std::string status_ = "active",
             std::optional<std::int64_t> added_ = std::nullopt, std::string claim_ = "managed",
             bool app_ = false, bool org_admin_ = false, bool site_admin_ = false)
            : id(std::move(id_)),
              name(std::move(name_)),
              email(std::move(email_)),
              status(std::move(status_)),
              added(added_),
              claim(std::move(claim_)),
              app(app_),
              org_admin(org_admin_),
              site_admin(site_admin_) {}
        std::string id, name, email, status;
        std::optional<std::int64_t> added;
        std::string claim;
        bool app, org_admin, site_admin;
    };
    void add_user(const User& user);
    void add_access(const std::string& account, const std::string& resource,
                    const std::string& role, bool billable, std::optional<std::int64_t> last);
    void add_group(const std::string& id, const std::string& name);
    void add_member(const std::string& account, const std::string& group);
    // Sets users.last_active from the access rows (as a sync does) and publishes snapshot 1.
    void publish();

  private:
    TempDir dir_;
    std::unique_ptr<store::Database> db_;
};

}  // namespace rosterd::test
