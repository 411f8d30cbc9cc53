//! Schema migrations, applied in order and recorded in `PRAGMA user_version`.
//!
//! A released migration is never edited: changes go into a new step appended to
//! [`MIGRATIONS`]. Step `i` (0-based) moves the schema from version `i` to `i + 1`.

/// The migration steps; `MIGRATIONS.len()` is the schema version this build writes.
pub(crate) const MIGRATIONS: &[&str] = &[
    MIGRATION_1,
    MIGRATION_2,
    MIGRATION_3,
    MIGRATION_4,
    MIGRATION_5,
];

/// Version 1: identities, clouds, groups and the members' GMC chains.
pub(crate) const MIGRATION_1: &str = r#"
CREATE TABLE identities (
    peer_name      TEXT    NOT NULL PRIMARY KEY,
    friendly_name  TEXT    NOT NULL,
    profile        TEXT    NOT NULL,
    idc            BLOB    NOT NULL,
    sealed_key     BLOB    NOT NULL,
    created        INTEGER NOT NULL,
    is_default     INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1))
);
CREATE UNIQUE INDEX identities_single_default ON identities (is_default) WHERE is_default = 1;

CREATE TABLE clouds (
    name      TEXT    NOT NULL PRIMARY KEY,
    scope     INTEGER NOT NULL CHECK (scope IN (1, 2, 3)),
    scope_id  INTEGER NOT NULL,
    private   INTEGER NOT NULL CHECK (private IN (0, 1))
);
INSERT INTO clouds (name, scope, scope_id, private) VALUES ('Global_', 1, 0, 0);

CREATE TABLE groups (
    identity                  TEXT    NOT NULL REFERENCES identities (peer_name) ON DELETE RESTRICT,
    group_peer_name           TEXT    NOT NULL,
    friendly_name             TEXT    NOT NULL,
    classifier                TEXT    NOT NULL,
    cloud_name                TEXT    NOT NULL,
    cloud_scope               INTEGER NOT NULL,
    cloud_scope_id            INTEGER NOT NULL,
    cloud_flags               INTEGER NOT NULL,
    profile                   TEXT    NOT NULL,
    sealed_group_key          BLOB,
    flags                     INTEGER NOT NULL,
    creator_peer_name         TEXT    NOT NULL,
    comment                   TEXT    NOT NULL,
    member_data_lifetime      INTEGER NOT NULL,
    presence_lifetime         INTEGER NOT NULL,
    authentication_schemes    INTEGER NOT NULL,
    password_role             BLOB    CHECK (password_role IS NULL OR length(password_role) = 16),
    sealed_password_verifier  BLOB,
    status                    INTEGER NOT NULL,
    created                   INTEGER NOT NULL,
    PRIMARY KEY (identity, group_peer_name)
);

CREATE TABLE group_chain (
    identity         TEXT    NOT NULL,
    group_peer_name  TEXT    NOT NULL,
    position         INTEGER NOT NULL,
    cert             BLOB    NOT NULL,
    PRIMARY KEY (identity, group_peer_name, position),
    FOREIGN KEY (identity, group_peer_name)
        REFERENCES groups (identity, group_peer_name) ON DELETE CASCADE
);
"#;

/// Version 2: room for group records and members (issue 8), keyed by group.
pub(crate) const MIGRATION_2: &str = r#"
CREATE TABLE group_records (
    identity         TEXT    NOT NULL,
    group_peer_name  TEXT    NOT NULL,
    record_id        BLOB    NOT NULL CHECK (length(record_id) = 16),
    record_type      BLOB    NOT NULL CHECK (length(record_type) = 16),
    version          INTEGER NOT NULL,
    flags            INTEGER NOT NULL,
    creator_id       TEXT    NOT NULL,
    modified_by_id   TEXT    NOT NULL,
    attributes       TEXT,
    created          INTEGER NOT NULL,
    expiration       INTEGER NOT NULL,
    last_modified    INTEGER NOT NULL,
    data             BLOB    NOT NULL,
    security_data    BLOB    NOT NULL,
    PRIMARY KEY (identity, group_peer_name, record_id),
    FOREIGN KEY (identity, group_peer_name)
        REFERENCES groups (identity, group_peer_name) ON DELETE CASCADE
);
CREATE INDEX group_records_by_type ON group_records (identity, group_peer_name, record_type);

CREATE TABLE group_members (
    identity          TEXT    NOT NULL,
    group_peer_name   TEXT    NOT NULL,
    member_peer_name  TEXT    NOT NULL,
    flags             INTEGER NOT NULL,
    attributes        TEXT,
    node_id           INTEGER,
    gmc_chain         BLOB,
    PRIMARY KEY (identity, group_peer_name, member_peer_name),
    FOREIGN KEY (identity, group_peer_name)
        REFERENCES groups (identity, group_peer_name) ON DELETE CASCADE
);
"#;

/// Version 3: the records API (issue 8). Record times are FILETIME ticks (100 ns since
/// 1601-01-01 UTC); the by-type index gains `record_id` so that listing by type is ordered
/// without a sort; an index on expiration serves the expiry sweep; an index on the group
/// alone (whose entries end in the rowid) lets a full scan visit the table in storage
/// order, several times faster than id order on large groups; `group_changes` is the
/// append-only change log that carries group events across processes.
pub(crate) const MIGRATION_3: &str = r#"
DROP INDEX group_records_by_type;
CREATE INDEX group_records_by_type
    ON group_records (identity, group_peer_name, record_type, record_id);
