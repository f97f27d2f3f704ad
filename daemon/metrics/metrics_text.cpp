// The metrics as Prometheus text (exposition format 0.0.4). Every family has HELP and TYPE, its
// samples together; names carry the rosterd_ prefix and their unit, counters end in _total.
#include <algorithm>
#include <charconv>
#include <cmath>

#include "rosterd/metrics/metrics.hpp"
#include "rosterd/sync/sync_vocabulary.hpp"

namespace rosterd::metrics {
namespace {

using Labels = std::vector<std::pair<std::string_view, std::string_view>>;

class Writer {
  public:
    explicit Writer(std::string& out) : out_(out) {}

    void family(std::string_view name, std::string_view type, std::string_view help) {
        out_ += "# HELP ";
        out_ += name;
        out_ += ' ';
        out_ += help;
        out_ += "\n# TYPE ";
        out_ += name;
        out_ += ' ';
        out_ += type;
        out_ += '\n';
    }
    void sample(std::string_view name, const Labels& labels, double value) {
        out_ += name;
        if (!labels.empty()) {
            out_ += '{';
            bool first = true;
            for (const auto& [key, text] : labels) {
                if (!first)
                    out_ += ',';
                first = false;
                out_ += key;
                out_ += "=\"";
                out_ += escape_label(text);
                out_ += '"';
            }
            out_ += '}';
        }
        out_ += ' ';
        number(value);
        out_ += '\n';
    }
    void sample(std::string_view name, double value) { sample(name, {}, value); }

