#include "rosterd/app/daemon.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <asio/post.hpp>

#include "app_commands.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/base/logging.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/control/commands.hpp"
#include "rosterd/control/server.hpp"
#include "rosterd/keys/api_key_source.hpp"
#include "rosterd/query/snapshot.hpp"
#include "rosterd/store/state_files.hpp"
#include "rosterd/store/store.hpp"
#include "rosterd/version.hpp"
#include "subsystems.hpp"

namespace rosterd {

namespace json = control::json;

namespace {

control::ConnectionLimits connection_limits(const Config& config) {
    const auto& c = config.control;
    return {
        .max_connections = static_cast<std::size_t>(c.max_connections),
        .max_per_user = static_cast<std::size_t>(c.max_connections_per_user),
        .admin_reserve = static_cast<std::size_t>(c.admin_reserve),
        .idle_timeout = std::chrono::seconds(c.idle_timeout_s),
    };
}

// A reload must not take away the key rosterd works with (a removed api_key_file, a state
// directory elsewhere): the sync and operations would stop until someone noticed.
std::optional<std::string> dropped_key(const Config& old, const Config& fresh) {
    auto working = load_api_key(old);
    if (!working || load_api_key(fresh))
        return std::nullopt;
    return "the new configuration drops the API key in use (" + working->source + " " +
           working->path +
           ") and provides none: keep atlassian.api_key_file, or install a key with `rosterctl "
           "key set` first; the running configuration stays";
}

}  // namespace

Daemon::Daemon(DaemonOptions options, Config config)
    : options_(std::move(options)),
      started_(std::chrono::steady_clock::now()),
      signals_(loop_, SIGTERM, SIGINT, SIGHUP),
      notifier_(loop_) {
    started_at_ms_ = clock_.now().time_since_epoch().count();
    auto shared = std::make_shared<const Config>(std::move(config));

    // Claim the database, then open and migrate it, before anything else runs: a database we
    // cannot use is fatal, and so is one another daemon uses (two would undo each other's syncs).
    store::prepare_state_directory(shared->storage.path);
    database_lock_ = std::make_unique<store::DatabaseLock>(shared->storage.path);
    store::prepare_database_file(shared->storage.path);
    {
        auto db = store::Database::open(shared->storage.path);
        int before = store::migrate(*db);
        if (before != store::current_schema_version())
            spdlog::info("database {} migrated from schema {} to {}", shared->storage.path, before,
                         store::current_schema_version());
    }
    db_ = std::make_unique<store::DbExecutor>(loop_, shared->storage.path);
    context_ = std::make_unique<DaemonContext>(DaemonContext{loop_, clock_, *db_, shared});
    context_->snapshots = std::make_shared<query::SnapshotCache>();
    subsystems_ = make_subsystems(*context_);
    register_core_commands();
    for (auto& subsystem : subsystems_)
        subsystem->register_commands(registry_);
}

Daemon::~Daemon() {
    subsystems_.clear();
    if (db_)
        db_->stop();
}

int Daemon::run() {
    const auto& config = *context_->config;
    server_ = std::make_unique<control::ControlServer>(
        loop_, registry_, control::AccessPolicy(config.control.access, ::geteuid()),
        control::ControlServerOptions{.socket_path = config.control.socket,
                                      .limits = connection_limits(config)});
    server_->start();  // throws with a clear message when the socket cannot be created
    wait_for_signals();
    for (auto& subsystem : subsystems_)
        subsystem->start();
    spdlog::info("rosterd {} serving on {} (config {})", kVersion, config.control.socket,
                 config.source_path);
    notifier_.ready("serving on " + config.control.socket);
    notifier_.start_watchdog();
    loop_.run();
    spdlog::info("rosterd stopped");
    return 0;
}

void Daemon::request_stop() {
    if (stopping_)
        return;
    stopping_ = true;
    spdlog::info("stopping");
    notifier_.stopping();
    notifier_.stop_watchdog();
    signals_.cancel();
    if (server_)
        server_->stop();  // closes connections and removes the socket file
    for (auto& subsystem : subsystems_)
        subsystem->stop();
    // Give completion handlers of cancelled work one turn of the loop, then end it; anything still
    // pending is dropped (database writes queued so far finish in DbExecutor::stop()).
    asio::post(loop_, [this] { asio::post(loop_, [this] { loop_.stop(); }); });
}

void Daemon::wait_for_signals() {
    signals_.async_wait([this](const std::error_code& ec, int signal) {
        if (ec)
            return;
        if (signal == SIGHUP) {
            notifier_.status("reloading");
            std::string error = reload();
            if (!error.empty())
                spdlog::error("reload refused, keeping the running configuration: {}", error);
            notifier_.status("serving on " + context_->config->control.socket);
            wait_for_signals();
            return;
        }
        request_stop();
    });
}

std::string Daemon::reload(std::vector<std::string>* restart_needed,
                           std::vector<std::string>* changed) {
    Config fresh;
    try {
        fresh = load_config_file(options_.config_path);
        check_api_key_file(fresh);
    } catch (const ConfigError& e) {
        return e.what();
    }
    const Config& old = *context_->config;
    if (changed)
        *changed = changed_settings(old, fresh);
    if (auto problem = dropped_key(old, fresh))
        return *problem;
    std::vector<std::string> needs_restart = restart_only_changes(old, fresh);
    for (const auto& key : needs_restart)
        spdlog::warn("reload: {} changed; it takes effect after a restart", key);
    if (restart_needed)
        *restart_needed = needs_restart;

    if (!options_.log_level)
        set_log_level(fresh.logging.level);
    auto shared = std::make_shared<const Config>(std::move(fresh));
    // Connections opened from now on get the new access levels.
    if (server_) {
        server_->set_access_policy(control::AccessPolicy(shared->control.access, ::geteuid()));
        server_->set_limits(connection_limits(*shared));
    }
    context_->config = shared;
    for (auto& subsystem : subsystems_)
        subsystem->apply_config(*shared);
    spdlog::info("configuration reloaded from {}", options_.config_path);
    return {};
}

void Daemon::register_core_commands() {
    registry_.add(status_command(*this));
    registry_.add(reload_command(*this));
}

void Daemon::write_status(rapidjson::Document& out) const {
    auto& a = out.GetAllocator();
    const Config& config = *context_->config;
    auto uptime = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::steady_clock::now() - started_);
    json::add(out, "version", kVersion, a);
    json::add(out, "pid", static_cast<std::int64_t>(::getpid()), a);
    json::add(out, "uptime_s", static_cast<std::int64_t>(uptime.count()), a);
    json::add(out, "started_at", format_iso8601_s(started_at_ms_), a);
    json::add(out, "config", options_.config_path, a);
    rapidjson::Value store(rapidjson::kObjectType);
    json::add(store, "path", config.storage.path, a);
    json::add(store, "schema_version", store::current_schema_version(), a);
    json::add(out, "store", std::move(store), a);
    rapidjson::Value control(rapidjson::kObjectType);
    json::add(control, "socket", config.control.socket, a);
    if (server_)
        json::add(control, "connections", static_cast<std::int64_t>(server_->connection_count()),
                  a);
    json::add(out, "control", std::move(control), a);
    for (const auto& subsystem : subsystems_) {
        rapidjson::Value section(rapidjson::kObjectType);
        subsystem->write_status(section, a);
        json::add(out, subsystem->name(), std::move(section), a);
    }
}

}  // namespace rosterd
