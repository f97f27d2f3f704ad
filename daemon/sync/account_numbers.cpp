#include "account_numbers.hpp"

#include <limits>
#include <stdexcept>

namespace rosterd::sync {

AccountNumbers::AccountNumbers(Hash hash) : hash_(hash) {}

std::uint64_t AccountNumbers::key_of(std::string_view account) const {
    const std::uint64_t key = hash_(account);
    return key == 0 ? 1 : key;  // 0 marks an empty slot
}

std::optional<std::int64_t> AccountNumbers::find(std::string_view account,
                                                 const StoredAccount& stored) const {
    if (!apart_.empty())
        if (auto found = apart_.find(std::string(account)); found != apart_.end())
            return found->second;
    const auto slot = slots_.find(key_of(account));
    if (!slots_.occupied(slot))
        return std::nullopt;
    const std::int64_t number = slots_.value(slot);
    if (stored(number) == account)
        return number;
    return std::nullopt;  // another account with the same hash
}

void AccountNumbers::add(std::string_view account, std::int64_t user_no) {
    if (user_no <= 0 || user_no > std::numeric_limits<std::uint32_t>::max())
        throw std::out_of_range("account numbers: user number out of range");
    const auto key = key_of(account);
    if (slots_.occupied(slots_.find(key)))
        apart_.emplace(std::string(account), user_no);
    else
        slots_.insert(key, static_cast<std::uint32_t>(user_no));
}

void AccountNumbers::release() {
    slots_.clear();
    std::unordered_map<std::string, std::int64_t>().swap(apart_);
}

}  // namespace rosterd::sync
