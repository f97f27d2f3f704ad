// `notices.exempt`: exempt a user from every notice task (until a date): released now, not noticed
// again meanwhile.
#include <spdlog/spdlog.h>

#include "notice_commands.hpp"
#include "notice_service.hpp"
#include "notice_store.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/base/units.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/query/query.hpp"

namespace rosterd::notice {
namespace {

namespace json = control::json;
using control::ArgType;

void exempt(NoticeService& notices, const control::Request& request,
            std::shared_ptr<control::Reply> reply) {
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
    auto now = notices.context().clock.now().time_since_epoch().count();
    if (until && *until <= now)
        throw control::CommandError("until: the date has passed", control::kInvalidArgs);
    auto snapshots = notices.context().snapshots;
    auto by = request.caller.describe();
    // A delegated admin exempts only users in their admin scope, found as `user X` finds them.
    auto scope = request.caller.scope_at(control::AccessLevel::admin);
    struct Done {
        std::string account_id, email;
        std::int64_t ended = 0;
    };
    notices.context().db.write(
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

}  // namespace

control::CommandSpec notices_exempt_command(NoticeService& notices) {
    return {
        .name = control::cmd::kNoticesExempt,
        .summary =
            "Exempt a user from every notice task (until a date): released now, not "
            "noticed again meanwhile",
        .level = control::AccessLevel::admin,
        .args = {{control::arg::kUser, ArgType::string, true, "account id or email"},
                 {control::arg::kUntil, ArgType::string, false,
                  "YYYY-MM-DD (UTC); none: until lifted"},
                 {control::arg::kReason, ArgType::string, true, "why (kept with the exemption)"}},
        .handler = [&notices](const control::Request& request,
                              std::shared_ptr<control::Reply> reply) {
            exempt(notices, request, reply);
        }};
}

}  // namespace rosterd::notice
