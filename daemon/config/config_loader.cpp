// The settings table: each section lists its keys once, with how to read and validate them.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>

#include "access_section.hpp"
#include "account_lookup.hpp"
#include "config_settings.hpp"
#include "rosterd/config.hpp"
#include "rosterd/events.hpp"
#include "rosterd/schedule.hpp"
#include "rosterd/time_format.hpp"
#include "yaml_reader.hpp"

namespace rosterd {
namespace {

using config_detail::child_path;
using config_detail::index_path;
using config_detail::YamlReader;

const std::set<std::string> kWebhookFormats = {"slack", "teams", "google-chat", "discord", "json"};
const std::set<std::string> kEvents = [] {
    std::set<std::string> names;
    for (auto type : kEventTypes)
        names.emplace(type);
    return names;
}();
const std::set<std::string> kLogLevels = {"trace", "debug",    "info", "warn",
                                          "error", "critical", "off"};

std::string joined(const std::set<std::string>& values) {
    std::string text;
    for (const auto& v : values)
        text += (text.empty() ? "" : ", ") + v;
    return text;
}

std::string one_of(const YamlReader& r, const YAML::Node& node, const std::string& path,
                   const std::set<std::string>& allowed) {
    auto value = r.non_empty_string(node, path);
    if (!allowed.count(value))
        r.fail(node, path, "'" + value + "' is not one of: " + joined(allowed));
    return value;
}

void read_atlassian(const YamlReader& r, const YAML::Node& node, const std::string& path,
                    Config::Atlassian& out) {
    r.read_mapping(
        node, path,
        {{"org_id", [&](auto& v, auto& p) { out.org_id = r.non_empty_string(v, p); }},
         {"api_base",
          [&](auto& v, auto& p) {
              auto base = r.non_empty_string(v, p);
              if (base.rfind("https://", 0) != 0 && base.rfind("http://", 0) != 0)
                  r.fail(v, p, "expected an http:// or https:// URL");
              while (!base.empty() && base.back() == '/')
                  base.pop_back();
              out.api_base = base;
          }},
         {"api_key_file", [&](auto& v, auto& p) { out.api_key_file = r.non_empty_string(v, p); }},
         {"api_key_expires", [&](auto& v, auto& p) {
              auto text = r.non_empty_string(v, p);
              auto days = parse_date_days(text);
              if (!days)
                  r.fail(v, p, "expected a date YYYY-MM-DD, got '" + text + "'");
              out.api_key_expires_days = *days;
          }}});
}

void read_http(const YamlReader& r, const YAML::Node& node, const std::string& path,
               Config::Http& out) {
    r.read_mapping(
        node, path,
        {{"max_in_flight", [&](auto& v, auto& p) { out.max_in_flight = r.integer(v, p, 1, 64); }},
         {"connect_timeout_s",
          [&](auto& v, auto& p) { out.connect_timeout_s = r.integer(v, p, 1, 300); }},
         {"request_timeout_s",
          [&](auto& v, auto& p) { out.request_timeout_s = r.integer(v, p, 1, 3600); }},
         {"ca_file", [&](auto& v, auto& p) { out.ca_file = r.non_empty_string(v, p); }},
         {"proxy", [&](auto& v, auto& p) { out.proxy = r.non_empty_string(v, p); }}});
}

void read_control(const YamlReader& r, const YAML::Node& node, const std::string& path,
                  Config::Control& out) {
    std::optional<YAML::Mark> reserve_at;  // checked against max_connections once both are read
    r.read_mapping(
        node, path,
        {{"max_connections",
          [&](auto& v, auto& p) { out.max_connections = r.integer(v, p, 1, 4096); }},
         {"max_connections_per_user",
          [&](auto& v, auto& p) { out.max_connections_per_user = r.integer(v, p, 1, 4096); }},
         {"admin_reserve",
          [&](auto& v, auto& p) {
              out.admin_reserve = r.integer(v, p, 0, 4095);
              reserve_at = v.Mark();
          }},
         {"idle_timeout_s",
          [&](auto& v, auto& p) { out.idle_timeout_s = r.integer(v, p, 1, 86400); }},
         {"socket",
          [&](auto& v, auto& p) {
              out.socket = r.non_empty_string(v, p);
              // sockaddr_un.sun_path holds 108 bytes including the terminator.
              if (out.socket.size() > 107)
                  r.fail(v, p, "socket path longer than 107 bytes");
          }},
         {"access", [&](auto& v, auto& p) { read_access(r, v, p, out.access); }}});
    if (out.admin_reserve >= out.max_connections) {
        // Nobody but admins could ever connect.
        r.fail(reserve_at.value_or(node.Mark()), child_path(path, "admin_reserve"),
               std::to_string(out.admin_reserve) + " must be less than control.max_connections (" +
                   std::to_string(out.max_connections) + ")");
    }
}

void read_sync(const YamlReader& r, const YAML::Node& node, const std::string& path,
               Config::Sync& out) {
    r.read_mapping(
        node, path,
        {{"daily_at",
          [&](auto& v, auto& p) {
              auto text = r.non_empty_string(v, p);
              auto time = parse_time_of_day(text);
              if (!time)
                  r.fail(v, p, "expected a time of day HH:MM (00:00-23:59), got '" + text + "'");
              out.daily_hour = time->hour;
              out.daily_minute = time->minute;
          }},
         {"timezone",
          [&](auto& v, auto& p) {
              auto name = r.non_empty_string(v, p);
              std::string error;
              if (!find_time_zone(name, &error))
                  r.fail(v, p,
                         "unknown time zone '" + name +
                             "' (expected an IANA name such as Europe/Berlin)");
              out.timezone = name;
          }},
         {"activity_source",
          [&](auto& v, auto& p) {
              out.activity_source = one_of(r, v, p, {"product-access", "last-active-dates"});
          }},
         {"partitions", [&](auto& v, auto& p) { out.partitions = r.integer(v, p, 1, 16); }}});
}

void read_inactivity(const YamlReader& r, const YAML::Node& node, const std::string& path,
                     Config::Inactivity& out) {
    r.read_mapping(node, path,
                   {{"days", [&](auto& v, auto& p) { out.days = r.integer(v, p, 1, 3650); }},
                    {"per_product", [&](auto& v, auto& p) {
                         if (!v.IsMap())
                             r.fail(v, p, "expected a mapping of product key to days");
                         for (const auto& entry : v) {
                             auto product = r.non_empty_string(entry.first, p);
                             if (out.per_product.count(product))
                                 r.fail(entry.first, child_path(p, product), "duplicate key");
                             out.per_product[product] =
                                 r.integer(entry.second, child_path(p, product), 1, 3650);
                         }
                     }}});
}

WebhookConfig read_webhook(const YamlReader& r, const YAML::Node& node, const std::string& path) {
    WebhookConfig hook;
    bool has_format = false;
    r.read_mapping(
        node, path,
        {{"name", [&](auto& v, auto& p) { hook.name = r.non_empty_string(v, p); }},
         {"url",
          [&](auto& v, auto& p) {
              hook.url = r.non_empty_string(v, p);
              if (hook.url.rfind("https://", 0) != 0 && hook.url.rfind("http://", 0) != 0)
                  r.fail(v, p, "expected an http:// or https:// URL");  // never echo the URL
          }},
         {"url_file", [&](auto& v, auto& p) { hook.url_file = r.non_empty_string(v, p); }},
         {"format",
          [&](auto& v, auto& p) {
              hook.format = one_of(r, v, p, kWebhookFormats);
              has_format = true;
          }},
         {"events",
          [&](auto& v, auto& p) {
              hook.events = r.string_list(v, p);
              for (std::size_t i = 0; i < hook.events.size(); ++i)
                  if (!kEvents.count(hook.events[i]))
                      r.fail(v[i], index_path(p, i),
                             "unknown event '" + hook.events[i] +
                                 "' (expected one of: " + joined(kEvents) + ")");
          }},
         {"secret", [&](auto& v, auto& p) { hook.secret = r.non_empty_string(v, p); }},
         {"timeout_s", [&](auto& v, auto& p) {
              hook.timeout = std::chrono::seconds(r.integer(v, p, 1, 300));
          }}});
    if (!node.IsMap())
        r.fail(node, path, "expected a mapping with name, url, format");
    if (hook.name.empty())
        r.fail(node, path, "missing required key 'name'");
    if (hook.url.empty() == hook.url_file.empty())
        r.fail(node, path, "exactly one of 'url' or 'url_file' is required");
    if (!has_format)
        r.fail(node, path, "missing required key 'format'");
    return hook;
}

void read_delivery(const YamlReader& r, const YAML::Node& node, const std::string& path,
                   Config::Notifications::Delivery& out) {
    r.read_mapping(
        node, path,
        {{"max_attempts", [&](auto& v, auto& p) { out.max_attempts = r.integer(v, p, 1, 100); }},
         {"max_age_h",
          [&](auto& v, auto& p) { out.max_age = std::chrono::hours(r.integer(v, p, 1, 720)); }},
         {"backoff_initial_ms",
          [&](auto& v, auto& p) {
              out.backoff_initial = std::chrono::milliseconds(r.integer(v, p, 10, 3600000));
          }},
         {"backoff_max_s", [&](auto& v, auto& p) {
              out.backoff_max = std::chrono::seconds(r.integer(v, p, 1, 86400));
          }}});
}

void read_notifications(const YamlReader& r, const YAML::Node& node, const std::string& path,
                        Config::Notifications& out) {
    r.read_mapping(node, path,
                   {{"webhooks",
                     [&](auto& v, auto& p) {
                         r.expect_sequence(v, p);
                         std::set<std::string> names;
                         for (std::size_t i = 0; i < v.size(); ++i) {
                             auto hook = read_webhook(r, v[i], index_path(p, i));
                             if (!names.insert(hook.name).second)
                                 r.fail(v[i]["name"], child_path(index_path(p, i), "name"),
                                        "duplicate webhook name '" + hook.name + "'");
                             out.webhooks.push_back(std::move(hook));
                         }
                     }},
                    {"api_key_reminder_days",
                     [&](auto& v, auto& p) {
                         // At least 1: the key lapses at 00:00 UTC on its expiry date, when
                         // api_key_expired goes out, so a 0-day reminder would never be sent.
                         out.api_key_reminder_days = r.integer_list(v, p, 1, 366);
                         if (out.api_key_reminder_days.empty())
                             r.fail(v, p, "must list at least one day");
                     }},
                    {"delivery", [&](auto& v, auto& p) { read_delivery(r, v, p, out.delivery); }}});
}

void read_pricing(const YamlReader& r, const YAML::Node& node, const std::string& path,
                  Config::Pricing& out) {
    r.read_mapping(node, path,
                   {{"currency",
                     [&](auto& v, auto& p) {
                         out.currency = r.non_empty_string(v, p);
                         if (out.currency.size() > 8)
                             r.fail(v, p, "expected a short currency code such as EUR or USD");
                     }},
                    {"monthly_per_seat", [&](auto& v, auto& p) {
                         if (!v.IsMap())
                             r.fail(v, p,
                                    "expected a mapping of product key to monthly price per seat");
                         for (const auto& entry : v) {
                             auto product = r.non_empty_string(entry.first, p);
                             auto entry_path = child_path(p, product);
                             if (out.monthly_per_seat.count(product))
                                 r.fail(entry.first, entry_path, "duplicate key");
                             auto text = r.non_empty_string(entry.second, entry_path);
                             double price = -1;
                             auto [end, error] =
                                 std::from_chars(text.data(), text.data() + text.size(), price);
                             if (error != std::errc() || end != text.data() + text.size() ||
                                 price < 0 || price > 1e6)
                                 r.fail(entry.second, entry_path,
                                        "expected a price per seat and month such as 7.75");
                             out.monthly_per_seat[product] = price;
                         }
                     }}});
    if (!out.monthly_per_seat.empty() && out.currency.empty())
        r.fail(node, path, "missing required key 'currency' (prices need a currency)");
}

// A filter field as written in YAML -> the shared field parser (user_filter.hpp), so a saved
// filter accepts exactly what the flags and the control protocol accept.
FilterFieldValue filter_field_value(const YamlReader& r, const YAML::Node& node,
                                    const std::string& path) {
    FilterFieldValue value;
    if (node.IsSequence()) {
        value.is_list = true;
        for (std::size_t i = 0; i < node.size(); ++i)
            value.items.push_back(r.string(node[i], index_path(path, i)));
    } else {
        value.items.push_back(r.string(node, path));
    }
    return value;
}

UserFilter read_inline_filter(const YamlReader& r, const YAML::Node& node, const std::string& path);

void read_filters(const YamlReader& r, const YAML::Node& node, const std::string& path,
                  std::map<std::string, UserFilter>& out) {
    if (node.IsNull())
        return;
    if (!node.IsMap())
        r.fail(node, path, "expected a mapping of filter name to filter fields");
    for (const auto& entry : node) {
        auto name = r.non_empty_string(entry.first, path);
        auto filter_path = child_path(path, name);
        bool valid_name = std::all_of(name.begin(), name.end(), [](unsigned char c) {
            return std::isalnum(c) || c == '-' || c == '_' || c == '.';
        });
        if (!valid_name)
            r.fail(entry.first, filter_path,
                   "a filter name may hold letters, digits, '-', '_' and '.' only");
        if (out.count(name))
            r.fail(entry.first, filter_path, "duplicate filter name");
        out[name] = read_inline_filter(r, entry.second, filter_path);
    }
}

// A mapping of filter fields (a saved filter, or a task's inline filter).
UserFilter read_inline_filter(const YamlReader& r, const YAML::Node& node,
                              const std::string& path) {
    if (!node.IsMap())
        r.fail(node, path, "expected a mapping of filter fields");
    UserFilter filter;
    std::vector<YamlReader::Key> keys;
    for (const auto& spec : user_filter_fields())
        keys.push_back({spec.name, [&, field = spec.name](auto& v, auto& p) {
                            try {
                                set_user_filter_field(filter, field, filter_field_value(r, v, p));
                            } catch (const FilterError& e) {
                                r.fail(v, p, e.what());
                            }
                        }});
    r.read_mapping(node, path, keys);
    return filter;
}

void read_protect(const YamlReader& r, const YAML::Node& node, const std::string& path,
                  Config::Protect& out) {
    auto lowered = [](std::vector<std::string> items) {
        for (auto& item : items)
            std::transform(item.begin(), item.end(), item.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return items;
    };
    r.read_mapping(
        node, path,
        {{"users", [&](auto& v, auto& p) { out.users = lowered(r.string_list(v, p)); }},
         {"groups", [&](auto& v, auto& p) { out.groups = lowered(r.string_list(v, p)); }},
         {"domains", [&](auto& v, auto& p) {
              out.domains = lowered(r.string_list(v, p));
              for (std::size_t i = 0; i < out.domains.size(); ++i)
                  if (out.domains[i].empty() || out.domains[i].find('@') != std::string::npos)
                      r.fail(v[i], index_path(p, i), "expected a domain such as acme.com");
          }}});
}

// "24h", "90m", "2d": the interval syntax of schedules ("every 24h"), so both read alike.
std::chrono::minutes duration(const YamlReader& r, const YAML::Node& node,
                              const std::string& path) {
    auto text = r.non_empty_string(node, path);
    auto parsed = parse_schedule("every " + text);
    if (!parsed || !std::holds_alternative<IntervalSchedule>(*parsed.schedule))
        r.fail(node, path, "expected a duration such as 90m, 24h or 2d");
    return std::get<IntervalSchedule>(*parsed.schedule).every;
}

void read_ops(const YamlReader& r, const YAML::Node& node, const std::string& path,
              Config::Ops& out) {
    r.read_mapping(
        node, path,
        {{"max_users", [&](auto& v, auto& p) { out.max_users = r.integer(v, p, 1, 1000000); }},
         {"max_staleness", [&](auto& v, auto& p) { out.max_staleness = duration(r, v, p); }}});
}

// A task's `filter` names a saved filter; it is resolved once the whole file is read.
struct PendingFilterName {
    std::size_t task;
    YAML::Mark mark;
    std::string path;
};

TaskConfig read_task(const YamlReader& r, const YAML::Node& node, const std::string& path,
                     std::size_t index, std::vector<PendingFilterName>& pending) {
    TaskConfig task;
    bool has_filter = false, has_actions = false, has_schedule = false;
    r.read_mapping(
        node, path,
        {{"name",
          [&](auto& v, auto& p) {
              task.name = r.non_empty_string(v, p);
              bool valid = std::all_of(task.name.begin(), task.name.end(), [](unsigned char c) {
                  return std::isalnum(c) || c == '-' || c == '_' || c == '.';
              });
              if (!valid)
                  r.fail(v, p, "a task name may hold letters, digits, '-', '_' and '.' only");
          }},
         {"filter",
          [&](auto& v, auto& p) {
              has_filter = true;
              if (v.IsScalar()) {
                  task.saved_filter = r.non_empty_string(v, p);
                  pending.push_back({index, v.Mark(), p});
              } else {
                  task.filter = read_inline_filter(r, v, p);
              }
          }},
         {"actions",
          [&](auto& v, auto& p) {
              has_actions = true;
              auto texts = r.string_list(v, p);
              if (texts.empty())
                  r.fail(v, p, "list at least one action (" + ops::action_syntax_help() + ")");
              for (std::size_t i = 0; i < texts.size(); ++i) {
                  try {
                      task.actions.push_back(ops::parse_action(texts[i]));
                  } catch (const ops::ActionError& e) {
                      r.fail(v[i], index_path(p, i), e.what());
                  }
              }
          }},
         {"schedule",
          [&](auto& v, auto& p) {
              has_schedule = true;
              auto parsed = parse_schedule(r.non_empty_string(v, p));
              if (!parsed)
                  r.fail(v, p, parsed.error);
              task.schedule = *parsed.schedule;
              task.schedule_text = to_string(task.schedule);
          }},
         {"mode",
          [&](auto& v, auto& p) {
              task.apply = one_of(r, v, p, {"dry-run", "apply"}) == "apply";
          }},
         {"max_users", [&](auto& v, auto& p) { task.max_users = r.integer(v, p, 1, 1000000); }},
         {"enabled", [&](auto& v, auto& p) { task.enabled = r.boolean(v, p); }},
         {"reason", [&](auto& v, auto& p) {
              task.reason = r.non_empty_string(v, p);
              if (task.reason.size() > 1000)
                  r.fail(v, p, "at most 1000 characters");
          }}});
    for (auto [present, key] :
         {std::pair{!task.name.empty(), "name"}, std::pair{has_filter, "filter"},
          std::pair{has_actions, "actions"}, std::pair{has_schedule, "schedule"}})
        if (!present)
            r.fail(node, path, std::string("missing required key '") + key + "'");
    for (const auto& action : task.actions)
        if (action.destructive())
            r.fail(node["actions"], child_path(path, "actions"),
                   to_string(action) + " is destructive and cannot run as a task");
    return task;
}

void read_tasks(const YamlReader& r, const YAML::Node& node, const std::string& path,
                std::vector<TaskConfig>& out, std::vector<PendingFilterName>& pending) {
    if (node.IsNull())
        return;
    r.expect_sequence(node, path);
    std::set<std::string> names;
    for (std::size_t i = 0; i < node.size(); ++i) {
        auto task = read_task(r, node[i], index_path(path, i), i, pending);
        if (!names.insert(task.name).second)
            r.fail(node[i]["name"], child_path(index_path(path, i), "name"),
                   "duplicate task name '" + task.name + "'");
        out.push_back(std::move(task));
    }
}

void read_logging(const YamlReader& r, const YAML::Node& node, const std::string& path,
                  Config::Logging& out) {
    r.read_mapping(node, path,
                   {{"level", [&](auto& v, auto& p) { out.level = one_of(r, v, p, kLogLevels); }}});
}

}  // namespace

Config parse_config(const std::string& yaml_text, const std::string& source_name) {
    YamlReader reader(source_name);
    YAML::Node root;
    try {
        root = YAML::Load(yaml_text);
    } catch (const YAML::Exception& e) {
        reader.fail(e.mark, "", "invalid YAML: " + e.msg);
    }
    Config config;
    config.source_path = source_name;
    std::vector<PendingFilterName> pending_filters;
    if (!root.IsNull() && !root.IsMap())
        reader.fail(root, "", "the top level must be a mapping of sections");
    reader.read_mapping(
        root, "",
        {{"atlassian", [&](auto& v, auto& p) { read_atlassian(reader, v, p, config.atlassian); }},
         {"http", [&](auto& v, auto& p) { read_http(reader, v, p, config.http); }},
         {"storage",
          [&](auto& v, auto& p) {
              reader.read_mapping(v, p, {{"path", [&](auto& pv, auto& pp) {
                                              config.storage.path = reader.non_empty_string(pv, pp);
                                          }}});
          }},
         {"control", [&](auto& v, auto& p) { read_control(reader, v, p, config.control); }},
         {"sync", [&](auto& v, auto& p) { read_sync(reader, v, p, config.sync); }},
         {"inactivity",
          [&](auto& v, auto& p) { read_inactivity(reader, v, p, config.inactivity); }},
         {"pricing", [&](auto& v, auto& p) { read_pricing(reader, v, p, config.pricing); }},
         {"filters", [&](auto& v, auto& p) { read_filters(reader, v, p, config.filters); }},
         {"notifications",
          [&](auto& v, auto& p) { read_notifications(reader, v, p, config.notifications); }},
         {"protect", [&](auto& v, auto& p) { read_protect(reader, v, p, config.protect); }},
         {"ops", [&](auto& v, auto& p) { read_ops(reader, v, p, config.ops); }},
         {"tasks",
          [&](auto& v, auto& p) { read_tasks(reader, v, p, config.tasks, pending_filters); }},
         {"logging", [&](auto& v, auto& p) { read_logging(reader, v, p, config.logging); }}});
    for (const auto& pending : pending_filters) {
        auto& task = config.tasks[pending.task];
        auto found = config.filters.find(task.saved_filter);
        if (found == config.filters.end())
            reader.fail(pending.mark, pending.path,
                        "no saved filter named '" + task.saved_filter + "' under filters:");
        task.filter = found->second;
    }
    config.settings = flatten_settings(root);
    return config;
}

std::vector<std::string> declared_config_keys(const std::string& yaml_text,
                                              const std::string& source_name) {
    std::vector<std::string> keys;
    std::set<std::string> seen;
    config_detail::DeclaredKeyObserver observer([&](const std::string& path) {
        // "tasks[1].filter.status" -> "tasks[].filter.status"
        std::string key;
        for (std::size_t i = 0; i < path.size(); ++i) {
            key += path[i];
            if (path[i] == '[') {
                i = path.find(']', i);
                key += ']';
            }
        }
        // A saved filter's name is the user's choice, not a key (see read_filters).
        const std::string filters = "filters.";
        if (key.rfind(filters, 0) == 0) {
            auto dot = key.find('.', filters.size());
            key = filters + "<name>" + (dot == std::string::npos ? "" : key.substr(dot));
        }
        if (seen.insert(key).second)
            keys.push_back(key);
    });
    parse_config(yaml_text, source_name);
    return keys;
}

Config load_config_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw ConfigError(path, 0, 0, "", "cannot open the configuration file");
    std::ostringstream text;
    text << in.rdbuf();
    return parse_config(text.str(), path);
}

}  // namespace rosterd
