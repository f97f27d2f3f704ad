#include "notice_service.hpp"

#include <spdlog/spdlog.h>

#include <limits>

#include "notice_store.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/base/units.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/control/db_reply.hpp"
#include "rosterd/query/held.hpp"
#include "rosterd/query/query.hpp"
#include "rosterd/query/snapshot.hpp"

namespace rosterd::notice {
namespace {

namespace json = control::json;
using control::ArgType;

const std::set<std::string> kStates = {kOnNotice, kReleased, kActed, kExempt};

// A delegated caller (issue 19) sees the notices of the users in their scope only: the snapshot
// restricted to it (with the users rosterd runs took in-scope access from, so that users acted on
// stay visible). A scope that sees everything gets `index` itself; nullptr before the first sync.
std::shared_ptr<const query::SnapshotIndex> view_for(
    store::Database& db, std::shared_ptr<const query::SnapshotIndex> index, const Scope& scope) {
    if (!index || scope.sees_everything())
        return index;
    return query::scoped_view(db, std::move(index), scope);
}

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

}  // namespace

NoticeService::NoticeService(DaemonContext& context, std::function<void()> wake_outbox)
    : context_(context), wake_outbox_(std::move(wake_outbox)) {}

std::shared_ptr<ops::RunStage> NoticeService::make_stage(const TaskConfig& task) const {
    return std::make_shared<NoticeStage>(task, context_.config->email, context_.events,
                                         wake_outbox_);
}

void NoticeService::write_status(rapidjson::Value& out,
                                 rapidjson::Document::AllocatorType& alloc) const {
    std::size_t tasks = 0;
    for (const auto& t : context_.config->tasks)
        tasks += t.notice ? 1 : 0;
    json::add(out, "notice_tasks", tasks, alloc);
    json::add(out, "email", context_.config->email.enabled(), alloc);
}

void NoticeService::register_commands(control::CommandRegistry& registry) {
    registry.add(
        {.name = control::cmd::kNotices,
         .summary = "Users on notice (and released, acted on, exempt) with deadline, days left and "
                    "last activity per product",
         .level = control::AccessLevel::viewer,
         .args = {{control::arg::kTask, ArgType::string, false, "only this task's notices"},
                  {control::arg::kState, ArgType::string, false,
                   "on-notice, released, acted or exempt"},
                  {control::arg::kUser, ArgType::string, false, "only this user (account id)"},
                  {control::arg::kLimit, ArgType::integer, false,
                   "at most this many (default 1000)"}},
         .handler = [this](const control::Request& request, std::shared_ptr<control::Reply> reply) {
             list(request, reply);
         }});
    registry.add(
        {.name = control::cmd::kNoticesExempt,
         .summary = "Exempt a user from every notice task (until a date): released now, not "
                    "noticed again meanwhile",
         .level = control::AccessLevel::admin,
         .args = {{control::arg::kUser, ArgType::string, true, "account id or email"},
                  {control::arg::kUntil, ArgType::string, false,
                   "YYYY-MM-DD (UTC); none: until lifted"},
                  {control::arg::kReason, ArgType::string, true, "why (kept with the exemption)"}},
         .handler = [this](const control::Request& request, std::shared_ptr<control::Reply> reply) {
             exempt(request, reply);
         }});
}

void NoticeService::list(const control::Request& request, std::shared_ptr<control::Reply> reply) {
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
    auto now = context_.clock.now().time_since_epoch().count();
    auto snapshots = context_.snapshots;
    auto scope = request.caller.view_scope();
    context_.db.read(
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

void NoticeService::exempt(const control::Request& request, std::shared_ptr<control::Reply> reply) {
    auto who = *request.string_arg("user");
    auto reason = *request.string_arg("reason");
    if (reason.empty() || reason.size() > 1000)
        throw control::CommandError("reason: give 1 to 1000 characters", control::kInvalidArgs);
    std::optional<std::int64_t> until;
    if (auto text = request.string_arg("until")) {
        auto days = parse_date_days(*text);
        if (!days)
            throw control::CommandError("until: expected a date YYYY-MM-DD, got '" + *text + "'",
                                        control::kInvalidArgs);
        until = *days * kDayMs;
    }
    auto now = context_.clock.now().time_since_epoch().count();
    if (until && *until <= now)
        throw control::CommandError("until: the date has passed", control::kInvalidArgs);
    auto snapshots = context_.snapshots;
    auto by = request.caller.describe();
    // A delegated admin exempts only users in their admin scope, found as `user X` finds them.
    auto scope = request.caller.scope_at(control::AccessLevel::admin);
    struct Done {
        std::string account_id, email;
        std::int64_t ended = 0;
    };
    context_.db.write(
        [who, reason, until, now, snapshots, by, scope](store::Database& db) {
            Done done;
            done.account_id = who;
            {
                store::Transaction read(db, store::Transaction::Kind::deferred);
                try {
                    auto index = view_for(db, snapshots->current(db), scope);
                    if (auto user = query::find_user(*index, who)) {
                        done.account_id = std::string(index->users[*user].account_id);
                        done.email = std::string(index->users[*user].email);
                    } else if (!scope.sees_everything()) {
                        // Out of scope reads exactly like unknown.
                        throw query::QueryError("no user with account id or email '" + who +
                                                "' found in your scope (" + scope.describe() +
                                                "); you may exempt only users in it");
                    } else {
                        throw query::QueryError("no user with account id or email '" + who +
                                                "' in snapshot " + std::to_string(index->info.id));
                    }
                } catch (const query::NoDataError&) {
                    if (!scope.sees_everything())
                        throw query::QueryError("no snapshot yet to check '" + who +
                                                "' against your scope (" + scope.describe() + ")");
                    if (who.find('@') != std::string::npos)
                        throw query::QueryError("no snapshot yet to find '" + who +
                                                "' in; give the account id");
                }
                read.commit();
            }
            done.ended = notice::exempt(db, {done.account_id, until, reason, by, now});
            return done;
        },
        [reply, until, reason](store::DbResult<Done> r) {
            if (!r.ok())
                return reply->fail(control::kFailed, r.error);
            spdlog::info("notice: {} exempted ({} notice(s) ended)", r.value->account_id,
                         r.value->ended);
            rapidjson::Document doc(rapidjson::kObjectType);
            auto& a = doc.GetAllocator();
            json::add(doc, "account_id", r.value->account_id, a);
            json::add(doc, "email", r.value->email, a);
            json::add(doc, "until",
                      until ? std::optional<std::string>(format_iso8601_s(*until)) : std::nullopt,
                      a);
            json::add(doc, "reason", reason, a);
            json::add(doc, "notices_ended", r.value->ended, a);
            reply->ok(doc);
        });
}

}  // namespace rosterd::notice
