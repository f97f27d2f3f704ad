#pragma once
// The money commands, one named function per command in its own file (money_command_*.cpp), each
// returning its spec with its handler; MoneyService::register_commands adds them one line each.
// The helpers here are what the commands and the history recording read the same way.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

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

// --since DATE (YYYY-MM-DD, or an ISO-8601 instant) into `since`; false when it is malformed,
// after failing `reply` with why (the handlers run after a recording, past the registry's catch).
bool since_arg(const control::Request& request, const std::shared_ptr<control::Reply>& reply,
               std::optional<std::int64_t>& since);

// A money command: a viewer command whose handler runs once no recording is in flight, so that
// its answer after `sync --wait` includes that sync.
using MoneyHandler = void (*)(MoneyService& money, const control::Request& request,
                              std::shared_ptr<control::Reply> reply);
control::CommandSpec money_command(MoneyService& money, std::string name, std::string summary,
                                   std::vector<control::ArgSpec> args, MoneyHandler handler);

// A read transaction over the published snapshot and its index.
struct SnapshotRead {
    store::Transaction transaction;
    std::shared_ptr<const query::SnapshotIndex> index;
    SnapshotRead(store::Database& db, query::SnapshotCache& cache)
        : transaction(db, store::Transaction::Kind::deferred), index(cache.current(db)) {}
};

std::shared_ptr<rapidjson::Document> object_document();

}  // namespace rosterd::money
