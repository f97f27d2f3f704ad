#include "access_section.hpp"

#include <algorithm>
#include <cctype>

#include "account_lookup.hpp"
#include "rosterd/base/text.hpp"

namespace rosterd::config_detail {
namespace {

void read_grant(const YamlReader& r, const YAML::Node& node, const std::string& path,
                AccessGrant& out) {
    r.read_mapping(
        node, path,
        {{"users",
          [&](auto& v, auto& p) {
              out.users = r.string_list(v, p);
              for (std::size_t i = 0; i < out.users.size(); ++i) {
                  auto uid = lookup_uid(out.users[i]);
                  if (!uid)
                      r.fail(v[i], index_path(p, i), "unknown user '" + out.users[i] + "'");
                  out.uids.push_back(*uid);
              }
          }},
         {"groups", [&](auto& v, auto& p) {
              out.groups = r.string_list(v, p);
              for (std::size_t i = 0; i < out.groups.size(); ++i) {
                  auto gid = lookup_gid(out.groups[i]);
                  if (!gid)
                      r.fail(v[i], index_path(p, i), "unknown group '" + out.groups[i] + "'");
                  out.gids.push_back(*gid);
              }
          }}});
}

void read_levels(const YamlReader& r, const YAML::Node& node, const std::string& path,
                 AccessConfig& out) {
    r.read_mapping(node, path,
                   {{"admin", [&](auto& g, auto& gp) { read_grant(r, g, gp, out.admin); }},
                    {"operator", [&](auto& g, auto& gp) { read_grant(r, g, gp, out.operator_); }},
                    {"viewer", [&](auto& g, auto& gp) { read_grant(r, g, gp, out.viewer); }}});
}

// A scope list: non-empty (an empty list would reach nothing: leave the key out to mean all).
std::vector<std::string> scope_list(const YamlReader& r, const YAML::Node& node,
                                    const std::string& path) {
    auto values = r.string_list(node, path);
    if (values.empty())
        r.fail(node, path, "an empty list reaches nothing; leave the key out to mean all");
    return values;
}

std::string site_host(std::string text) {
    // As the filters take sites: a URL or a host, any case.
    text = lowercase(text);
    for (const char* prefix : {"https://", "http://"})
        if (text.rfind(prefix, 0) == 0)
            text.erase(0, std::string(prefix).size());
    while (!text.empty() && text.back() == '/')
        text.pop_back();
    return text;
}

void read_entry(const YamlReader& r, const YAML::Node& node, const std::string& path,
                ScopedAccessEntry& out) {
    bool has_level = false;
    r.read_mapping(
        node, path,
        {{"user",
          [&](auto& v, auto& p) {
              out.user = r.non_empty_string(v, p);
              out.uid = lookup_uid(out.user);
              if (!out.uid)
                  r.fail(v, p, "unknown user '" + out.user + "'");
          }},
         {"group",
          [&](auto& v, auto& p) {
              out.group = r.non_empty_string(v, p);
              out.gid = lookup_gid(out.group);
              if (!out.gid)
                  r.fail(v, p, "unknown group '" + out.group + "'");
          }},
         {"level",
          [&](auto& v, auto& p) {
              auto level = r.non_empty_string(v, p);
              static const std::vector<std::string> kLevels = {"viewer", "operator", "admin"};
              auto found = std::find(kLevels.begin(), kLevels.end(), level);
              if (found == kLevels.end())
                  r.fail(v, p, "'" + level + "' is not one of: admin, operator, viewer");
              out.level = static_cast<int>(found - kLevels.begin());
              has_level = true;
          }},
         {"scope", [&](auto& v, auto& p) {
              r.read_mapping(
                  v, p,
                  {{"sites",
                    [&](auto& s, auto& sp) {
                        auto sites = scope_list(r, s, sp);
                        for (auto& site : sites)
                            site = site_host(site);
                        out.scope.sites = sites;
                    }},
                   {"products",
                    [&](auto& s, auto& sp) { out.scope.products = scope_list(r, s, sp); }},
                   {"groups",
                    [&](auto& s, auto& sp) { out.scope.groups = scope_list(r, s, sp); }}});
          }}});
    if (out.user.empty() == out.group.empty())
        r.fail(node, path, "an entry names exactly one of user and group");
    if (!has_level)
        r.fail(node, path, "missing level (viewer, operator or admin)");
    out.line = node.Mark().is_null() ? 0 : node.Mark().line + 1;
}

void read_entries(const YamlReader& r, const YAML::Node& node, const std::string& path,
                  AccessConfig& out) {
    for (std::size_t i = 0; i < node.size(); ++i) {
        ScopedAccessEntry entry;
        read_entry(r, node[i], index_path(path, i), entry);
        out.entries.push_back(std::move(entry));
    }
}

}  // namespace

void read_access(const YamlReader& r, const YAML::Node& node, const std::string& path,
                 AccessConfig& out) {
    if (declaring_keys()) {
        // The key walk sees one form in the example file; walk the other from a sample so that
        // both forms' keys are declared (and documented).
        AccessConfig ignored;
        read_levels(r, YAML::Load("{admin: {}, operator: {}, viewer: {}}"), path, ignored);
        read_entries(r,
                     YAML::Load("[{user: '0', level: admin, scope: {sites: [a], products: [b], "
                                "groups: [c]}}]"),
                     path, ignored);
    }
    if (node.IsSequence())
        read_entries(r, node, path, out);
    else
        read_levels(r, node, path, out);
}

}  // namespace rosterd::config_detail
