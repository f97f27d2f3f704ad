#pragma once
// A real SMTP server for the mail tests: tests/support/smtp_sink.py on Debian's python3-aiosmtpd,
// started as a child process on 127.0.0.1, writing each message it accepts to a directory.
#include <netinet/in.h>
#include <sys/socket.h>
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
};

class SmtpSink {
  public:
    // port 0: a free one. Not started until start().
    explicit SmtpSink(int port = 0) : port_(port == 0 ? free_port() : port) {}
    ~SmtpSink() { stop(); }

    void start() {
        std::filesystem::remove(dir_ / "mail" / "port");
        std::filesystem::create_directories(dir_ / "mail");
        process_ = std::make_unique<ChildProcess>(
            std::vector<std::string>{
                "/usr/bin/python3", std::string(ROSTERD_SOURCE_DIR) + "/tests/support/smtp_sink.py",
                (dir_ / "mail").string(), std::to_string(port_)},
            dir_ / "sink.out", dir_ / "sink.err");
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
    std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
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
    TempDir dir_;
    int port_;
    std::unique_ptr<ChildProcess> process_;
};

}  // namespace rosterd::test
