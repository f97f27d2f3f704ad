#pragma once
// Sends one mail at a time over SMTP with libcurl (smtp:// with STARTTLS, or smtps://). libcurl's
// SMTP transfer blocks, so it runs on a worker thread of its own; results are posted back to the
// loop. A stop aborts the transfer in flight (the outbox keeps the delivery).
#include <asio/io_context.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace rosterd::notify {

struct SmtpSettings {
    std::string url;  // smtp://host:port or smtps://host:port
    std::string from;
    std::string username;
    std::string password;  // secret: handed to curl only
    bool starttls = true;
    std::string ca_file;
    long connect_timeout_s = 10;
    long timeout_s = 60;
};

struct SmtpResult {
    bool sent = false;
    bool permanent = false;          // a 5xx answer: retrying the same message will not help
    bool recipient_refused = false;  // the server refused RCPT TO
    long code = 0;                   // the last SMTP reply code
    std::string error;               // never contains the password
};

// The message as sent: headers (From, To, Subject, Date, Message-ID, MIME) and the body, CRLF
// line ends; a non-ASCII subject is RFC 2047 encoded.
std::string build_mail(const std::string& from, const std::string& to, const std::string& subject,
                       const std::string& body, const std::string& message_id, std::int64_t now_ms);

class SmtpSender {
  public:
    explicit SmtpSender(asio::io_context& loop);
    ~SmtpSender();
    // `done` runs on the loop, unless the sender is stopped first.
    void send(SmtpSettings settings, std::string to, std::string message,
              std::function<void(SmtpResult)> done);
    void stop();

  private:
    struct Job {
        SmtpSettings settings;
        std::string to, message;
        std::function<void(SmtpResult)> done;
    };
    void work();
    SmtpResult perform(const Job& job);

    asio::io_context& loop_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<Job> jobs_;
    std::atomic<bool> stopping_{false};
    std::shared_ptr<std::atomic<bool>> alive_ = std::make_shared<std::atomic<bool>>(true);
    std::thread worker_;
};

}  // namespace rosterd::notify
