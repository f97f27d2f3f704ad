// `users`: the users matching filters, sorted and paged, with the total count (JSON, or CSV
// records for exports). The loop keeps a small cache of recent selections (QueryService) so that
// paging through one evaluates the filter once.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "query_commands.hpp"
#include "query_service.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/query/held.hpp"
#include "rosterd/query/json.hpp"
#include "rosterd/query/query.hpp"
#include "rosterd/query/user_filter_args.hpp"

namespace rosterd::query {
namespace {

namespace json = control::json;
using control::ArgSpec;
using control::ArgType;
using DocumentPtr = std::shared_ptr<rapidjson::Document>;

constexpr std::int64_t kDefaultLimit = 50;
constexpr std::int64_t kMaxLimit = 5000;

// The users command's own arguments; every other argument is a filter field.
const std::vector<ArgSpec>& users_own_args() {
    static const std::vector<ArgSpec> args = {
        {control::arg::kFilter, ArgType::string, false,
         "start from this saved filter (filters: in the configuration); the other fields narrow "
         "it"},
        {control::arg::kSort, ArgType::string, false, "name (default), email or last-active"},
        {control::arg::kLimit, ArgType::integer, false, "users per page (1-5000, default 50)"},
        {control::arg::kOffset, ArgType::integer, false, "skip this many matches (default 0)"},
        {control::arg::kSnapshot, ArgType::integer, false,
         "fail unless this snapshot is still the current one (consistent paging)"},
        {control::arg::kFormat, ArgType::string, false,
         "json (default: \"users\", one object per user) or csv (\"csv\": the page as CSV "
         "records without the header, for exports)"},
        {control::arg::kNowMs, ArgType::integer, false,
         "measure inactivity from this instant (epoch ms; default now), so that the pages of one "
         "export agree"}};
    return args;
}

std::vector<ArgSpec> users_args() {
    std::vector<ArgSpec> args = user_filter_arg_specs();
    for (const auto& own : users_own_args())
        args.push_back(own);
    return args;
}

// One users question, its arguments understood.
struct UsersQuestion {
    UserSelection selection;
    std::string key;  // selection_key + scope: what a cached selection is found by
    std::int64_t limit = 0, offset = 0;
    std::optional<std::int64_t> pinned_snapshot;
    Scope scope;
    bool csv = false;
};

// A fixed text for the selection, the key of the selection cache.
std::string selection_key(const UserSelection& selection) {
    rapidjson::Document doc(rapidjson::kArrayType);
    auto& a = doc.GetAllocator();
    for (const auto& filter : selection.filters)
        doc.PushBack(user_filter_to_json(filter, a), a);
    json::push(doc, std::string(to_string(selection.sort)), a);
    // The JSON form writes dates to the second; the filter compares milliseconds, so two
    // questions a fraction of a second apart must not share a key.
    for (const auto& filter : selection.filters) {
        json::push(doc, filter.added_before_ms.value_or(-1), a);
        json::push(doc, filter.added_after_ms.value_or(-1), a);
    }
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    doc.Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize());
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

// From the selection cache, else computed (once for identical questions asked together).
void answer_users(QueryService& query, UsersQuestion question,
                  std::shared_ptr<control::Reply> reply) {
    const CachedSelection* hit = query.selections().find(question.key, question.selection.now_ms);
    auto known = hit ? std::optional<CachedSelection>(*hit) : std::nullopt;
    // Identical questions wait for the one computing the selection, then find it here.
    if (!known && query.selections().wait(question.key, [&query, question, reply] {
            answer_users(query, question, reply);
        }))
        return;
    const bool computing = !known;
    // Named copies, not structured bindings: lambdas capturing those need clang 16.
    const UserSelection selection = question.selection;
    const std::string key = question.key;
    const auto limit = question.limit, offset = question.offset;
    const auto pinned_snapshot = question.pinned_snapshot;
    const Scope scope = question.scope;
    const bool csv = question.csv;

    // Whatever happens to this question, the ones waiting for its selection are let go.
    auto release = [&query, key, computing] {
        if (computing)
            query.selections().computed(key);
    };
    try {
        query.context().db.read(
            [selection, key, known, limit, offset, pinned_snapshot, scope, csv,
             snapshots = query.snapshots()](store::Database& db) {
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
                auto last =
                    std::min<std::size_t>(first + static_cast<std::size_t>(limit), ids->size());
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
            [&query, reply, release](store::DbResult<UsersPage> r) {
                try {
                    if (r.ok()) {
                        query.selections().count_answer(r.value->computed.has_value());
                        if (r.value->computed)
                            query.selections().remember(std::move(*r.value->computed));
                        reply->ok(*r.value->document);
                    } else {
                        fail_with(reply, r.error);
                    }
                } catch (...) {
                    release();
                    throw;
                }
                release();
            });
    } catch (...) {
        release();
        throw;
    }
}

void users(QueryService& query, const control::Request& request,
           std::shared_ptr<control::Reply> reply) {
    const Config& config = *query.context().config;
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
        selection.filters.push_back(user_filter_from_args(request.args(), users_own_args()));
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
        request.int_arg("now_ms").value_or(query.context().clock.now().time_since_epoch().count());
    // The caller's scope is part of the selection: the same filters select fewer users for a
    // scoped caller, and a cached answer must never cross from one scope to another.
    auto scope = request.caller.view_scope();
    auto key = selection_key(selection) + scope.describe();
    answer_users(query,
                 UsersQuestion{std::move(selection), std::move(key), limit, offset, pinned_snapshot,
                               std::move(scope), csv},
                 std::move(reply));
}

}  // namespace

control::CommandSpec users_command(QueryService& query) {
    return {.name = control::cmd::kUsers,
            .summary = "Users matching filters, sorted and paged, with the total count",
            .level = control::AccessLevel::viewer,
            .args = users_args(),
            .handler = [&query](const auto& request, auto reply) {
                users(query, request, std::move(reply));
            }};
}

}  // namespace rosterd::query
