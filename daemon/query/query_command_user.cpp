// `user`: everything known about one user, per product and site, with their notice history.
#include "query_commands.hpp"
#include "query_service.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/control/db_reply.hpp"
#include "rosterd/query/held.hpp"
#include "rosterd/query/json.hpp"
#include "rosterd/query/query.hpp"

namespace rosterd::query {
namespace {

namespace json = control::json;
using control::ArgType;

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

void user(QueryService& query, const control::Request& request,
          std::shared_ptr<control::Reply> reply) {
    auto who = *request.string_arg("user");
    auto now = query.context().clock.now().time_since_epoch().count();
    auto scope = request.caller.view_scope();
    query.context().db.read(
        [who, now, scope, snapshots = query.snapshots()](store::Database& db) {
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

}  // namespace

control::CommandSpec user_command(QueryService& query) {
    return {.name = control::cmd::kUser,
            .summary = "Everything known about one user, per product and site",
            .level = control::AccessLevel::viewer,
            .args = {{control::arg::kUser, ArgType::string, true, "account id or email"}},
            .handler = [&query](const auto& request, auto reply) {
                user(query, request, std::move(reply));
            }};
}

}  // namespace rosterd::query
