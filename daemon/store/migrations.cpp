// Ordered schema migrations. Each entry moves the schema from version N to N+1; all pending ones
// run in one transaction at start-up, so a crash mid-migration leaves the old schema intact.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "rosterd/store/store.hpp"

namespace rosterd::store {
namespace {

// Snapshot tables carry a snapshot_id: a sync writes a whole new generation beside the current
// one and publishes it by switching meta.current_snapshot in one tiny transaction, so readers
// never see a partial sync and a failed sync leaves nothing behind but a generation to delete.
constexpr std::string_view kVersion1 = R"sql(
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE sync_runs (
    id          INTEGER PRIMARY KEY,
    trigger     TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    outcome     TEXT NOT NULL,
    error       TEXT,
    requests    INTEGER NOT NULL DEFAULT 0,
    retries     INTEGER NOT NULL DEFAULT 0,
    users       INTEGER,
    groups      INTEGER,
    snapshot_id INTEGER
);

CREATE TABLE snapshots (
    id           INTEGER PRIMARY KEY,
    sync_run_id  INTEGER REFERENCES sync_runs(id),
    state        TEXT NOT NULL CHECK (state IN ('building', 'complete', 'retired')),
    org_id       TEXT,
    org_name     TEXT,
    taken_at     INTEGER NOT NULL,
    completed_at INTEGER
);

CREATE TABLE sites (
    snapshot_id INTEGER NOT NULL,
    cloud_id    TEXT NOT NULL,
    host        TEXT NOT NULL,
    url         TEXT,
    PRIMARY KEY (snapshot_id, cloud_id)
);

CREATE TABLE products (
    snapshot_id  INTEGER NOT NULL,
    resource_id  TEXT NOT NULL,
    cloud_id     TEXT,
    site_host    TEXT,
    product_key  TEXT NOT NULL,
    product_type TEXT,
    name         TEXT,
    status       TEXT,
    capacity     INTEGER,
    PRIMARY KEY (snapshot_id, resource_id)
);

CREATE TABLE directories (
    snapshot_id  INTEGER NOT NULL,
    directory_id TEXT NOT NULL,
    name         TEXT,
    PRIMARY KEY (snapshot_id, directory_id)
);

CREATE TABLE groups (
    snapshot_id     INTEGER NOT NULL,
    group_id        TEXT NOT NULL,
    name            TEXT NOT NULL,
    description     TEXT,
    directory_id    TEXT,
    external_synced INTEGER NOT NULL DEFAULT 0,
    managed_by      TEXT,
    PRIMARY KEY (snapshot_id, group_id)
);

CREATE TABLE group_roles (
    snapshot_id INTEGER NOT NULL,
    group_id    TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    role        TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, group_id, resource_id, role)
);

CREATE TABLE users (
    snapshot_id       INTEGER NOT NULL,
    account_id        TEXT NOT NULL,
    name              TEXT,
    nickname          TEXT,
    email             TEXT,
    email_domain      TEXT,
    account_type      TEXT,
    account_status    TEXT,
    membership_status TEXT,
    status            TEXT NOT NULL,
    claim_status      TEXT,
    management_source TEXT,
    directory_id      TEXT,
    added_to_org      INTEGER,
    platform_roles    TEXT NOT NULL DEFAULT '',
    is_org_admin      INTEGER NOT NULL DEFAULT 0,
    is_site_admin     INTEGER NOT NULL DEFAULT 0,
    is_app            INTEGER NOT NULL DEFAULT 0,
    last_active       INTEGER,
    PRIMARY KEY (snapshot_id, account_id)
);
CREATE INDEX users_by_email ON users (snapshot_id, email);

CREATE TABLE user_groups (
    snapshot_id INTEGER NOT NULL,
    account_id  TEXT NOT NULL,
    group_id    TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, account_id, group_id)
);
CREATE INDEX user_groups_by_group ON user_groups (snapshot_id, group_id);

CREATE TABLE user_access (
    snapshot_id INTEGER NOT NULL,
    account_id  TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    role        TEXT NOT NULL,
    billable    INTEGER NOT NULL,
    via         TEXT NOT NULL DEFAULT 'unknown',
    last_active INTEGER,
    PRIMARY KEY (snapshot_id, account_id, resource_id)
);
CREATE INDEX user_access_by_resource ON user_access (snapshot_id, resource_id, billable);

