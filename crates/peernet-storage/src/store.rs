//! Opening a store: directory, key file, SQLite connection, pragmas, migrations; the
//! transaction helpers with SQLITE_BUSY retry that every operation goes through.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ring::rand::{SecureRandom, SystemRandom};
use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::schema::MIGRATIONS;
use crate::seal::{KEY_LEN, Purpose, StoreKey, UnsealError, associated_data};

/// Name of the SQLite database inside the store directory.
pub const DB_FILE: &str = "store.db";
/// Name of the 32-byte key file inside the store directory.
pub const KEY_FILE: &str = "store.key";
/// Environment variable naming the store directory for [`Store::open_default`].
pub const HOME_ENV: &str = "PEERNET_HOME";

/// `PRAGMA application_id` of a peernet store ("peer" in ASCII).
const APPLICATION_ID: i32 = 0x7065_6572;
/// How long SQLite itself waits for a lock before reporting SQLITE_BUSY.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How many times a transaction is retried after SQLITE_BUSY / SQLITE_LOCKED.
const MAX_BUSY_RETRIES: u32 = 12;

/// A peernet store: one directory holding `store.db` and `store.key`.
///
/// `Store` is `Send + Sync`: operations from several threads are serialised on one
/// connection. Several processes may open the same directory at once; SQLite's locks
/// and the retry loop keep them consistent, and SQLITE_BUSY never reaches the caller
/// unless a lock is held for over a minute.
pub struct Store {
    dir: PathBuf,
    db_path: PathBuf,
    key: StoreKey,
    pub(crate) rng: SystemRandom,
    conn: Mutex<Connection>,
    local_commits: std::sync::Arc<LocalCommits>,
}

/// A counter of write commits made through this process's `Store` handles, with a
/// condition variable that in-process [`crate::ChangeWatcher`]s wait on.
#[derive(Debug, Default)]
pub(crate) struct LocalCommits {
    count: Mutex<u64>,
    changed: std::sync::Condvar,
}

impl LocalCommits {
    fn notify(&self) {
        let mut count = self.count.lock().unwrap_or_else(|p| p.into_inner());
        *count = count.wrapping_add(1);
        self.changed.notify_all();
    }

    /// The current count.
    pub(crate) fn current(&self) -> u64 {
        *self.count.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits up to `timeout` for the count to differ from `seen`; returns the count.
    pub(crate) fn wait_past(&self, seen: u64, timeout: Duration) -> u64 {
        let guard = self.count.lock().unwrap_or_else(|p| p.into_inner());
        let (guard, _) = self
            .changed
            .wait_timeout_while(guard, timeout, |c| *c == seen)
            .unwrap_or_else(|p| p.into_inner());
        *guard
    }
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.dir)
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// Failure inside a transaction body: SQLite errors are kept raw so that the retry loop
/// can recognise SQLITE_BUSY; everything else is already a store [`Error`].
pub(crate) enum TxError {
    Sql(rusqlite::Error),
    Store(Error),
}

impl From<rusqlite::Error> for TxError {
    fn from(e: rusqlite::Error) -> Self {
        TxError::Sql(e)
    }
}

impl From<Error> for TxError {
    fn from(e: Error) -> Self {
        TxError::Store(e)
    }
}

/// Result of a transaction body.
pub(crate) type TxResult<T> = std::result::Result<T, TxError>;

impl Store {
    /// Opens (creating if needed) the store in `dir`.
    ///
    /// Creates the directory (mode 0700) and `store.key` (32 random bytes, mode 0600) when
    /// missing, opens `store.db` in WAL mode and brings its schema up to date.
    ///
    /// # Errors
    /// [`Error::NoKeyAccess`] when the directory, key file or database cannot be used by
    /// this user or the key file is not 32 bytes; [`Error::Corrupted`] when `store.db` is
    /// not a peernet database; [`Error::DbInitialization`] when its schema is newer than
    /// this build; [`Error::Io`] / [`Error::Sqlite`] otherwise.
    pub fn open(dir: impl AsRef<Path>) -> Result<Store> {
        Self::open_at_schema_version(dir, MIGRATIONS.len())
    }

    /// Opens the store in [`Store::default_dir`].
    ///
    /// # Errors
    /// As [`Store::open`]; [`Error::NoKeyAccess`] when no directory can be determined.
    pub fn open_default() -> Result<Store> {
        Self::open(Self::default_dir()?)
    }

