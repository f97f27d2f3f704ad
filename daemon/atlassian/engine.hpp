#pragma once
// Client::Impl: the request engine under every Admin API call. One logical call becomes one or
// more HTTP attempts (retries, 429 waits, pacing); listings chain calls page by page.
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "rosterd/atlassian/client.hpp"

namespace rosterd::atlassian {

struct ApiRequest {
    std::string method = "GET";
    std::string path;    // appended to api_base, e.g. "/admin/v1/orgs/<orgId>"
    std::string query;   // already encoded, without '?'
    std::string body;    // JSON; POST/PUT/PATCH send "{}" when empty
    bool paced = false;  // waits for a last-active-dates token
};

// Validates/consumes a 2xx response; an error (e.g. unparseable body) makes the attempt fail.
using Accept = std::function<std::optional<ApiError>(const http::Response&)>;
using Finish = std::function<void(std::optional<ApiError>)>;

// How to fetch one page of a listing given the cursor (nullopt for the first page).
template <typename T>
struct PageSource {
    std::function<ApiRequest(const std::optional<std::string>& cursor)> request;
    std::function<Result<Page<T>>(std::string_view body)> parse;
};

class Client::Impl : public std::enable_shared_from_this<Client::Impl> {
  public:
    Impl(asio::io_context& io, ClientConfig config);

    // Runs one logical request with retries. `epoch` ties it to a cancel() generation.
    void execute(ApiRequest request, Accept accept, Finish finish, std::uint64_t epoch);
    std::uint64_t epoch() const { return epoch_; }

    // One request whose body parses into T.
    template <typename T>
    void fetch(ApiRequest request, std::function<Result<T>(std::string_view)> parse,
               Callback<T> done);
    // A listing delivered page by page; the next page is requested after resume(true).
    template <typename T>
    void stream(PageSource<T> source, AsyncPageHandler<T> on_page, Callback<PageSummary> done);
    // A listing gathered whole (for the small ones: orgs, workspaces, directories, roles).
    template <typename T>
    void collect(PageSource<T> source, Callback<std::vector<T>> done);
    // A mutation: any 2xx is success; a 409 other than a licence limit is "already in state".
    void mutate(ApiRequest request, MutationCallback done);

    void cancel();
    Stats stats() const { return stats_; }
    const ClientConfig& config() const { return config_; }

    // Path prefixes with the org id encoded.
    std::string org_v1() const;
    std::string org_v2() const;
    std::string directory(const std::string& directory_id) const;

  private:
    struct Call {
        ApiRequest request;
        Accept accept;
        Finish finish;
        std::uint64_t epoch = 0;
        int attempts = 0;
        std::chrono::steady_clock::time_point first_attempt{};
    };
    using CallPtr = std::shared_ptr<Call>;

    void dispatch(const CallPtr& call);
    void send_attempt(const CallPtr& call);
    void on_response(const CallPtr& call, http::Response response);
    void retry_or_fail(const CallPtr& call, ApiError error, std::chrono::milliseconds wait);
    void complete(const CallPtr& call, std::optional<ApiError> error);
    void note_rate_limit(const http::Response& response);
    void after(std::chrono::milliseconds delay, std::function<void()> fn);
    std::chrono::milliseconds backoff(int attempts);
    SysTime wall_now() const;
    void redact(std::string& text) const;

    template <typename T>
    struct StreamState {
        PageSource<T> source;
        AsyncPageHandler<T> on_page;
        Callback<PageSummary> done;
        std::uint64_t epoch = 0;
        PageSummary summary;
        // Every cursor this listing has followed: an API answer that leads back to an earlier
        // page would otherwise be walked forever (a few dozen bytes per page).
        std::unordered_set<std::string> cursors_followed;
    };
    template <typename T>
    void fetch_page(std::shared_ptr<StreamState<T>> state, std::optional<std::string> cursor);

    asio::io_context& io_;
    ClientConfig config_;
    http::Client http_;
    std::mt19937_64 rng_;
    TokenBucket last_active_bucket_;
    Stats stats_;
    RetryWaitClock retry_waits_;  // the client's (the sync's) total budget
    std::uint64_t epoch_ = 0;
    bool key_rejection_reported_ = false;

    // Rate-limit state shared by all calls (steady-clock instants).
    using SteadyTime = std::chrono::steady_clock::time_point;
    SteadyTime hold_until_{};  // after a 429: nobody sends before this
    SteadyTime pace_until_{};  // low remaining budget: spread requests until this
    SteadyTime next_paced_send_{};
    std::chrono::milliseconds pace_interval_{0};

