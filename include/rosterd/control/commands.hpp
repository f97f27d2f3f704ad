#pragma once
// The names of the control commands rosterctl sends, declared once: rosterctl's subcommands
// (daemon/cli/cmd_*.cpp) call them by these constants, and every registration in the daemon
// names its command by them too. tests/unit/control_commands_test.cpp checks that every one
// is registered by the daemon and that rosterctl names no command as a string of its own.
#include <array>

namespace rosterd::control::cmd {

inline constexpr const char* kStatus = "status";
inline constexpr const char* kHelp = "help";
inline constexpr const char* kWhoami = "whoami";
inline constexpr const char* kReload = "reload";
inline constexpr const char* kAudit = "audit";

inline constexpr const char* kSync = "sync";
inline constexpr const char* kSyncHistory = "sync.history";

inline constexpr const char* kDashboard = "dashboard";
inline constexpr const char* kUsers = "users";
inline constexpr const char* kUser = "user";
inline constexpr const char* kFilters = "filters";

inline constexpr const char* kKeySet = "key.set";
inline constexpr const char* kKeyCheck = "key.check";
inline constexpr const char* kKeyShow = "key.show";

inline constexpr const char* kBulk = "bulk";
inline constexpr const char* kRuns = "runs";
inline constexpr const char* kRunsShow = "runs.show";
inline constexpr const char* kRunsCancel = "runs.cancel";
inline constexpr const char* kRunsUndo = "runs.undo";

inline constexpr const char* kTasks = "tasks";
inline constexpr const char* kTasksRun = "tasks.run";
inline constexpr const char* kTasksEnable = "tasks.enable";
inline constexpr const char* kTasksDisable = "tasks.disable";

inline constexpr const char* kNotifyTest = "notify.test";
inline constexpr const char* kNotifyTestEmail = "notify.test-email";
inline constexpr const char* kNotifyList = "notify.list";
inline constexpr const char* kNotifyRetry = "notify.retry";

inline constexpr const char* kNotices = "notices";
inline constexpr const char* kNoticesExempt = "notices.exempt";

inline constexpr const char* kHistory = "history";
inline constexpr const char* kSavings = "savings";
inline constexpr const char* kReport = "report";

// Every name above.
inline constexpr std::array kAll = {
    kStatus,          kHelp,       kWhoami,      kReload,      kAudit,         kSync,
    kSyncHistory,     kDashboard,  kUsers,       kUser,        kFilters,       kKeySet,
    kKeyCheck,        kKeyShow,    kBulk,        kRuns,        kRunsShow,      kRunsCancel,
    kRunsUndo,        kTasks,      kTasksRun,    kTasksEnable, kTasksDisable,  kNotifyTest,
    kNotifyTestEmail, kNotifyList, kNotifyRetry, kNotices,     kNoticesExempt, kHistory,
    kSavings,         kReport};

}  // namespace rosterd::control::cmd

// The names of the arguments rosterctl sends, declared once: rosterctl adds them by these
// constants and the daemon declares them (ArgSpec) by the same ones.
namespace rosterd::control::arg {

inline constexpr const char* kActions = "actions";
inline constexpr const char* kAddress = "address";
inline constexpr const char* kApply = "apply";
inline constexpr const char* kCommand = "command";
inline constexpr const char* kExpires = "expires";
inline constexpr const char* kFilter = "filter";
inline constexpr const char* kForce = "force";
inline constexpr const char* kFormat = "format";
inline constexpr const char* kId = "id";
inline constexpr const char* kInactiveDays = "inactive-days";
inline constexpr const char* kKey = "key";
inline constexpr const char* kLimit = "limit";
inline constexpr const char* kMaxUsers = "max_users";
inline constexpr const char* kName = "name";
inline constexpr const char* kNoExpiryDate = "no_expiry_date";
inline constexpr const char* kNowMs = "now_ms";
inline constexpr const char* kOffset = "offset";
inline constexpr const char* kProduct = "product";
inline constexpr const char* kReason = "reason";
inline constexpr const char* kSince = "since";
inline constexpr const char* kSite = "site";
inline constexpr const char* kSnapshot = "snapshot";
inline constexpr const char* kSort = "sort";
inline constexpr const char* kState = "state";
inline constexpr const char* kTask = "task";
inline constexpr const char* kUntil = "until";
inline constexpr const char* kUser = "user";
inline constexpr const char* kUsers = "users";
inline constexpr const char* kWait = "wait";
inline constexpr const char* kWebhook = "webhook";

// Every name above.
inline constexpr std::array kAll = {
    kActions, kAddress,      kApply,  kCommand, kExpires,  kFilter,   kForce,        kFormat,
    kId,      kInactiveDays, kKey,    kLimit,   kMaxUsers, kName,     kNoExpiryDate, kNowMs,
    kOffset,  kProduct,      kReason, kSince,   kSite,     kSnapshot, kSort,         kState,
    kTask,    kUntil,        kUser,   kUsers,   kWait,     kWebhook};

}  // namespace rosterd::control::arg
