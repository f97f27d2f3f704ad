#pragma once
// Mail through the outbox (issue 17): a message is an outbox event of type "email" with one
// delivery to the reserved target "@email", written in the caller's transaction (a notice and its
// mail are recorded together or not at all). The notify subsystem sends it over SMTP, retried and
// declared dead like a webhook delivery, and at most once: a send a crash interrupted is not
// repeated (it is marked dead, "may have been sent", for an admin to requeue).
#include <cstdint>
#include <optional>
#include <string>

#include "rosterd/store/store.hpp"

namespace rosterd::notify {

inline constexpr const char* kMailTarget = "@email";
inline constexpr const char* kMailEvent = "email";

struct MailMessage {
    std::string to;
    std::string subject;
    std::string body;
    std::string kind;  // notice | reminder | test
    std::optional<std::int64_t> notice_id;
    std::string task;
};

// Must run inside a write transaction. Returns the delivery id.
std::int64_t enqueue_mail(store::Database& db, const MailMessage& message, std::int64_t now_ms);

}  // namespace rosterd::notify
