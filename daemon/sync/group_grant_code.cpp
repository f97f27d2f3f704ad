#include "group_grant_code.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

#include "rosterd/atlassian/user_batch_read.hpp"

namespace rosterd::sync {

namespace {

// The roles groups grant on a product, most common first: each gets a pair of bits (six pairs of
// kRoleBits = 4 bits).
const std::vector<std::string>& paired_roles() {
    static const std::vector<std::string> roles{"atlassian/user",        "atlassian/admin",
                                                "atlassian/guest",       "atlassian/customer",
                                                "atlassian/contributor", "atlassian/basic"};
    return roles;
}

// Every other canonical role id: each has three bits of the four, the last all four, so that a
// group granting one of them, alone or beside a paired role, sets three role bits or four and is
// read alone (the four searches name seven roles each; roleIds takes ten).
const std::vector<std::string>& other_roles() {
    static const std::vector<std::string> roles{
        "atlassian/stakeholder", "atlassian/user-access-admin", "atlassian/org-admin",
        "atlassian/site-admin", "atlassian/ai-access"};
    return roles;
}

std::size_t binomial(unsigned n, unsigned k) {
    std::size_t result = 1;
    for (unsigned i = 1; i <= k; ++i)
        result = result * (n - k + i) / i;
    return result;
}

}  // namespace

GroupGrantCode::GroupGrantCode(std::vector<std::string> products)
    : products_(std::move(products)), paired_roles_(paired_roles()) {
    for (unsigned a = 0; a < kRoleBits && pairs_.size() < paired_roles_.size(); ++a)
        for (unsigned b = a + 1; b < kRoleBits && pairs_.size() < paired_roles_.size(); ++b)
            pairs_.emplace_back(a, b);

    std::vector<unsigned> other_codes;  // three bits of four, then all four
    for (unsigned code = 0; code < (1U << kRoleBits); ++code)
        if (std::popcount(code) == static_cast<int>(kRoleBits) - 1)
            other_codes.push_back(code);
    other_codes.push_back((1U << kRoleBits) - 1);
    // A role without bits would read as the paired role granted beside it.
    if (other_roles().size() > other_codes.size())
        throw std::logic_error("group grant code: more roles outside the pairs than codes");
    for (unsigned bit = 0; bit < kRoleBits; ++bit) {
        GroupCodeQuery query;
        for (std::size_t r = 0; r < pairs_.size(); ++r)
            if (pairs_[r].first == bit || pairs_[r].second == bit)
                query.role_ids.push_back(paired_roles_[r]);
        for (std::size_t r = 0; r < other_roles().size(); ++r)
            if ((other_codes[r] >> bit) & 1U)
                query.role_ids.push_back(other_roles()[r]);
        queries_.push_back(std::move(query));
        meaning_.emplace_back(Meaning::role_bit, bit);
    }

    // Products: the smallest number of bits whose codes of half that weight are enough (at
    // least one bit each: no bit at all is a resource that is none of the products).
    product_bits_ = 2;
    while (binomial(product_bits_, product_bits_ / 2) < products_.size())
        ++product_bits_;
    product_weight_ = product_bits_ / 2;
    for (unsigned code = 0; product_codes_.size() < products_.size(); ++code)
        if (static_cast<unsigned>(std::popcount(code)) == product_weight_)
            product_codes_.push_back(code);
    for (unsigned bit = 0; bit < product_bits_; ++bit) {
        std::vector<std::string> named;
        for (std::size_t p = 0; p < products_.size(); ++p)
            if ((product_codes_[p] >> bit) & 1U)
                named.push_back(products_[p]);
        for (std::size_t from = 0; from < named.size();
             from += atlassian::kMaxResourceIdsPerSearch) {
            auto to = std::min(named.size(), from + atlassian::kMaxResourceIdsPerSearch);
            queries_.push_back(GroupCodeQuery{{},
                                              {named.begin() + static_cast<std::ptrdiff_t>(from),
                                               named.begin() + static_cast<std::ptrdiff_t>(to)}});
            meaning_.emplace_back(Meaning::product_bit, bit);
        }
    }
}

void GroupGrantCode::returned(std::size_t query, const std::string& group_id) {
    const auto [meaning, bit] = meaning_.at(query);
    auto& bits = seen_[group_id];
    switch (meaning) {
        case Meaning::role_bit:
            bits.roles |= 1U << bit;
            break;
        case Meaning::product_bit:
            bits.products |= 1U << bit;
            break;
    }
}

std::optional<GroupGrant> GroupGrantCode::decode(const std::string& group_id) const {
    auto it = seen_.find(group_id);
    if (it == seen_.end())
        return std::nullopt;
    const Bits& bits = it->second;
    // Two roles or more, or a role outside the pairs, set three or four role bits.
    if (std::popcount(bits.roles) != 2)
        return std::nullopt;
    std::optional<std::size_t> role;
    for (std::size_t r = 0; r < pairs_.size(); ++r)
        if (bits.roles == ((1U << pairs_[r].first) | (1U << pairs_[r].second)))
            role = r;
    // Another weight: a resource that is none of the products (no bit), a group granting on two
    // products or a search that missed it (the group changed meanwhile, a page moved under it).
    if (!role || static_cast<unsigned>(std::popcount(bits.products)) != product_weight_)
        return std::nullopt;
    auto at = std::find(product_codes_.begin(), product_codes_.end(), bits.products);
    if (at == product_codes_.end())
        return std::nullopt;
    return GroupGrant{products_[static_cast<std::size_t>(at - product_codes_.begin())],
                      paired_roles_[*role]};
}

}  // namespace rosterd::sync
