#include "ctl_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "rosterd/control/protocol.hpp"

namespace rosterd::cli {
namespace {

std::string describe(ControlUnreachable::Reason reason, const std::string& detail) {
    switch (reason) {
        case ControlUnreachable::Reason::missing:
            return "no socket there (is it running? try: systemctl status rosterd)";
        case ControlUnreachable::Reason::refused:
            return "connection refused (is it running? try: systemctl status rosterd)";
        case ControlUnreachable::Reason::permission_denied:
            return "permission denied (is your user in the group that owns the socket?)";
        case ControlUnreachable::Reason::other:
            break;
    }
    return detail + " (is it running? try: systemctl status rosterd)";
}

ControlUnreachable::Reason reason_for(int error) {
    switch (error) {
        case ENOENT:
        case ENOTDIR:
            return ControlUnreachable::Reason::missing;
        case ECONNREFUSED:
            return ControlUnreachable::Reason::refused;
        case EACCES:
        case EPERM:
            return ControlUnreachable::Reason::permission_denied;
        default:
            return ControlUnreachable::Reason::other;
    }
}

std::string member_string(const rapidjson::Value& object, const char* name) {
    auto it = object.FindMember(name);
    if (it == object.MemberEnd() || !it->value.IsString())
        return {};
    return std::string(it->value.GetString(), it->value.GetStringLength());
}

}  // namespace

ControlUnreachable::ControlUnreachable(std::string path, Reason reason, const std::string& detail)
    : std::runtime_error("cannot reach rosterd at " + path + ": " + describe(reason, detail)),
      path_(std::move(path)),
      reason_(reason) {}

ControlClient::ControlClient(std::string socket_path) : path_(std::move(socket_path)) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path_.size() >= sizeof(address.sun_path)) {
        throw ControlUnreachable(path_, ControlUnreachable::Reason::other,
                                 "the path is too long for a Unix socket");
    }
    std::memcpy(address.sun_path, path_.c_str(), path_.size() + 1);
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0)
        throw ControlUnreachable(path_, ControlUnreachable::Reason::other, std::strerror(errno));
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
        int error = errno;
        ::close(fd_);
        fd_ = -1;
        throw ControlUnreachable(path_, reason_for(error), std::strerror(error));
    }
}

ControlClient::~ControlClient() {
    if (fd_ >= 0)
        ::close(fd_);
}

Response ControlClient::call(std::string_view command, const rapidjson::Value* args,
                             const ProgressHandler& on_progress) {
    const std::string id = std::to_string(next_id_++);
    try {
        send_all(control::request_line(id, command, args));
    } catch (const ControlProtocolError&) {
        // A daemon refusing the connection (too many) writes why and closes at once: the send
        // then fails with EPIPE while the reason waits, unread, in our receive buffer.
        if (auto reason = refusal_received())
            throw ControlProtocolError("rosterd rejected the request: " + *reason);
        throw;
    }
    while (true) {
        std::string line = read_line();
        rapidjson::Document document;
        constexpr unsigned kFlags = rapidjson::kParseIterativeFlag;
        document.Parse<kFlags>(line.data(), line.size());
        if (document.HasParseError() || !document.IsObject())
            throw ControlProtocolError("rosterd sent a line that is not a JSON object");
        auto id_member = document.FindMember("id");
        if (id_member == document.MemberEnd() || control::to_json(id_member->value) != id) {
            // Only possible when the daemon could not read our request (id null) or a bug.
            auto error = document.FindMember("error");
            if (error != document.MemberEnd() && error->value.IsObject()) {
                throw ControlProtocolError("rosterd rejected the request: " +
                                           member_string(error->value, "message"));
            }
            throw ControlProtocolError("rosterd answered another request id");
        }
        if (auto progress = document.FindMember("progress"); progress != document.MemberEnd()) {
            if (on_progress)
                on_progress(progress->value);
            continue;
        }
        auto ok = document.FindMember("ok");
        if (ok == document.MemberEnd() || !ok->value.IsBool())
            throw ControlProtocolError("rosterd sent an answer without \"ok\"");
        Response response;
        response.ok = ok->value.GetBool();
        if (response.ok) {
            rapidjson::Value result;
            if (auto found = document.FindMember("result"); found != document.MemberEnd())
                result = std::move(found->value);  // moved, not copied: results can be large
            // The result's memory belongs to `document`: make it the root of that same document.
            static_cast<rapidjson::Value&>(document).Swap(result);
            response.result = std::move(document);
        } else {
            auto error = document.FindMember("error");
            if (error == document.MemberEnd() || !error->value.IsObject())
                throw ControlProtocolError("rosterd sent an error without \"error\"");
            response.error_code = member_string(error->value, "code");
            response.error_message = member_string(error->value, "message");
        }
        return response;
    }
}

std::optional<std::string> ControlClient::refusal_received() {
    char chunk[4096];
    ssize_t received;
    while ((received = ::recv(fd_, chunk, sizeof(chunk), MSG_DONTWAIT)) > 0)
        buffer_.append(chunk, static_cast<std::size_t>(received));
    auto newline = buffer_.find('\n');
    if (newline == std::string::npos)
        return std::nullopt;
    rapidjson::Document document;
    document.Parse(buffer_.data(), newline);
    if (document.HasParseError() || !document.IsObject())
        return std::nullopt;
    auto error = document.FindMember("error");
    if (error == document.MemberEnd() || !error->value.IsObject())
        return std::nullopt;
    return member_string(error->value, "message");
}

void ControlClient::send_all(std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent < 0) {
            if (errno == EINTR)
                continue;
            throw ControlProtocolError(std::string("cannot send to rosterd: ") +
                                       std::strerror(errno));
        }
        bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
}

std::string ControlClient::read_line() {
    std::size_t scanned = 0;
    while (true) {
        if (auto newline = buffer_.find('\n', scanned); newline != std::string::npos) {
            std::string line = buffer_.substr(0, newline);
            buffer_.erase(0, newline + 1);
            return line;
        }
        scanned = buffer_.size();
        if (timeout_.count() > 0) {
            pollfd waiting{fd_, POLLIN, 0};
            int ready = ::poll(&waiting, 1, static_cast<int>(timeout_.count()));
            if (ready < 0 && errno == EINTR)
                continue;
            if (ready == 0) {
                throw ControlProtocolError("no answer from rosterd within " +
                                           std::to_string(timeout_.count()) + " ms");
            }
        }
        char chunk[65536];
        ssize_t received = ::recv(fd_, chunk, sizeof(chunk), 0);
        if (received < 0) {
            if (errno == EINTR)
                continue;
            throw ControlProtocolError(std::string("lost the connection to rosterd: ") +
                                       std::strerror(errno));
        }
        if (received == 0)
            throw ControlProtocolError("rosterd closed the connection before answering");
        buffer_.append(chunk, static_cast<std::size_t>(received));
    }
}

}  // namespace rosterd::cli
