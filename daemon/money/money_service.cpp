#include "money_service.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "money_json.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/control/db_reply.hpp"
#include "rosterd/money/report.hpp"
#include "rosterd/ops/run_store.hpp"
#include "rosterd/query/json.hpp"
#include "rosterd/version.hpp"

namespace rosterd::money {
namespace {

namespace json = control::json;
using control::ArgType;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

query::DashboardOptions dashboard_options(const Config& config, std::int64_t now_ms) {
    query::DashboardOptions options;
    options.now_ms = now_ms;
    options.default_days = config.inactivity.days;
    options.per_product = config.inactivity.per_product;
    options.pricing = query::Pricing::from_config(config.pricing);
    return options;
}

// --since DATE (YYYY-MM-DD, or an ISO-8601 instant); throws std::invalid_argument.
std::optional<std::int64_t> since_of(const control::Request& request) {
    auto text = request.string_arg("since");
    if (!text)
        return std::nullopt;
    auto ms = parse_iso8601_ms(*text);
    if (!ms)
        throw std::invalid_argument("since: expected a date YYYY-MM-DD, got '" + *text + "'");
    return ms;
}

const date::time_zone* zone_of(const Config& config) {
    if (config.sync.timezone.empty())
        return system_time_zone();
    auto* zone = find_time_zone(config.sync.timezone, nullptr);
    return zone ? zone : system_time_zone();
}

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items)
        out += (out.empty() ? "" : " ") + item;
    return out;
}

std::string money_text(const std::optional<double>& amount) {
    if (!amount)
        return "";
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.2f", *amount);
    return buffer;
}

// A read transaction over the published snapshot and its index.
struct SnapshotRead {
    store::Transaction transaction;
    std::shared_ptr<const query::SnapshotIndex> index;
    SnapshotRead(store::Database& db, query::SnapshotCache& cache)
        : transaction(db, store::Transaction::Kind::deferred), index(cache.current(db)) {}
};

std::shared_ptr<rapidjson::Document> object_document() {
    return std::make_shared<rapidjson::Document>(rapidjson::kObjectType);
}

}  // namespace

MoneyService::MoneyService(DaemonContext& context, SyncControl& sync, const Subsystem& keys)
    : context_(context), keys_(keys), digest_timer_(context.loop) {
    sync.on_success([this] { record(); });
}

void MoneyService::start() {
    record();  // a sync the daemon had no time to record before it stopped, or an upgrade
    arm_digest();
}

void MoneyService::stop() {
    stopping_ = true;
    digest_timer_.cancel();
}

void MoneyService::apply_config(const Config&) {
    if (stopping_)
        return;
    digest_timer_.cancel();
    arm_digest();
}

void MoneyService::record() {
    if (stopping_)
        return;
    if (recording_) {
        record_again_ = true;
        return;
    }
    recording_ = true;
    auto config = context_.config;
    // The figures on a reader thread (the index is shared with every question), then the write
    // on the writer thread, so that building an index never holds up the writer.
    context_.db.read(
        [config, snapshots = context_.snapshots](store::Database& db) {
            SnapshotRead read(db, *snapshots);
            if (history_has(db, read.index->info.id))
                return std::vector<HistoryPoint>();
            // Inactivity measured at the sync, so a point does not depend on when it is written.
            return history_points(query::compute_dashboard(
                *read.index, dashboard_options(*config, read.index->info.as_of_ms)));
        },
        [this, keep = config->history.keep_days](store::DbResult<std::vector<HistoryPoint>> r) {
            if (!r.ok() || r.value->empty()) {
                if (!r.ok() && r.error != query::kNoDataMessage)
                    spdlog::warn("money: the seat history was not recorded: {}", r.error);
                return recorded();
            }
            context_.db.write(
                [points = std::move(*r.value), keep](store::Database& db) {
                    auto start = Clock::now();
                    int added = record_history(db, points, keep);
                    return std::make_pair(added, ms_since(start));
                },
                [this](store::DbResult<std::pair<int, double>> w) {
                    if (!w.ok()) {
                        spdlog::warn("money: the seat history was not recorded: {}", w.error);
                    } else if (w.value->first > 0) {
                        last_record_write_ms_ = w.value->second;
                        spdlog::info("money: seat history recorded ({} points in {:.2f} ms)",
                                     w.value->first, w.value->second);
                    }
                    recorded();
                });
        });
}

