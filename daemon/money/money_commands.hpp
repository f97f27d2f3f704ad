#pragma once
// The money commands, one named function per command in its own file (money_command_*.cpp), each
// returning its spec with its handler; MoneyService::register_commands adds them one line each.
// The helpers here are what the commands and the history recording read the same way.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "rosterd/config/config.hpp"
#include "rosterd/control/registry.hpp"
#include "rosterd/query/query.hpp"
#include "rosterd/query/snapshot.hpp"
#include "rosterd/store/store.hpp"

namespace rosterd::money {

class MoneyService;

control::CommandSpec history_command(MoneyService& money);  // money_command_history.cpp
control::CommandSpec savings_command(MoneyService& money);  // money_command_savings.cpp
control::CommandSpec report_command(MoneyService& money);   // money_command_report.cpp

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point start);

// The dashboard as the configuration asks for it, inactivity measured at `now_ms`.
query::DashboardOptions dashboard_options(const Config& config, std::int64_t now_ms);

// --since DATE (YYYY-MM-DD, or an ISO-8601 instant); throws std::invalid_argument.
std::optional<std::int64_t> since_of(const control::Request& request);

// A read transaction over the published snapshot and its index.
struct SnapshotRead {
    store::Transaction transaction;
    std::shared_ptr<const query::SnapshotIndex> index;
    SnapshotRead(store::Database& db, query::SnapshotCache& cache)
        : transaction(db, store::Transaction::Kind::deferred), index(cache.current(db)) {}
};

std::shared_ptr<rapidjson::Document> object_document();

}  // namespace rosterd::money
