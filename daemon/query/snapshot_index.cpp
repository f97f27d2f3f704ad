// Reading the published snapshot into a SnapshotIndex: sequential scans of users, user_access and
// user_groups along the generation's key range (no per-user seeks), then each user's rows made
// contiguous.
#include <spdlog/spdlog.h>

#include <malloc.h>
#include <algorithm>

#include <chrono>
#include <map>

#include "rosterd/query/snapshot.hpp"
#include "rosterd/store/snapshot_slots.hpp"

namespace rosterd::query {

std::string ascii_lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

namespace {

std::int64_t instant_or_none(const store::Statement& s, int column) {
    return s.is_null(column) ? kNoInstant : s.int64(column);
}

void load_products(store::Database& db, SnapshotIndex& index) {
    auto s = db.prepare(
        "SELECT resource_id, product_key, coalesce(site_host, ''), capacity FROM products "
        "WHERE snapshot_id = ? ORDER BY product_key, site_host, resource_id");
    s.bind(1, index.info.id);
    while (s.step())
        index.products.push_back({s.text(0), s.text(1), s.text(2), s.optional_int64(3)});
    index.listed_products = index.products.size();
    auto sites = db.prepare(
        "SELECT host FROM sites WHERE snapshot_id = ?1 UNION "
        "SELECT site_host FROM products WHERE snapshot_id = ?1 AND coalesce(site_host, '') != '' "
        "ORDER BY 1");
    sites.bind(1, index.info.id);
    while (sites.step())
        index.sites.push_back(sites.text(0));
}

// A generation's users are numbered as the sync wrote them; user_groups and user_access name
// their user by that number. `position[user_no]` is the user's place in index.users.
using UserPositions = std::vector<std::uint32_t>;
constexpr std::uint32_t kNoUser = ~std::uint32_t{0};

std::optional<std::uint32_t> user_at(const UserPositions& position, std::int64_t user_no) {
    if (user_no < 0 || static_cast<std::uint64_t>(user_no) >= position.size() ||
        position[static_cast<std::size_t>(user_no)] == kNoUser)
        return std::nullopt;
    return position[static_cast<std::size_t>(user_no)];
}

UserPositions load_users(store::Database& db, SnapshotIndex& index) {
    // One pass along the generation's range of the table, in user number order.
    UserPositions position;
    const std::string users = store::slot_table("users", index.info.slot);
    // The highest user number bounds the count (numbers skip only repeated accounts) and is one
    // seek to the end of the generation's range, where count(*) would read every page of it.
    auto last =
        db.prepare("SELECT coalesce(max(user_no), 0) FROM " + users + " WHERE snapshot_id = ?");
    last.bind(1, index.info.id);
    last.step();
    index.users.reserve(static_cast<std::size_t>(last.int64(0)));
    auto s = db.prepare(
        "SELECT account_id, coalesce(name, ''), coalesce(email, ''), coalesce(nickname, ''), "
        "coalesce(email_domain, ''), coalesce(account_type, ''), is_app, "
        "coalesce(account_status, ''), coalesce(membership_status, ''), status, "
        "coalesce(claim_status, ''), coalesce(management_source, ''), coalesce(directory_id, ''), "
        "added_to_org, platform_roles, is_org_admin, is_site_admin, last_active, user_no "
        "FROM " +
        users + " WHERE snapshot_id = ? ORDER BY user_no");
    s.bind(1, index.info.id);
    while (s.step()) {
        auto user_no = static_cast<std::size_t>(s.int64(18));
        if (user_no >= position.size())
            position.resize(user_no + 1, kNoUser);
        position[user_no] = static_cast<std::uint32_t>(index.users.size());
        IndexedUser u;
        u.account_id = index.keep(s.text(0));
        u.name = index.keep(s.text(1));
        u.email = index.keep(s.text(2));
        u.nickname = index.keep(s.text(3));
        u.name_lower = index.keep_lower(u.name);
        u.email_lower = index.keep_lower(u.email);
        u.domain = index.intern(s.text(4));
        u.app = s.int64(6) != 0;
        u.account_type = index.intern(u.app ? std::string("app") : s.text(5));
        u.account_status = index.intern(s.text(7));
        u.membership_status = index.intern(s.text(8));
        u.status = index.intern(s.text(9));
        u.claim_status = index.intern(s.text(10));
        u.management_source = index.intern(s.text(11));
        u.directory = index.intern(s.text(12));
        u.added = instant_or_none(s, 13);
        u.platform_roles = index.intern(s.text(14));
        u.org_admin = s.int64(15) != 0;
        u.site_admin = s.int64(16) != 0;
        u.last_active = instant_or_none(s, 17);
        index.users.push_back(std::move(u));
    }
    index.index_users();
    return position;
}

// Groups rows by user: `owner[i]` is the user of `rows[i]`; returns the rows reordered with each
// user's range recorded through `set_range`.
template <class Row, class SetRange>
std::vector<Row> group_by_user(std::vector<Row>& rows, const std::vector<std::uint32_t>& owner,
                               std::size_t users, SetRange set_range) {
    std::vector<std::uint32_t> start(users + 1, 0);
    for (auto o : owner)
        ++start[o + 1];
    for (std::size_t i = 0; i < users; ++i)
        start[i + 1] += start[i];
    for (std::size_t u = 0; u < users; ++u)
        set_range(u, start[u], start[u + 1]);
    std::vector<Row> out(rows.size());
    auto next = start;
    for (std::size_t i = 0; i < rows.size(); ++i)
        out[next[owner[i]]++] = std::move(rows[i]);
    return out;
}

void load_access(store::Database& db, const UserPositions& position, SnapshotIndex& index) {
    std::unordered_map<std::string, std::uint32_t> product_of;
    for (std::uint32_t p = 0; p < index.products.size(); ++p)
        product_of.emplace(index.products[p].resource_id, p);
    std::vector<IndexedAccess> rows;
    std::vector<std::uint32_t> owner;
    auto s = db.prepare(
        "SELECT user_no, resource_id, role, billable, via, last_active "
        "FROM " +
        store::slot_table("user_access", index.info.slot) + " WHERE snapshot_id = ?");
    s.bind(1, index.info.id);
    while (s.step()) {
        auto user = user_at(position, s.int64(0));
        if (!user)
            continue;
        auto resource = s.text(1);
        auto found = product_of.find(resource);
        if (found == product_of.end()) {
            // Access to a resource the products table does not list: kept, shown without a name.
            index.products.push_back({resource, "", "", std::nullopt});
            found = product_of.emplace(resource, index.products.size() - 1).first;
        }
        IndexedAccess a;
        a.product = found->second;
        a.role = index.intern(s.text(2));
        a.billable = s.int64(3) != 0;
        a.via_group = s.text(4) == "group";
        a.last_active = instant_or_none(s, 5);
        rows.push_back(a);
        owner.push_back(*user);
    }
    index.access = group_by_user(rows, owner, index.users.size(),
                                 [&](std::size_t u, std::uint32_t begin, std::uint32_t end) {
                                     index.users[u].access_begin = begin;
                                     index.users[u].access_end = end;
                                 });
    // Within a user: by site, then product, as every answer lists them.
    for (auto& u : index.users)
        std::sort(index.access.begin() + u.access_begin, index.access.begin() + u.access_end,
                  [&](const IndexedAccess& a, const IndexedAccess& b) {
                      const auto& pa = index.products[a.product];
                      const auto& pb = index.products[b.product];
                      return std::tie(pa.site, pa.key, pa.resource_id) <
                             std::tie(pb.site, pb.key, pb.resource_id);
                  });
}

void load_groups(store::Database& db, const UserPositions& position, SnapshotIndex& index) {
    std::unordered_map<std::string, std::uint32_t> group_of;
    auto g = db.prepare("SELECT group_id, name FROM groups WHERE snapshot_id = ? ORDER BY name");
    g.bind(1, index.info.id);
    while (g.step()) {
        auto name = g.text(1);
        group_of.emplace(g.text(0), index.groups.size());
        index.groups.push_back({g.text(0), name, ascii_lower(name)});
    }
    std::vector<std::uint32_t> rows, owner;
    auto s =
        db.prepare("SELECT user_no, group_id FROM " +
                   store::slot_table("user_groups", index.info.slot) + " WHERE snapshot_id = ?");
    s.bind(1, index.info.id);
    while (s.step()) {
        auto user = user_at(position, s.int64(0));
        if (!user)
            continue;
        auto id = s.text(1);
        auto found = group_of.find(id);
        if (found == group_of.end()) {
            index.groups.push_back({id, id, ascii_lower(id)});  // a group the groups list missed
            found = group_of.emplace(id, index.groups.size() - 1).first;
        }
        rows.push_back(found->second);
        owner.push_back(*user);
    }
    index.memberships = group_by_user(rows, owner, index.users.size(),
                                      [&](std::size_t u, std::uint32_t begin, std::uint32_t end) {
                                          index.users[u].groups_begin = begin;
                                          index.users[u].groups_end = end;
                                      });
    for (auto& u : index.users)
        std::sort(index.memberships.begin() + u.groups_begin,
                  index.memberships.begin() + u.groups_end, [&](std::uint32_t a, std::uint32_t b) {
                      return std::tie(index.groups[a].name, index.groups[a].id) <
                             std::tie(index.groups[b].name, index.groups[b].id);
                  });
}

}  // namespace

TextId SnapshotIndex::intern(std::string_view text) {
    auto found = text_ids_.find(text);
    if (found != text_ids_.end())
        return found->second;
    auto id = static_cast<TextId>(texts_.size());
    texts_.emplace_back(text);
    text_ids_.emplace(std::string(text), id);
    return id;
}

std::optional<TextId> SnapshotIndex::find_text(std::string_view text) const {
    auto found = text_ids_.find(text);
    return found == text_ids_.end() ? std::nullopt : std::optional<TextId>(found->second);
}

std::string_view TextStore::keep(std::string_view text) {
    if (text.empty())
        return {};
    if (text.size() > kBlockSize / 4) {  // a rare long text gets a block of its own
        auto& block = blocks_.emplace_back(std::make_unique<char[]>(text.size()));
        std::copy(text.begin(), text.end(), block.get());
        return {block.get(), text.size()};
    }
    if (text.size() > left_) {
        current_ = blocks_.emplace_back(std::make_unique<char[]>(kBlockSize)).get();
        left_ = kBlockSize;
    }
    char* at = current_;
    std::copy(text.begin(), text.end(), at);
    current_ += text.size();
    left_ -= text.size();
    return {at, text.size()};
}

std::string_view TextStore::keep_lower(std::string_view text) {
    if (std::none_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
        return text;
    return keep(ascii_lower(text));
}

std::optional<std::uint32_t> SnapshotIndex::find_user(std::string_view account_id) const {
    auto found = std::lower_bound(
        by_account_.begin(), by_account_.end(), account_id,
        [&](std::uint32_t user, std::string_view id) { return users[user].account_id < id; });
    if (found == by_account_.end() || users[*found].account_id != account_id)
        return std::nullopt;
    return *found;
}

void SnapshotIndex::index_users() {
    auto order = [&](auto less) {
        std::vector<std::uint32_t> out(users.size());
        for (std::uint32_t i = 0; i < out.size(); ++i)
            out[i] = i;
        std::sort(out.begin(), out.end(),
                  [&](std::uint32_t a, std::uint32_t b) { return less(users[a], users[b]); });
        return out;
    };
    by_account_ = order(
        [](const IndexedUser& a, const IndexedUser& b) { return a.account_id < b.account_id; });
    by_name = order([](const IndexedUser& a, const IndexedUser& b) {
        return std::tie(a.name_lower, a.account_id) < std::tie(b.name_lower, b.account_id);
    });
    by_email = order([](const IndexedUser& a, const IndexedUser& b) {
        return std::tie(a.email_lower, a.account_id) < std::tie(b.email_lower, b.account_id);
    });
    // kNoInstant is the smallest value: never-active users come first.
    by_last_active = order([](const IndexedUser& a, const IndexedUser& b) {
        return std::tie(a.last_active, a.account_id) < std::tie(b.last_active, b.account_id);
    });
}

void SnapshotIndex::index_seats() {
    seat_idle_since.assign(listed_products, {});
    for (const auto& u : users)
        for (auto i = u.access_begin; i < u.access_end; ++i) {
            const auto& a = access[i];
            if (a.billable && a.product < listed_products)
                seat_idle_since[a.product].push_back(a.last_active != kNoInstant ? a.last_active
                                                                                 : u.added);
        }
    for (auto& since : seat_idle_since) {
        std::sort(since.begin(), since.end());
        since.shrink_to_fit();
    }
}

std::shared_ptr<const SnapshotIndex> load_snapshot_index(store::Database& db) {
    auto index = std::make_shared<SnapshotIndex>();
    index->info = current_snapshot(db);
    load_products(db, *index);
    auto position = load_users(db, *index);
    load_access(db, position, *index);
    load_groups(db, position, *index);
    index->index_seats();
    return index;
}

std::shared_ptr<const SnapshotIndex> SnapshotCache::current(store::Database& db) {
    auto published = current_snapshot(db).id;
    std::lock_guard lock(mutex_);
    if (!index_ || index_->info.id != published) {
        // Let go of the old index first: questions wait on the mutex while the new one loads
        // anyway, and holding both would double the index's memory at every sync (100k users:
        // ~70 MiB each). A question still working on the old one keeps it alive until done.
        index_.reset();
        auto started = std::chrono::steady_clock::now();
        index_ = load_snapshot_index(db);
        // The load's temporaries (rows as read, sort orders being built) are freed by now; give
        // them back, or the next sync's pages pile on top of them (500k users: ~100 MB).
        malloc_trim(0);
        spdlog::info("query: index of snapshot {} loaded ({} users) in {} ms", published,
                     index_->users.size(),
                     std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now() - started)
                         .count());
    }
    return index_;
}

std::shared_ptr<const SnapshotIndex> SnapshotCache::warm(store::Database& db) {
    auto published = current_snapshot(db).id;
    {
        std::lock_guard lock(mutex_);
        if (!index_ && released_ == published)
            return nullptr;
    }
    return current(db);
}

std::optional<std::int64_t> SnapshotCache::held() const {
    std::lock_guard lock(mutex_);
    return index_ ? std::optional<std::int64_t>(index_->info.id) : std::nullopt;
}

void SnapshotCache::clear() {
    std::lock_guard lock(mutex_);
    index_.reset();
}

void SnapshotCache::release() {
    std::shared_ptr<const SnapshotIndex> old;
    {
        std::lock_guard lock(mutex_);
        old.swap(index_);
        if (old)
            released_ = old->info.id;
    }
    if (old && old.use_count() == 1) {
        old.reset();
        malloc_trim(0);
    }
}

}  // namespace rosterd::query