    std::uint64_t next_timer_id_ = 0;
    std::unordered_map<std::uint64_t, std::unique_ptr<asio::steady_timer>> timers_;
};

// ---- templates ----

template <typename T>
void Client::Impl::fetch(ApiRequest request, std::function<Result<T>(std::string_view)> parse,
                         Callback<T> done) {
    auto slot = std::make_shared<std::optional<T>>();
    execute(
        std::move(request),
        [slot,
         parse = std::move(parse)](const http::Response& response) -> std::optional<ApiError> {
            auto parsed = parse(response.body);
            if (!parsed)
                return parsed.error();
            *slot = std::move(parsed).value();
            return std::nullopt;
        },
        [slot, done = std::move(done)](std::optional<ApiError> error) {
            if (error) {
                done(Result<T>(std::move(*error)));
            } else {
                done(Result<T>(std::move(**slot)));
            }
        },
        epoch_);
}

template <typename T>
void Client::Impl::stream(PageSource<T> source, AsyncPageHandler<T> on_page,
                          Callback<PageSummary> done) {
    auto state = std::make_shared<StreamState<T>>();
    state->source = std::move(source);
    state->on_page = std::move(on_page);
    state->done = std::move(done);
    state->epoch = epoch_;
    fetch_page<T>(std::move(state), std::nullopt);
}

template <typename T>
void Client::Impl::fetch_page(std::shared_ptr<StreamState<T>> state,
                              std::optional<std::string> cursor) {
    auto slot = std::make_shared<std::optional<Page<T>>>();
    ApiRequest request = state->source.request(cursor);
    auto parse = state->source.parse;
    execute(
        std::move(request),
        [slot, parse](const http::Response& response) -> std::optional<ApiError> {
            auto parsed = parse(response.body);
            if (!parsed)
                return parsed.error();
            *slot = std::move(parsed).value();
            return std::nullopt;
        },
        [io = &io_, weak = weak_from_this(), state, slot, cursor,
         max_pages = config_.max_pages_per_listing](std::optional<ApiError> error) {
            if (error) {
                state->done(Result<PageSummary>(std::move(*error)));
                return;
            }
            Page<T> page = std::move(**slot);
            slot->reset();
            ++state->summary.pages;
            state->summary.items += page.items.size();
            // Stop on an absent cursor or an empty page; a cursor that does not move would loop.
            std::optional<std::string> next = page.next_cursor;
            if (page.items.empty())
                next.reset();
            if (next && (next == cursor || state->cursors_followed.count(*next))) {
                ApiError stuck;
                stuck.kind = ApiError::Kind::parse;
                stuck.message = next == cursor
                                    ? "pagination cursor did not advance"
                                    : "pagination cursor led back to an earlier page "
                                      "(after " +
                                          std::to_string(state->summary.pages) + " pages)";
                state->done(Result<PageSummary>(std::move(stuck)));
                return;
            }
            if (next && state->summary.pages >= max_pages) {
                ApiError endless;
                endless.kind = ApiError::Kind::parse;
                endless.message =
                    "pagination did not end: " + std::to_string(state->summary.pages) +
                    " pages, each naming a new cursor (the most one listing may "
                    "take is " +
                    std::to_string(max_pages) + ")";
                state->done(Result<PageSummary>(std::move(endless)));
                return;
            }
            if (next)
                state->cursors_followed.insert(*next);
            // Posted to the loop, so resume() may be called from any thread and never recurses;
            // the io_context outlives the client, and only the loop thread touches the engine.
            auto resume = [io, weak, state, next](bool keep_going) {
                asio::post(*io, [weak, state, next, keep_going] {
                    auto self = weak.lock();
                    if (!self)
                        return;
                    if (state->epoch != self->epoch_) {
                        ApiError cancelled;
                        cancelled.kind = ApiError::Kind::cancelled;
                        cancelled.message = "cancelled";
                        state->done(Result<PageSummary>(std::move(cancelled)));
                    } else if (!keep_going || !next) {
                        state->done(Result<PageSummary>(state->summary));
                    } else {
                        self->fetch_page<T>(state, next);
                    }
                });
            };
            state->on_page(std::move(page.items), std::move(resume));
        },
        state->epoch);
}

template <typename T>
void Client::Impl::collect(PageSource<T> source, Callback<std::vector<T>> done) {
    auto all = std::make_shared<std::vector<T>>();
    stream<T>(
        std::move(source),
        [all](std::vector<T> page, std::function<void(bool)> resume) {
            all->insert(all->end(), std::make_move_iterator(page.begin()),
                        std::make_move_iterator(page.end()));
            resume(true);
        },
        [all, done = std::move(done)](Result<PageSummary> summary) {
            if (!summary) {
                done(Result<std::vector<T>>(summary.error()));
            } else {
                done(Result<std::vector<T>>(std::move(*all)));
            }
        });
}

}  // namespace rosterd::atlassian
