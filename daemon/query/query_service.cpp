#include "query_service.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "rosterd/base/json.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/control/db_reply.hpp"
#include "rosterd/query/held.hpp"
#include "rosterd/query/json.hpp"
#include "rosterd/query/query.hpp"
#include "rosterd/query/snapshot.hpp"
#include "rosterd/query/user_filter_args.hpp"

namespace rosterd::query {
namespace {

namespace json = control::json;
using control::ArgSpec;
using control::ArgType;
using DocumentPtr = std::shared_ptr<rapidjson::Document>;

// How often to look for a newly published snapshot (a tiny read; the index is read only when the
// snapshot changed).
constexpr auto kRefreshInterval = std::chrono::seconds(2);
constexpr std::int64_t kDefaultLimit = 50;
constexpr std::int64_t kMaxLimit = 5000;

// The users command's own arguments; every other argument is a filter field.
constexpr std::string_view kUsersArgs[] = {
    control::arg::kFilter,   control::arg::kSort,  control::arg::kLimit, control::arg::kOffset,
    control::arg::kSnapshot, control::arg::kNowMs, control::arg::kFormat};

std::vector<ArgSpec> users_args() {
    std::vector<ArgSpec> args = user_filter_arg_specs();
    args.push_back({control::arg::kFilter, ArgType::string, false,
                    "start from this saved filter (filters: in the configuration); the other "
                    "fields narrow it"});
    args.push_back(
        {control::arg::kSort, ArgType::string, false, "name (default), email or last-active"});
    args.push_back(
        {control::arg::kLimit, ArgType::integer, false, "users per page (1-5000, default 50)"});
    args.push_back(
        {control::arg::kOffset, ArgType::integer, false, "skip this many matches (default 0)"});
    args.push_back({control::arg::kSnapshot, ArgType::integer, false,
                    "fail unless this snapshot is still the current one (consistent paging)"});
    args.push_back({control::arg::kFormat, ArgType::string, false,
                    "json (default: \"users\", one object per user) or csv (\"csv\": the page "
                    "as CSV records without the header, for exports)"});
    args.push_back({control::arg::kNowMs, ArgType::integer, false,
                    "measure inactivity from this instant (epoch ms; default now), so that the "
                    "pages of one export agree"});
    return args;
}

// A fixed text for the selection, the key of the selection cache.
std::string selection_key(const UserSelection& selection) {
    rapidjson::Document doc(rapidjson::kArrayType);
    auto& a = doc.GetAllocator();
    for (const auto& filter : selection.filters)
        doc.PushBack(user_filter_to_json(filter, a), a);
    json::push(doc, std::string(to_string(selection.sort)), a);
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    doc.Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize());
}

// users/search does not say which directory a user is in: the directory of their groups tells,
// or the organization's only directory. Empty when neither does (shown as null).
std::string directory_of_user(store::Database& db, const SnapshotIndex& index, std::uint32_t user) {
    const auto& u = index.users[user];
    auto group_dir = db.prepare(
        "SELECT directory_id FROM groups WHERE snapshot_id = ? AND group_id = ? AND "
        "coalesce(directory_id, '') <> ''");
    for (auto i = u.groups_begin; i < u.groups_end; ++i) {
        group_dir.bind(1, index.info.id);
        group_dir.bind(2, index.groups[index.memberships[i]].id);
        if (group_dir.step())
            return group_dir.text(0);
        group_dir.reset();
    }
    auto only =
        db.prepare("SELECT min(directory_id), count(*) FROM directories WHERE snapshot_id = ?");
    only.bind(1, index.info.id);
    if (only.step() && only.int64(1) == 1)
        return only.text(0);
    return "";
}

std::string names_of(const std::map<std::string, UserFilter>& filters) {
    std::string out;
    for (const auto& [name, filter] : filters)
        out += (out.empty() ? "" : ", ") + name;
    return out.empty() ? "none configured" : "configured: " + out;
}

struct UsersPage {
    DocumentPtr document;
    std::optional<CachedSelection> computed;  // a selection worth remembering
};

void fail_with(const std::shared_ptr<control::Reply>& reply, const std::string& error) {
    reply->fail(control::kFailed, error);
}

// A read transaction over the published snapshot and its index.
struct SnapshotRead {
    store::Transaction transaction;
    std::shared_ptr<const SnapshotIndex> index;
    SnapshotRead(store::Database& db, SnapshotCache& cache)
        : transaction(db, store::Transaction::Kind::deferred), index(cache.current(db)) {}
};

}  // namespace

QueryService::QueryService(DaemonContext& context)
    : context_(context), snapshots_(context.snapshots), refresh_timer_(context.loop) {}

void QueryService::start() {
    refresh_index();
}

void QueryService::stop() {
    stopping_ = true;
    refresh_timer_.cancel();
    selections_.clear();
}