    /// The default store directory: `$PEERNET_HOME` if set and not empty, else
    /// `peernet` in the platform data directory (e.g. `~/.local/share/peernet`).
    ///
    /// # Errors
    /// [`Error::NoKeyAccess`] when neither is available (no home directory).
    pub fn default_dir() -> Result<PathBuf> {
        if let Some(home) = std::env::var_os(HOME_ENV).filter(|v| !v.is_empty()) {
            return Ok(PathBuf::from(home));
        }
        directories::BaseDirs::new()
            .map(|dirs| dirs.data_dir().join("peernet"))
            .ok_or_else(|| Error::NoKeyAccess {
                path: PathBuf::from("~"),
                reason: format!("no home directory found; set {HOME_ENV}"),
            })
    }

    /// Opens a store, migrating it no further than `version`. For migration tests only.
    pub(crate) fn open_at_schema_version(dir: impl AsRef<Path>, version: usize) -> Result<Store> {
        let dir = dir.as_ref().to_path_buf();
        ensure_dir(&dir)?;
        let rng = SystemRandom::new();
        let key = load_or_create_key(&dir, &rng)?;
        let db_path = dir.join(DB_FILE);
        precreate_private_file(&db_path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn =
            Connection::open_with_flags(&db_path, flags).map_err(|e| map_sqlite(&db_path, e))?;
        init_connection(&conn).map_err(|e| map_sqlite(&db_path, e))?;
        let store = Store {
            dir,
            db_path,
            key,
            rng,
            conn: Mutex::new(conn),
            local_commits: std::sync::Arc::default(),
        };
        store.migrate(version.min(MIGRATIONS.len()))?;
        Ok(store)
    }

    /// The in-process commit signal shared with watchers.
    pub(crate) fn local_commits(&self) -> std::sync::Arc<LocalCommits> {
        std::sync::Arc::clone(&self.local_commits)
    }

    /// The store directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of `store.db`.
    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    /// The schema version of the open database (`PRAGMA user_version`).
    ///
    /// # Errors
    /// [`Error::Sqlite`] on a database failure.
    pub fn schema_version(&self) -> Result<u32> {
        self.read(|tx| Ok(tx.query_row("PRAGMA user_version", [], |r| r.get(0))?))
    }

    /// The newest schema version this build knows.
    pub fn supported_schema_version() -> u32 {
        u32::try_from(MIGRATIONS.len()).unwrap_or(u32::MAX)
    }

    /// Runs SQLite's `integrity_check` and `foreign_key_check`.
    ///
    /// # Errors
    /// [`Error::Corrupted`] listing the problems found.
    pub fn check_integrity(&self) -> Result<()> {
        let problems = self.read(|tx| {
            let mut problems: Vec<String> = tx
                .prepare("PRAGMA integrity_check")?
                .query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<_>>()?;
            if problems == ["ok"] {
                problems.clear();
            }
            let mut fk = tx.prepare("PRAGMA foreign_key_check")?;
            let mut rows = fk.query([])?;
            while let Some(row) = rows.next()? {
                let table: String = row.get(0)?;
                problems.push(format!("dangling foreign key in table {table}"));
            }
            Ok(problems)
        })?;
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Corrupted {
                path: self.db_path.clone(),
                reason: problems.join("; "),
            })
        }
    }

