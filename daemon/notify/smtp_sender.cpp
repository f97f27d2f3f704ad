#include "smtp_sender.hpp"

#include <curl/curl.h>

#include <asio/post.hpp>
#include <cstring>
#include <ctime>

namespace rosterd::notify {
namespace {

std::string base64(const std::string& in) {
    static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        unsigned n = (static_cast<unsigned char>(in[i]) << 16) |
                     (static_cast<unsigned char>(in[i + 1]) << 8) |
                     static_cast<unsigned char>(in[i + 2]);
        out += table[(n >> 18) & 63];
        out += table[(n >> 12) & 63];
        out += table[(n >> 6) & 63];
        out += table[n & 63];
    }
    if (i + 1 == in.size()) {
        unsigned n = static_cast<unsigned char>(in[i]) << 16;
        out += table[(n >> 18) & 63];
        out += table[(n >> 12) & 63];
        out += "==";
    } else if (i + 2 == in.size()) {
        unsigned n = (static_cast<unsigned char>(in[i]) << 16) |
                     (static_cast<unsigned char>(in[i + 1]) << 8);
        out += table[(n >> 18) & 63];
        out += table[(n >> 12) & 63];
        out += table[(n >> 6) & 63];
        out += '=';
    }
    return out;
}

bool ascii(const std::string& text) {
    for (unsigned char c : text)
        if (c >= 0x80)
            return false;
    return true;
}

// Header values never carry a line break (a template or a name cannot add headers).
std::string one_line(std::string text) {
    for (auto& c : text)
        if (c == '\r' || c == '\n')
            c = ' ';
    return text;
}

std::string crlf(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r'))
            out += '\r';
        out += text[i];
    }
    if (out.size() < 2 || out.substr(out.size() - 2) != "\r\n")
        out += "\r\n";
    return out;
}

struct Upload {
    const std::string* data;
    std::size_t offset = 0;
};

std::size_t read_upload(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* upload = static_cast<Upload*>(user);
    std::size_t left = upload->data->size() - upload->offset;
    std::size_t n = std::min(left, size * count);
    std::memcpy(buffer, upload->data->data() + upload->offset, n);
    upload->offset += n;
    return n;
}

int abort_check(void* stopping, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    return static_cast<std::atomic<bool>*>(stopping)->load() ? 1 : 0;
}

}  // namespace

std::string build_mail(const std::string& from, const std::string& to, const std::string& subject,
                       const std::string& body, const std::string& message_id,
                       std::int64_t now_ms) {
    std::time_t seconds = static_cast<std::time_t>(now_ms / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char date[64];
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    auto subject_line = one_line(subject);
    std::string header_subject =
        ascii(subject_line) ? subject_line : "=?UTF-8?B?" + base64(subject_line) + "?=";
    std::string out;
    out += "Date: " + std::string(date) + "\r\n";
    out += "From: " + one_line(from) + "\r\n";
    out += "To: " + one_line(to) + "\r\n";
    out += "Subject: " + header_subject + "\r\n";
    out += "Message-ID: <" + one_line(message_id) + ">\r\n";
    out += "MIME-Version: 1.0\r\n";
    out += "Content-Type: text/plain; charset=utf-8\r\n";
    out += "Content-Transfer-Encoding: 8bit\r\n";
    out += "Auto-Submitted: auto-generated\r\n";
    out += "\r\n";
    out += crlf(body);
    return out;
}

SmtpSender::SmtpSender(asio::io_context& loop) : loop_(loop), worker_([this] { work(); }) {}

SmtpSender::~SmtpSender() {
    stop();
    if (worker_.joinable())
        worker_.join();
}

void SmtpSender::stop() {
    alive_->store(false);
    stopping_ = true;
    std::lock_guard lock(mutex_);
    jobs_.clear();
    wake_.notify_all();
}

void SmtpSender::send(SmtpSettings settings, std::string to, std::string message,
                      std::function<void(SmtpResult)> done) {
    std::lock_guard lock(mutex_);
    jobs_.push_back({std::move(settings), std::move(to), std::move(message), std::move(done)});
    wake_.notify_all();
}

void SmtpSender::work() {
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
            if (stopping_)
                return;
            job = std::move(jobs_.front());
            jobs_.pop_front();
        }
        auto result = perform(job);
        asio::post(loop_, [alive = alive_, done = std::move(job.done), result]() {
            if (alive->load())
                done(result);
        });
    }
}

SmtpResult SmtpSender::perform(const Job& job) {
    SmtpResult result;
    CURL* curl = curl_easy_init();
    if (!curl) {
        result.error = "cannot create a curl handle";
        return result;
    }
    char error_buffer[CURL_ERROR_SIZE] = {};
    Upload upload{&job.message};
    std::string from = "<" + job.settings.from + ">";
    curl_slist* recipients = curl_slist_append(nullptr, ("<" + job.to + ">").c_str());
    curl_easy_setopt(curl, CURLOPT_URL, job.settings.url.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_upload);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(job.message.size()));
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, job.settings.connect_timeout_s);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, job.settings.timeout_s);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, abort_check);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &stopping_);
    // smtps:// is TLS from the first byte; smtp:// upgrades with STARTTLS, required unless the
    // configuration turned it off (allowed for a server on localhost only).
    if (job.settings.url.rfind("smtp://", 0) == 0)
        curl_easy_setopt(curl, CURLOPT_USE_SSL,
                         job.settings.starttls ? static_cast<long>(CURLUSESSL_ALL)
                                               : static_cast<long>(CURLUSESSL_NONE));
    if (!job.settings.ca_file.empty())
        curl_easy_setopt(curl, CURLOPT_CAINFO, job.settings.ca_file.c_str());
    if (!job.settings.username.empty()) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, job.settings.username.c_str());
        curl_easy_setopt(curl, CURLOPT_PASSWORD, job.settings.password.c_str());
    }
    CURLcode code = curl_easy_perform(curl);
    long reply = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply);
    result.code = reply;
    if (code == CURLE_OK) {
        result.sent = true;
    } else {
        std::string detail = error_buffer[0] ? error_buffer : curl_easy_strerror(code);
        // The two refusals an admin fixes in the configuration get a message that says which key.
        if (code == CURLE_LOGIN_DENIED)
            detail = "the server refused the login of '" + job.settings.username +
                     "' (check email.username and the password in email.password_file): " + detail;
        else if (code == CURLE_USE_SSL_FAILED)
            detail =
                "the server does not offer STARTTLS and email.starttls is required, so "
                "nothing was sent: " +
                detail;
        result.error = "SMTP: " + detail + (reply ? " (reply " + std::to_string(reply) + ")" : "");
        result.permanent = reply >= 500 && reply < 600;
        result.recipient_refused = result.permanent && detail.find("RCPT") != std::string::npos;
        if (code == CURLE_LOGIN_DENIED)
            result.permanent = false;  // a password file being rotated: worth another attempt
    }
    curl_slist_free_all(recipients);
    curl_easy_cleanup(curl);
    return result;
}

}  // namespace rosterd::notify
