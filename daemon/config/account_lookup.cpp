#include "account_lookup.hpp"

#include <grp.h>
#include <pwd.h>

#include <charconv>
#include <vector>

namespace rosterd::config_detail {
namespace {

std::optional<std::uint32_t> numeric(const std::string& text) {
    std::uint32_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

}  // namespace

std::optional<std::uint32_t> lookup_uid(const std::string& name_or_id) {
    if (auto id = numeric(name_or_id))
        return id;
    std::vector<char> buffer(16384);
    passwd entry{};
    passwd* result = nullptr;
    if (getpwnam_r(name_or_id.c_str(), &entry, buffer.data(), buffer.size(), &result) != 0 ||
        !result)
        return std::nullopt;
    return result->pw_uid;
}

std::optional<std::uint32_t> lookup_gid(const std::string& name_or_id) {
    if (auto id = numeric(name_or_id))
        return id;
    std::vector<char> buffer(16384);
    group entry{};
    group* result = nullptr;
    if (getgrnam_r(name_or_id.c_str(), &entry, buffer.data(), buffer.size(), &result) != 0 ||
        !result)
        return std::nullopt;
    return result->gr_gid;
}

}  // namespace rosterd::config_detail
