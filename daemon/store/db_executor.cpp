#include "rosterd/store/db_executor.hpp"

#include <spdlog/spdlog.h>

namespace rosterd::store {
namespace {
// Each executor thread owns exactly one connection, opened when the thread starts.
thread_local Database* t_database = nullptr;
}  // namespace

DbExecutor::DbExecutor(asio::io_context& loop, std::string path, std::size_t readers)
    : loop_(loop),
      path_(std::move(path)),
      writer_(std::make_unique<Lane>()),
      readers_(std::make_unique<Lane>()) {
    start_lane(*writer_, 1, Database::Mode::read_write);
    start_lane(*readers_, readers == 0 ? 1 : readers, Database::Mode::read_only);
}

DbExecutor::~DbExecutor() {
    stop();
}

Database& DbExecutor::this_thread_database() {
    if (!t_database)
        throw StoreError("no database connection on this thread");
    return *t_database;
}

void DbExecutor::start_lane(Lane& lane, std::size_t threads, Database::Mode mode) {
    lane.guard.emplace(lane.context.get_executor());
    for (std::size_t i = 0; i < threads; ++i) {
        lane.threads.emplace_back([this, &lane, mode] {
            std::unique_ptr<Database> db;
            try {
                db = Database::open(path_, mode);
            } catch (const std::exception& e) {
                spdlog::error("database thread cannot open {}: {}", path_, e.what());
            }
            t_database = db.get();
            lane.context.run();
            t_database = nullptr;
        });
    }
}

void DbExecutor::stop() {
    for (Lane* lane : {writer_.get(), readers_.get()}) {
        if (!lane)
            continue;
        lane->guard.reset();  // let queued work finish, then the threads return
        for (auto& thread : lane->threads)
            if (thread.joinable())
                thread.join();
        lane->threads.clear();
    }
    alive_.reset();
}

}  // namespace rosterd::store
