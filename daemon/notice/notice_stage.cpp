#include "notice_stage.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "notice_store.hpp"
#include "rosterd/audit/audit.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/base/units.hpp"
#include "rosterd/notify/mail.hpp"

namespace rosterd::notice {
namespace {

namespace json = control::json;

// "Ann Lee, Bob Roe and 3 more": the first names an event shows (a digest, not a list).
std::string first_names(const std::vector<NoticeStage::Entry>& entries) {
    constexpr std::size_t kShown = 5;
    std::string out;
    for (std::size_t i = 0; i < entries.size() && i < kShown; ++i)
        out += (out.empty() ? "" : ", ") +
               (entries[i].name.empty() ? entries[i].notice.account_id : entries[i].name);
    if (entries.size() > kShown)
        out += " and " + std::to_string(entries.size() - kShown) + " more";
    return out;
}

std::string release_reason(const std::string& decided, const std::string& skipped,
                           bool in_snapshot) {
    if (decided == "exempt")
        return "exempt";
    if (!skipped.empty())
        return skipped;
    if (!in_snapshot)
        return "no longer in the organization";
    return "no longer matches the task's filter";
}

// What a release mail says happened, in the user's words.
std::string release_mail_reason(const std::string& reason) {
    if (reason == "exempt")
        return "an administrator exempted you";
    if (reason == "no longer matches the task's filter")
        return "you used it again, or it no longer applies to you";
    return reason;
}

rapidjson::Value entry_json(const NoticeStage::Entry& e, bool with_times,
                            rapidjson::Document::AllocatorType& a) {
    rapidjson::Value v(rapidjson::kObjectType);
    json::add(v, "account_id", e.notice.account_id, a);
    json::add(v, "name", e.name, a);
    json::add(v, "email", e.email, a);
    if (with_times) {
        json::add(v, "noticed_at", format_iso8601_s(e.notice.noticed_at), a);
        json::add(v, "deadline", format_iso8601_s(e.notice.deadline), a);
    }
    if (!e.reason.empty())
        json::add(v, "reason", e.reason, a);
    return v;
}

}  // namespace

NoticeStage::NoticeStage(TaskConfig task, Config::Email email, EventSink* events,
                         std::function<void()> wake)
    : task_(std::move(task)), email_(std::move(email)), events_(events), wake_(std::move(wake)) {}

NoticeStage::Entry NoticeStage::entry_for(const query::SnapshotIndex& index,
                                          const std::string& account_id) const {
    Entry e;
    e.notice.account_id = account_id;
    auto user = index.find_user(account_id);
    if (!user)
        return e;
    const auto& u = index.users[*user];
    e.name = std::string(u.name);
    e.email = std::string(u.email);
    // The products and sites the task is about (its filter's scope), and the last activity there.
    std::set<std::string> products, sites;
    std::int64_t last = query::kNoInstant;
    for (auto i = u.access_begin; i < u.access_end; ++i) {
        const auto& access = index.access[i];
        const auto& product = index.products[access.product];
        if (product.key.empty())
            continue;
        if (task_.filter.product && product.key != *task_.filter.product)
            continue;
        if (task_.filter.site && product.site != *task_.filter.site)
            continue;
        products.insert(product.key);
        sites.insert(product.site);
        last = std::max(last, access.last_active);
    }
    auto joined = [](const std::set<std::string>& items) {
        std::string out;
        for (const auto& item : items)
            out += (out.empty() ? "" : ", ") + item;
        return out;
    };
    e.products = products.empty() ? "your Atlassian products" : joined(products);
    e.sites = sites.empty() ? "your sites" : joined(sites);
    e.last_active = last == query::kNoInstant ? "never" : format_iso8601_s(last).substr(0, 10);
    return e;
}

void NoticeStage::narrow(store::Database& db, const query::SnapshotIndex& index, ops::Plan& plan,
                         std::int64_t now_ms) {
    now_ = now_ms;
    NoticeInputs in;
    std::map<std::string, std::string> skipped;
    for (const auto& p : plan.users) {
        if (p.skipped.empty())
            in.matching.push_back(p.account_id);
        else
            skipped[p.account_id] = p.skipped;
    }
    in.open = open_notices(db, task_.name);
    in.exempt = exempt_users(db, now_ms);
    in.now_ms = now_ms;
    in.grace_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(task_.notice->grace).count();
    for (auto before : task_.notice->remind_before)
        in.remind_before_ms.push_back(
            std::chrono::duration_cast<std::chrono::milliseconds>(before).count());
    auto decision = decide_notices(in);

    for (const auto& id : decision.notice) {
        auto e = entry_for(index, id);
        e.notice.noticed_at = now_ms;
        e.notice.deadline = notice_deadline(now_ms, in.grace_ms);
        noticed_.push_back(std::move(e));
    }
    for (const auto& [open, why] : decision.release) {
        auto e = entry_for(index, open.account_id);
        e.notice = open;
        auto found = skipped.find(open.account_id);
        e.reason = release_reason(why, found == skipped.end() ? "" : found->second,
                                  index.find_user(open.account_id).has_value());
        released_.push_back(std::move(e));
    }
    std::set<std::string> act;
    for (const auto& open : decision.act) {
        auto e = entry_for(index, open.account_id);
        e.notice = open;
        acting_.push_back(std::move(e));
        act.insert(open.account_id);
    }
    for (const auto& [open, due] : decision.remind) {
        auto e = entry_for(index, open.account_id);
        e.notice = open;
        e.reminders = due;
        reminded_.push_back(std::move(e));
    }
    waiting_ = decision.waiting.size();
    // The run acts on the users whose notice ran out and who still match; nobody else.
    plan.users.erase(
        std::remove_if(plan.users.begin(), plan.users.end(),
                       [&](const ops::PlannedUser& p) { return !act.count(p.account_id); }),
        plan.users.end());
}

std::string NoticeStage::mail_reason() const {
    return task_.reason.empty() ? "licences that are not used are reclaimed" : task_.reason;
}

void NoticeStage::enqueue(store::Database& db, const Entry& e, std::int64_t notice_id,
                          const std::string& kind) {
    bool wanted = kind == "release" ? task_.notice->release_email : task_.notice->email;
    if (!wanted || !email_.enabled() || e.email.empty())
        return;
    auto days_left = std::max<std::int64_t>(0, (e.notice.deadline - now_ + kDayMs - 1) / kDayMs);
    std::map<std::string, std::string> values = {
        {"name", e.name.empty() ? e.email : e.name},
        {"email", e.email},
        {"products", e.products},
        {"sites", e.sites},
        {"last_active", e.last_active},
        {"deadline", format_deadline(e.notice.deadline)},
        {"days_left", std::to_string(days_left)},
        {"task", task_.name},
        {"reason", mail_reason()},
        {"contact", email_.contact.empty() ? email_.from : email_.contact},
        {"release_reason", release_mail_reason(e.reason)}};
    notify::MailMessage message;
    message.to = e.email;
    message.kind = kind;
    message.notice_id = notice_id;
    message.task = task_.name;
    if (kind == "release") {
        message.subject = render_template(email_.release_subject, values);
        message.body = render_template(email_.release_body, values);
    } else {
        message.subject =
            (kind == "reminder" ? "Reminder: " : "") + render_template(email_.subject, values);
        message.body = render_template(email_.body, values);
    }
    auto delivery = notify::enqueue_mail(db, message, now_);
    set_mail_queued(db, notice_id, delivery);
}

void NoticeStage::audit(store::Database& db, const ops::RunRecord& run, const std::string& command,
                        const Entry& e, const std::string& detail) {
    audit::Entry entry;
    entry.at = now_;
    entry.caller = run.caller;
    entry.caller_uid = run.caller_uid;
    entry.caller_scope = run.caller_scope;
    entry.command = command;
    rapidjson::Document args(rapidjson::kObjectType);
    json::add(args, "task", task_.name, args.GetAllocator());
    json::add(args, "account_id", e.notice.account_id, args.GetAllocator());
    entry.args = json::to_compact(args);
    entry.run_id = run.id;
    entry.detail = e.email + ": " + detail;
    audit::append(db, entry);
}

void NoticeStage::record(store::Database& db, const ops::RunRecord& run) {
    for (const auto& e : acting_) {
        if (!mark_acted(db, e.notice.id, run.id, now_))
            throw store::StoreError("the notices of task " + task_.name +
                                    " changed while its run was planned; it is not recorded and "
                                    "runs again at its next time");
        audit(db, run, "notice.act", e,
              "acted on after the deadline " + format_deadline(e.notice.deadline));
    }
    for (const auto& e : released_)
        if (mark_released(db, e.notice.id, e.reason, now_)) {
            audit(db, run, "notice.release", e, "released: " + e.reason);
            enqueue(db, e, e.notice.id, "release");  // when release_email asks for it
        }
    for (auto& e : noticed_) {
        auto id = insert_notice(db, task_.name, e.notice.account_id, e.name, e.email, now_,
                                e.notice.deadline);
        if (!id)
            continue;  // on notice already (a concurrent run): nothing new
        e.notice.id = *id;
        enqueue(db, e, *id, "notice");
        audit(db, run, "notice.notice", e,
              "put on notice until " + format_deadline(e.notice.deadline));
    }
    for (const auto& e : reminded_)
        if (set_reminders(db, e.notice.id, e.reminders))
            enqueue(db, e, e.notice.id, "reminder");
    recorded_ = true;
}

void NoticeStage::recorded(const ops::RunRecord& run) {
    spdlog::info("notice: task {}: {} put on notice, {} released, {} acted on, {} waiting",
                 task_.name, noticed_.size(), released_.size(), acting_.size(), waiting_);
    if (events_) {
        auto emit = [&](const char* type, const std::vector<Entry>& list) {
            if (list.empty())
                return;
            Event event;
            event.type = type;
            event.at_ms = now_;
            event.facts = {{"task", task_.name},
                           {"count", std::to_string(list.size())},
                           {"users", first_names(list)},
                           {"run_id", run.id}};
            if (std::string(type) == "users_noticed")
                event.facts["deadline"] = format_deadline(list.front().notice.deadline);
            events_->emit(std::move(event));
        };
        emit("users_noticed", noticed_);
        emit("users_released", released_);
    }
    if (wake_ && (!noticed_.empty() || !reminded_.empty() ||
                  (task_.notice->release_email && !released_.empty())))
        wake_();
}

void NoticeStage::describe(rapidjson::Value& out, rapidjson::Document::AllocatorType& a) const {
    rapidjson::Value notice(rapidjson::kObjectType);
    json::add(notice, "task", task_.name, a);
    json::add(notice, "grace_s", static_cast<std::int64_t>(task_.notice->grace.count()), a);
    json::add(notice, "recorded", recorded_, a);
    auto list = [&](const std::vector<Entry>& entries, bool times) {
        rapidjson::Value v(rapidjson::kArrayType);
        for (const auto& e : entries)
            v.PushBack(entry_json(e, times, a), a);
        return v;
    };
    json::add(notice, "noticed", list(noticed_, true), a);
    json::add(notice, "released", list(released_, false), a);
    json::add(notice, "acting", list(acting_, true), a);
    json::add(notice, "waiting", waiting_, a);
    json::add(notice, "reminded", reminded_.size(), a);
    json::add(out, "notice", std::move(notice), a);
}

}  // namespace rosterd::notice
