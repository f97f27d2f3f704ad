#pragma once
// Runs database work off the event loop. One writer thread (SQLite allows one writer) and a few
// reader threads, each with its own connection; results come back to the loop through asio::post.
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "rosterd/store/store.hpp"

namespace rosterd::store {

template <class T>
struct DbResult {
    std::optional<T> value;
    std::string error;  // set when the work threw
    bool ok() const { return value.has_value(); }
};

class DbExecutor {
  public:
    DbExecutor(asio::io_context& loop, std::string path, std::size_t readers = 2);
    ~DbExecutor();
    DbExecutor(const DbExecutor&) = delete;
    DbExecutor& operator=(const DbExecutor&) = delete;

    // fn: T(Database&), run on the writer thread; done: void(DbResult<T>), run on the loop.
    template <class Fn, class Done>
    void write(Fn fn, Done done) {
        submit(*writer_, std::move(fn), std::move(done));
    }
    // The same on a reader connection (reads may run in parallel with the writer under WAL).
    template <class Fn, class Done>
    void read(Fn fn, Done done) {
        submit(*readers_, std::move(fn), std::move(done));
    }

    // Finishes queued work and joins the threads. Results not yet delivered are dropped.
    void stop();
    const std::string& path() const { return path_; }

  private:
    struct Lane {
        asio::io_context context;
        std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
        std::vector<std::thread> threads;
    };
    static Database& this_thread_database();
    void start_lane(Lane& lane, std::size_t threads, Database::Mode mode);

    template <class Fn, class Done>
    void submit(Lane& lane, Fn fn, Done done) {
        using T = std::invoke_result_t<Fn, Database&>;
        // The work guard keeps the loop's run() alive until the result has been posted back.
        asio::post(lane.context, [this, fn = std::move(fn), done = std::move(done),
                                  alive = std::weak_ptr<bool>(alive_),
                                  work = asio::make_work_guard(loop_)]() mutable {
            auto result = std::make_shared<DbResult<T>>();
            try {
                result->value.emplace(fn(this_thread_database()));
            } catch (const std::exception& e) {
                result->error = e.what();
            }
            if (alive.expired())
                return;
            asio::post(loop_,
                       [done = std::move(done), result]() mutable { done(std::move(*result)); });
        });
    }

    asio::io_context& loop_;
    std::string path_;
    std::unique_ptr<Lane> writer_;
    std::unique_ptr<Lane> readers_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace rosterd::store
