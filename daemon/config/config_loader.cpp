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
#include "notice_section.hpp"
#include "rosterd/base/text.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/config/config.hpp"
#include "rosterd/config/listen_address.hpp"
#include "rosterd/model/events.hpp"
#include "rosterd/model/webhook_formats.hpp"
#include "rosterd/schedule/schedule.hpp"
#include "seat_target_section.hpp"
#include "yaml_reader.hpp"
#include "yaml_syntax.hpp"

namespace rosterd {
namespace {

using config_detail::child_path;
using config_detail::index_path;
using config_detail::read_alerts;
using config_detail::read_seat_target;
using config_detail::resolve_seat_target;
using config_detail::WrittenSeatTarget;
using config_detail::YamlReader;

// The names of model/webhook_formats.hpp, as the reader's one_of takes them.
const std::set<std::string> kWebhookFormatNames = [] {
    std::set<std::string> names;
    for (const auto& entry : kWebhookFormats)
        names.emplace(entry.name);
    return names;
}();
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

void read_retry(const YamlReader& r, const YAML::Node& node, const std::string& path,
                Config::Atlassian::Retry& out) {
    r.read_mapping(node, path,
                   {{"request_budget_s",
                     [&](auto& v, auto& p) { out.request_budget_s = r.integer(v, p, 1, 86400); }},
                    {"sync_budget_s",
                     [&](auto& v, auto& p) { out.sync_budget_s = r.integer(v, p, 1, 86400); }},
                    {"backoff_initial_ms",
                     [&](auto& v, auto& p) { out.backoff_initial_ms = r.integer(v, p, 1, 60000); }},
                    {"backoff_max_s",
                     [&](auto& v, auto& p) { out.backoff_max_s = r.integer(v, p, 1, 3600); }}});
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
         {"retry", [&](auto& v, auto& p) { read_retry(r, v, p, out.retry); }},
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
    auto issues_before = r.issue_count();
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
              hook.format = one_of(r, v, p, kWebhookFormatNames);
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
    if (r.issue_count() != issues_before)
        return hook;  // a key was wrong: "missing" checks would only repeat that
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
                         for (std::size_t i = 0; i < v.size(); ++i)
                             r.guard([&] {  // a bad webhook does not hide the next one
                                 auto hook = read_webhook(r, v[i], index_path(p, i));
                                 if (!names.insert(hook.name).second)
                                     r.fail(v[i]["name"], child_path(index_path(p, i), "name"),
                                            "duplicate webhook name '" + hook.name + "'");
                                 out.webhooks.push_back(std::move(hook));
                             });
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

// A price as the YAML text wrote it ("7.53"), 0 to 1,000,000.
double read_price(const YamlReader& r, const YAML::Node& node, const std::string& path,
                  const char* expected) {
    auto text = r.non_empty_string(node, path);
    double price = -1;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), price);
    if (error != std::errc() || end != text.data() + text.size() || price < 0 || price > 1e6)
        r.fail(node, path, expected);
    return price;
}

// One band of pricing.tiers.<product>.bands: {up_to: N, per_seat: X}; the last has no up_to.
PriceBand read_band(const YamlReader& r, const YAML::Node& node, const std::string& path) {
    if (!node.IsMap())
        r.fail(node, path, "expected a mapping {up_to: N, per_seat: PRICE}");
    PriceBand band;
    bool has_price = false;
    for (const auto& entry : node) {
        auto key = r.non_empty_string(entry.first, path);
        auto key_path = child_path(path, key);
        if (key == "up_to") {
            band.up_to = r.integer(entry.second, key_path, 1, 100'000'000);
        } else if (key == "per_seat") {
            band.per_seat =
                read_price(r, entry.second, key_path, "expected a price per seat such as 7.75");
            has_price = true;
        } else {
            r.fail(entry.first, key_path, "unknown key (expected up_to or per_seat)");
        }
    }
    if (!has_price)
        r.fail(node, path, "missing required key 'per_seat'");
    return band;
}

// pricing.tiers.<product>: {billing: monthly|annual, bands: [...]}. Read by hand rather than
// through read_mapping, so that the product keys (the user's choice) are not declared keys.
PriceTiers read_tiers(const YamlReader& r, const YAML::Node& node, const std::string& path) {
    if (!node.IsMap())
        r.fail(node, path, "expected a mapping with billing and bands");
    PriceTiers tiers;
    for (const auto& entry : node) {
        auto key = r.non_empty_string(entry.first, path);
        auto key_path = child_path(path, key);
        if (key == "billing") {
            tiers.annual = one_of(r, entry.second, key_path, {"monthly", "annual"}) == "annual";
        } else if (key == "bands") {
            r.expect_sequence(entry.second, key_path);
            for (std::size_t i = 0; i < entry.second.size(); ++i)
                tiers.bands.push_back(read_band(r, entry.second[i], index_path(key_path, i)));
        } else {
            r.fail(entry.first, key_path, "unknown key (expected billing or bands)");
        }
    }
    if (tiers.bands.empty())
        r.fail(node, path, "expected bands: a list of {up_to: N, per_seat: PRICE}");
    for (std::size_t i = 0; i < tiers.bands.size(); ++i) {
        const bool last = i + 1 == tiers.bands.size();
        const auto& band = tiers.bands[i];
        if (last != !band.up_to)
            r.fail(node["bands"], child_path(path, "bands"),
                   "every band but the last needs up_to, and the last must have none (it takes "
                   "every count above)");
        if (i > 0 && band.up_to && *band.up_to <= *tiers.bands[i - 1].up_to)
            r.fail(node["bands"], child_path(path, "bands"), "up_to must grow from band to band");
    }
    return tiers;
}

void read_pricing(const YamlReader& r, const YAML::Node& node, const std::string& path,
                  Config::Pricing& out) {
    auto issues_before = r.issue_count();
    auto read_products = [&](const YAML::Node& v, const std::string& p, auto&& read_one) {
        if (!v.IsMap())
            r.fail(v, p, "expected a mapping of product key to prices");
        for (const auto& entry : v) {
            auto product = r.non_empty_string(entry.first, p);
            auto entry_path = child_path(p, product);
            if (out.monthly_per_seat.count(product) || out.tiers.count(product))
                r.fail(entry.first, entry_path,
                       "duplicate key (a product has a flat price or tiers, not both)");
            read_one(product, entry.second, entry_path);
        }
    };
    r.read_mapping(node, path,
                   {{"currency",
                     [&](auto& v, auto& p) {
                         out.currency = r.non_empty_string(v, p);
                         if (out.currency.size() > 8)
                             r.fail(v, p, "expected a short currency code such as EUR or USD");
                     }},
                    {"monthly_per_seat",
                     [&](auto& v, auto& p) {
                         read_products(v, p, [&](auto& product, auto& value, auto& entry_path) {
                             out.monthly_per_seat[product] =
                                 read_price(r, value, entry_path,
                                            "expected a price per seat and month such as 7.75");
                         });
                     }},
                    {"tiers", [&](auto& v, auto& p) {
                         read_products(v, p, [&](auto& product, auto& value, auto& entry_path) {
                             out.tiers[product] = read_tiers(r, value, entry_path);
                         });
                     }}});
    if (r.issue_count() == issues_before && (!out.monthly_per_seat.empty() || !out.tiers.empty()) &&
        out.currency.empty())
        r.fail(node, path, "missing required key 'currency' (prices need a currency)");
}

void read_history(const YamlReader& r, const YAML::Node& node, const std::string& path,
                  Config::History& out) {
    // At least 31 days: the first 30 keep every sync's point, older ones one per day.
    r.read_mapping(
        node, path,
        {{"keep", [&](auto& v, auto& p) { out.keep_days = r.integer(v, p, 31, 36500); }}});
}

void read_digest(const YamlReader& r, const YAML::Node& node, const std::string& path,
                 Config::Digest& out) {
    r.read_mapping(node, path,
                   {{"schedule", [&](auto& v, auto& p) {
                         auto parsed = parse_schedule(r.non_empty_string(v, p));
                         if (!parsed || !std::holds_alternative<WeeklySchedule>(*parsed.schedule))
                             r.fail(v, p,
                                    "expected a weekly schedule such as 'weekly mon "
                                    "09:00' (in sync.timezone)");
                         out.schedule = *parsed.schedule;
                         out.schedule_text = to_string(out.schedule);
                     }}});
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

void read_filter(const YamlReader& r, const YAML::const_iterator::value_type& entry,
                 const std::string& path, std::map<std::string, UserFilter>& out);

void read_filters(const YamlReader& r, const YAML::Node& node, const std::string& path,
                  std::map<std::string, UserFilter>& out) {
    if (node.IsNull())
        return;
    if (!node.IsMap())
        r.fail(node, path, "expected a mapping of filter name to filter fields");
    for (const auto& entry : node)
        r.guard([&] { read_filter(r, entry, path, out); });
}

void read_filter(const YamlReader& r, const YAML::const_iterator::value_type& entry,
                 const std::string& path, std::map<std::string, UserFilter>& out) {
    {
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
            item = lowercase(item);
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
    std::size_t task;  // its index in Config::tasks once read
    YAML::Mark mark;
    std::string path;
    std::string name;
};

// A task's keep_at_most: its product and site are resolved once the task's filter is known.
using PendingSeatTargets = std::vector<std::pair<std::size_t, WrittenSeatTarget>>;

TaskConfig read_task(const YamlReader& r, const YAML::Node& node, const std::string& path,
                     std::size_t index, std::vector<PendingFilterName>& pending,
                     PendingSeatTargets& seat_targets) {
    TaskConfig task;
    bool has_filter = false, has_actions = false, has_schedule = false;
    auto issues_before = r.issue_count();
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
                  pending.push_back({index, v.Mark(), p, task.saved_filter});
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
         {"keep_at_most",
          [&](auto& v, auto& p) { seat_targets.emplace_back(index, read_seat_target(r, v, p)); }},
         {"notice", [&](auto& v, auto& p) { task.notice = config_detail::read_notice(r, v, p); }},
         {"reason", [&](auto& v, auto& p) {
              task.reason = r.non_empty_string(v, p);
              if (task.reason.size() > 1000)
                  r.fail(v, p, "at most 1000 characters");
          }}});
    if (r.issue_count() != issues_before)
        return task;  // a key was wrong: "missing" checks would only repeat that
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
                std::vector<TaskConfig>& out, std::vector<PendingFilterName>& pending,
                PendingSeatTargets& seat_targets) {
    if (node.IsNull())
        return;
    r.expect_sequence(node, path);
    std::set<std::string> names;
    for (std::size_t i = 0; i < node.size(); ++i)
        r.guard([&] {  // a bad task does not hide the next one
            auto task =
                read_task(r, node[i], index_path(path, i), out.size(), pending, seat_targets);
            if (!names.insert(task.name).second)
                r.fail(node[i]["name"], child_path(index_path(path, i), "name"),
                       "duplicate task name '" + task.name + "'");
            out.push_back(std::move(task));
        });
}

// metrics.listen must be a loopback address or a UNIX socket unless metrics.allow_remote says
// otherwise: the figures (seat counts, costs, the key's state) are for the admins' own monitoring.
void read_metrics(const YamlReader& r, const YAML::Node& node, const std::string& path,
                  Config::Metrics& out) {
    YAML::Node listen_node;
    r.read_mapping(
        node, path,
        {{"listen",
          [&](auto& v, auto& p) {
              out.listen = r.non_empty_string(v, p);
              std::string error;
              if (!metrics::parse_listen_address(out.listen, &error))
                  r.fail(v, p, error);
              listen_node = v;
          }},
         {"allow_remote", [&](auto& v, auto& p) { out.allow_remote = r.boolean(v, p); }}});
    if (out.listen.empty() || out.allow_remote)
        return;
    auto address = metrics::parse_listen_address(out.listen, nullptr);
    if (!address->is_local())
        r.fail(listen_node, child_path(path, "listen"),
               address->host +
                   " is not a loopback address: other hosts could read the metrics; listen on "
                   "127.0.0.1, ::1 or a UNIX socket, or set metrics.allow_remote: true");
}

void read_logging(const YamlReader& r, const YAML::Node& node, const std::string& path,
                  Config::Logging& out) {
    r.read_mapping(node, path,
                   {{"level", [&](auto& v, auto& p) { out.level = one_of(r, v, p, kLogLevels); }}});
}

// Every section of the file, each read on its own (a bad section does not hide the next).
void read_sections(const YamlReader& r, const YAML::Node& root, Config& out,
                   std::vector<PendingFilterName>& pending_filters,
                   PendingSeatTargets& seat_targets) {
    r.read_mapping(
        root, "",
        {{"atlassian", [&](auto& v, auto& p) { read_atlassian(r, v, p, out.atlassian); }},
         {"http", [&](auto& v, auto& p) { read_http(r, v, p, out.http); }},
         {"storage",
          [&](auto& v, auto& p) {
              r.read_mapping(v, p, {{"path", [&](auto& pv, auto& pp) {
                                         out.storage.path = r.non_empty_string(pv, pp);
                                     }}});
          }},
         {"control", [&](auto& v, auto& p) { read_control(r, v, p, out.control); }},
         {"sync", [&](auto& v, auto& p) { read_sync(r, v, p, out.sync); }},
         {"inactivity", [&](auto& v, auto& p) { read_inactivity(r, v, p, out.inactivity); }},
         {"pricing", [&](auto& v, auto& p) { read_pricing(r, v, p, out.pricing); }},
         {"history", [&](auto& v, auto& p) { read_history(r, v, p, out.history); }},
         {"digest", [&](auto& v, auto& p) { read_digest(r, v, p, out.digest); }},
         {"filters", [&](auto& v, auto& p) { read_filters(r, v, p, out.filters); }},
         {"notifications",
          [&](auto& v, auto& p) { read_notifications(r, v, p, out.notifications); }},
         {"protect", [&](auto& v, auto& p) { read_protect(r, v, p, out.protect); }},
         {"ops", [&](auto& v, auto& p) { read_ops(r, v, p, out.ops); }},
         {"tasks",
          [&](auto& v, auto& p) { read_tasks(r, v, p, out.tasks, pending_filters, seat_targets); }},
         {"alerts", [&](auto& v, auto& p) { read_alerts(r, v, p, out.alerts); }},
         {"email", [&](auto& v, auto& p) { config_detail::read_email(r, v, p, out.email); }},
         {"metrics", [&](auto& v, auto& p) { read_metrics(r, v, p, out.metrics); }},
         {"logging", [&](auto& v, auto& p) { read_logging(r, v, p, out.logging); }}});
}

}  // namespace