    /// Runs `f` in a write transaction (`BEGIN IMMEDIATE`), retrying on SQLITE_BUSY.
    /// After a successful commit, wakes this process's [`crate::ChangeWatcher`]s at once
    /// (watchers in other processes notice through `PRAGMA data_version`).
    pub(crate) fn write<T>(&self, f: impl FnMut(&Transaction<'_>) -> TxResult<T>) -> Result<T> {
        let value = self.run(TransactionBehavior::Immediate, f)?;
        self.local_commits.notify();
        Ok(value)
    }

    /// Runs `f` in a read transaction (one consistent snapshot), retrying on SQLITE_BUSY.
    pub(crate) fn read<T>(&self, f: impl FnMut(&Transaction<'_>) -> TxResult<T>) -> Result<T> {
        self.run(TransactionBehavior::Deferred, f)
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves the connection usable: an unfinished
        // transaction is rolled back when its guard is dropped.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn run<T>(
        &self,
        behavior: TransactionBehavior,
        mut f: impl FnMut(&Transaction<'_>) -> TxResult<T>,
    ) -> Result<T> {
        let mut conn = self.lock();
        let mut attempt = 0;
        loop {
            let outcome = (|| -> TxResult<T> {
                let tx = conn.transaction_with_behavior(behavior)?;
                let value = f(&tx)?;
                tx.commit()?;
                Ok(value)
            })();
            match outcome {
                Ok(value) => return Ok(value),
                Err(TxError::Sql(e)) if is_busy(&e) && attempt < MAX_BUSY_RETRIES => {
                    attempt += 1;
                    backoff(attempt);
                }
                Err(TxError::Sql(e)) => return Err(map_sqlite(&self.db_path, e)),
                Err(TxError::Store(e)) => return Err(e),
            }
        }
    }

    fn migrate(&self, target: usize) -> Result<()> {
        let supported = MIGRATIONS.len();
        // Fast path without the write lock: an up-to-date peernet store.
        let (current, app_id): (i64, i32) = self.read(|tx| {
            Ok((
                tx.query_row("PRAGMA user_version", [], |r| r.get(0))?,
                tx.query_row("PRAGMA application_id", [], |r| r.get(0))?,
            ))
        })?;
        if app_id == APPLICATION_ID
            && usize::try_from(current).is_ok_and(|c| c >= target && c <= supported)
        {
            return Ok(());
        }
        let path = self.db_path.clone();
        self.write(|tx| {
            let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            let app_id: i32 = tx.query_row("PRAGMA application_id", [], |r| r.get(0))?;
            let current = usize::try_from(current).map_err(|_| Error::Corrupted {
                path: path.clone(),
                reason: format!("negative schema version {current}"),
            })?;
            if current == 0 {
                let objects: i64 =
                    tx.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
                if objects != 0 {
                    return Err(Error::Corrupted {
                        path: path.clone(),
                        reason: "an SQLite database that is not a peernet store".into(),
                    }
                    .into());
                }
                tx.pragma_update(None, "application_id", APPLICATION_ID)?;
            } else if app_id != APPLICATION_ID {
                return Err(Error::Corrupted {
                    path: path.clone(),
                    reason: format!("application id {app_id:#x} is not a peernet store's"),
                }
                .into());
            }
            if current > supported {
                return Err(Error::DbInitialization {
                    path: path.clone(),
                    reason: format!(
                        "schema version {current} is newer than the newest this build knows ({supported}); use a newer peernet"
                    ),
                }
                .into());
            }
            for step in MIGRATIONS.iter().take(target).skip(current) {
                tx.execute_batch(step)?;
            }
            if target > current {
                tx.pragma_update(None, "user_version", target)?;
            }
            Ok(())
        })
    }

    /// Seals a secret for the row `(identity, group)` with the given purpose.
    pub(crate) fn seal(
        &self,
        purpose: Purpose,
        identity: &str,
        group: Option<&str>,
        plaintext: &[u8],
    ) -> Result<Vec<u8>> {
        let aad = associated_data(purpose, identity, group);
        self.key
            .seal(&self.rng, &aad, plaintext)
            .map_err(|_| Error::Io {
                path: self.dir.join(KEY_FILE),
                source: io::Error::other("sealing failed (system random generator)"),
            })
    }

    /// Opens a secret sealed by [`Store::seal`]; `what` names it in the error.
    pub(crate) fn unseal(
        &self,
        purpose: Purpose,
        identity: &str,
        group: Option<&str>,
        blob: &[u8],
        what: &str,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let aad = associated_data(purpose, identity, group);
        self.key
            .unseal(&aad, blob)
            .map_err(|UnsealError::Invalid(why)| Error::Corrupted {
                path: self.db_path.clone(),
                reason: format!("cannot unseal {what}: {why}"),
            })
    }

    /// Inserts `count` identities, each with one group whose chain holds one certificate,
    /// in one transaction. Peer names are `bench-identity-{i}` and `bench-group-{i}`.
    /// For benchmarks only.
    pub(crate) fn bulk_insert_for_bench(&self, start: usize, count: usize) -> Result<()> {
        let now = now_secs();
        self.write(|tx| {
            let mut ins_id = tx.prepare_cached(
                "INSERT INTO identities (peer_name, friendly_name, profile, idc, sealed_key, created)
                 VALUES (?1, ?1, 'modern', ?2, ?3, ?4)",
            )?;
            let mut ins_group = tx.prepare_cached(
                "INSERT INTO groups (identity, group_peer_name, friendly_name, classifier, cloud_name,
                    cloud_scope, cloud_scope_id, cloud_flags, profile, flags, creator_peer_name, comment,
                    member_data_lifetime, presence_lifetime, authentication_schemes, status, created)
                 VALUES (?1, ?2, ?2, 'bench', 'Global_', 1, 0, 0, 'modern', 0, ?1, '', 2419200, 300, 1, 0, ?3)",
            )?;
            let mut ins_chain = tx.prepare_cached(
                "INSERT INTO group_chain (identity, group_peer_name, position, cert) VALUES (?1, ?2, 0, ?3)",
            )?;
            let fake_cert = [0x30u8; 96];
            for i in start..start + count {
                let identity = format!("bench-identity-{i}");
                let group = format!("bench-group-{i}");
                let sealed = self.seal(Purpose::IdentityKey, &identity, None, &[0x42; 32])?;
                ins_id.execute(rusqlite::params![identity, &fake_cert[..], sealed, now])?;
                ins_group.execute(rusqlite::params![identity, group, now])?;
                ins_chain.execute(rusqlite::params![identity, group, &fake_cert[..]])?;
            }
            Ok(())
        })
    }
}

/// Seconds since the Unix epoch, now.
pub(crate) fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Converts stored seconds since the Unix epoch back to a time.
pub(crate) fn system_time(secs: i64) -> SystemTime {
    match u64::try_from(secs) {
        Ok(s) => UNIX_EPOCH + Duration::from_secs(s),
        Err(_) => UNIX_EPOCH,
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

fn backoff(attempt: u32) {
    // Linear backoff with a little per-process jitter so that waiting writers spread out.
    let jitter = u64::from(std::process::id() % 7)
        + u64::from(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.subsec_micros() % 11)
                .unwrap_or(0),
        );
    std::thread::sleep(Duration::from_millis(u64::from(attempt) * 20 + jitter));
}

pub(crate) fn retry_busy<T>(mut f: impl FnMut() -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    let mut attempt = 0;
    loop {
        match f() {
            Err(e) if is_busy(&e) && attempt < MAX_BUSY_RETRIES => {
                attempt += 1;
                backoff(attempt);
            }
            other => return other,
        }
    }
}

fn init_connection(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(64);
    retry_busy(|| conn.pragma_update(None, "foreign_keys", "ON"))?;
    let mode: String =
        retry_busy(|| conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
            Some(format!("cannot switch to WAL journal mode (got {mode})")),
        ));
    }
    retry_busy(|| conn.pragma_update(None, "synchronous", "FULL"))?;
    Ok(())
}

/// Maps a SQLite error to the store error the facade reports.
pub(crate) fn map_sqlite(path: &Path, e: rusqlite::Error) -> Error {
    let path = path.to_path_buf();
    match &e {
        rusqlite::Error::FromSqlConversionFailure(..)
        | rusqlite::Error::IntegralValueOutOfRange(..)
        | rusqlite::Error::InvalidColumnType(..) => {
            return Error::Corrupted {
                path,
                reason: format!("unexpected value in the database: {e}"),
            };
        }
        _ => {}
    }
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => Error::Corrupted {
            path,
            reason: e.to_string(),
        },
        Some(
            ErrorCode::CannotOpen
            | ErrorCode::PermissionDenied
            | ErrorCode::ReadOnly
            | ErrorCode::AuthorizationForStatementDenied,
        ) => Error::NoKeyAccess {
            path,
            reason: e.to_string(),
        },
        _ => Error::Sqlite {
            path,
            source: Box::new(e),
        },
    }
}