void MoneyService::recorded() {
    recording_ = false;
    if (record_again_) {
        record_again_ = false;
        record();
        return;
    }
    auto waiting = std::move(waiting_);
    waiting_.clear();
    for (auto& then : waiting)
        then();
}

void MoneyService::after_recording(std::function<void()> then) {
    if (recording_)
        waiting_.push_back(std::move(then));
    else
        then();
}

void MoneyService::register_commands(control::CommandRegistry& registry) {
    registry.add(
        {.name = control::cmd::kHistory,
         .summary = "Seat history: the dashboard's figures per product and site at each "
                    "sync (one point a day after 30 days)",
         .level = control::AccessLevel::viewer,
         .args = {{"product", ArgType::string, false, "one product (key)"},
                  {control::arg::kSite, ArgType::string, false, "one site (host)"},
                  {control::arg::kSince, ArgType::string, false, "from this date (YYYY-MM-DD)"}},
         .handler = [this](const auto& request, auto reply) {
             after_recording([this, request, reply] { history(request, reply); });
         }});
    registry.add({.name = control::cmd::kSavings,
                  .summary = "Potential savings (inactive seats now) and realised savings (seats "
                             "runs removed that are still removed), by run, task and product",
                  .level = control::AccessLevel::viewer,
                  .args = {{control::arg::kSince, ArgType::string, false,
                            "only runs that finished from this date (YYYY-MM-DD)"}},
                  .handler = [this](const auto& request, auto reply) {
                      after_recording([this, request, reply] { savings(request, reply); });
                  }});
    registry.add({.name = control::cmd::kReport,
                  .summary = "The HTML report: dashboard, trends, cost and savings, inactive "
                             "groups, recent runs, the API key (one self-contained file)",
                  .level = control::AccessLevel::viewer,
                  .args = {{control::arg::kSince, ArgType::string, false,
                            "history and savings from this date (YYYY-MM-DD)"}},
                  .handler = [this](const auto& request, auto reply) {
                      after_recording([this, request, reply] { report(request, reply); });
                  }});
}

void MoneyService::history(const control::Request& request, std::shared_ptr<control::Reply> reply) {
    HistoryQuery query;
    try {
        query.since_ms = since_of(request);
    } catch (const std::invalid_argument& e) {
        return reply->fail(control::kInvalidArgs, e.what());
    }
    query.product = request.string_arg("product");
    query.site = request.string_arg("site");
    auto scope = request.caller.view_scope();
    context_.db.read(
        [query, scope](store::Database& db) {
            auto points = read_history(db, query);
            // A scoped caller sees the points of their products and sites only.
            if (!scope.sees_everything())
                std::erase_if(points, [&](const HistoryPoint& p) {
                    return !scope.allows_resource({p.product, p.site});
                });
            auto doc = object_document();
            auto& a = doc->GetAllocator();
            json::add(*doc, "since",
                      query.since_ms ? json::value(query::format_instant_ms(*query.since_ms), a)
                                     : rapidjson::Value(),
                      a);
            json::add(*doc, "points", history_json(points, a), a);
            return doc;
        },
        control::answer_with_document(reply));
}

