// libcurl multi socket API on an Asio loop.
//
// curl tells us which sockets to watch (CURLMOPT_SOCKETFUNCTION) and when it next needs a timeout
// call (CURLMOPT_TIMERFUNCTION). Each socket is wrapped in an asio::posix::stream_descriptor that
// only waits for readiness: curl keeps ownership of the fd, so descriptors are release()d, never
// closed. Readiness and timer events call curl_multi_socket_action; finished transfers are picked
// up with curl_multi_info_read.
//
// Asio handlers hold weak pointers: a handler that runs after the Client (or the socket) is gone
// does nothing.
#include <curl/curl.h>

#include <asio/posix/stream_descriptor.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <deque>
#include <mutex>
#include <unordered_map>

#include "rosterd/http/http.hpp"
#include "transfer.hpp"

namespace rosterd::http {

namespace {

void global_curl_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

class Client::Impl : public std::enable_shared_from_this<Impl> {
  public:
    Impl(asio::io_context& io, Options options)
        : io_(io), options_(std::move(options)), timer_(io) {
        if (options_.max_in_flight == 0)
            options_.max_in_flight = 1;
        global_curl_init();
        multi_ = curl_multi_init();
        curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &Impl::on_socket);
        curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, static_cast<void*>(this));
        curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &Impl::on_timer);
        curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, static_cast<void*>(this));
        curl_multi_setopt(multi_, CURLMOPT_PIPELINING, static_cast<long>(CURLPIPE_MULTIPLEX));
        const long limit = static_cast<long>(options_.max_in_flight);
        curl_multi_setopt(multi_, CURLMOPT_MAX_HOST_CONNECTIONS, limit);
        curl_multi_setopt(multi_, CURLMOPT_MAX_TOTAL_CONNECTIONS, limit);
        curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, limit);
    }

    ~Impl() { shutdown(); }

    void send(Request request, ResponseHandler on_done) {
        auto transfer = std::make_unique<Transfer>(std::move(request), std::move(on_done));
        if (!multi_) {
            post_failure(std::move(transfer), TransportError::cancelled, "HTTP client shut down");
            return;
        }
        if (std::string problem = transfer->prepare(options_); !problem.empty()) {
            post_failure(std::move(transfer), TransportError::other, std::move(problem));
            return;
        }
        queue_.push_back(std::move(transfer));
        start_queued();
    }

    void cancel_all() {
        std::vector<std::unique_ptr<Transfer>> cancelled;
        for (auto& [easy, transfer] : active_) {
            curl_multi_remove_handle(multi_, easy);
            cancelled.push_back(std::move(transfer));
        }
        active_.clear();
        for (auto& transfer : queue_)
            cancelled.push_back(std::move(transfer));
        queue_.clear();
        for (auto& transfer : cancelled) {
            post_failure(std::move(transfer), TransportError::cancelled, "request cancelled");
        }
    }

    // Tears everything down without calling handlers (the owner is going away).
    void shutdown() {
        if (!multi_)
            return;
        shutting_down_ = true;
        for (auto& [easy, transfer] : active_)
            curl_multi_remove_handle(multi_, easy);
        active_.clear();
        queue_.clear();
        for (auto& [fd, socket] : sockets_)
            socket->descriptor.release();
        sockets_.clear();
        timer_.cancel();
        curl_multi_cleanup(multi_);
        multi_ = nullptr;
    }

    std::size_t in_flight() const { return active_.size(); }
    std::size_t queued() const { return queue_.size(); }
    const Options& options() const { return options_; }

  private:
    struct Socket {
        Socket(asio::io_context& io, curl_socket_t fd_in) : descriptor(io), fd(fd_in) {}
        asio::posix::stream_descriptor descriptor;
        curl_socket_t fd;
        int wanted = 0;  // CURL_POLL_IN / CURL_POLL_OUT bits
        bool read_armed = false;
        bool write_armed = false;
    };

    static int on_socket(CURL*, curl_socket_t fd, int what, void* self, void*) {
        static_cast<Impl*>(self)->update_socket(fd, what);
        return 0;
    }

    static int on_timer(CURLM*, long timeout_ms, void* self) {
        static_cast<Impl*>(self)->update_timer(timeout_ms);
        return 0;
    }

    void update_socket(curl_socket_t fd, int what) {
        if (shutting_down_)
            return;
        auto found = sockets_.find(fd);
        if (what == CURL_POLL_REMOVE) {
            if (found != sockets_.end()) {
                found->second->descriptor.release();  // cancels waits; curl closes the fd itself
                sockets_.erase(found);
            }
            return;
        }
        if (found == sockets_.end()) {
            auto socket = std::make_shared<Socket>(io_, fd);
            asio::error_code ec;
            socket->descriptor.assign(fd, ec);
            if (ec)
                return;  // curl will time the transfer out; nothing else we can do
            found = sockets_.emplace(fd, std::move(socket)).first;
        }
        const auto& socket = found->second;
        socket->wanted = what;
        if ((what & CURL_POLL_IN) && !socket->read_armed)
            arm(socket, true);
        if ((what & CURL_POLL_OUT) && !socket->write_armed)
            arm(socket, false);
    }

    void arm(const std::shared_ptr<Socket>& socket, bool read) {
        (read ? socket->read_armed : socket->write_armed) = true;
        const auto wait = read ? asio::posix::stream_descriptor::wait_read
                               : asio::posix::stream_descriptor::wait_write;
        socket->descriptor.async_wait(
            wait, [weak_self = weak_from_this(), weak_socket = std::weak_ptr<Socket>(socket),
                   read](const asio::error_code& ec) {
                auto self = weak_self.lock();
                auto socket = weak_socket.lock();
                if (!self || !socket)
                    return;
                self->on_ready(socket, read, ec);
            });
    }

    void on_ready(const std::shared_ptr<Socket>& socket, bool read, const asio::error_code& ec) {
        (read ? socket->read_armed : socket->write_armed) = false;
        if (ec == asio::error::operation_aborted || !multi_)
            return;
        const int flags = ec ? CURL_CSELECT_ERR : (read ? CURL_CSELECT_IN : CURL_CSELECT_OUT);
        socket_action(socket->fd, flags);
        // Keep watching while curl still wants this direction on this very socket object (the fd
        // may have been removed, or even reused for a new connection, during socket_action).
        auto current = sockets_.find(socket->fd);
        if (current == sockets_.end() || current->second != socket)
            return;
        const int direction = read ? CURL_POLL_IN : CURL_POLL_OUT;
        const bool armed = read ? socket->read_armed : socket->write_armed;
        if ((socket->wanted & direction) && !armed)
            arm(socket, read);
    }

    void update_timer(long timeout_ms) {
        if (shutting_down_)
            return;
        if (timeout_ms < 0) {
            timer_.cancel();
            return;
        }
        // Even a 0 ms timeout goes through the loop: curl forbids calling socket_action from here.
        timer_.expires_after(std::chrono::milliseconds(timeout_ms));
        timer_.async_wait([weak_self = weak_from_this()](const asio::error_code& ec) {
            if (ec == asio::error::operation_aborted)
                return;
            if (auto self = weak_self.lock(); self && self->multi_) {
                self->socket_action(CURL_SOCKET_TIMEOUT, 0);
            }
        });
    }

    void socket_action(curl_socket_t fd, int flags) {
        auto keep_alive = shared_from_this();  // a handler below may destroy the owning Client
        int running = 0;
        curl_multi_socket_action(multi_, fd, flags, &running);
        collect_completions();
    }

    void collect_completions() {
        std::vector<std::pair<ResponseHandler, Response>> finished;
        int pending = 0;
        while (CURLMsg* message = curl_multi_info_read(multi_, &pending)) {
            if (message->msg != CURLMSG_DONE)
                continue;
            CURL* easy = message->easy_handle;
            const CURLcode result = message->data.result;
            auto found = active_.find(easy);
            curl_multi_remove_handle(multi_, easy);
            if (found == active_.end())
                continue;
            auto transfer = std::move(found->second);
            active_.erase(found);
            Response response = transfer->finish(result);
            finished.emplace_back(transfer->take_handler(), std::move(response));
        }
        start_queued();
        // Handlers run last, with curl's state consistent: they may send() or cancel_all().
        for (auto& [handler, response] : finished) {
            if (handler)
                handler(std::move(response));
        }
    }

    void start_queued() {
        while (multi_ && !queue_.empty() && active_.size() < options_.max_in_flight) {
            auto transfer = std::move(queue_.front());
            queue_.pop_front();
            CURL* easy = transfer->easy();
            transfer->mark_started();
            active_.emplace(easy, std::move(transfer));
            if (CURLMcode rc = curl_multi_add_handle(multi_, easy); rc != CURLM_OK) {
                auto failed = std::move(active_[easy]);
                active_.erase(easy);
                post_failure(std::move(failed), TransportError::other,
                             std::string("curl_multi_add_handle: ") + curl_multi_strerror(rc));
            }
        }
    }

    void post_failure(std::unique_ptr<Transfer> transfer, TransportError error,
                      std::string message) {
        Response response = transfer->fail(error, std::move(message));
        asio::post(io_,
                   [handler = transfer->take_handler(), response = std::move(response)]() mutable {
                       if (handler)
                           handler(std::move(response));
                   });
    }

    asio::io_context& io_;
    Options options_;
    CURLM* multi_ = nullptr;
    bool shutting_down_ = false;
    asio::steady_timer timer_;
    std::unordered_map<curl_socket_t, std::shared_ptr<Socket>> sockets_;
    std::unordered_map<CURL*, std::unique_ptr<Transfer>> active_;
    std::deque<std::unique_ptr<Transfer>> queue_;
};

Client::Client(asio::io_context& io, Options options)
    : impl_(std::make_shared<Impl>(io, std::move(options))) {}

Client::~Client() {
    impl_->shutdown();
}

void Client::send(Request request, ResponseHandler on_done) {
    impl_->send(std::move(request), std::move(on_done));
}

void Client::cancel_all() {
    impl_->cancel_all();
}

std::size_t Client::in_flight() const {
    return impl_->in_flight();
}

std::size_t Client::queued() const {
    return impl_->queued();
}

const Options& Client::options() const {
    return impl_->options();
}

}  // namespace rosterd::http
