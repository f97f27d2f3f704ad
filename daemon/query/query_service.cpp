#include "query_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "query_commands.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/query/held.hpp"
#include "rosterd/query/query.hpp"
#include "rosterd/query/snapshot.hpp"

namespace rosterd::query {
namespace {

namespace json = control::json;

// How often to look for a newly published snapshot (a tiny read; the index is read only when the
// snapshot changed).
constexpr auto kRefreshInterval = std::chrono::seconds(2);

}  // namespace

QueryService::QueryService(DaemonContext& context)
    : context_(context), snapshots_(context.snapshots), refresh_timer_(context.loop) {}

void QueryService::start() {
    refresh_index();
}

void QueryService::stop() {
    stopping_ = true;
    refresh_timer_.cancel();
    selections_.clear();
}

void QueryService::refresh_index() {
    if (stopping_)
        return;
    context_.db.read(
        [snapshots = snapshots_, checked = scopes_checked_,
         entries = context_.config->control.access.entries](store::Database& db) {
            std::pair<std::int64_t, std::vector<std::string>> scope_check{checked, {}};
            try {
                store::Transaction read(db, store::Transaction::Kind::deferred);
                // Scopes naming sites or products the organization lacks: said once per
                // snapshot (and after a reload), since the first sync is what makes them known.
                auto index = snapshots->warm(db);
                if (index && index->info.id != checked)
                    scope_check = {index->info.id, unknown_scope_names(entries, *index)};
            } catch (const NoDataError&) {
                // Nothing synced yet: look again later.
            }
            return scope_check;
        },
        [this](store::DbResult<std::pair<std::int64_t, std::vector<std::string>>> r) {
            if (stopping_)
                return;
            if (r.ok()) {
                scopes_checked_ = r.value->first;
                for (const auto& warning : r.value->second)
                    spdlog::warn("query: {}", warning);
            }
            refresh_timer_.expires_after(kRefreshInterval);
            refresh_timer_.async_wait([this](const std::error_code& error) {
                if (!error)
                    refresh_index();
            });
        });
}

void QueryService::register_commands(control::CommandRegistry& registry) {
    registry.add(dashboard_command(*this));
    registry.add(users_command(*this));
    registry.add(user_command(*this));
    registry.add(filters_command(*this));
}

void QueryService::write_status(rapidjson::Value& out,
                                rapidjson::Document::AllocatorType& alloc) const {
    json::add(out, "saved_filters", context_.config->filters.size(), alloc);
    json::add(out, "cached_selections", selections_.size(), alloc);
    json::add(out, "selections_computed", selections_.answers_computed(), alloc);
    json::add(out, "selections_reused", selections_.answers_reused(), alloc);
    json::add(out, "index_snapshot", snapshots_->held(), alloc);
}

}  // namespace rosterd::query
