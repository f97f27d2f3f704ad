#pragma once
// Who may do what on the control socket. The kernel tells us the peer's uid/gid/pid (SO_PEERCRED);
// AccessConfig (control.access in the YAML) maps users and groups to one of three ordered levels.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rosterd/config/config.hpp"
#include "rosterd/model/access_scope.hpp"

namespace rosterd::control {

// Ordered: a level may run every command of the levels below it.
enum class AccessLevel { viewer = 0, operator_ = 1, admin = 2 };

// "viewer", "operator", "admin".
std::string_view to_string(AccessLevel level);
// Inverse of to_string; nullopt for anything else.
std::optional<AccessLevel> parse_access_level(std::string_view text);

// One level granted within one scope (a control.access entry, or an unscoped level).
struct LevelGrant {
    AccessLevel level = AccessLevel::viewer;
    ScopeRule scope;
    bool operator==(const LevelGrant&) const = default;
};

// The other end of a control connection, as identified when it connected.
struct Caller {
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
    std::int32_t pid = 0;
    std::string user;                  // user name, or the numeric uid when it has no name
    std::optional<AccessLevel> level;  // the highest granted; nullopt: no access at all
    // Every grant that matched. Empty with a level means unscoped at that level (callers built
    // by hand in tests and by the daemon itself).
    std::vector<LevelGrant> grants;

    bool may_run(AccessLevel required) const { return level && *level >= required; }
    // What the caller reaches with commands of `required` level: the union of the scopes of the
    // grants at that level or above (the highest level wins only inside the scope granting it).
    Scope scope_at(AccessLevel required) const;
    // What the caller may see (viewer commands).
    Scope view_scope() const { return scope_at(AccessLevel::viewer); }
    // "alice (uid 1000)", for messages and logs.
    std::string describe() const;
    // "unscoped", or each scoped level: "operator: products=[confluence]; viewer: ...".
    std::string describe_scope() const;
};

// A peer's identity as the access mapping sees it.
struct PeerIdentity {
    std::uint32_t uid = 0;
    std::vector<std::uint32_t> gids;  // primary and supplementary groups
};

// The mapping itself, pure so that it is tested with made-up ids: root (uid 0) and the daemon's
// own uid are admin; otherwise the highest level whose uids contain the peer's uid or whose gids
// intersect the peer's groups; nullopt when nothing matches.
std::optional<AccessLevel> resolve_access_level(const AccessConfig& config,
                                                std::uint32_t daemon_uid, const PeerIdentity& peer);

// Every grant the peer matches: root and the daemon's uid get unscoped admin; the level-keyed
// form grants unscoped levels; each list entry naming the peer's uid or one of its groups grants
// its level within its scope. Empty when nothing matches.
std::vector<LevelGrant> resolve_access(const AccessConfig& config, std::uint32_t daemon_uid,
                                       const PeerIdentity& peer);

// The name for a uid (getpwuid_r); nullopt when the uid has no passwd entry.
std::optional<std::string> lookup_user_name(std::uint32_t uid);
// The primary gid plus the supplementary groups of `user_name` (getgrouplist), deduplicated.
std::vector<std::uint32_t> lookup_group_ids(const std::string& user_name,
                                            std::uint32_t primary_gid);

// AccessConfig plus the daemon's uid: turns kernel credentials into a Caller.
class AccessPolicy {
  public:
    AccessPolicy(AccessConfig config, std::uint32_t daemon_uid);

    std::optional<AccessLevel> level_for(const PeerIdentity& peer) const {
        return resolve_access_level(config_, daemon_uid_, peer);
    }

    // Looks up the peer's name and groups through NSS (local files are a few microseconds; this
    // runs once per connection) and resolves its level.
    Caller identify(std::uint32_t uid, std::uint32_t gid, std::int32_t pid) const;

    std::uint32_t daemon_uid() const { return daemon_uid_; }

  private:
    AccessConfig config_;
    std::uint32_t daemon_uid_;
};

}  // namespace rosterd::control
