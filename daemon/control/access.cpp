#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "rosterd/control/access.hpp"

namespace rosterd::control {
namespace {

bool contains(const std::vector<std::uint32_t>& ids, std::uint32_t id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

bool grant_matches(const AccessGrant& grant, const PeerIdentity& peer) {
    if (contains(grant.uids, peer.uid))
        return true;
    return std::any_of(peer.gids.begin(), peer.gids.end(),
                       [&](std::uint32_t gid) { return contains(grant.gids, gid); });
}

}  // namespace

std::string_view to_string(AccessLevel level) {
    switch (level) {
        case AccessLevel::viewer:
            return "viewer";
        case AccessLevel::operator_:
            return "operator";
        case AccessLevel::admin:
            return "admin";
    }
    return "unknown";
}

std::optional<AccessLevel> parse_access_level(std::string_view text) {
    if (text == "viewer")
        return AccessLevel::viewer;
    if (text == "operator")
        return AccessLevel::operator_;
    if (text == "admin")
        return AccessLevel::admin;
    return std::nullopt;
}

Scope Caller::scope_at(AccessLevel required) const {
    if (grants.empty())
        return may_run(required) ? Scope::unscoped_scope() : Scope{};
    Scope scope;
    for (const auto& grant : grants)
        if (grant.level >= required &&
            std::find(scope.rules.begin(), scope.rules.end(), grant.scope) == scope.rules.end())
            scope.rules.push_back(grant.scope);
    return scope;
}

std::string Caller::describe_scope() const {
    const AccessLevel levels[] = {AccessLevel::admin, AccessLevel::operator_, AccessLevel::viewer};
    bool unscoped = std::all_of(std::begin(levels), std::end(levels), [&](AccessLevel l) {
        return !may_run(l) || scope_at(l).unscoped();
    });
    if (unscoped)
        return "unscoped";
    std::string text;
    for (auto l : levels)
        if (may_run(l))
            text += (text.empty() ? "" : "; ") + std::string(to_string(l)) + ": " +
                    scope_at(l).describe();
    return text;
}

std::string Caller::describe() const {
    return user + " (uid " + std::to_string(uid) + ")";
}

std::optional<AccessLevel> resolve_access_level(const AccessConfig& config,
                                                std::uint32_t daemon_uid,
                                                const PeerIdentity& peer) {
    if (peer.uid == 0 || peer.uid == daemon_uid)
        return AccessLevel::admin;
    // Highest first, so a user listed both as viewer and (through a group) as admin is admin.
    if (grant_matches(config.admin, peer))
        return AccessLevel::admin;
    if (grant_matches(config.operator_, peer))
        return AccessLevel::operator_;
    if (grant_matches(config.viewer, peer))
        return AccessLevel::viewer;
    return std::nullopt;
}

std::vector<LevelGrant> resolve_access(const AccessConfig& config, std::uint32_t daemon_uid,
                                       const PeerIdentity& peer) {
    std::vector<LevelGrant> grants;
    if (peer.uid == 0 || peer.uid == daemon_uid)
        return {{AccessLevel::admin, {}}};
    if (auto level = resolve_access_level(config, daemon_uid, peer))
        grants.push_back({*level, {}});
    for (const auto& entry : config.entries) {
        bool matches =
            (entry.uid && *entry.uid == peer.uid) || (entry.gid && contains(peer.gids, *entry.gid));
        if (matches)
            grants.push_back({static_cast<AccessLevel>(entry.level), entry.scope});
    }
    return grants;
}

std::optional<std::string> lookup_user_name(std::uint32_t uid) {
    std::vector<char> buffer(16384);
    passwd entry{};
    passwd* result = nullptr;
    while (true) {
        int rc = getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &result);
        if (rc == ERANGE && buffer.size() < (1u << 20)) {
            buffer.resize(buffer.size() * 2);
            continue;
        }
        if (rc != 0 || !result)
            return std::nullopt;
        return std::string(result->pw_name);
    }
}

std::vector<std::uint32_t> lookup_group_ids(const std::string& user_name,
                                            std::uint32_t primary_gid) {
    std::vector<gid_t> groups(64);
    int count = static_cast<int>(groups.size());
    // getgrouplist returns -1 and sets count to the size needed when the array is too small.
    while (getgrouplist(user_name.c_str(), primary_gid, groups.data(), &count) == -1) {
        std::size_t needed =
            std::max<std::size_t>(static_cast<std::size_t>(std::max(count, 0)), groups.size() * 2);
        if (needed > 65536) {
            count = 0;  // give up on supplementary groups rather than guess
            break;
        }
        groups.resize(needed);
        count = static_cast<int>(groups.size());
    }
    groups.resize(static_cast<std::size_t>(std::max(count, 0)));
    std::vector<std::uint32_t> ids{primary_gid};
    for (gid_t gid : groups)
        if (!contains(ids, gid))
            ids.push_back(gid);
    return ids;
}

AccessPolicy::AccessPolicy(AccessConfig config, std::uint32_t daemon_uid)
    : config_(std::move(config)), daemon_uid_(daemon_uid) {}

Caller AccessPolicy::identify(std::uint32_t uid, std::uint32_t gid, std::int32_t pid) const {
    Caller caller;
    caller.uid = uid;
    caller.gid = gid;
    caller.pid = pid;
    PeerIdentity peer{uid, {gid}};
    if (auto name = lookup_user_name(uid)) {
        caller.user = *name;
        peer.gids = lookup_group_ids(*name, gid);
    } else {
        // A uid without a passwd entry (e.g. a container's) can still match by uid or primary gid.
        caller.user = std::to_string(uid);
    }
    caller.grants = resolve_access(config_, daemon_uid_, peer);
    for (const auto& grant : caller.grants)
        if (!caller.level || grant.level > *caller.level)
            caller.level = grant.level;
    return caller;
}

}  // namespace rosterd::control
