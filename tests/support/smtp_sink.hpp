#pragma once
// A real SMTP server for the mail tests: tests/support/smtp_sink.py on Debian's python3-aiosmtpd,
// started as a child process on 127.0.0.1, writing each message it accepts to a directory. It may
// serve TLS (STARTTLS or implicit, smtps://) with a self-signed certificate made by openssl for
// 127.0.0.1, and require AUTH with a user and password.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "process.hpp"
#include "temp_dir.hpp"

namespace rosterd::test {

struct SinkMail {
    std::string rcpt;     // the envelope recipient
    std::string headers;  // as received
    std::string body;
    std::int64_t received_ms = 0;  // when the sink wrote it (it writes each mail as it accepts it)
};

class SmtpSink {
  public:
    enum class Tls { none, starttls, implicit };

    // port 0: a free one. Not started until start().
    explicit SmtpSink(int port = 0, Tls tls = Tls::none)
        : port_(port == 0 ? free_port() : port), tls_(tls) {}
    ~SmtpSink() { stop(); }

    // Before start(): AUTH is required, with this user and password.
    void require_auth(const std::string& user, const std::string& password) {
        user_ = user;
        std::ofstream(dir_ / "auth-password") << password;
    }

    void start() {
        std::filesystem::remove(dir_ / "mail" / "port");
        std::filesystem::create_directories(dir_ / "mail");
        std::vector<std::string> argv = {
            "/usr/bin/python3", std::string(ROSTERD_SOURCE_DIR) + "/tests/support/smtp_sink.py",
            (dir_ / "mail").string(), std::to_string(port_)};
        if (tls_ != Tls::none) {
            make_certificate();
            argv.insert(argv.end(), {"--cert", ca_file(), "--key", (dir_ / "key.pem").string(),
                                     tls_ == Tls::starttls ? "--starttls" : "--smtps"});
        }
        if (!user_.empty())
            argv.insert(argv.end(), {"--auth-user", user_, "--auth-password-file",
                                     (dir_ / "auth-password").string()});
        process_ = std::make_unique<ChildProcess>(argv, dir_ / "sink.out", dir_ / "sink.err");
        if (!wait_until([&] { return std::filesystem::exists(dir_ / "mail" / "port"); },
                        std::chrono::seconds(20)))
            throw std::runtime_error("the SMTP sink did not start: " +
                                     read_file(dir_ / "sink.err"));
    }
    void stop() {
        if (process_) {
            process_->signal(SIGKILL);
            process_->wait(std::chrono::seconds(5));
            process_.reset();
        }
    }
    int port() const { return port_; }
    std::string url() const {
        return (tls_ == Tls::implicit ? "smtps://127.0.0.1:" : "smtp://127.0.0.1:") +
               std::to_string(port_);
    }
    // The self-signed certificate the sink serves (its own CA), once started with TLS.
    std::string ca_file() const { return (dir_ / "cert.pem").string(); }
    // One line per AUTH attempt and per MAIL command the sink saw (never a password).
    std::string log() const {
        return std::filesystem::exists(dir_ / "mail" / "log") ? read_file(dir_ / "mail" / "log")
                                                              : std::string();
    }
    // The email: section for rosterd.
    std::string yaml(const std::string& extra = "") const {
        return "email:\n  smtp_url: " + url() +
               "\n  from: rosterd@acme.test\n  starttls: off\n  contact: it@acme.test\n" + extra;
    }
    void refuse(const std::string& address) const {
        std::filesystem::create_directories(dir_ / "mail");
        std::ofstream(dir_ / "mail" / "refuse", std::ios::app) << address << "\n";
    }

    std::vector<SinkMail> mails() const {
        std::vector<std::filesystem::path> files;
        if (std::filesystem::exists(dir_ / "mail"))
            for (const auto& e : std::filesystem::directory_iterator(dir_ / "mail"))
                if (e.path().extension() == ".eml")
                    files.push_back(e.path());
        std::sort(files.begin(), files.end());
        std::vector<SinkMail> out;
        for (const auto& f : files) {
            auto text = read_file(f);
            SinkMail m;
            auto split = text.find("\r\n\r\n");
            m.headers = text.substr(0, split);
            m.body = split == std::string::npos ? "" : text.substr(split + 4);
            auto at = m.headers.find("X-Sink-Rcpt: ");
            m.rcpt = m.headers.substr(at + 13, m.headers.find("\r\n", at) - at - 13);
            struct stat st {};
            if (::stat(f.c_str(), &st) == 0)
                m.received_ms = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000 +
                                st.st_mtim.tv_nsec / 1000000;
            out.push_back(std::move(m));
        }
        return out;
    }
    // Envelope recipient -> how many mails they got.
    std::map<std::string, int> per_recipient() const {
        std::map<std::string, int> out;
        for (const auto& m : mails())
            ++out[m.rcpt];
        return out;
    }

    static int free_port() {
        int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
        socklen_t length = sizeof address;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
        ::close(fd);
        return ntohs(address.sin_port);
    }

  private:
    void make_certificate() const {
        if (std::filesystem::exists(dir_ / "cert.pem"))
            return;
        auto r = run_command({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                              "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                              (dir_ / "key.pem").string(), "-out", ca_file(), "-days", "2", "-subj",
                              "/CN=rosterd test SMTP sink", "-addext",
                              "subjectAltName=IP:127.0.0.1,DNS:localhost"});
        if (r.exit_code != 0)
            throw std::runtime_error("openssl could not make the sink's certificate: " + r.err);
    }

    TempDir dir_;
    int port_;
    Tls tls_ = Tls::none;
    std::string user_;
    std::unique_ptr<ChildProcess> process_;
};

}  // namespace rosterd::test
