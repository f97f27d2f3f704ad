#pragma once
// spdlog to stderr in a journald-friendly form: under systemd (JOURNAL_STREAM set) each line starts
// with a "<N>" syslog priority that journald turns into the entry's priority, and no timestamp
// (journald adds one); on a terminal, a timestamped human format.
#include <string>

namespace rosterd {

// Installs the stderr logger. Returns false (and keeps "info") for an unknown level name.
bool setup_logging(const std::string& level);
bool set_log_level(const std::string& level);

}  // namespace rosterd