-- Roles learnt in bulk during a sync (admins and non-billable roles per product), applied to
-- user_access when the sync finalizes; everyone else with access there holds atlassian/user.
CREATE TABLE sync_role_overrides (
    snapshot_id INTEGER NOT NULL,
    account_id  TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    role        TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, account_id, resource_id)
);
)sql";

// The API key's lifecycle and the notification outbox (issue 4).
// api_keys: what rosterd knows about each key it has seen, by fingerprint (never the key).
// notify_events: every event, written before any delivery is attempted; once_key makes a notice
// (a reminder per key and lead time, an expiry, a rejection) go out once, across restarts.
// notify_deliveries: one row per event and webhook; the outbox retries pending rows.
constexpr std::string_view kVersion2 = R"sql(
CREATE TABLE api_keys (
    fingerprint TEXT PRIMARY KEY,
    expires_day INTEGER,
    stored_at   INTEGER,
    org_name    TEXT,
    checked_at  INTEGER,
    rejected_at INTEGER
) WITHOUT ROWID;

CREATE TABLE notify_events (
    id       INTEGER PRIMARY KEY,
    type     TEXT NOT NULL,
    at       INTEGER NOT NULL,
    facts    TEXT NOT NULL,
    once_key TEXT UNIQUE
);

CREATE TABLE notify_deliveries (
    id              INTEGER PRIMARY KEY,
    event_id        INTEGER NOT NULL REFERENCES notify_events(id) ON DELETE CASCADE,
    webhook         TEXT NOT NULL,
    delivery_uuid   TEXT NOT NULL UNIQUE,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    window_start    INTEGER NOT NULL,
    next_attempt_at INTEGER NOT NULL,
    last_attempt_at INTEGER,
    delivered_at    INTEGER,
    last_status     INTEGER,
    last_error      TEXT
);
CREATE INDEX notify_deliveries_due ON notify_deliveries (state, next_attempt_at);
CREATE INDEX notify_deliveries_by_event ON notify_deliveries (event_id);
)sql";

// Bulk runs and tasks (issue 6).
// runs: one row per run (bulk, task or undo; dry-run or apply), the audit document's header.
// run_users / run_steps: the plan and the journal. A step is 'sent' before its request goes out and
// 'ok' / 'failed' after, so a run interrupted by a crash resumes without repeating what finished.
// audit_log: append-only (triggers refuse UPDATE and DELETE): who (uid) ran what.
// task_state: what `tasks enable|disable` decided and when each task last ran.
constexpr std::string_view kVersion3 = R"sql(
CREATE TABLE runs (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('bulk', 'task', 'undo')),
    task        TEXT,
    undo_of     TEXT,
    mode        TEXT NOT NULL CHECK (mode IN ('dry-run', 'apply')),
    state       TEXT NOT NULL,
    actions     TEXT NOT NULL,
    selection   TEXT NOT NULL,
    max_users   INTEGER NOT NULL,
    snapshot_id INTEGER,
    caller      TEXT,
    caller_uid  INTEGER,
    created_at  INTEGER NOT NULL,
    started_at  INTEGER,
    finished_at INTEGER,
    error       TEXT
) WITHOUT ROWID;
CREATE INDEX runs_by_created ON runs (created_at);

CREATE TABLE run_users (
    run_id     TEXT NOT NULL REFERENCES runs(id),
    seq        INTEGER NOT NULL,
    account_id TEXT NOT NULL,
    name       TEXT,
    email      TEXT,
    state      TEXT NOT NULL CHECK (state IN ('planned', 'done', 'skipped')),
    reason     TEXT,
    notes      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;

CREATE TABLE run_steps (
    run_id         TEXT NOT NULL REFERENCES runs(id),
    user_seq       INTEGER NOT NULL,
    seq            INTEGER NOT NULL,
    op             TEXT NOT NULL,
    account_id     TEXT NOT NULL,
    directory_id   TEXT NOT NULL DEFAULT '',
    group_id       TEXT NOT NULL DEFAULT '',
    group_name     TEXT NOT NULL DEFAULT '',
    role           TEXT NOT NULL DEFAULT '',
    resource_id    TEXT NOT NULL DEFAULT '',
    resource_label TEXT NOT NULL DEFAULT '',
    state          TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'ok', 'failed', 'skipped')),
    already        INTEGER NOT NULL DEFAULT 0,
    error          TEXT,
    sent_at        INTEGER,
    finished_at    INTEGER,
    PRIMARY KEY (run_id, user_seq, seq)
) WITHOUT ROWID;

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    caller     TEXT NOT NULL,
    caller_uid INTEGER,
    command    TEXT NOT NULL,
    run_id     TEXT,
    detail     TEXT NOT NULL DEFAULT ''
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