CREATE INDEX group_records_by_expiration
    ON group_records (identity, group_peer_name, expiration);
CREATE INDEX group_records_by_group ON group_records (identity, group_peer_name);

CREATE TABLE group_changes (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    identity          TEXT    NOT NULL,
    group_peer_name   TEXT    NOT NULL,
    event_type        INTEGER NOT NULL CHECK (event_type IN (1, 2, 3, 8)),
    change_type       INTEGER NOT NULL,
    record_id         BLOB    CHECK (record_id IS NULL OR length(record_id) = 16),
    record_type       BLOB    CHECK (record_type IS NULL OR length(record_type) = 16),
    member_peer_name  TEXT,
    status            INTEGER,
    time_ms           INTEGER NOT NULL,
    FOREIGN KEY (identity, group_peer_name)
        REFERENCES groups (identity, group_peer_name) ON DELETE CASCADE
);
CREATE INDEX group_changes_by_group ON group_changes (identity, group_peer_name, seq);
CREATE INDEX group_changes_by_time ON group_changes (time_ms);
"#;

/// Version 4: the network node (issue 16). `settings` holds the store's sealed node key
/// and the node's listen addresses; the change log gains the connection events
/// (`NEIGHBOR_CONNECTION` 5, `CONNECTION_FAILED` 10, `AUTHENTICATION_FAILED` 11) and
/// their data. SQLite cannot alter a CHECK constraint, so the log is rebuilt with its
/// rows and its sequence (a watcher's position stays valid).
pub(crate) const MIGRATION_4: &str = r#"
CREATE TABLE settings (
    name   TEXT PRIMARY KEY,
    value  BLOB NOT NULL
);

ALTER TABLE group_changes RENAME TO group_changes_v3;
CREATE TABLE group_changes (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    identity          TEXT    NOT NULL,
    group_peer_name   TEXT    NOT NULL,
    event_type        INTEGER NOT NULL CHECK (event_type IN (1, 2, 3, 5, 8, 10, 11)),
    change_type       INTEGER NOT NULL,
    record_id         BLOB    CHECK (record_id IS NULL OR length(record_id) = 16),
    record_type       BLOB    CHECK (record_type IS NULL OR length(record_type) = 16),
    member_peer_name  TEXT,
    status            INTEGER,
    time_ms           INTEGER NOT NULL,
    connection_id     INTEGER,
    node_id           INTEGER,
    peer_id           TEXT,
    hresult           INTEGER,
    FOREIGN KEY (identity, group_peer_name)
        REFERENCES groups (identity, group_peer_name) ON DELETE CASCADE
);
INSERT INTO group_changes (seq, identity, group_peer_name, event_type, change_type, record_id,
        record_type, member_peer_name, status, time_ms)
    SELECT seq, identity, group_peer_name, event_type, change_type, record_id,
        record_type, member_peer_name, status, time_ms FROM group_changes_v3;
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'group_changes', 0 WHERE NOT EXISTS
        (SELECT 1 FROM sqlite_sequence WHERE name = 'group_changes');
UPDATE sqlite_sequence SET seq = max(seq, coalesce(
        (SELECT seq FROM sqlite_sequence WHERE name = 'group_changes_v3'), 0))
    WHERE name = 'group_changes';
DROP TABLE group_changes_v3;
CREATE INDEX group_changes_by_group ON group_changes (identity, group_peer_name, seq);
CREATE INDEX group_changes_by_time ON group_changes (time_ms);
"#;

/// Version 5: replication (issue 17). A deleted record becomes a tombstone ([MS-PPGRH]
/// 1.3.5.2, 3.1.7.9): its last version, signed by the deleter with
/// `PEER_RECORD_FLAG_DELETED`, kept until its expiration so that a member who still
/// holds the live record learns of the delete. Tombstones live in their own table so
/// that every read of live records stays as it was.
pub(crate) const MIGRATION_5: &str = r#"
CREATE TABLE group_tombstones (
    identity         TEXT    NOT NULL,
    group_peer_name  TEXT    NOT NULL,
    record_id        BLOB    NOT NULL CHECK (length(record_id) = 16),
    record_type      BLOB    NOT NULL CHECK (length(record_type) = 16),
    version          INTEGER NOT NULL,
    flags            INTEGER NOT NULL,
    creator_id       TEXT    NOT NULL,
    modified_by_id   TEXT    NOT NULL,
    attributes       TEXT,
    created          INTEGER NOT NULL,
    expiration       INTEGER NOT NULL,
    last_modified    INTEGER NOT NULL,
    data             BLOB    NOT NULL,
    security_data    BLOB    NOT NULL,
    PRIMARY KEY (identity, group_peer_name, record_id),
    FOREIGN KEY (identity, group_peer_name)
        REFERENCES groups (identity, group_peer_name) ON DELETE CASCADE
);
CREATE INDEX group_tombstones_by_expiration
    ON group_tombstones (identity, group_peer_name, expiration);
"#;
