#pragma once
// Which role each group grants on which product, read through a few filtered groups/search
// requests instead of one role-assignments request per granting group.
//
// Nearly every granting group grants one role on one product ("jira-users-acme": user on Jira).
// The group listing's counts.resources says which groups have one product. Each of those is
// identified by the filtered searches that return it, used as the bits of two codes of constant
// weight:
//   - products: each product has its own set of half of the product bits (six products: two of
//     four bits); the search for bit k names the products whose set holds k (resourceIds, at
//     most 20 a request);
//   - roles: each of the six common group roles has its own pair of bits out of kRoleBits = 4,
//     each other canonical role three bits or four; the search for bit k names the roles whose
//     bits hold k (roleIds).
// A group with one role on one product is returned by exactly two role searches and by the
// product searches of its product's set: that decodes to the grant. A code of another weight is
// read the usual way: two roles or more on the product, a role outside the pairs (three role bits
// or four), or two products (more product bits); a role no search names (no role bit); a resource
// that is none of the products (no product bit). What can still decode wrongly: a group whose
// grant changes while the searches run, so that some searches see the old grant and others the
// new one and the bits they set happen to form a third code; one that a search of several pages
// missed (a page moved under it) so that three bits became two; the next sync reads it right. A
// role no canonical role id names, held beside a common one on the same product, goes unseen.
//
// The searches use one filter each (roleIds alone, resourceIds alone), whose meaning does not
// depend on how the API combines filters.
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace rosterd::sync {

struct GroupGrant {
    std::string resource_id;
    std::string role;
};

struct GroupCodeQuery {
    std::vector<std::string> role_ids;      // a role search (else a product search)
    std::vector<std::string> resource_ids;  // a product search: at most 20
};

class GroupGrantCode {
  public:
    // The roles that get bit pairs: the roles groups commonly grant on a product.
    static constexpr std::size_t kRoleBits = 4;

    explicit GroupGrantCode(std::vector<std::string> products);

    // The searches, each to be listed to its end; answer with returned().
    const std::vector<GroupCodeQuery>& queries() const { return queries_; }
    // Requests the code costs when no search needs a second page.
    std::size_t cost() const { return queries_.size(); }

    // `group_id` was returned by queries()[query].
    void returned(std::size_t query, const std::string& group_id);
    // The one grant of a group with one product, when its searches decode to one.
    std::optional<GroupGrant> decode(const std::string& group_id) const;

  private:
    struct Bits {
        unsigned roles = 0;
        unsigned products = 0;
    };
    enum class Meaning { role_bit, product_bit };

    std::vector<std::string> products_;
    unsigned product_bits_ = 2;
    unsigned product_weight_ = 0;
    std::vector<unsigned> product_codes_;    // product p's set of product bits
    std::vector<std::string> paired_roles_;  // role r has the r-th pair of bits
    std::vector<std::pair<unsigned, unsigned>> pairs_;
    std::vector<GroupCodeQuery> queries_;
    std::vector<std::pair<Meaning, unsigned>> meaning_;  // per query: what it stands for, the bit
    std::unordered_map<std::string, Bits> seen_;
};

}  // namespace rosterd::sync