CREATE TABLE task_state (
    name        TEXT PRIMARY KEY,
    enabled     INTEGER,
    last_run_id TEXT,
    last_run_at INTEGER
) WITHOUT ROWID;
)sql";

// Cheaper snapshot generations (issue 7: a 100k-user sync spent most of its CPU in SQLite).
// The user tables move into two slots (see snapshot_slots.hpp) and each user of a generation gets
// a number in the order the sync writes it: the tables are clustered by (snapshot_id, user_no)
// WITHOUT ROWID, so a generation is appended at the right edge of one B-tree per table instead of
// being scattered through a rowid table plus its key index. user_groups and user_access refer to
// their user by number; users_N_by_account finds a user by account id. The published generation
// moves to slot 0; rows of other generations (retired, or never completed) are not carried over.
std::string slot_tables_ddl(int slot) {
    const std::string n = std::to_string(slot);
    return "CREATE TABLE users_" + n + R"sql( (
    snapshot_id       INTEGER NOT NULL,
    user_no           INTEGER NOT NULL,
    account_id        TEXT NOT NULL,
    name              TEXT,
    nickname          TEXT,
    email             TEXT,
    email_domain      TEXT,
    account_type      TEXT,
    account_status    TEXT,
    membership_status TEXT,
    status            TEXT NOT NULL,
    claim_status      TEXT,
    management_source TEXT,
    directory_id      TEXT,
    added_to_org      INTEGER,
    platform_roles    TEXT NOT NULL DEFAULT '',
    is_org_admin      INTEGER NOT NULL DEFAULT 0,
    is_site_admin     INTEGER NOT NULL DEFAULT 0,
    is_app            INTEGER NOT NULL DEFAULT 0,
    last_active       INTEGER,
    PRIMARY KEY (snapshot_id, user_no)
) WITHOUT ROWID;
CREATE UNIQUE INDEX users_)sql" +
           n + "_by_account ON users_" + n + R"sql( (snapshot_id, account_id);
CREATE TABLE user_groups_)sql" +
           n + R"sql( (
    snapshot_id INTEGER NOT NULL,
    user_no     INTEGER NOT NULL,
    group_id    TEXT NOT NULL,
    PRIMARY KEY (snapshot_id, user_no, group_id)
) WITHOUT ROWID;
CREATE TABLE user_access_)sql" +
           n + R"sql( (
    snapshot_id INTEGER NOT NULL,
    user_no     INTEGER NOT NULL,
    resource_id TEXT NOT NULL,
    role        TEXT NOT NULL,
    billable    INTEGER NOT NULL,
    via         TEXT NOT NULL DEFAULT 'unknown',
    last_active INTEGER,
    PRIMARY KEY (snapshot_id, user_no, resource_id)
) WITHOUT ROWID;
)sql";
}