void QueryService::refresh_index() {
    if (stopping_)
        return;
    context_.db.read(
        [snapshots = snapshots_, checked = scopes_checked_,
         entries = context_.config->control.access.entries](store::Database& db) {
            std::pair<std::int64_t, std::vector<std::string>> scope_check{checked, {}};
            try {
                store::Transaction read(db, store::Transaction::Kind::deferred);
                // Scopes naming sites or products the organization lacks: said once per
                // snapshot (and after a reload), since the first sync is what makes them known.
                auto index = snapshots->warm(db);
                if (index && index->info.id != checked)
                    scope_check = {index->info.id, unknown_scope_names(entries, *index)};
            } catch (const NoDataError&) {
                // Nothing synced yet: look again later.
            }
            return scope_check;
        },
        [this](store::DbResult<std::pair<std::int64_t, std::vector<std::string>>> r) {
            if (stopping_)
                return;
            if (r.ok()) {
                scopes_checked_ = r.value->first;
                for (const auto& warning : r.value->second)
                    spdlog::warn("query: {}", warning);
            }
            refresh_timer_.expires_after(kRefreshInterval);
            refresh_timer_.async_wait([this](const std::error_code& error) {
                if (!error)
                    refresh_index();
            });
        });
}

void QueryService::register_commands(control::CommandRegistry& registry) {
    registry.add(
        {.name = control::cmd::kDashboard,
         .summary = "Billable seats per product (all sites, or one), how many sit "
                    "inactive, and what they cost",
         .level = control::AccessLevel::viewer,
         .args = {{control::arg::kSite, ArgType::string, false, "one site's figures (host)"},
                  {control::arg::kInactiveDays, ArgType::integer, false,
                   "inactive after N days without activity (1-3650; e.g. 3, 7, 14, 21, "
                   "30, 90, 180); overrides inactivity.days and per_product"}},
         .handler = [this](const auto& request, auto reply) {
             dashboard(request, std::move(reply));
         }});
    registry.add(
        {.name = control::cmd::kUsers,
         .summary = "Users matching filters, sorted and paged, with the total count",
         .level = control::AccessLevel::viewer,
         .args = users_args(),
         .handler = [this](const auto& request, auto reply) { users(request, std::move(reply)); }});
    registry.add(
        {.name = control::cmd::kUser,
         .summary = "Everything known about one user, per product and site",
         .level = control::AccessLevel::viewer,
         .args = {{control::arg::kUser, ArgType::string, true, "account id or email"}},
         .handler = [this](const auto& request, auto reply) { user(request, std::move(reply)); }});
    registry.add({.name = control::cmd::kFilters,
                  .summary = "The saved filters with their current match counts",
                  .level = control::AccessLevel::viewer,
                  .args = {},
                  .handler = [this](const auto& request, auto reply) {
                      filters(request, std::move(reply));
                  }});
}

void QueryService::dashboard(const control::Request& request,
                             std::shared_ptr<control::Reply> reply) {
    const Config& config = *context_.config;
    DashboardOptions options;
    options.now_ms = context_.clock.now().time_since_epoch().count();
    options.default_days = config.inactivity.days;
    options.per_product = config.inactivity.per_product;
    options.pricing = Pricing::from_config(config.pricing);
    try {
        UserFilter normalized;  // the filter's site parser accepts URLs and any case
        if (auto site = request.string_arg("site")) {
            set_user_filter_field(normalized, "site", {{*site}, false});
            options.site = normalized.site;
        }
        if (auto days = request.int_arg("inactive-days")) {
            set_user_filter_field(normalized, "inactive-days", {{std::to_string(*days)}, false});
            options.inactive_days = normalized.inactive_days;
        }
    } catch (const FilterError& e) {
        reply->fail(control::kInvalidArgs, e.what());
        return;
    }
    context_.db.read(
        [options, scope = request.caller.view_scope(),
         snapshots = snapshots_](store::Database& db) {
            SnapshotRead read(db, *snapshots);
            auto dashboard = compute_dashboard(*restrict_to_scope(read.index, scope), options);
            auto doc = std::make_shared<rapidjson::Document>();
            static_cast<rapidjson::Value&>(*doc) = dashboard_json(dashboard, doc->GetAllocator());
            return doc;
        },
        control::answer_with_document(reply));
}