  private:
    // Integers as integers (seat counts must read exactly), anything else in its shortest form.
    void number(double value) {
        char buffer[32];
        std::to_chars_result r;
        if (std::isfinite(value) && std::trunc(value) == value && std::fabs(value) < 1e15)
            r = std::to_chars(buffer, buffer + sizeof buffer, static_cast<long long>(value));
        else
            r = std::to_chars(buffer, buffer + sizeof buffer, value);
        out_.append(buffer, r.ptr);
    }
    std::string& out_;
};

double seconds(std::int64_t ms) {
    return static_cast<double>(ms) / 1000.0;
}

// The dashboard's own rounding of money (query_json.cpp), so both say the same amount.
double money(double amount) {
    return std::round(amount * 100.0) / 100.0;
}

}  // namespace

std::string escape_label(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string render_seat_metrics(const query::Dashboard& d) {
    std::string out;
    out.reserve(512 + d.products.size() * 1024);
    Writer w(out);
    w.family("rosterd_snapshot_id", "gauge",
             "Id of the published snapshot (the last complete sync) the seat figures come from.");
    w.sample("rosterd_snapshot_id", static_cast<double>(d.snapshot.id));
    w.family("rosterd_seats_measured_timestamp_seconds", "gauge",
             "The instant inactivity was measured from (Unix time).");
    w.sample("rosterd_seats_measured_timestamp_seconds", seconds(d.now_ms));

    struct Figure {
        const char* name;
        const char* help;
        std::int64_t (*value)(const query::SiteFigures&);
    };
    const Figure figures[] = {
        {"rosterd_seats_billable",
         "Billable seats per product and site (active, human users with a user or admin role).",
         [](const query::SiteFigures& s) { return s.total; }},
        {"rosterd_seats_active", "Billable seats used within the product's inactivity threshold.",
         [](const query::SiteFigures& s) { return s.active(); }},
        {"rosterd_seats_inactive",
         "Billable seats not used for at least the product's inactivity threshold.",
         [](const query::SiteFigures& s) { return s.inactive; }},
    };
    for (const auto& f : figures) {
        w.family(f.name, "gauge", f.help);
        for (const auto& p : d.products)
            for (const auto& s : p.sites)
                w.sample(f.name, {{"product", p.product}, {"site", s.site}},
                         static_cast<double>(f.value(s)));
    }
    w.family("rosterd_seats_capacity", "gauge",
             "Seats the product's licence allows on the site, where Atlassian reports it.");
    for (const auto& p : d.products)
        for (const auto& s : p.sites)
            if (s.capacity)
                w.sample("rosterd_seats_capacity", {{"product", p.product}, {"site", s.site}},
                         static_cast<double>(*s.capacity));
    w.family("rosterd_seats_inactive_threshold_seconds", "gauge",
             "Time without activity after which a product's seat counts as inactive (its days "
             "x 86400).");
    for (const auto& p : d.products)
        w.sample("rosterd_seats_inactive_threshold_seconds", {{"product", p.product}},
                 static_cast<double>(p.inactive_days) * 86400.0);
    if (!d.currency.empty()) {
        w.family("rosterd_seats_inactive_monthly_cost", "gauge",
                 "Monthly cost of the inactive seats (pricing.monthly_per_seat), in the currency "
                 "label's unit.");
        for (const auto& p : d.products)
            if (p.monthly_seat_price)
                for (const auto& s : p.sites)
                    w.sample("rosterd_seats_inactive_monthly_cost",
                             {{"product", p.product}, {"site", s.site}, {"currency", d.currency}},
                             money(*p.monthly_seat_price * static_cast<double>(s.inactive)));
    }
    return out;
}

std::string render_live_metrics(const LiveFigures& f, std::string_view version) {
    std::string out;
    out.reserve(4096);
    Writer w(out);
    w.family("rosterd_build_info", "gauge",
             "The rosterd version serving these metrics (always 1).");
    w.sample("rosterd_build_info", {{"version", version}}, 1);

    w.family("rosterd_sync_running", "gauge", "1 while a sync runs, else 0.");
    w.sample("rosterd_sync_running", f.sync_running ? 1 : 0);
    if (f.last_success_ms) {
        w.family("rosterd_last_successful_sync_timestamp_seconds", "gauge",
                 "When the last successful sync finished (Unix time).");
        w.sample("rosterd_last_successful_sync_timestamp_seconds", seconds(*f.last_success_ms));
    }
    if (f.last_outcome) {
        w.family("rosterd_last_sync_success", "gauge",
                 "1 when the last finished sync succeeded, else 0.");
        w.sample("rosterd_last_sync_success",
                 *f.last_outcome == sync::to_string(sync::SyncResult::succeeded) ? 1 : 0);
        if (f.last_duration_ms) {
            w.family("rosterd_last_sync_duration_seconds", "gauge",
                     "How long the last finished sync took, from start to publish or failure.");
            w.sample("rosterd_last_sync_duration_seconds", seconds(*f.last_duration_ms));
        }
        w.family("rosterd_last_sync_requests", "gauge",
                 "Admin API requests the last finished sync sent, retries included.");
        w.sample("rosterd_last_sync_requests", static_cast<double>(f.last_requests));
        w.family("rosterd_last_sync_retries", "gauge",
                 "Admin API requests the last finished sync repeated (429, 5xx, timeouts).");
        w.sample("rosterd_last_sync_retries", static_cast<double>(f.last_retries));
    }
    w.family("rosterd_syncs_total", "counter",
             "Finished syncs recorded in the database, by outcome.");
    for (const auto& [outcome, count] : f.syncs)
        w.sample("rosterd_syncs_total", {{"outcome", outcome}}, static_cast<double>(count));

    // Seconds, as Prometheus wants units: `rosterctl key show`'s days left is the remaining
    // time in days, rounded up.
    if (f.key_expiry_ms) {
        w.family("rosterd_api_key_expiry_timestamp_seconds", "gauge",
                 "When the organization API key lapses: 00:00 UTC on its expiry date (Unix time).");
        w.sample("rosterd_api_key_expiry_timestamp_seconds", seconds(*f.key_expiry_ms));
        w.family("rosterd_api_key_remaining_seconds", "gauge",
                 "Time left before the API key lapses (0 once expired); days left = "
                 "ceil(value / 86400).");
        w.sample("rosterd_api_key_remaining_seconds",
                 seconds(std::max<std::int64_t>(0, *f.key_expiry_ms - f.now_ms)));
    }
    w.family("rosterd_api_key_state", "gauge",
             "The API key's state: 1 for the current state, 0 for the others.");
    for (auto state : kKeyStates)
        w.sample("rosterd_api_key_state", {{"state", state}}, state == f.key_state ? 1 : 0);

    w.family("rosterd_outbox_deliveries", "gauge",
             "Webhook deliveries waiting to be sent (pending) or given up (dead).");
    w.sample("rosterd_outbox_deliveries", {{"state", "pending"}},
             static_cast<double>(f.outbox_pending));
    w.sample("rosterd_outbox_deliveries", {{"state", "dead"}}, static_cast<double>(f.outbox_dead));

    auto runs_in = [&](std::string_view state) {
        auto found = f.runs.find(std::string(state));
        return found == f.runs.end() ? 0.0 : static_cast<double>(found->second);
    };
    w.family("rosterd_runs_total", "counter",
             "Bulk, task and undo runs by final state (planned: dry runs).");
    for (auto state : kFinalRunStates)
        w.sample("rosterd_runs_total", {{"state", state}}, runs_in(state));
    w.family("rosterd_runs_in_progress", "gauge", "Applying runs queued or running.");
    for (auto state : kActiveRunStates)
        w.sample("rosterd_runs_in_progress", {{"state", state}}, runs_in(state));
    return out;
}

}  // namespace rosterd::metrics
