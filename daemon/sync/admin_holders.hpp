#pragma once
// Product admins, learnt from the accounts that hold atlassian/admin anywhere instead of one query
// per product. Organization and site admins hold admin on many products at once, so the
// per-product queries return each of them once per product (868 of 1,276 role pages at 500k
// users); the holders query returns each once. Which products a holder administers then follows
// from the groups for most of them (a group granting admin on a product decides it: admin
// outranks every other role) and is asked for the rest: 100 emails (or 10 account ids) a request.
#include <cstdint>
#include <map>
#include <string>
#include <unordered_set>
#include <vector>

#include "rosterd/atlassian/client.hpp"
#include "rosterd/atlassian/user_batch_read.hpp"
#include "rosterd/store/store.hpp"

namespace rosterd::sync {

inline constexpr const char* kAdminRole = "atlassian/admin";

// One product's holders that its groups do not settle.
struct ProductAdminCandidates {
    // Holders without an organization or site admin role: asked.
    std::vector<atlassian::UserToRead> asked;
    // Organization and site admins, nearly always admin on every product they reach: settled by
    // one users/count of the product's admins when it can (settle_reserved), else asked too.
    std::vector<atlassian::UserToRead> reserved;
    std::int64_t admins_by_groups = 0;  // holders a group makes admin here
};

struct AdminChecks {
    // Per product with holders its groups do not settle.
    std::map<std::string, ProductAdminCandidates> products;
    std::int64_t decided_by_groups = 0;  // (holder, product) pairs written as admin
    // Holders the listing returned that are not in the generation (they joined after the user
    // listing passed them): a product's admin count includes them, so no count settles anyone.
    std::int64_t holders_not_found = 0;
    // Every product each holder with candidates has access to (pack_admin_checks).
    std::map<std::string, std::vector<std::string>> access_of;
};

// Database side, on the sync's unpublished generation once its users and group roles are in:
// writes an admin override for each product where one of a holder's groups grants admin, and
// returns the holder's other products as candidates, organization and site admins apart. Holders
// not in the generation (they joined after the listing) are skipped, as a per-product answer about
// them would have been.
AdminChecks resolve_admin_holders(store::Database& db, std::int64_t snapshot,
                                  const std::vector<std::string>& holders);

// One question: which of `accounts` hold admin on the search's product. An answer about an
// account not asked (behind an email shared with a candidate) is not taken from it.
struct AdminCheck {
    atlassian::UserSearch search;
    std::unordered_set<std::string> accounts;
};

// Whether one users/count of the product's admins is worth sending: it replaces the questions the
// reserved add to the others', so it pays when they add two or more (one at least is saved).
bool count_pays(const std::string& resource_id, const ProductAdminCandidates& product);
// The same from the number of questions with the reserved and without them.
bool count_pays(std::size_t questions_with_reserved, std::size_t questions_without);

enum class ReservedVerdict { all_admins, none_admin, ask };

// The reserved candidates of a product once the others are answered: users/count of its admins
// (`counted`) less those the groups decided and those found among the asked is how many of the
// reserved are admins. All of them or none settles them without a question; any other figure
// asks them. A change during the sync (someone made admin meanwhile, a group's grant changed
// after the groups were read, an asked holder's email changed) usually makes the figure fit
// neither, and they are asked; one that happens to make it fit settles them by it, and the next
// sync corrects the role, as it does for any change a sync straddles (docs/sync.md).
ReservedVerdict settle_reserved(std::int64_t counted, std::int64_t admins_by_groups,
                                std::int64_t found_among_asked, std::size_t reserved);

// The questions about `candidates` on `resource_id`: by email as listed, up to 100 a request, and
// by account id, up to 10 a request, for accounts without an email. An account whose email changed
// since the listing is not found and taken for no admin there, like any change during a sync
// (the next sync sees it).
std::vector<AdminCheck> admin_checks(const std::string& resource_id,
                                     const std::vector<atlassian::UserToRead>& candidates);

// A question about several products at once: users/search with roleIds admin, the products in
// resourceIds and the candidates' emails returns who among them is admin on any of the products.
// Each candidate has access to exactly one of the products (the one asked about), so "returned"
// means admin on that product and nothing else.
struct PackedAdminCheck {
    atlassian::UserSearch search;  // with expand productAccess: whom an answer is about now
    std::map<std::string, std::string> product_of;  // account asked -> the product asked about
    std::map<std::string, std::string> email_of;    // account asked -> its email, as asked
};

// Whom a packed question's answer makes admin on what. A returned account whose access now
// reaches exactly one of the products named, the one it was asked about, is admin there. One
// that reaches another of them now (given access meanwhile), or none, may be admin on either:
// `again` asks it alone, product by product.
struct PackedAnswer {
    std::map<std::string, std::vector<std::string>> admins;  // product -> accounts
    std::map<std::string, std::vector<atlassian::UserToRead>> again;
};
PackedAnswer read_packed_answer(const PackedAdminCheck& check,
                                const std::vector<atlassian::DirectoryUser>& returned);

struct PackedAdminChecks {
    std::vector<PackedAdminCheck> packed;
    // Candidates a packed question cannot name (no email, or an email another candidate shares):
    // asked product by product (admin_checks).
    std::map<std::string, std::vector<atlassian::UserToRead>> by_product;
};

// The questions about `asked` (per product, the holders without an organization or site admin
// role whose admin the groups leave open): each product's candidates 100 a question as before,
// but the part-filled last questions of several products share questions where they can. A Jira
// admin of one site asked about its Confluence goes with a Confluence admin of another site asked
// about its Jira: each candidate has access to exactly one of the products a question names.
// At 100k users this saves about one question in six.
PackedAdminChecks pack_admin_checks(
    const std::map<std::string, std::vector<atlassian::UserToRead>>& asked,
    const std::map<std::string, std::vector<std::string>>& access_of);

}  // namespace rosterd::sync
