#include "account_numbers.hpp"

#include <limits>
#include <stdexcept>

namespace rosterd::sync {

AccountNumbers::AccountNumbers(Hash hash) : hash_(hash), keys_(1024, 0), numbers_(1024, 0) {}

std::uint64_t AccountNumbers::hash_of(std::string_view account) {
    return std::hash<std::string_view>{}(account);
}

std::uint64_t AccountNumbers::key_of(std::string_view account) const {
    const std::uint64_t key = hash_(account);
    return key == 0 ? 1 : key;
}

// Linear probing from the key's home slot (capacity is a power of two).
std::size_t AccountNumbers::slot_of(std::uint64_t key) const {
    const std::size_t mask = keys_.size() - 1;
    std::size_t slot = static_cast<std::size_t>(key ^ (key >> 32)) & mask;
    while (keys_[slot] != 0 && keys_[slot] != key)
        slot = (slot + 1) & mask;
    return slot;
}

void AccountNumbers::grow() {
    std::vector<std::uint64_t> keys(keys_.size() * 2, 0);
    std::vector<std::uint32_t> numbers(keys.size(), 0);
    keys.swap(keys_);
    numbers.swap(numbers_);
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (keys[i] == 0)
            continue;
        const auto slot = slot_of(keys[i]);
        keys_[slot] = keys[i];
        numbers_[slot] = numbers[i];
    }
}

std::optional<std::int64_t> AccountNumbers::find(std::string_view account,
                                                 const StoredAccount& stored) const {
    if (!apart_.empty())
        if (auto found = apart_.find(std::string(account)); found != apart_.end())
            return found->second;
    const auto slot = slot_of(key_of(account));
    if (keys_[slot] == 0)
        return std::nullopt;
    const std::int64_t number = numbers_[slot];
    if (stored(number) == account)
        return number;
    return std::nullopt;  // another account with the same hash
}

void AccountNumbers::release() {
    std::vector<std::uint64_t>(1024, 0).swap(keys_);
    std::vector<std::uint32_t>(1024, 0).swap(numbers_);
    std::unordered_map<std::string, std::int64_t>().swap(apart_);
    size_ = 0;
}

void AccountNumbers::add(std::string_view account, std::int64_t user_no) {
    if (user_no <= 0 || user_no > std::numeric_limits<std::uint32_t>::max())
        throw std::out_of_range("account numbers: user number out of range");
    const auto key = key_of(account);
    auto slot = slot_of(key);
    if (keys_[slot] != 0) {
        apart_.emplace(std::string(account), user_no);
        return;
    }
    if ((size_ + 1) * 2 > keys_.size()) {
        grow();
        slot = slot_of(key);
    }
    keys_[slot] = key;
    numbers_[slot] = static_cast<std::uint32_t>(user_no);
    ++size_;
}

}  // namespace rosterd::sync