std::string version4() {
    return "ALTER TABLE snapshots ADD COLUMN slot INTEGER NOT NULL DEFAULT 0 "
           "CHECK (slot IN (0, 1));\n" +
           slot_tables_ddl(0) + slot_tables_ddl(1) + R"sql(
CREATE TEMP TABLE published AS
SELECT CAST(value AS INTEGER) AS id FROM meta WHERE key = 'current_snapshot';
INSERT INTO users_0
SELECT snapshot_id, row_number() OVER (ORDER BY account_id), account_id, name, nickname, email,
       email_domain, account_type, account_status, membership_status, status, claim_status,
       management_source, directory_id, added_to_org, platform_roles, is_org_admin,
       is_site_admin, is_app, last_active
FROM users WHERE snapshot_id IN (SELECT id FROM published);
INSERT INTO user_groups_0
SELECT ug.snapshot_id, u.user_no, ug.group_id
FROM user_groups ug JOIN users_0 u ON u.snapshot_id = ug.snapshot_id AND u.account_id = ug.account_id;
INSERT INTO user_access_0
SELECT ua.snapshot_id, u.user_no, ua.resource_id, ua.role, ua.billable, ua.via, ua.last_active
FROM user_access ua JOIN users_0 u ON u.snapshot_id = ua.snapshot_id AND u.account_id = ua.account_id;
DROP TABLE published;
DROP TABLE user_access;
DROP TABLE user_groups;
DROP TABLE users;
)sql";
}

// Runs exact enough to leave unattended (issue 14).
// run_steps.confirmed: a step journaled 'sent' whose answer a crash lost, found done by the
// re-read after the restart: this run changed it (undo reverses it), unlike `already`.
// runs.reason: the admin's note (--reason, a task's reason:).
// audit_log: the caller's level, the command's arguments (secrets redacted) and its outcome, so
// that the table answers "who did what, when, and did it work".
constexpr std::string_view kVersion5 = R"sql(
ALTER TABLE run_steps ADD COLUMN confirmed INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN reason TEXT;
ALTER TABLE audit_log ADD COLUMN caller_level TEXT;
ALTER TABLE audit_log ADD COLUMN args TEXT NOT NULL DEFAULT '{}';
ALTER TABLE audit_log ADD COLUMN outcome TEXT NOT NULL DEFAULT 'ok';
CREATE INDEX audit_log_by_at ON audit_log (at);
)sql";

// Seat history (issue 18): the dashboard's figures per product and site, one row per successful
// sync (keyed by the snapshot's as_of instant), so trends and savings need no old snapshot.
// Money is monthly, in `currency` as configured when the point was taken (null: no pricing).
// Rows older than 30 days are compacted to one per day; seat_history_by_at serves --since and the
// deletion of points past history.keep.
constexpr std::string_view kVersion6 = R"sql(
CREATE TABLE seat_history (
    product               TEXT NOT NULL,
    site                  TEXT NOT NULL,
    at                    INTEGER NOT NULL,
    snapshot_id           INTEGER NOT NULL,
    inactive_days         INTEGER NOT NULL,
    billable              INTEGER NOT NULL,
    active                INTEGER NOT NULL,
    inactive              INTEGER NOT NULL,
    capacity              INTEGER,
    currency              TEXT,
    monthly_cost          REAL,
    inactive_monthly_cost REAL,
    PRIMARY KEY (product, site, at)
) WITHOUT ROWID;
CREATE INDEX seat_history_by_at ON seat_history (at);
)sql";

// Delegated administration (issue 19): the scope of the caller who started a run or ran a command
// ("unscoped", or its rules), next to who they were.
constexpr std::string_view kVersion7 = R"sql(
ALTER TABLE runs ADD COLUMN caller_scope TEXT;
ALTER TABLE audit_log ADD COLUMN caller_scope TEXT;
)sql";

// Seat targets and seat alerts (issue 17). run_seat_targets: what a task's keep_at_most planned
// (runs show, the seats_over_target event after a restart); user_seats is a JSON object
// account id -> seats that user frees. seat_alerts: per product and site, whether its billable
// seats are at or over alerts.seats.at_percent of its capacity, and how many times they crossed
// it (the crossing number keys the event's once_key, so a restart never sends one twice).
constexpr std::string_view kVersion8 = R"sql(
CREATE TABLE run_seat_targets (
    run_id      TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    product     TEXT NOT NULL,
    site        TEXT NOT NULL,
    target      INTEGER NOT NULL,
    seats       INTEGER NOT NULL,
    over        INTEGER NOT NULL,
    candidates  INTEGER NOT NULL,
    taken       INTEGER NOT NULL,
    freed       INTEGER NOT NULL,
    short_by    INTEGER NOT NULL,
    not_needed  INTEGER NOT NULL,
    user_seats  TEXT NOT NULL
);
CREATE TABLE seat_alerts (
    resource_id TEXT PRIMARY KEY,
    product     TEXT NOT NULL,
    site        TEXT NOT NULL,
    above       INTEGER NOT NULL,
    crossings   INTEGER NOT NULL,
    changed_at  INTEGER NOT NULL
);
)sql";