void MoneyService::savings(const control::Request& request, std::shared_ptr<control::Reply> reply) {
    std::optional<std::int64_t> since;
    try {
        since = since_of(request);
    } catch (const std::invalid_argument& e) {
        return reply->fail(control::kInvalidArgs, e.what());
    }
    auto options =
        dashboard_options(*context_.config, context_.clock.now().time_since_epoch().count());
    context_.db.read(
        [options, since, scope = request.caller.view_scope(),
         snapshots = context_.snapshots](store::Database& db) {
            SnapshotRead read(db, *snapshots);
            // A scoped caller's figures come from the in-scope view: its products and sites,
            // its users, so no total counts what the scope does not reach.
            auto index = query::restrict_to_scope(read.index, scope);
            auto dashboard = query::compute_dashboard(*index, options);
            auto result =
                compute_savings(*index, dashboard, read_journal(db), options.pricing, since);
            auto doc = object_document();
            auto& a = doc->GetAllocator();
            static_cast<rapidjson::Value&>(*doc) = savings_json(result, a);
            query::add_snapshot_fields(*doc, read.index->info, options.now_ms, a);
            json::add(*doc, "since",
                      since ? json::value(query::format_instant_ms(*since), a) : rapidjson::Value(),
                      a);
            return doc;
        },
        control::answer_with_document(reply));
}

void MoneyService::report(const control::Request& request, std::shared_ptr<control::Reply> reply) {
    std::optional<std::int64_t> since;
    try {
        since = since_of(request);
    } catch (const std::invalid_argument& e) {
        return reply->fail(control::kInvalidArgs, e.what());
    }
    auto now = context_.clock.now().time_since_epoch().count();
    auto options = dashboard_options(*context_.config, now);
    // The key's state as `key show` tells it (read on the loop, where the key service lives).
    rapidjson::Document key_doc(rapidjson::kObjectType);
    keys_.write_status(key_doc, key_doc.GetAllocator());
    KeyInfo key;
    key.state = key_doc.HasMember("state") && key_doc["state"].IsString()
                    ? key_doc["state"].GetString()
                    : "unknown";
    if (key_doc.HasMember("days_left") && key_doc["days_left"].IsInt64())
        key.days_left = key_doc["days_left"].GetInt64();
    if (key_doc.HasMember("expires") && key_doc["expires"].IsString())
        key.expires = key_doc["expires"].GetString();
    auto scope = request.caller.view_scope();
    // A scoped caller's report holds its products and sites only, and the runs they started.
    std::optional<std::int64_t> own_runs;
    if (!scope.sees_everything())
        own_runs = static_cast<std::int64_t>(request.caller.uid);
    context_.db.read(
        [options, since, now, key, scope, own_runs,
         snapshots = context_.snapshots](store::Database& db) {
            auto start = Clock::now();
            SnapshotRead read(db, *snapshots);
            auto index = query::restrict_to_scope(read.index, scope);
            ReportData data;
            data.org_name = read.index->info.org_name;
            data.generated_ms = now;
            data.since_ms = since;
            data.dashboard = query::compute_dashboard(*index, options);
            data.history = read_history(db, {std::nullopt, std::nullopt, since});
            if (!scope.sees_everything())
                std::erase_if(data.history, [&](const HistoryPoint& p) {
                    return !scope.allows_resource({p.product, p.site});
                });
            data.savings =
                compute_savings(*index, data.dashboard, read_journal(db), options.pricing, since);
            data.groups = biggest_inactive_groups(*index, data.dashboard, options, 5);
            for (const auto& [run, counts] : ops::list_runs(db, own_runs ? 1000 : 20)) {
                if (own_runs && run.caller_uid != *own_runs)
                    continue;
                if (data.runs.size() == 20)
                    break;
                ReportRun r{run.id,
                            std::string(ops::to_string(run.kind)),
                            run.task,
                            std::string(ops::to_string(run.state)),
                            joined(run.actions),
                            run.reason,
                            run.created_at,
                            run.finished_at,
                            counts.users,
                            counts.ok,
                            counts.failed,
                            counts.skipped,
                            counts.changed};
                data.runs.push_back(std::move(r));
            }
            data.key = key;
            data.version = kVersion;
            auto html = render_report_html(data);
            auto doc = object_document();
            auto& a = doc->GetAllocator();
            query::add_snapshot_fields(*doc, read.index->info, now, a);
            json::add(*doc, "generate_ms", ms_since(start), a);
            json::add(*doc, "bytes", html.size(), a);
            json::add(*doc, "html", html, a);
            return doc;
        },
        control::answer_with_document(reply));
}