Config parse_config(const std::string& yaml_text, const std::string& source_name) {
    YamlReader reader(source_name);
    YAML::Node root;
    try {
        root = YAML::Load(yaml_text);
    } catch (const YAML::Exception& e) {
        // yaml-cpp stops at the first syntax error: there is only ever one of these.
        auto at = config_detail::locate_syntax_error(yaml_text, e.mark, e.msg);
        throw ConfigError(source_name, at.line, at.column, at.key_path, "invalid YAML: " + e.msg);
    }
    Config config;
    config.source_path = source_name;
    std::vector<PendingFilterName> pending_filters;
    PendingSeatTargets seat_targets;
    if (!root.IsNull() && !root.IsMap())
        reader.fail(root, "", "the top level must be a mapping of sections");
    try {
        read_sections(reader, root, config, pending_filters, seat_targets);
        for (const auto& pending : pending_filters)
            reader.guard([&] {
                auto found = config.filters.find(pending.name);
                if (found == config.filters.end())
                    reader.fail(pending.mark, pending.path,
                                "no saved filter named '" + pending.name + "' under filters:");
                if (pending.task < config.tasks.size() &&
                    config.tasks[pending.task].saved_filter == pending.name)
                    config.tasks[pending.task].filter = found->second;
            });
        // A task that failed to read is not in config.tasks: indexes hold only without issues.
        const bool clean = reader.issue_count() == 0;
        for (const auto& [task, written] : seat_targets)
            if (clean && task < config.tasks.size())
                reader.guard([&] { resolve_seat_target(reader, written, config.tasks[task]); });
        config_detail::check_notice_settings(reader, root, config);
    } catch (const YamlReader::TooManyIssues&) {
        reader.throw_if_issues(true);
    }
    reader.throw_if_issues();
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