void QueryService::users(const control::Request& request, std::shared_ptr<control::Reply> reply) {
    const Config& config = *context_.config;
    UserSelection selection;
    std::int64_t limit = kDefaultLimit, offset = 0;
    std::optional<std::int64_t> pinned_snapshot = request.int_arg("snapshot");
    bool csv = false;
    try {
        auto format = request.string_arg("format").value_or("json");
        if (format != "json" && format != "csv")
            throw FilterError("format", "expected json or csv");
        csv = format == "csv";
        if (auto saved = request.string_arg("filter")) {
            auto found = config.filters.find(*saved);
            if (found == config.filters.end())
                throw FilterError("filter", "no saved filter named '" + *saved + "' (" +
                                                names_of(config.filters) + ")");
            selection.filters.push_back(found->second);
        }
        selection.filters.push_back(user_filter_from_json(request.args(), kUsersArgs));
        if (auto sort = request.string_arg("sort")) {
            auto parsed = parse_user_sort(*sort);
            if (!parsed)
                throw FilterError("sort", "expected name, email or last-active");
            selection.sort = *parsed;
        }
        limit = request.int_arg("limit").value_or(kDefaultLimit);
        if (limit < 1 || limit > kMaxLimit)
            throw FilterError("limit", "expected 1 to " + std::to_string(kMaxLimit));
        offset = request.int_arg("offset").value_or(0);
        if (offset < 0)
            throw FilterError("offset", "must not be negative");
    } catch (const FilterError& e) {
        reply->fail(control::kInvalidArgs, e.what());
        return;
    }
    selection.now_ms =
        request.int_arg("now_ms").value_or(context_.clock.now().time_since_epoch().count());
    // The caller's scope is part of the selection: the same filters select fewer users for a
    // scoped caller, and a cached answer must never cross from one scope to another.
    auto scope = request.caller.view_scope();
    auto key = selection_key(selection) + scope.describe();
    answer_users(UsersQuestion{std::move(selection), std::move(key), limit, offset, pinned_snapshot,
                               std::move(scope), csv},
                 std::move(reply));
}

void QueryService::answer_users(UsersQuestion question, std::shared_ptr<control::Reply> reply) {
    const CachedSelection* hit = selections_.find(question.key, question.selection.now_ms);
    auto known = hit ? std::optional<CachedSelection>(*hit) : std::nullopt;
    // Identical questions wait for the one computing the selection, then find it here.
    if (!known &&
        selections_.wait(question.key, [this, question, reply] { answer_users(question, reply); }))
        return;
    const bool computing = !known;
    const auto& [selection, key, limit, offset, pinned_snapshot, scope, csv] = question;

    context_.db.read(
        [selection, key, known, limit, offset, pinned_snapshot, scope, csv,
         snapshots = snapshots_](store::Database& db) {
            SnapshotRead read(db, *snapshots);
            // Positions in a scoped view are stable for one snapshot and scope, so a cached
            // selection (keyed by both) stays valid against a fresh view of the same index.
            auto view = scoped_view(db, read.index, scope);
            const auto& index = *view;
            const auto& snapshot = index.info;
            if (pinned_snapshot && *pinned_snapshot != snapshot.id)
                throw QueryError("the data changed while paging: snapshot " +
                                 std::to_string(*pinned_snapshot) + " was replaced by " +
                                 std::to_string(snapshot.id) +
                                 " (a sync finished); run the query again");
            UsersPage page;
            std::shared_ptr<const std::vector<std::uint32_t>> ids;
            // A run between two syncs may add a user who held access: a view of another size
            // has other positions.
            if (known && known->index.lock() == read.index &&
                known->view_users == index.users.size()) {
                ids = known->users;
            } else {
                std::int64_t until = kNever;
                ids = std::make_shared<const std::vector<std::uint32_t>>(
                    select_users(index, selection, until));
                page.computed = CachedSelection{
                    key, read.index, ids, index.users.size(), selection.now_ms, until};
            }
            auto first = std::min<std::size_t>(static_cast<std::size_t>(offset), ids->size());
            auto last = std::min<std::size_t>(first + static_cast<std::size_t>(limit), ids->size());
            const auto scope = activity_scope(selection);

            page.document = std::make_shared<rapidjson::Document>(rapidjson::kObjectType);
            auto& doc = *page.document;
            auto& a = doc.GetAllocator();
            add_snapshot_fields(doc, snapshot, selection.now_ms, a);
            json::add(doc, "total", ids->size(), a);
            json::add(doc, "offset", offset, a);
            json::add(doc, "limit", limit, a);
            json::add(doc, "sort", std::string(to_string(selection.sort)), a);
            rapidjson::Value filters(rapidjson::kArrayType);
            for (const auto& filter : selection.filters)
                if (!filter.empty())
                    filters.PushBack(user_filter_to_json(filter, a), a);
            json::add(doc, "filters", std::move(filters), a);
            if (csv) {
                // Rendered here, straight from the index: no JSON tree per row on either end.
                std::string records;
                records.reserve((last - first) * 256);
                for (auto i = first; i < last; ++i)
                    append_user_csv(index, (*ids)[i], scope, records);
                json::add(doc, "count", last - first, a);
                json::add(doc, "csv", records, a);
                return page;
            }
            rapidjson::Value users(rapidjson::kArrayType);
            for (auto i = first; i < last; ++i)
                users.PushBack(user_row_json(index, (*ids)[i], scope, a), a);
            json::add(doc, "users", std::move(users), a);
            return page;
        },
        [this, reply, key, computing](store::DbResult<UsersPage> r) {
            if (r.ok()) {
                selections_.count_answer(r.value->computed.has_value());
                if (r.value->computed)
                    selections_.remember(std::move(*r.value->computed));
                reply->ok(*r.value->document);
            } else
                fail_with(reply, r.error);
            if (computing)
                selections_.computed(key);
        });
}

