#include "connection.hpp"

#include <spdlog/spdlog.h>

#include <asio/post.hpp>
#include <asio/write.hpp>
#include <variant>

namespace rosterd::control::detail {

Connection::Connection(Socket socket, std::shared_ptr<ControlServer::Core> core, Caller caller)
    : socket_(std::move(socket)),
      idle_timer_(socket_.get_executor()),
      core_(std::move(core)),
      caller_(std::move(caller)) {}

void Connection::start() {
    touch();
    arm_idle_timer();
    process();
}

// Idle connections would otherwise stay for ever: enough of them, held by anyone who may open the
// socket, would lock everyone out.
void Connection::arm_idle_timer() {
    const auto timeout = core_->limits.idle_timeout;
    if (timeout.count() <= 0)
        return;
    idle_timer_.expires_at(last_activity_ + timeout);
    idle_timer_.async_wait([weak = weak_from_this()](const std::error_code& error) {
        auto self = weak.lock();
        if (!error && self)
            self->on_idle_timer();
    });
}

void Connection::on_idle_timer() {
    if (closed())
        return;
    const auto timeout = core_->limits.idle_timeout;
    if (busy_) {
        touch();  // a command is running (a sync being followed, say): the client is waiting
    } else if (timeout.count() > 0 &&
               std::chrono::steady_clock::now() >= last_activity_ + timeout) {
        spdlog::debug("control: closing the connection of {} pid {}: idle for {} s",
                      caller_.describe(), caller_.pid,
                      std::chrono::duration_cast<std::chrono::seconds>(timeout).count());
        close();
        return;
    }
    arm_idle_timer();
}

void Connection::close() {
    if (closed_.exchange(true))
        return;
    std::error_code ignored;
    idle_timer_.cancel();
    socket_.shutdown(Socket::shutdown_both, ignored);
    socket_.close(ignored);
    // The output queue is left alone: a cancelled write may still refer to its front buffer.
    core_->forget(this);
}

// Runs buffered requests one at a time, then reads more, or closes when the client is done.
void Connection::process() {
    while (!closed() && !closing_ && !busy_) {
        if (output_bytes_ >= core_->options.pause_reading_output_bytes)
            return;  // the client reads slowly: on_written resumes once it caught up
        auto event = framer_.next();
        if (!event)
            break;
        handle(std::move(*event));
    }
    if (closed() || busy_)
        return;
    if (closing_ || eof_) {
        if (output_.empty())
            close();
        return;
    }
    read_more();
}

void Connection::handle(LineFramer::Event event) {
    busy_ = true;
    if (event.kind == LineFramer::Event::Kind::too_large) {
        Reply("null", make_sink())
            .fail(kRequestTooLarge, "request longer than " + std::to_string(kMaxRequestBytes) +
                                        " bytes; it was discarded up to its end of line");
        return;
    }
    auto parsed = parse_request_line(event.text);
    if (auto* error = std::get_if<RequestError>(&parsed)) {
        Reply(error->id_json, make_sink()).fail(error->code, error->message);
        return;
    }
    auto& request_line = std::get<ParsedRequest>(parsed);
    auto reply = std::make_shared<Reply>(request_line.id_json, make_sink());
    if (core_->refusal) {
        reply->fail(kUnavailable, *core_->refusal);
        return;
    }
    Request request{
        .command = std::move(request_line.command),
        .caller = caller_,
        .id_json = std::move(request_line.id_json),
        .document = std::move(request_line.document),
        .args_value = request_line.args,
    };
    core_->registry.dispatch(request, std::move(reply));
}

// Lines reach the connection through the loop, whichever thread answers; a connection that is
// gone by then simply drops them.
Reply::Sink Connection::make_sink() {
    return
        [weak = weak_from_this(), executor = socket_.get_executor()](std::string line, bool final) {
            auto self = weak.lock();
            if (!self || self->closed())
                return;
            asio::post(executor, [self = std::move(self), line = std::move(line), final]() mutable {
                self->deliver(std::move(line), final);
            });
        };
}

void Connection::deliver(std::string line, bool final) {
    if (closed())
        return;
    enqueue(std::move(line));
    if (final) {
        busy_ = false;
        touch();
        process();
    }
}

void Connection::read_more() {
    if (reading_)
        return;
    reading_ = true;
    socket_.async_read_some(
        asio::buffer(read_buffer_),
        [self = shared_from_this()](const std::error_code& error, std::size_t bytes) {
            self->on_read(error, bytes);
        });
}

void Connection::on_read(const std::error_code& error, std::size_t bytes) {
    reading_ = false;
    if (closed())
        return;
    if (error == asio::error::eof) {
        eof_ = true;
        framer_.finish();  // a last request without '\n' still counts
    } else if (error) {
        close();
        return;
    } else {
        touch();
        framer_.feed(std::string_view(read_buffer_.data(), bytes));
    }
    process();
}

void Connection::enqueue(std::string line) {
    if (closed())
        return;
    const auto limit = core_->options.max_queued_output_bytes;
    if (!output_.empty() && output_bytes_ + line.size() > limit) {
        spdlog::warn("control: dropping the connection of {}: it stopped reading ({} bytes queued)",
                     caller_.describe(), output_bytes_);
        close();
        return;
    }
    output_bytes_ += line.size();
    output_.push_back(std::move(line));
    if (!writing_)
        write_next();
}

void Connection::write_next() {
    writing_ = true;
    asio::async_write(socket_, asio::buffer(output_.front()),
                      [self = shared_from_this()](const std::error_code& error, std::size_t) {
                          self->on_written(error);
                      });
}

void Connection::on_written(const std::error_code& error) {
    writing_ = false;
    if (closed())
        return;
    if (error) {
        close();
        return;
    }
    touch();
    output_bytes_ -= output_.front().size();
    output_.pop_front();
    if (!output_.empty())
        write_next();
    process();
}

}  // namespace rosterd::control::detail
