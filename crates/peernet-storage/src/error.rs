//! The one error type of this crate.

use std::path::PathBuf;

/// Convenience alias for results of store operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the store.
///
/// Each variant corresponds to one Windows HRESULT the facade reports (noted per
/// variant). Messages name the file or the peer name concerned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The object to insert already exists (→ `PEER_E_ALREADY_EXISTS`).
    #[error("{what} already exists")]
    AlreadyExists {
        /// What exists, e.g. `identity 'abc….Alice'`.
        what: String,
    },

    /// A private cloud name matched more than one local private cloud of the same scope
    /// (→ `PEER_E_CLOUD_NAME_AMBIGUOUS`).
    #[error(
        "cloud name '{name}' is ambiguous: it could be any of {candidates:?}; name the cloud explicitly"
    )]
    CloudNameAmbiguous {
        /// The name asked for.
        name: String,
        /// The local clouds it could mean, sorted.
        candidates: Vec<String>,
    },

    /// A store file is not a peernet database, is damaged, or a sealed secret cannot be
    /// opened with this store's key (→ `PEER_E_CERT_STORE_CORRUPTED`).
    #[error("store file '{path}' is corrupted: {reason}")]
    Corrupted {
        /// The damaged file.
        path: PathBuf,
        /// What was found wrong.
        reason: String,
    },

    /// The database was written by a newer schema than this build knows, or could not be
    /// initialised (→ `PEER_E_DBINITIALIZATION_FAILED`).
    #[error("store database '{path}' cannot be initialised: {reason}")]
    DbInitialization {
        /// The database file.
        path: PathBuf,
        /// Why, e.g. the schema versions found and supported.
        reason: String,
    },

    /// An identity still has groups and so cannot be deleted (→ `PEER_E_GROUPS_EXIST`).
    #[error("identity '{identity}' still has {count} group(s); delete them first")]
    GroupsExist {
        /// The identity's peer name.
        identity: String,
        /// How many groups it has.
        count: u64,
    },

    /// The caller passed a value the store refuses (→ `E_INVALIDARG`).
    #[error("invalid argument: {reason}")]
    InvalidInput {
        /// What was wrong.
        reason: String,
    },

    /// Any other I/O failure on a store file.
    #[error("I/O error on '{path}': {source}")]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// No local cloud matches the name (→ `PEER_E_NO_CLOUD`).
    #[error("no cloud named '{name}' exists on this machine")]
    NoCloud {
        /// The name asked for.
        name: String,
    },

    /// The key file or the store cannot be read or written by this user, or the key file is
    /// not a 32-byte key (→ `PEER_E_NO_KEY_ACCESS`).
    #[error("no access to '{path}': {reason}")]
    NoKeyAccess {
        /// The file or directory that cannot be used.
        path: PathBuf,
        /// Why.
        reason: String,
    },

    /// The object does not exist (→ `PEER_E_NOT_FOUND`).
    #[error("{what} not found")]
    NotFound {
        /// What is missing, e.g. `identity 'abc….Alice'`.
        what: String,
    },

    /// A group record does not exist (→ `PEER_E_RECORD_NOT_FOUND`).
    #[error("record {record_id} of group '{group}' not found")]
    RecordNotFound {
        /// The group's peer name.
        group: String,
        /// The record id, as a GUID string.
        record_id: String,
    },

    /// A record field is larger than the store accepts (→ `PEER_E_MAX_RECORD_SIZE_EXCEEDED`).
    #[error("record {field} is {size} bytes; the limit is {limit} bytes")]
    RecordTooLarge {
        /// The field, e.g. `data` or `attributes`.
        field: &'static str,
        /// Its size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },

    /// An update's compare-and-swap failed: the stored version is not the one the update
    /// was based on, because another writer updated the record first. The facade re-reads
    /// and retries; if it gives up, `PEER_E_INVALID_RECORD`.
    #[error(
        "record {record_id} was changed concurrently: expected version {expected}, found {found}"
    )]
    RecordVersionConflict {
        /// The record id, as a GUID string.
        record_id: String,
        /// The version the update was based on.
        expected: u32,
        /// The version stored.
        found: u32,
    },

    /// A database export file belongs to another group or identity
    /// (→ `PEER_E_INVALID_DATABASE`).
    #[error(
        "database file '{path}' belongs to group '{found_group}' of identity '{found_identity}', not to group '{group}' of identity '{identity}'"
    )]
    DatabaseMismatch {
        /// The file.
        path: PathBuf,
        /// The identity importing.
        identity: String,
        /// The group importing.
        group: String,
        /// The identity the file was exported for.
        found_identity: String,
        /// The group the file was exported from.
        found_group: String,
    },

    /// A database export file is not one, is damaged, truncated, too large or of an
    /// unknown version (→ `PEER_E_INVALID_DATABASE`). The store is left unchanged.
    #[error("'{path}' is not a valid peernet database export: {reason}")]
    InvalidDatabase {
        /// The file.
        path: PathBuf,
        /// What was found wrong.
        reason: String,
    },

    /// Any other SQLite failure (→ `E_FAIL`).
    #[error("SQLite error on '{path}': {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// The underlying SQLite error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_formats_with_its_subject() {
        let path = || PathBuf::from("/home/u/.local/share/peernet/store.db");
        let cases: Vec<(Error, &str)> = vec![
            (
                Error::AlreadyExists {
                    what: "identity 'ab.c'".into(),
                },
                "identity 'ab.c' already exists",
            ),
            (
                Error::CloudNameAmbiguous {
                    name: "LinkLocal_{X}".into(),
                    candidates: vec!["LinkLocal_{A}".into(), "LinkLocal_{B}".into()],
                },
                "cloud name 'LinkLocal_{X}' is ambiguous: it could be any of [\"LinkLocal_{A}\", \"LinkLocal_{B}\"]; name the cloud explicitly",
            ),
            (
                Error::Corrupted {
                    path: path(),
                    reason: "file is not a database".into(),
                },
                "store file '/home/u/.local/share/peernet/store.db' is corrupted: file is not a database",
            ),
            (
                Error::DbInitialization {
                    path: path(),
                    reason: "schema version 9".into(),
                },
                "store database '/home/u/.local/share/peernet/store.db' cannot be initialised: schema version 9",
            ),
            (
                Error::GroupsExist {
                    identity: "ab.c".into(),
                    count: 1,
                },
                "identity 'ab.c' still has 1 group(s); delete them first",
            ),
            (
                Error::InvalidInput {
                    reason: "empty name".into(),
                },
                "invalid argument: empty name",
            ),
            (
                Error::Io {
                    path: path(),
                    source: std::io::Error::other("disk on fire"),
                },
                "I/O error on '/home/u/.local/share/peernet/store.db': disk on fire",
            ),
            (
                Error::NoCloud {
                    name: "SiteLocal_%3".into(),
                },
                "no cloud named 'SiteLocal_%3' exists on this machine",
            ),
            (
                Error::NoKeyAccess {
                    path: PathBuf::from("/s/store.key"),
                    reason: "Permission denied (os error 13)".into(),
                },
                "no access to '/s/store.key': Permission denied (os error 13)",
            ),
            (
                Error::NotFound {
                    what: "group 'g' of identity 'i'".into(),
                },
                "group 'g' of identity 'i' not found",
            ),
            (
                Error::RecordNotFound {
                    group: "g".into(),
                    record_id: "{00000001-0000-0000-0000-000000000000}".into(),
                },
                "record {00000001-0000-0000-0000-000000000000} of group 'g' not found",
            ),
            (
                Error::RecordTooLarge {
                    field: "data",
                    size: 2,
                    limit: 1,
                },
                "record data is 2 bytes; the limit is 1 bytes",
            ),
            (
                Error::RecordVersionConflict {
                    record_id: "{r}".into(),
                    expected: 1,
                    found: 2,
                },
                "record {r} was changed concurrently: expected version 1, found 2",
            ),
            (
                Error::DatabaseMismatch {
                    path: PathBuf::from("/b.db"),
                    identity: "i".into(),
                    group: "g".into(),
                    found_identity: "j".into(),
                    found_group: "h".into(),
                },
                "database file '/b.db' belongs to group 'h' of identity 'j', not to group 'g' of identity 'i'",
            ),
            (
                Error::InvalidDatabase {
                    path: PathBuf::from("/b.db"),
                    reason: "bad magic".into(),
                },
                "'/b.db' is not a valid peernet database export: bad magic",
            ),
            (
                Error::Sqlite {
                    path: path(),
                    source: Box::new(std::io::Error::other("disk I/O error")),
                },
                "SQLite error on '/home/u/.local/share/peernet/store.db': disk I/O error",
            ),
        ];
        for (error, text) in cases {
            assert_eq!(error.to_string(), text);
        }
        let io = Error::Io {
            path: path(),
            source: std::io::Error::other("x"),
        };
        assert!(std::error::Error::source(&io).is_some());
    }
}