// Notice before reclaim (issue 17). notices: one row per (user, task) notice period; state
// on-notice -> released | acted | exempt; the run that acted on it; the mail sent for it (its
// outbox delivery, and a recipient the SMTP server refused). notice_exemptions: users an admin
// exempted from every notice task until a date (null: until lifted). notify_deliveries.sending_at:
// an SMTP send in progress, so that a crash mid-send is never followed by a second copy.
constexpr std::string_view kVersion9 = R"sql(
CREATE TABLE notices (
    id            INTEGER PRIMARY KEY,
    account_id    TEXT NOT NULL,
    task          TEXT NOT NULL,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL,
    state         TEXT NOT NULL,
    noticed_at    INTEGER NOT NULL,
    deadline      INTEGER NOT NULL,
    reason        TEXT,
    ended_at      INTEGER,
    run_id        TEXT,
    reminders     INTEGER NOT NULL DEFAULT 0,
    mail_state    TEXT NOT NULL DEFAULT 'none',
    mail_delivery INTEGER,
    mail_error    TEXT
);
CREATE UNIQUE INDEX notices_open ON notices (task, account_id) WHERE state = 'on-notice';
CREATE INDEX notices_by_user ON notices (account_id, noticed_at);
CREATE TABLE notice_exemptions (
    account_id TEXT PRIMARY KEY,
    until      INTEGER,
    reason     TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
ALTER TABLE notify_deliveries ADD COLUMN sending_at INTEGER;
)sql";

// The users/count of each user partition as a sync's listing ended (issue 20): the next sync plans
// its listing from them instead of counting first. Keyed by the partition's filter.
constexpr std::string_view kVersion10 = R"sql(
CREATE TABLE snapshot_partitions (
    snapshot_id INTEGER NOT NULL,
    filter      TEXT NOT NULL,
    users       INTEGER NOT NULL,
    PRIMARY KEY (snapshot_id, filter)
) WITHOUT ROWID;
)sql";

// A slot being written by a sync no longer has its account index until the sync's users are in
// (sync/account_numbers.hpp, issue 20): an older rosterd, which relied on that index to find an
// account listed twice, must not write this database. The statements only make sure both slots
// have the index, as every slot outside a sync in progress has.
constexpr std::string_view kVersion11 = R"sql(
CREATE UNIQUE INDEX IF NOT EXISTS users_0_by_account ON users_0 (snapshot_id, account_id);
CREATE UNIQUE INDEX IF NOT EXISTS users_1_by_account ON users_1 (snapshot_id, account_id);
)sql";

const std::vector<std::string>& migrations() {
    static const std::vector<std::string> list = {std::string(kVersion1), std::string(kVersion2),
                                                  std::string(kVersion3), version4(),
                                                  std::string(kVersion5), std::string(kVersion6),
                                                  std::string(kVersion7), std::string(kVersion8),
                                                  std::string(kVersion9), std::string(kVersion10),
                                                  std::string(kVersion11)};
    return list;
}

int user_version(Database& db) {
    auto statement = db.prepare("PRAGMA user_version");
    statement.step();
    return static_cast<int>(statement.int64(0));
}

}  // namespace

int current_schema_version() {
    return static_cast<int>(migrations().size());
}

int migrate(Database& db, int up_to) {
    int found = user_version(db);
    int target = std::min(up_to, current_schema_version());
    if (found > current_schema_version())
        throw StoreError("the database " + db.path() + " has schema version " +
                         std::to_string(found) + ", newer than this rosterd understands (" +
                         std::to_string(current_schema_version()) +
                         "); upgrade rosterd or restore a backup made by this version");
    if (found >= target)
        return found;
    Transaction transaction(db);
    for (int version = found; version < target; ++version)
        db.exec(migrations()[version]);
    db.exec("PRAGMA user_version = " + std::to_string(target));
    transaction.commit();
    return found;
}

}  // namespace rosterd::store