/// Maps an I/O error on a store file: access problems are `NoKeyAccess`.
fn map_io(path: &Path, e: io::Error) -> Error {
    match e.kind() {
        io::ErrorKind::PermissionDenied
        | io::ErrorKind::IsADirectory
        | io::ErrorKind::NotADirectory
        | io::ErrorKind::ReadOnlyFilesystem => Error::NoKeyAccess {
            path: path.to_path_buf(),
            reason: e.to_string(),
        },
        _ => Error::Io {
            path: path.to_path_buf(),
            source: e,
        },
    }
}

fn ensure_dir(dir: &Path) -> Result<()> {
    match fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(Error::NoKeyAccess {
            path: dir.to_path_buf(),
            reason: "exists and is not a directory".into(),
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let mut builder = fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::DirBuilderExt;
                builder.mode(0o700);
            }
            builder.create(dir).map_err(|e| map_io(dir, e))
        }
        Err(e) => Err(map_io(dir, e)),
    }
}

fn private_file_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Creates `path` empty with mode 0600 if missing, so that SQLite (and its -wal and -shm
/// files, which copy the database's mode) never creates it world-readable.
fn precreate_private_file(path: &Path) -> Result<()> {
    private_file_options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map(drop)
        .map_err(|e| map_io(path, e))
}

fn load_or_create_key(dir: &Path, rng: &SystemRandom) -> Result<StoreKey> {
    let path = dir.join(KEY_FILE);
    match fs::symlink_metadata(&path) {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            // A database with content but no key: its secrets would be unreadable under a
            // new key, so refuse instead of silently replacing the key. (A concurrent
            // first open creates the key before the database, so re-check the key.)
            let db_has_data = db_holds_sealed_data(&dir.join(DB_FILE));
            if !db_has_data {
                create_key_file(dir, &path, rng)?;
            } else if fs::symlink_metadata(&path).is_err() {
                return Err(Error::NoKeyAccess {
                    path,
                    reason: format!(
                        "is missing while {DB_FILE} holds data sealed under it; restore the key file, or move {DB_FILE} away to start a new store"
                    ),
                });
            }
        }
        Err(e) => return Err(map_io(&path, e)),
    }
    read_key_file(&path)
}

