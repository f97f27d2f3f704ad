// Events described for people: title, summary, facts and what to do, whatever the chat tool.
#include <set>

#include "rosterd/notify/format.hpp"

namespace rosterd::notify {
namespace {

constexpr const char* kReplaceKey =
    "Create a new organization API key in admin.atlassian.com (Settings > API keys), then run "
    "`rosterctl key set --expires YYYY-MM-DD` on ";

class Facts {
  public:
    explicit Facts(const Event& event) : facts_(event.facts) {}

    std::string get(const std::string& name, const std::string& fallback = "") const {
        auto found = facts_.find(name);
        return found == facts_.end() || found->second.empty() ? fallback : found->second;
    }
    bool has(const std::string& name) const { return !get(name).empty(); }

    // Adds `name` under `label` when present, and remembers it was shown.
    void show(Message& message, const std::string& label, const std::string& name) {
        shown_.insert(name);
        if (has(name))
            message.facts.emplace_back(label, get(name));
    }
    void mark_shown(const std::string& name) { shown_.insert(name); }
    // Facts no event description knows about still reach the reader, under their own names.
    void show_rest(Message& message) const {
        for (const auto& [name, value] : facts_)
            if (!shown_.count(name) && !value.empty())
                message.facts.emplace_back(name, value);
    }