void QueryService::user(const control::Request& request, std::shared_ptr<control::Reply> reply) {
    auto who = *request.string_arg("user");
    auto now = context_.clock.now().time_since_epoch().count();
    auto scope = request.caller.view_scope();
    context_.db.read(
        [who, now, scope, snapshots = snapshots_](store::Database& db) {
            SnapshotRead read(db, *snapshots);
            auto view = scoped_view(db, read.index, scope);
            const auto& index = *view;
            auto user = find_user(index, who);
            // Out of scope reads exactly like unknown, so that the answer does not tell whether
            // such a user exists.
            if (!user && !scope.unscoped())
                throw QueryError("no user with account id or email '" + who +
                                 "' found in your scope (" + scope.describe() + ")");
            if (!user)
                throw QueryError("no user with account id or email '" + who + "' in snapshot " +
                                 std::to_string(index.info.id));
            auto row = make_user_row(index, *user, {});
            if (row.directory_id.empty())
                row.directory_id = directory_of_user(db, index, *user);
            auto doc = std::make_shared<rapidjson::Document>(rapidjson::kObjectType);
            auto& a = doc->GetAllocator();
            add_snapshot_fields(*doc, index.info, now, a);
            json::add(*doc, "user", user_detail_json(row, a), a);
            // The user's notice history (issue 17: tasks with a notice stage), newest first.
            rapidjson::Value notices(rapidjson::kArrayType);
            auto n = db.prepare(
                "SELECT task, state, noticed_at, deadline, coalesce(reason, ''), mail_state FROM "
                "notices WHERE account_id = ? ORDER BY noticed_at DESC, id DESC LIMIT 100");
            n.bind(1, std::string(index.users[*user].account_id));
            while (n.step()) {
                rapidjson::Value item(rapidjson::kObjectType);
                json::add(item, "task", n.text(0), a);
                json::add(item, "state", n.text(1), a);
                json::add(item, "noticed_at", format_iso8601_s(n.int64(2)), a);
                json::add(item, "deadline", format_iso8601_s(n.int64(3)), a);
                if (!n.text(4).empty())
                    json::add(item, "reason", n.text(4), a);
                json::add(item, "mail", n.text(5), a);
                notices.PushBack(item, a);
            }
            json::add(*doc, "notices", std::move(notices), a);
            return doc;
        },
        control::answer_with_document(reply));
}

void QueryService::filters(const control::Request& request, std::shared_ptr<control::Reply> reply) {
    auto saved = context_.config->filters;
    auto now = context_.clock.now().time_since_epoch().count();
    context_.db.read(
        [saved, now, scope = request.caller.view_scope(),
         snapshots = snapshots_](store::Database& db) {
            SnapshotRead read(db, *snapshots);
            auto view = scoped_view(db, read.index, scope);
            auto doc = std::make_shared<rapidjson::Document>(rapidjson::kObjectType);
            auto& a = doc->GetAllocator();
            add_snapshot_fields(*doc, read.index->info, now, a);
            rapidjson::Value list(rapidjson::kArrayType);
            for (const auto& [name, filter] : saved) {
                rapidjson::Value item(rapidjson::kObjectType);
                json::add(item, "name", name, a);
                json::add(item, "description", describe_user_filter(filter), a);
                json::add(item, "filter", user_filter_to_json(filter, a), a);
                json::add(item, "count", count_users(*view, {{filter}, {}, now}), a);
                list.PushBack(item, a);
            }
            json::add(*doc, "filters", std::move(list), a);
            return doc;
        },
        control::answer_with_document(reply));
}

void QueryService::write_status(rapidjson::Value& out,
                                rapidjson::Document::AllocatorType& alloc) const {
    json::add(out, "saved_filters", context_.config->filters.size(), alloc);
    json::add(out, "cached_selections", selections_.size(), alloc);
    json::add(out, "selections_computed", selections_.answers_computed(), alloc);
    json::add(out, "selections_reused", selections_.answers_reused(), alloc);
    json::add(out, "index_snapshot", snapshots_->held(), alloc);
}

}  // namespace rosterd::query
