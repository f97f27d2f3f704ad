// `notices`: users on notice (and released, acted on, exempt) with deadline, days left and last
// activity per product.
#include <limits>

#include "notice_commands.hpp"
#include "notice_service.hpp"
#include "notice_store.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/base/units.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/control/db_reply.hpp"
#include "rosterd/query/query.hpp"

namespace rosterd::notice {
namespace {

namespace json = control::json;
using control::ArgType;

const std::set<std::string> kStates = {kOnNotice, kReleased, kActed, kExempt};

// Last activity per product and site of the user, from the published snapshot.
rapidjson::Value activity_json(const query::SnapshotIndex* index, const std::string& account_id,
                               rapidjson::Document::AllocatorType& a) {
    rapidjson::Value out(rapidjson::kArrayType);
    if (!index)
        return out;
    auto user = index->find_user(account_id);
    if (!user)
        return out;
    const auto& u = index->users[*user];
    for (auto i = u.access_begin; i < u.access_end; ++i) {
        const auto& access = index->access[i];
        const auto& product = index->products[access.product];
        if (product.key.empty())
            continue;
        rapidjson::Value item(rapidjson::kObjectType);
        json::add(item, "product", product.key, a);
        json::add(item, "site", product.site, a);
        json::add(item, "last_active",
                  access.last_active == query::kNoInstant
                      ? std::optional<std::string>()
                      : std::optional<std::string>(format_iso8601_s(access.last_active)),
                  a);
        out.PushBack(item, a);
    }
    return out;
}

void list(NoticeService& notices, const control::Request& request,
          std::shared_ptr<control::Reply> reply) {
    NoticeQuery q;
    q.task = request.string_arg("task").value_or("");
    q.state = request.string_arg("state").value_or("");
    q.account_id = request.string_arg("user").value_or("");
    q.limit = static_cast<int>(
        std::clamp<std::int64_t>(request.int_arg("limit").value_or(1000), 1, 100000));
    if (!q.state.empty() && !kStates.count(q.state))
        throw control::CommandError(
            "state must be on-notice, released, acted or exempt, not '" + q.state + "'",
            control::kInvalidArgs);
    auto now = notices.context().clock.now().time_since_epoch().count();
    auto snapshots = notices.context().snapshots;
    auto scope = request.caller.view_scope();
    notices.context().db.read(
        [q, now, snapshots, scope](store::Database& db) mutable {
            store::Transaction read(db, store::Transaction::Kind::deferred);
            std::shared_ptr<const query::SnapshotIndex> index;
            try {
                if (snapshots)
                    index = snapshots->current(db);
            } catch (const query::NoDataError&) {
            }
            // Scoped: every notice is read and those outside the scope dropped, then the limit.
            bool scoped = !scope.sees_everything();
            auto limit = static_cast<std::size_t>(q.limit);
            if (scoped)
                q.limit = std::numeric_limits<int>::max();
            auto view = view_for(db, index, scope);
            auto rows = list_notices(db, q);
            auto doc = std::make_shared<rapidjson::Document>(rapidjson::kObjectType);
            auto& a = doc->GetAllocator();
            rapidjson::Value list(rapidjson::kArrayType);
            for (const auto& r : rows) {
                if (scoped && (!view || !view->find_user(r.account_id)))
                    continue;  // out of scope (or no snapshot to tell): not shown
                if (list.Size() >= limit)
                    break;
                rapidjson::Value item(rapidjson::kObjectType);
                json::add(item, "id", r.id, a);
                json::add(item, "account_id", r.account_id, a);
                json::add(item, "name", r.name, a);
                json::add(item, "email", r.email, a);
                json::add(item, "task", r.task, a);
                json::add(item, "state", r.state, a);
                json::add(item, "noticed_at", format_iso8601_s(r.noticed_at), a);
                json::add(item, "deadline", format_iso8601_s(r.deadline), a);
                if (r.state == kOnNotice)
                    json::add(item, "days_left",
                              std::max<std::int64_t>(0, (r.deadline - now) / kDayMs), a);
                if (r.ended_at)
                    json::add(item, "ended_at", format_iso8601_s(*r.ended_at), a);
                if (!r.reason.empty())
                    json::add(item, "reason", r.reason, a);
                if (!r.run_id.empty())
                    json::add(item, "run_id", r.run_id, a);
                if (!r.run_outcome.empty())
                    json::add(item, "run_outcome", r.run_outcome, a);
                json::add(item, "mail", r.mail_state, a);
                if (!r.mail_error.empty())
                    json::add(item, "mail_error", r.mail_error, a);
                json::add(item, "reminders", r.reminders, a);
                json::add(item, "activity", activity_json(view.get(), r.account_id, a), a);
                list.PushBack(item, a);
            }
            doc->AddMember("notices", list, a);
            return doc;
        },
        control::answer_with_document(reply));
}

}  // namespace

control::CommandSpec notices_command(NoticeService& notices) {
    return {.name = control::cmd::kNotices,
            .summary =
                "Users on notice (and released, acted on, exempt) with deadline, days left and "
                "last activity per product",
            .level = control::AccessLevel::viewer,
            .args = {{control::arg::kTask, ArgType::string, false, "only this task's notices"},
                     {control::arg::kState, ArgType::string, false,
                      "on-notice, released, acted or exempt"},
                     {control::arg::kUser, ArgType::string, false, "only this user (account id)"},
                     {control::arg::kLimit, ArgType::integer, false,
                      "at most this many (default 1000)"}},
            .handler = [&notices](const control::Request& request,
                                  std::shared_ptr<control::Reply> reply) {
                list(notices, request, reply);
            }};
}

}  // namespace rosterd::notice