/// Whether `db` is a peernet store holding identities (hence sealed keys). Anything
/// that cannot be read as one counts as "no": opening it proper reports why.
fn db_holds_sealed_data(db: &Path) -> bool {
    if !fs::metadata(db).is_ok_and(|m| m.is_file() && m.len() > 0) {
        return false;
    }
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let Ok(conn) = Connection::open_with_flags(db, flags) else {
        return false;
    };
    if conn.busy_timeout(BUSY_TIMEOUT).is_err() {
        return false;
    }
    retry_busy(|| {
        conn.query_row("SELECT EXISTS (SELECT 1 FROM identities)", [], |r| {
            r.get::<_, bool>(0)
        })
    })
    .unwrap_or(false)
}

fn read_key_file(path: &Path) -> Result<StoreKey> {
    let wrong_length = |len: u64| Error::NoKeyAccess {
        path: path.to_path_buf(),
        reason: format!("holds {len} bytes; a store key is {KEY_LEN} bytes"),
    };
    let meta = fs::metadata(path).map_err(|e| map_io(path, e))?;
    if !meta.is_file() {
        return Err(Error::NoKeyAccess {
            path: path.to_path_buf(),
            reason: "is not a regular file".into(),
        });
    }
    if meta.len() != KEY_LEN as u64 {
        return Err(wrong_length(meta.len()));
    }
    let mut file = File::open(path).map_err(|e| map_io(path, e))?;
    let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
    file.read_exact(&mut bytes[..])
        .map_err(|e| match e.kind() {
            io::ErrorKind::UnexpectedEof => wrong_length(meta.len()),
            _ => map_io(path, e),
        })?;
    let mut extra = [0u8; 1];
    if file.read(&mut extra).map_err(|e| map_io(path, e))? != 0 {
        return Err(wrong_length(KEY_LEN as u64 + 1));
    }
    Ok(StoreKey::from_bytes(bytes))
}

/// Creates `store.key` atomically: the key is written and synced under a temporary name,
/// then hard-linked into place, so a concurrent opener never reads a partial key and two
/// concurrent creators agree on one key.
fn create_key_file(dir: &Path, path: &Path, rng: &SystemRandom) -> Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut bytes = Zeroizing::new([0u8; KEY_LEN]);
    rng.fill(&mut bytes[..]).map_err(|_| Error::Io {
        path: path.to_path_buf(),
        source: io::Error::other("system random generator failed"),
    })?;
    let tmp = dir.join(format!(
        ".{KEY_FILE}.{}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let write = |target: &Path| -> io::Result<()> {
        let mut file = private_file_options()
            .write(true)
            .create_new(true)
            .open(target)?;
        file.write_all(&bytes[..])?;
        file.sync_all()
    };
    write(&tmp).map_err(|e| map_io(&tmp, e))?;
    let linked = fs::hard_link(&tmp, path);
    // Best effort: a stale temporary file is harmless.
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(()),
        // File systems without hard links: create in place (exclusive).
        Err(_) => match write(path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(()),
            Err(e) => return Err(map_io(path, e)),
        },
    }
    // Make the new directory entry durable (best effort; not possible everywhere).
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
