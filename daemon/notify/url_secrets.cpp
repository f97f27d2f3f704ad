// Which parts of a webhook URL are secret. Chat webhooks carry their credential in the URL:
// Slack /services/T…/B…/<token>, Discord /api/webhooks/<id>/<token>, Google Chat
// ?key=…&token=…, Teams and Power Automate ?sig=…, a generic receiver anything. A part is taken
// as secret when it looks like an identifier or a token rather than a word of the API's path.
#include <algorithm>
#include <cctype>
#include <set>

#include "rosterd/base/text.hpp"
#include "rosterd/notify/delivery.hpp"

namespace rosterd::notify {
namespace {

// Query parameters whose value is a credential whatever it looks like.
const std::set<std::string, std::less<>> kSecretParameters = {
    "key",          "token", "sig",      "signature", "secret", "code",
    "access_token", "auth",  "password", "apikey",    "api_key"};

// Shorter values are not searched for: they would match ordinary words of an error text.
constexpr std::size_t kShortest = 4;

bool has_digit(std::string_view text) {
    return std::any_of(text.begin(), text.end(),
                       [](unsigned char c) { return std::isdigit(c) != 0; });
}

// An id or a token (T0123ABCD, 1234567890, a 24-letter token) rather than a path word
// ("services", "webhooks", "workflows", "v1").
bool looks_secret(std::string_view part) {
    if (part.size() < kShortest)
        return false;
    return part.size() >= 16 || (part.size() >= 6 && has_digit(part));
}

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    c = ascii_lower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

std::string percent_decoded(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
            hex_value(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
            i += 2;
        } else {
            out.push_back(text[i] == '+' ? ' ' : text[i]);
        }
    }
    return out;
}

void add(std::vector<std::string>& out, std::string_view part, bool always) {
    if (part.size() < kShortest || (!always && !looks_secret(part)))
        return;
    out.emplace_back(part);
    auto decoded = percent_decoded(part);
    if (decoded != part && decoded.size() >= kShortest)
        out.push_back(std::move(decoded));
}

}  // namespace

std::vector<std::string> webhook_url_secrets(std::string_view url) {
    std::vector<std::string> out;
    auto fragment = url.find('#');
    if (fragment != std::string_view::npos)
        url = url.substr(0, fragment);
    auto scheme = url.find("://");
    std::string_view rest = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
    auto path_at = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, path_at);
    if (auto at = authority.rfind('@'); at != std::string_view::npos) {
        // user:password@host: the user info is a credential.
        auto userinfo = authority.substr(0, at);
        auto colon = userinfo.find(':');
        add(out, userinfo.substr(0, colon), true);
        if (colon != std::string_view::npos)
            add(out, userinfo.substr(colon + 1), true);
    }
    std::string_view tail = path_at == std::string_view::npos ? "" : rest.substr(path_at);
    auto query_at = tail.find('?');
    std::string_view path = tail.substr(0, query_at);
    std::string_view query =
        query_at == std::string_view::npos ? std::string_view() : tail.substr(query_at + 1);
    for (std::size_t start = 0; start < path.size();) {
        auto end = std::min(path.find('/', start), path.size());
        add(out, path.substr(start, end - start), false);
        start = end + 1;
    }
    for (std::size_t start = 0; start < query.size();) {
        auto end = std::min(query.find('&', start), query.size());
        auto pair = query.substr(start, end - start);
        auto equals = pair.find('=');
        if (equals != std::string_view::npos) {
            std::string name = lowercase(pair.substr(0, equals));
            add(out, pair.substr(equals + 1), kSecretParameters.count(name) > 0);
        }
        start = end + 1;
    }
    std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
        return a.size() != b.size() ? a.size() > b.size() : a < b;
    });
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace rosterd::notify