void MoneyService::arm_digest() {
    const auto& config = *context_.config;
    auto next = next_occurrence(config.digest.schedule, context_.clock.now(), zone_of(config));
    next_digest_ms_ =
        std::chrono::duration_cast<std::chrono::milliseconds>(next.time_since_epoch()).count();
    digest_timer_.expires_at(std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(next.time_since_epoch())));
    digest_timer_.async_wait([this](const std::error_code& error) {
        if (error || stopping_)
            return;
        send_digest();
        arm_digest();
    });
}

void MoneyService::send_digest() {
    if (!context_.events)
        return;
    auto now = context_.clock.now().time_since_epoch().count();
    auto options = dashboard_options(*context_.config, now);
    context_.db.read(
        [options, now, snapshots = context_.snapshots](store::Database& db) {
            SnapshotRead read(db, *snapshots);
            auto dashboard = query::compute_dashboard(*read.index, options);
            auto journal = read_journal(db);
            std::int64_t runs = 0;
            for (const auto& run : journal)
                runs += run.finished_at > now - 7 * kDayMs ? 1 : 0;
            auto savings = compute_savings(*read.index, dashboard, journal, options.pricing, {});
            auto history = read_history(db, {std::nullopt, std::nullopt, now - 15 * kDayMs});
            return std::make_pair(digest_figures(history, savings, now, runs),
                                  read.index->info.org_name);
        },
        [this, now](store::DbResult<std::pair<DigestFigures, std::string>> r) {
            if (!r.ok()) {
                spdlog::warn("money: no digest this week: {}", r.error);
                return;
            }
            const auto& [f, org] = *r.value;
            Event event;
            event.type = "digest";
            event.at_ms = now;
            auto put = [&](const char* name, const std::string& value) {
                if (!value.empty())
                    event.facts[name] = value;
            };
            put("org_id", context_.config->atlassian.org_id);
            put("org_name", org);
            put("billable", std::to_string(f.billable));
            put("active", std::to_string(f.active));
            put("inactive", std::to_string(f.inactive));
            put("currency", f.currency);
            put("monthly_cost", money_text(f.monthly_cost));
            put("inactive_monthly_cost", money_text(f.inactive_monthly_cost));
            if (f.week_ago_at) {
                put("week_ago", query::format_instant_ms(*f.week_ago_at).substr(0, 10));
                put("billable_change", std::to_string(*f.billable_change));
                put("inactive_change", std::to_string(*f.inactive_change));
                put("inactive_cost_change", money_text(f.inactive_cost_change));
            }
            put("realised_monthly", money_text(f.realised_monthly));
            put("realised_seats", std::to_string(f.realised_seats));
            put("runs_this_week", std::to_string(f.runs_this_week));
            context_.events->emit(std::move(event));
        });
}

void MoneyService::write_status(rapidjson::Value& out,
                                rapidjson::Document::AllocatorType& alloc) const {
    json::add(out, "history_keep_days", context_.config->history.keep_days, alloc);
    json::add(out, "last_history_write_ms", last_record_write_ms_, alloc);
    json::add(out, "digest_schedule", context_.config->digest.schedule_text, alloc);
    json::add(out, "next_digest",
              next_digest_ms_ ? json::value(query::format_instant_ms(*next_digest_ms_), alloc)
                              : rapidjson::Value(),
              alloc);
}

}  // namespace rosterd::money
