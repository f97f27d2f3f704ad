#include "notice_section.hpp"

#include <algorithm>
#include <charconv>
#include "rosterd/base/text.hpp"

namespace rosterd::config_detail {
namespace {

// The SMTP host of smtp://[user@]host[:port][/...], lower-cased; empty when the URL has none.
std::string smtp_host(const std::string& url) {
    auto rest = url.substr(url.find("://") + 3);
    rest = rest.substr(0, rest.find('/'));
    if (auto at = rest.rfind('@'); at != std::string::npos)
        rest = rest.substr(at + 1);
    std::string host;
    if (!rest.empty() && rest.front() == '[')
        host = rest.substr(1, rest.find(']') - 1);
    else
        host = rest.substr(0, rest.find(':'));
    return lowercase(host);
}

bool is_localhost(const std::string& host) {
    return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

std::string template_text(const YamlReader& r, const YAML::Node& v, const std::string& p) {
    auto text = r.non_empty_string(v, p);
    if (text.size() > 20000)
        r.fail(v, p, "at most 20000 characters");
    return text;
}

}  // namespace

std::optional<std::chrono::seconds> parse_notice_duration(const std::string& text) {
    if (text.size() < 2)
        return std::nullopt;
    std::int64_t n = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size() - 1, n);
    if (error != std::errc() || end != text.data() + text.size() - 1 || n <= 0 ||
        n > 3650LL * 86400)
        return std::nullopt;
    std::int64_t unit = 0;
    switch (text.back()) {
        case 's':
            unit = 1;
            break;
        case 'm':
            unit = 60;
            break;
        case 'h':
            unit = 3600;
            break;
        case 'd':
            unit = 86400;
            break;
        default:
            return std::nullopt;
    }
    if (n * unit > 3650LL * 86400)
        return std::nullopt;
    return std::chrono::seconds(n * unit);
}

NoticeConfig read_notice(const YamlReader& r, const YAML::Node& node, const std::string& path) {
    NoticeConfig notice;
    bool has_grace = false;
    auto duration = [&](const YAML::Node& v, const std::string& p) {
        auto text = r.non_empty_string(v, p);
        auto parsed = parse_notice_duration(text);
        if (!parsed)
            r.fail(v, p, "expected a duration such as 14d, 36h, 30m or 45s, got '" + text + "'");
        return *parsed;
    };
    r.read_mapping(
        node, path,
        {{"grace",
          [&](auto& v, auto& p) {
              notice.grace = duration(v, p);
              has_grace = true;
          }},
         {"email", [&](auto& v, auto& p) { notice.email = r.boolean(v, p); }},
         {"release_email", [&](auto& v, auto& p) { notice.release_email = r.boolean(v, p); }},
         {"remind_before", [&](auto& v, auto& p) {
              r.expect_sequence(v, p);
              for (std::size_t i = 0; i < v.size(); ++i)
                  notice.remind_before.push_back(duration(v[i], index_path(p, i)));
              std::sort(notice.remind_before.rbegin(), notice.remind_before.rend());
              notice.remind_before.erase(
                  std::unique(notice.remind_before.begin(), notice.remind_before.end()),
                  notice.remind_before.end());
          }}});
    if (!has_grace)
        r.fail(node, path, "missing required key 'grace'");
    for (auto before : notice.remind_before)
        if (before >= notice.grace)
            r.fail(node["remind_before"], child_path(path, "remind_before"),
                   "a reminder must come after the notice: each must be shorter than grace");
    return notice;
}

void read_email(const YamlReader& r, const YAML::Node& node, const std::string& path,
                Config::Email& out) {
    YAML::Node url_node, starttls_node;
    bool starttls_off = false;
    r.read_mapping(
        node, path,
        {{"smtp_url",
          [&](auto& v, auto& p) {
              out.smtp_url = r.non_empty_string(v, p);
              if (out.smtp_url.rfind("smtp://", 0) != 0 && out.smtp_url.rfind("smtps://", 0) != 0)
                  r.fail(v, p, "expected an smtp:// or smtps:// URL");
              if (smtp_host(out.smtp_url).empty())
                  r.fail(v, p, "the URL names no host");
              url_node = v;
          }},
         {"from",
          [&](auto& v, auto& p) {
              out.from = r.non_empty_string(v, p);
              if (out.from.find('@') == std::string::npos ||
                  out.from.find_first_of("\r\n<>") != std::string::npos)
                  r.fail(v, p, "expected a mail address such as rosterd@acme.com");
          }},
         {"username", [&](auto& v, auto& p) { out.username = r.non_empty_string(v, p); }},
         {"password_file", [&](auto& v, auto& p) { out.password_file = r.non_empty_string(v, p); }},
         {"ca_file", [&](auto& v, auto& p) { out.ca_file = r.non_empty_string(v, p); }},
         {"starttls",
          [&](auto& v, auto& p) {
              auto mode = r.non_empty_string(v, p);
              if (mode != "required" && mode != "off")
                  r.fail(v, p, "'" + mode + "' is not one of: required, off");
              starttls_off = mode == "off";
              starttls_node = v;
          }},
         {"subject",
          [&](auto& v, auto& p) {
              out.subject = template_text(r, v, p);
              if (out.subject.find_first_of("\r\n") != std::string::npos)
                  r.fail(v, p, "a subject is one line");
          }},
         {"body", [&](auto& v, auto& p) { out.body = template_text(r, v, p); }},
         {"release_subject",
          [&](auto& v, auto& p) {
              out.release_subject = template_text(r, v, p);
              if (out.release_subject.find_first_of("\r\n") != std::string::npos)
                  r.fail(v, p, "a subject is one line");
          }},
         {"release_body", [&](auto& v, auto& p) { out.release_body = template_text(r, v, p); }},
         {"contact", [&](auto& v, auto& p) { out.contact = r.non_empty_string(v, p); }},
         {"per_minute", [&](auto& v, auto& p) { out.per_minute = r.integer(v, p, 1, 10000); }}});
    out.starttls = !starttls_off;
    if (out.smtp_url.empty()) {
        r.fail(node, path, "missing required key 'smtp_url'");
    }
    if (out.from.empty())
        r.fail(node, path, "missing required key 'from'");
    if (!out.username.empty() && out.password_file.empty())
        r.fail(node, path, "username needs password_file (a password is never written inline)");
    // Without TLS the password and the users' addresses cross the network in clear text.
    if (starttls_off && out.smtp_url.rfind("smtp://", 0) == 0 &&
        !is_localhost(smtp_host(out.smtp_url)))
        r.fail(starttls_node, child_path(path, "starttls"),
               "starttls: off is allowed only for an SMTP server on localhost");
}

void check_notice_settings(const YamlReader& r, const YAML::Node& root, const Config& config) {
    for (std::size_t i = 0; i < config.tasks.size(); ++i) {
        const auto& task = config.tasks[i];
        if (task.notice && task.notice->email && !config.email.enabled())
            r.guard([&] {
                r.fail(root["tasks"][i]["notice"]["email"],
                       "tasks[" + std::to_string(i) + "].notice.email",
                       "mailing users needs the email: section (smtp_url, from)");
            });
        if (task.notice && task.notice->release_email && !config.email.enabled())
            r.guard([&] {
                r.fail(root["tasks"][i]["notice"]["release_email"],
                       "tasks[" + std::to_string(i) + "].notice.release_email",
                       "mailing users needs the email: section (smtp_url, from)");
            });
    }
    for (std::size_t i = 0; i < config.notifications.webhooks.size(); ++i)
        if (config.notifications.webhooks[i].name == "@email")
            r.guard([&] {
                r.fail(root["notifications"]["webhooks"][i]["name"],
                       "notifications.webhooks[" + std::to_string(i) + "].name",
                       "'@email' is reserved for the mail the outbox sends");
            });
}

}  // namespace rosterd::config_detail
