#pragma once
// The outbox rows of mail (include/rosterd/notify_mail.hpp): marking a send in progress, recording
// its outcome on the delivery and on the notice it belongs to, and settling sends a crash cut
// short.
#include <cstdint>
#include <string>

#include "outbox_store.hpp"
#include "rosterd/notify/mail.hpp"

namespace rosterd::notify::mail {

// Marks delivery `id` as being sent now; false when it is no longer pending (nothing to send).
bool begin_send(store::Database& db, std::int64_t id, std::int64_t now_ms);

// Records the attempt and clears the mark; the notice (if any) learns its mail's state: sent,
// refused (the server refused the recipient; `error` says why), dead or still queued.
void record_send(store::Database& db, const outbox::Attempt& attempt,
                 std::optional<std::int64_t> notice_id, bool refused);

// Sends a crash interrupted: their outcome is unknown, so they are not sent again by themselves
// (never twice): dead, with an error saying so, their notices' mail state "unknown". Returns how
// many.
std::int64_t settle_interrupted(store::Database& db, std::int64_t now_ms);

}  // namespace rosterd::notify::mail