  private:
    const std::map<std::string, std::string>& facts_;
    std::set<std::string> shown_;
};

std::string organization(const Facts& facts) {
    std::string name = facts.get("org_name"), id = facts.get("org_id");
    if (!name.empty() && !id.empty())
        return name + " (" + id + ")";
    if (!name.empty())
        return name;
    return id;
}

std::string org_phrase(const Facts& facts) {
    std::string name = facts.get("org_name", facts.get("org_id"));
    return name.empty() ? "the organization" : name;
}

std::string days_phrase(const std::string& days) {
    return days + (days == "1" ? " day" : " days");
}

std::string key_source(const std::string& source) {
    if (source == "stored")
        return "stored by rosterctl key set";
    if (source == "api_key_file")
        return "atlassian.api_key_file";
    if (source == "credential")
        return "systemd credential";
    return source;
}

void show_organization(Message& message, Facts& facts) {
    std::string org = organization(facts);
    if (!org.empty())
        message.facts.emplace_back("Organization", org);
    facts.mark_shown("org_name");
    facts.mark_shown("org_id");
}

void show_key(Message& message, Facts& facts) {
    if (facts.has("fingerprint")) {
        std::string key = "fingerprint " + facts.get("fingerprint");
        if (facts.has("source"))
            key += " (" + key_source(facts.get("source")) + ")";
        message.facts.emplace_back("Key", key);
    }
    facts.mark_shown("fingerprint");
    facts.mark_shown("source");
    facts.show(message, "Expires", "expires");
}

void describe_key_event(const Event& event, Message& m, Facts& f, const std::string& host) {
    std::string org = org_phrase(f);
    std::string expires = f.get("expires", "an unknown date");
    m.action = std::string(kReplaceKey) + host + ".";
    if (event.type == "api_key_expiring") {
        std::string days = days_phrase(f.get("days_left", "?"));
        m.severity = Severity::warning;
        m.title = "Atlassian API key expires in " + days;
        m.summary = "The organization API key for " + org + " expires on " + expires + ", in " +
                    days + ". rosterd cannot sync or run operations after that.";
    } else if (event.type == "api_key_expired") {
        m.severity = Severity::critical;
        m.title = "Atlassian API key expired";
        m.summary = "The organization API key for " + org + " expired on " + expires +
                    ". Syncs and operations are stopped; status and queries show the last "
                    "snapshot.";
    } else {
        m.severity = Severity::critical;
        m.title = "Atlassian rejected the API key";
        m.summary = "Atlassian answered HTTP 401 to the organization API key for " + org +
                    ": it expired or was revoked. Syncs and operations are stopped; status and "
                    "queries show the last snapshot.";
        m.action += " `rosterctl key check` re-validates a key.";
    }
    show_organization(m, f);
    show_key(m, f);
    f.show(m, "Days left", "days_left");
    f.mark_shown("lead_days");
    f.show(m, "Error", "error");
}

void describe_sync_event(const Event& event, Message& m, Facts& f, const std::string& host) {
    std::string org = org_phrase(f);
    if (event.type == "sync_failed") {
        m.severity = Severity::warning;
        m.title = "Sync failed";
        m.summary = "The sync of " + org + " failed: " + f.get("error", "unknown error") +
                    ". Status and queries keep showing the previous snapshot.";
        m.action = "See `rosterctl sync history` and the daemon log on " + host +
                   "; `rosterctl sync --wait` retries.";
    } else if (event.type == "sync_interrupted") {
        m.severity = Severity::warning;
        m.title = "Sync interrupted";
        m.summary = "A sync of " + org + " (sync " + f.get("run_id", "?") + ", started " +
                    f.get("started_at", "?") + ") was cut short after " + f.get("requests", "?") +
                    " requests: rosterd stopped or crashed before it finished. Its partial data "
                    "was discarded; status and queries show the previous snapshot.";
        m.action = "See the daemon log on " + host +
                   " for why rosterd stopped; `rosterctl sync --wait` syncs again now.";
    } else {
        m.severity = Severity::info;
        m.title = "Sync succeeded";
        m.summary = "Synced " + org + ": " + f.get("users", "?") + " users and " +
                    f.get("groups", "?") + " groups in " + f.get("requests", "?") + " requests.";
    }
    show_organization(m, f);
    f.show(m, "Sync run", "run_id");
    f.show(m, "Trigger", "trigger");
    f.show(m, "Started", "started_at");
    f.show(m, "Users", "users");
    f.show(m, "Groups", "groups");
    f.show(m, "Requests", "requests");
    f.show(m, "Error", "error");
}

void describe_run_event(const Event& event, Message& m, Facts& f, const std::string& host) {
    std::string run = "Run " + f.get("run_id", "?");
    std::string task = f.has("task") ? " (" + f.get("task") + ")" : "";
    std::string counts = f.get("ok", "0") + " succeeded, " + f.get("failed", "0") + " failed, " +
                         f.get("skipped", "0") + " skipped";
    if (event.type == "run_succeeded") {
        m.severity = Severity::info;
        m.title = run + " succeeded";
        m.summary = run + task + " finished: " + counts + ".";
    } else if (event.type == "run_partially_failed") {
        m.severity = Severity::warning;
        m.title = run + " partially failed";
        m.summary = run + task + " finished with failures: " + counts + ".";
        m.action = "Review the failed users in the run's journal on " + host + ".";
    } else if (event.type == "run_nothing_to_do") {
        m.severity = Severity::info;
        m.title = run + ": nothing to do";
        m.summary =
            run + task + " changed nothing: every user was skipped or already so (" + counts + ").";
    } else if (event.type == "run_cancelled") {
        m.severity = Severity::warning;
        m.title = run + " cancelled";
        m.summary = run + task + " was cancelled by " + f.get("cancelled_by", "an admin") +
                    " after " + f.get("ok", "0") + " users; the rest were not touched (" + counts +
                    ").";
        m.action = "`rosterctl runs undo " + f.get("run_id", "ID") +
                   "` reverses what it did; review it in the run's journal on " + host + ".";
    } else if (event.type == "run_refused") {
        m.severity = Severity::warning;
        m.title = run + " refused";
        m.summary = run + task +
                    " was refused and changed nothing: " + f.get("error", "unknown reason") + ".";
        m.action = "Review the run with `rosterctl runs show " + f.get("run_id", "ID") + "` on " +
                   host + ".";
    } else {
        m.severity = Severity::critical;
        m.title = run + " failed";
        m.summary =
            run + task + " failed: " + f.get("error", "unknown error") + " (" + counts + ").";
        m.action = "Review the run's journal and the daemon log on " + host + ".";
    }
    show_organization(m, f);
    f.show(m, "Run", "run_id");
    f.show(m, "Task", "task");
    f.show(m, "Kind", "kind");
    f.show(m, "Requested by", "caller");
    f.show(m, "Reason", "reason");
    f.show(m, "Cancelled by", "cancelled_by");
    f.show(m, "Succeeded", "ok");
    f.show(m, "Failed", "failed");
    f.show(m, "Skipped", "skipped");
    f.show(m, "Error", "error");
}

// "+12", "-3", "0": the week's change.
std::string signed_change(const std::string& value) {
    return value.empty() || value[0] == '-' || value == "0" || value == "0.00" ? value
                                                                               : "+" + value;
}

void describe_digest(Message& m, Facts& f) {
    std::string org = org_phrase(f);
    std::string currency = f.has("currency") ? " " + f.get("currency") : "";
    m.severity = Severity::info;
    m.title = "Weekly licence digest";
    m.summary = org + ": " + f.get("billable", "?") + " billable seats, " + f.get("inactive", "?") +
                " of them inactive";
    if (f.has("inactive_monthly_cost"))
        m.summary += " (" + f.get("inactive_monthly_cost") + currency + " a month)";
    m.summary += ".";
    if (f.has("billable_change"))
        m.summary += " Since " + f.get("week_ago", "a week ago") + ": billable " +
                     signed_change(f.get("billable_change")) + ", inactive " +
                     signed_change(f.get("inactive_change")) + ".";
    else
        m.summary += " No history from a week ago yet to compare with.";
    if (f.has("realised_monthly"))
        m.summary += " rosterd's runs save " + f.get("realised_monthly") + currency + " a month (" +
                     f.get("realised_seats", "0") + " seats).";
    m.action = "`rosterctl report --html -o report.html` writes the full report with trends.";
    show_organization(m, f);
    f.show(m, "Billable seats", "billable");
    f.show(m, "Active seats", "active");
    f.show(m, "Inactive seats", "inactive");
    f.show(m, "Billable, week's change", "billable_change");
    f.show(m, "Inactive, week's change", "inactive_change");
    f.show(m, "Monthly cost", "monthly_cost");
    f.show(m, "Potential savings a month", "inactive_monthly_cost");
    f.show(m, "Inactive cost, week's change", "inactive_cost_change");
    f.show(m, "Realised savings a month", "realised_monthly");
    f.show(m, "Seats reclaimed, still removed", "realised_seats");
    f.show(m, "Runs this week", "runs_this_week");
    f.show(m, "Compared with", "week_ago");
    f.mark_shown("currency");
}

// "Jira (jira-software) on acme.atlassian.net", "Jira (jira-software) on every site".
std::string seats_of(const Facts& f) {
    std::string key = f.get("product", "?");
    std::string name = f.get("product_name");
    std::string product = name.empty() || name == key ? key : name + " (" + key + ")";
    return product + " on " + f.get("site", "every site");
}

// Seat alerts (issue 17): near capacity at a sync, a task's seat target not reached.
void describe_seat_event(const Event& event, Message& m, Facts& f, const std::string& host) {
    m.severity = Severity::warning;
    if (event.type == "seats_near_capacity") {
        m.title = seats_of(f) + " at " + f.get("percent", "?") + "% of its seats";
        m.summary = seats_of(f) + " has " + f.get("seats", "?") + " billable seats of its " +
                    f.get("capacity", "?") + " (" + f.get("percent", "?") +
                    "%), at or above the alert threshold of " + f.get("at_percent", "?") +
                    "%. New users may be refused a seat once it is full.";
        m.action = "Reclaim idle seats (`rosterctl users --product " + f.get("product", "P") +
                   " --inactive-days 60` on " + host + ") or raise the subscription's capacity.";
    } else {
        std::string task = f.get("task", "?");
        m.title = "Seat target not reached: " + task;
        m.summary = "Task " + task + " leaves " + seats_of(f) + " " + f.get("over_after", "?") +
                    " seats over its target of " + f.get("target", "?") + " (" +
                    f.get("seats", "?") + " billable seats; the plan takes " + f.get("taken", "?") +
                    " of " + f.get("candidates", "?") + " candidate users, run " +
                    f.get("state", "?") + ").";
        m.action = "Review the plan with `rosterctl runs show " + f.get("run_id", "ID") + "` on " +
                   host + "; widen the task's filter or change keep_at_most.";
    }
    show_organization(m, f);
    f.mark_shown("product_name");
    f.show(m, "Product", "product");
    f.show(m, "Site", "site");
    f.show(m, "Billable seats", "seats");
    f.show(m, "Capacity", "capacity");
    f.show(m, "Share of capacity (%)", "percent");
    f.show(m, "Alert at (%)", "at_percent");
    f.show(m, "Task", "task");
    f.show(m, "Run", "run_id");
    f.show(m, "Mode", "mode");
    f.show(m, "State", "state");
    f.show(m, "Target", "target");
    f.show(m, "Candidates", "candidates");
    f.show(m, "Taken", "taken");
    f.show(m, "Over the target after the run", "over_after");
}

// users_noticed, users_released (issue 17): one digest per task run, not one message per user.
void describe_notice_event(const Event& event, Message& m, Facts& f) {
    std::string task = f.get("task", "?");
    std::string count = f.get("count", "?");
    std::string who = f.has("users") ? " (" + f.get("users") + ")" : "";
    m.severity = Severity::info;
    if (event.type == "users_noticed") {
        m.title = "Task " + task + ": " + count + " users put on notice";
        m.summary = count + " users" + who + " were put on notice by task " + task +
                    ": they are acted on after " + f.get("deadline", "their deadline") +
                    " unless they use their access again.";
        m.action = "`rosterctl notices --task " + task +
                   "` lists them; `rosterctl notices exempt "
                   "USER --reason TEXT` exempts one.";
    } else {
        m.title = "Task " + task + ": " + count + " users released";
        m.summary = count + " users" + who + " on notice from task " + task +
                    " were released: they no longer match, or were exempted. Nothing is done to "
                    "them.";
    }
    show_organization(m, f);
    f.show(m, "Task", "task");
    f.show(m, "Users", "count");
    f.show(m, "Deadline", "deadline");
    f.show(m, "Run", "run_id");
    f.mark_shown("users");
}

}  // namespace

Message describe_event(const Event& event, const RenderContext& context) {
    Message m;
    m.event_type = event.type;
    m.at_ms = event.at_ms;
    Facts f(event);
    const std::string& host = context.host;
    if (event.type.rfind("api_key_", 0) == 0) {
        describe_key_event(event, m, f, host);
    } else if (event.type.rfind("sync_", 0) == 0) {
        describe_sync_event(event, m, f, host);
    } else if (event.type.rfind("run_", 0) == 0) {
        describe_run_event(event, m, f, host);
    } else if (event.type == "digest") {
        describe_digest(m, f);
    } else if (event.type == "seats_near_capacity" || event.type == "seats_over_target") {
        describe_seat_event(event, m, f, host);
    } else if (event.type == "users_noticed" || event.type == "users_released") {
        describe_notice_event(event, m, f);
    } else if (event.type == "test") {
        m.severity = Severity::info;
        m.title = "Test message from rosterd";
        m.summary = "rosterd on " + host + " can deliver notifications to webhook '" +
                    f.get("webhook", "?") + "'.";
        show_organization(m, f);
        f.show(m, "Webhook", "webhook");
        f.show(m, "Requested by", "requested_by");
    } else {
        m.title = "rosterd event " + event.type;
        m.summary = "rosterd on " + host + " reported " + event.type + ".";
        show_organization(m, f);
    }
    f.show_rest(m);
    return m;
}

}  // namespace rosterd::notify
