//! [`ChangeWatcher`]: waiting for a group's changes, committed by this or any other
//! process, in commit order.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use crate::changes::{Change, DEFAULT_POLL_INTERVAL, query_changes};
use crate::error::Result;
use crate::group::require_group;
use crate::store::{BUSY_TIMEOUT, LocalCommits, Store, map_sqlite, retry_busy};

impl Store {
    /// A watcher of the group's changes committed after this call, by any process.
    ///
    /// # Errors
    /// [`Error::NotFound`](crate::Error::NotFound) when the identity has no such group; errors of opening a
    /// second (read-only) connection to `store.db`.
    pub fn watch_changes(&self, identity: &str, group: &str) -> Result<ChangeWatcher> {
        let last = self.read(|tx| {
            require_group(tx, identity, group)?;
            Ok(tx
                .prepare_cached(
                    "SELECT coalesce(max(seq), 0) FROM group_changes
                     WHERE identity = ?1 AND group_peer_name = ?2",
                )?
                .query_row([identity, group], |r| r.get(0))?)
        })?;
        self.watch_changes_after(identity, group, last)
    }

    /// A watcher of the group's changes with a sequence number above `after`.
    ///
    /// # Errors
    /// Errors of opening a second (read-only) connection to `store.db`.
    pub fn watch_changes_after(
        &self,
        identity: &str,
        group: &str,
        after: u64,
    ) -> Result<ChangeWatcher> {
        ChangeWatcher::open(self.db_path(), identity, group, after, self.local_commits())
    }
}

/// Waits for a group's changes, from this and every other process using the store.
///
/// A watcher has its own read-only SQLite connection. It checks `PRAGMA data_version`
/// (which changes when another connection commits) every poll interval
/// ([`DEFAULT_POLL_INTERVAL`], 20 ms), and is woken at once by commits of `Store` handles
/// in the same process; only then does it query the change log. While nothing changes a
/// check costs one cheap statement (see `docs/STORAGE.md` for the measured idle CPU).
///
/// Changes are returned in sequence (commit) order, each exactly once.
pub struct ChangeWatcher {
    conn: Connection,
    db_path: PathBuf,
    identity: String,
    group: String,
    last_seq: u64,
    data_version: Option<i64>,
    local: Arc<LocalCommits>,
    local_seen: u64,
    poll_interval: Duration,
}

impl std::fmt::Debug for ChangeWatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeWatcher")
            .field("db_path", &self.db_path)
            .field("identity", &self.identity)
            .field("group", &self.group)
            .field("last_seq", &self.last_seq)
            .field("poll_interval", &self.poll_interval)
            .finish_non_exhaustive()
    }
}

impl ChangeWatcher {
    fn open(
        db_path: &Path,
        identity: &str,
        group: &str,
        after: u64,
        local: Arc<LocalCommits>,
    ) -> Result<ChangeWatcher> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn =
            Connection::open_with_flags(db_path, flags).map_err(|e| map_sqlite(db_path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| map_sqlite(db_path, e))?;
        let local_seen = local.current();
        Ok(ChangeWatcher {
            conn,
            db_path: db_path.to_path_buf(),
            identity: identity.to_owned(),
            group: group.to_owned(),
            last_seq: after,
            data_version: None,
            local,
            local_seen,
            poll_interval: DEFAULT_POLL_INTERVAL,
        })
    }

    /// Sets how often `PRAGMA data_version` is checked (at least 1 ms).
    pub fn set_poll_interval(&mut self, interval: Duration) {
        self.poll_interval = interval.max(Duration::from_millis(1));
    }

    /// The sequence number of the last change returned (or the starting point).
    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// The identity watched.
    pub fn identity(&self) -> &str {
        &self.identity
    }

    /// The group watched.
    pub fn group_peer_name(&self) -> &str {
        &self.group
    }

    /// New changes, without waiting (empty when there are none).
    ///
    /// # Errors
    /// [`Error::Sqlite`](crate::Error::Sqlite) / [`Error::Corrupted`](crate::Error::Corrupted) on a database failure.
    pub fn poll(&mut self) -> Result<Vec<Change>> {
        self.local_seen = self.local.current();
        let version = retry_busy(|| {
            self.conn
                .query_row("PRAGMA data_version", [], |r| r.get::<_, i64>(0))
        })
        .map_err(|e| map_sqlite(&self.db_path, e))?;
        self.data_version = Some(version);
        let changes =
            retry_busy(|| query_changes(&self.conn, &self.identity, &self.group, self.last_seq))
                .map_err(|e| map_sqlite(&self.db_path, e))?;
        if let Some(last) = changes.last() {
            self.last_seq = last.seq;
        }
        Ok(changes)
    }

    /// Waits until the group has new changes and returns them (in order), or returns an
    /// empty list when `timeout` passes first.
    ///
    /// # Errors
    /// [`Error::Sqlite`](crate::Error::Sqlite) / [`Error::Corrupted`](crate::Error::Corrupted) on a database failure.
    pub fn wait(&mut self, timeout: Duration) -> Result<Vec<Change>> {
        let deadline = Instant::now() + timeout;
        let mut first = self.data_version.is_none();
        loop {
            let version = retry_busy(|| {
                self.conn
                    .query_row("PRAGMA data_version", [], |r| r.get::<_, i64>(0))
            })
            .map_err(|e| map_sqlite(&self.db_path, e))?;
            let local = self.local.current();
            if first || Some(version) != self.data_version || local != self.local_seen {
                first = false;
                self.data_version = Some(version);
                self.local_seen = local;
                let changes = retry_busy(|| {
                    query_changes(&self.conn, &self.identity, &self.group, self.last_seq)
                })
                .map_err(|e| map_sqlite(&self.db_path, e))?;
                if let Some(last) = changes.last() {
                    self.last_seq = last.seq;
                    return Ok(changes);
                }
            }
            let now = Instant::now();
            if now >= deadline {
                return Ok(Vec::new());
            }
            let nap = self.poll_interval.min(deadline - now);
            self.local.wait_past(self.local_seen, nap);
        }
    }
}
