#include "daemon_fixture.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

namespace rosterd::test {

namespace {

// ROSTERD_TEST_BIN_DIR runs the fixtures against other builds of rosterd and rosterctl, e.g. a
// sanitizer build, without rebuilding the tests there.
std::string binary(const char* built, const char* name) {
    if (const char* dir = std::getenv("ROSTERD_TEST_BIN_DIR"); dir && *dir)
        return std::string(dir) + "/" + name;
    return built;
}

}  // namespace

std::string rosterd_binary() {
    return binary(ROSTERD_BIN, "rosterd");
}

std::string rosterctl_binary() {
    return binary(ROSTERCTL_BIN, "rosterctl");
}

DaemonFixture::DaemonFixture(std::string extra_yaml, bool start_now) {
    rewrite_config(extra_yaml);
    if (start_now)
        start();
}

DaemonFixture::~DaemonFixture() {
    if (process_ && process_->running())
        stop(std::chrono::seconds(5));
}

std::string DaemonFixture::base_yaml() const {
    return "storage:\n  path: " + db_path() + "\ncontrol:\n  socket: " + socket_path() +
           "\nlogging:\n  level: debug\n";
}

void DaemonFixture::rewrite_config(const std::string& extra_yaml) {
    write_raw_config(base_yaml() + extra_yaml);
}

void DaemonFixture::write_raw_config(const std::string& text) {
    dir_.write("rosterd.yaml", text);
}

void DaemonFixture::start() {
    process_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{binary(ROSTERD_BIN, "rosterd"), "--config", config_path()},
        dir_ / "rosterd.out", dir_ / "rosterd.err");
    bool up = wait_until(
        [&] {
            if (!process_->running())
                return true;
            return ctl({"status"}).exit_code == 0;
        },
        std::chrono::seconds(15));
    if (!up || !process_->running())
        throw std::runtime_error("rosterd did not come up; log:\n" + log());
}

std::optional<int> DaemonFixture::stop(std::chrono::milliseconds timeout) {
    if (!process_)
        return std::nullopt;
    process_->signal(SIGTERM);
    return process_->wait(timeout);
}

void DaemonFixture::kill9() {
    if (process_) {
        process_->signal(SIGKILL);
        process_->wait(std::chrono::seconds(5));
    }
}

CommandResult DaemonFixture::ctl(const std::vector<std::string>& args,
                                 const std::string& input) const {
    std::vector<std::string> argv = {binary(ROSTERCTL_BIN, "rosterctl"), "--socket", socket_path()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, input, std::chrono::seconds(120));
}

rapidjson::Document DaemonFixture::ctl_json(const std::vector<std::string>& args) const {
    std::vector<std::string> with_json = {"--json"};
    with_json.insert(with_json.end(), args.begin(), args.end());
    auto result = ctl(with_json);
    rapidjson::Document doc;
    doc.Parse(result.out.c_str());
    if (result.exit_code != 0 || doc.HasParseError())
        throw std::runtime_error("rosterctl --json failed (exit " +
                                 std::to_string(result.exit_code) + "): " + result.out +
                                 result.err);
    return doc;
}

int raw_connect(const std::string& socket_path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    socket_path.copy(addr.sun_path, sizeof(addr.sun_path) - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        throw std::runtime_error("cannot connect to " + socket_path);
    }
    return fd;
}

std::string read_line(int fd, std::chrono::milliseconds timeout) {
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    char c;
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0)
            continue;
        ssize_t n = ::read(fd, &c, 1);
        if (n <= 0)
            break;
        if (c == '\n')
            return line;
        line.push_back(c);
    }
    return line;
}

std::string raw_exchange(const std::string& socket_path, const std::string& bytes) {
    int fd = raw_connect(socket_path);
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        sent += n;
    }
    auto line = read_line(fd);
    ::close(fd);
    return line;
}

}  // namespace rosterd::test
