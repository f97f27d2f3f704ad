#include "transfer.hpp"

#include <strings.h>

#include <algorithm>
#include <string_view>

#include "rosterd/base/text.hpp"
#include "rosterd/version.hpp"

namespace rosterd::http {

namespace {

long millis(std::chrono::milliseconds duration) {
    return static_cast<long>(duration.count());
}

}  // namespace

TransportError classify_curl_error(CURLcode code) {
    switch (code) {
        case CURLE_OK:
            return TransportError::none;
        case CURLE_OPERATION_TIMEDOUT:
            return TransportError::timeout;
        case CURLE_COULDNT_CONNECT:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
            return TransportError::connect;
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
            return TransportError::reset;
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_INVALIDCERTSTATUS:
        case CURLE_SSL_ENGINE_NOTFOUND:
        case CURLE_SSL_ENGINE_SETFAILED:
        case CURLE_SSL_ENGINE_INITFAILED:
        case CURLE_SSL_SHUTDOWN_FAILED:
        case CURLE_SSL_CRL_BADFILE:
        case CURLE_USE_SSL_FAILED:
            return TransportError::tls;
        default:
            return TransportError::other;
    }
}

Transfer::Transfer(Request request, ResponseHandler on_done)
    : request_(std::move(request)), on_done_(std::move(on_done)) {}

Transfer::~Transfer() {
    if (easy_)
        curl_easy_cleanup(easy_);
    if (header_list_)
        curl_slist_free_all(header_list_);
}

std::string Transfer::prepare(const Options& options) {
    easy_ = curl_easy_init();
    if (!easy_)
        return "curl_easy_init failed";
    max_body_ = options.max_response_bytes;

    for (const auto& [name, value] : request_.headers) {
        std::string line = name + ": " + value;
        curl_slist* grown = curl_slist_append(header_list_, line.c_str());
        if (!grown)
            return "out of memory building request headers";
        header_list_ = grown;
    }
    // curl would otherwise wait for "100 Continue" before sending larger bodies: a wasted round
    // trip.
    if (curl_slist* grown = curl_slist_append(header_list_, "Expect:"))
        header_list_ = grown;

    const std::string user_agent =
        options.user_agent.empty() ? std::string("rosterd/") + kVersion : options.user_agent;
    const auto timeout = request_.timeout.value_or(options.total_timeout);

    CURLcode rc = CURLE_OK;
    auto set = [&](CURLoption option, auto value) {
        if (rc == CURLE_OK)
            rc = curl_easy_setopt(easy_, option, value);
    };
    set(CURLOPT_URL, request_.url.c_str());
    set(CURLOPT_PROTOCOLS_STR, "http,https");
    set(CURLOPT_FOLLOWLOCATION, 0L);  // a redirect must never carry the Authorization header away
    set(CURLOPT_NOSIGNAL, 1L);
    set(CURLOPT_ACCEPT_ENCODING, "");
    set(CURLOPT_HTTP_VERSION, options.http2 ? static_cast<long>(CURL_HTTP_VERSION_2TLS)
                                            : static_cast<long>(CURL_HTTP_VERSION_1_1));
    set(CURLOPT_SSL_VERIFYPEER, 1L);
    set(CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options.ca_file.empty())
        set(CURLOPT_CAINFO, options.ca_file.c_str());
    if (!options.proxy.empty())
        set(CURLOPT_PROXY, options.proxy.c_str());
    set(CURLOPT_CONNECTTIMEOUT_MS, millis(options.connect_timeout));
    set(CURLOPT_TIMEOUT_MS, millis(timeout));
    set(CURLOPT_LOW_SPEED_LIMIT, options.low_speed_limit);
    set(CURLOPT_LOW_SPEED_TIME, static_cast<long>(options.low_speed_time.count()));
    set(CURLOPT_TCP_KEEPALIVE, 1L);
    set(CURLOPT_USERAGENT, user_agent.c_str());
    set(CURLOPT_HTTPHEADER, header_list_);
    set(CURLOPT_ERRORBUFFER, error_buffer_);
    set(CURLOPT_WRITEFUNCTION, &Transfer::on_body);
    set(CURLOPT_WRITEDATA, static_cast<void*>(this));
    set(CURLOPT_HEADERFUNCTION, &Transfer::on_header);
    set(CURLOPT_HEADERDATA, static_cast<void*>(this));

    const std::string& method = request_.method;
    if (method == "GET" && request_.body.empty()) {
        set(CURLOPT_HTTPGET, 1L);
    } else if (method == "HEAD") {
        set(CURLOPT_NOBODY, 1L);
    } else {
        const bool sends_body =
            !request_.body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
        if (sends_body) {
            set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request_.body.size()));
            set(CURLOPT_POSTFIELDS, request_.body.data());
        }
        if (method != "POST")
            set(CURLOPT_CUSTOMREQUEST, method.c_str());
    }
    if (rc != CURLE_OK)
        return std::string("curl option rejected: ") + curl_easy_strerror(rc);
    return {};
}

std::size_t Transfer::on_body(char* data, std::size_t size, std::size_t count, void* self) {
    auto* transfer = static_cast<Transfer*>(self);
    const std::size_t bytes = size * count;
    if (transfer->response_.body.size() + bytes > transfer->max_body_) {
        transfer->body_too_large_ = true;
        return 0;  // makes curl abort with CURLE_WRITE_ERROR
    }
    auto& body = transfer->response_.body;
    if (body.empty() && !transfer->body_encoded_) {
        // One allocation for the whole body when its length is known (not when it comes
        // compressed: the length is the compressed one): growing a page of users by doubling
        // frees a large buffer at each step, and glibc consolidates its fast bins at every such
        // free.
        curl_off_t length = -1;
        if (curl_easy_getinfo(transfer->easy_, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) ==
                CURLE_OK &&
            length > 0 && static_cast<std::size_t>(length) <= transfer->max_body_)
            body.reserve(static_cast<std::size_t>(length));
    }
    body.append(data, bytes);
    return bytes;
}

std::size_t Transfer::on_header(char* data, std::size_t size, std::size_t count, void* self) {
    auto* transfer = static_cast<Transfer*>(self);
    const std::size_t bytes = size * count;
    std::string_view line(data, bytes);
    if (line.starts_with("HTTP/")) {
        // A new status line (after 100 Continue or on a proxy CONNECT): keep only the final
        // headers.
        transfer->response_.headers.clear();
        transfer->body_encoded_ = false;
        return bytes;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos)
        return bytes;  // blank line ending the header block
    auto name = trim(line.substr(0, colon));
    if (name.size() == 16 && strncasecmp(name.data(), "Content-Encoding", 16) == 0)
        transfer->body_encoded_ = true;
    transfer->response_.headers.emplace_back(std::string(name),
                                             std::string(trim(line.substr(colon + 1))));
    return bytes;
}

Response Transfer::finish(CURLcode result) {
    long status = 0;
    if (easy_)
        curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
    response_.status = status;
    response_.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started_);
    response_.transport = classify_curl_error(result);
    if (body_too_large_) {
        response_.transport = TransportError::other;
        response_.transport_message =
            "response body exceeds " + std::to_string(max_body_) + " bytes";
    } else if (result != CURLE_OK) {
        response_.transport_message =
            error_buffer_[0] != '\0' ? std::string(error_buffer_) : curl_easy_strerror(result);
    }
    return std::move(response_);
}

Response Transfer::fail(TransportError error, std::string message) {
    Response response;
    response.transport = error;
    response.transport_message = std::move(message);
    response.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started_);
    return response;
}

}  // namespace rosterd::http
