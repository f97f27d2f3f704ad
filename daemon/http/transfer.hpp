#pragma once
// One HTTP exchange as a configured curl easy handle plus the buffers it writes into.
// Knows nothing about the multi handle or Asio; http::Client drives it.
#include <curl/curl.h>

#include <chrono>
#include <string>

#include "rosterd/http/http.hpp"

namespace rosterd::http {

// Maps a curl result code to the coarse categories callers make retry decisions on.
TransportError classify_curl_error(CURLcode code);

class Transfer {
  public:
    Transfer(Request request, ResponseHandler on_done);
    ~Transfer();
    Transfer(const Transfer&) = delete;
    Transfer& operator=(const Transfer&) = delete;

    // Creates and configures the easy handle. Returns an empty string on success, otherwise why
    // the request could not be prepared.
    std::string prepare(const Options& options);
    CURL* easy() const { return easy_; }
    void mark_started() { started_ = std::chrono::steady_clock::now(); }

    // Builds the final Response from curl's result; the transfer must be out of the multi handle.
    Response finish(CURLcode result);
    Response fail(TransportError error, std::string message);
    ResponseHandler take_handler() { return std::move(on_done_); }

  private:
    static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* self);
    static std::size_t on_header(char* data, std::size_t size, std::size_t count, void* self);

    Request request_;
    ResponseHandler on_done_;
    CURL* easy_ = nullptr;
    curl_slist* header_list_ = nullptr;
    Response response_;
    std::size_t max_body_ = 0;
    bool body_too_large_ = false;
    bool body_encoded_ = false;  // Content-Encoding: curl's length is the compressed size
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    char error_buffer_[CURL_ERROR_SIZE] = {};
};

}  // namespace rosterd::http
