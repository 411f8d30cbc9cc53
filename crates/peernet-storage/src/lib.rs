//! SQLite store for peernet identities, sealed private keys, groups, clouds, group records
//! and members, and the cross-process change feed that carries group events.
//!
//! The store keeps the bytes it is handed (DER certificates, PKCS#8 keys) without parsing
//! them. A store is a directory holding `store.db` (SQLite, WAL) and `store.key` (32 random
//! bytes). Every private key and password verifier is sealed with AES-256-GCM under the
//! store key, bound by associated data to the row it belongs to; nothing secret is ever
//! written to `store.db` in clear. See `docs/STORAGE.md` for the schema, locking and
//! crash-safety rules.
//!
//! ```no_run
//! use peernet_storage::{NewIdentity, Store};
//!
//! # fn main() -> Result<(), peernet_storage::Error> {
//! let store = Store::open("/tmp/peernet-example")?;
//! store.insert_identity(
//!     &NewIdentity {
//!         peer_name: "0123abcd.Alice".into(),
//!         friendly_name: "Alice".into(),
//!         profile: "modern".into(),
//!         idc: vec![0x30, 0x00],
//!     },
//!     b"PKCS#8 bytes",
//! )?;
//! let key = store.identity_private_key("0123abcd.Alice")?; // Zeroizing<Vec<u8>>
//! # drop(key);
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]

mod changes;
mod cloud;
mod error;
mod export;
mod group;
mod identity;
mod members;
mod node;
mod records;
mod replica;
mod schema;
mod seal;
mod store;
#[doc(hidden)]
pub mod testing;
mod watch;

pub use changes::{
    CHANGE_LOG_PRUNE_EVERY, CHANGE_LOG_RETENTION, CHANGES_BATCH, Change, ChangeEvent,
    ConnectionStatus, DEFAULT_POLL_INTERVAL, MemberChangeType, RecordChangeType, event_type,
};
pub use cloud::{Cloud, CloudScope, GLOBAL_CLOUD, private_cloud_scope};
pub use error::{Error, Result};
pub use export::{DATABASE_EXPORT_MAGIC, DATABASE_EXPORT_VERSION, MAX_DATABASE_EXPORT_SIZE};
pub use group::{
    Group, GroupCloud, GroupProperties, GroupSecrets, NewGroup, SecretUpdate, UpsertOutcome,
};
pub use identity::{Identity, NewIdentity};
pub use members::{MAX_MEMBER_ATTRIBUTES_SIZE, MAX_MEMBER_CHAIN_SIZE, MemberRow};
pub use node::NODE_KEY_LEN;
pub use records::{
    Guid, MAX_RECORD_ATTRIBUTES_SIZE, MAX_RECORD_DATA_SIZE, MAX_RECORD_PEER_NAME_SIZE,
    MAX_RECORD_SECURITY_DATA_SIZE, RECORD_SCAN_PAGE, RecordKey, RecordRow,
};
pub use replica::{Applied, MAX_IDS_PER_READ, RECORD_FLAG_DELETED};
pub use store::{DB_FILE, HOME_ENV, KEY_FILE, Store};
pub use watch::ChangeWatcher;
pub use zeroize::Zeroizing;

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn store_is_send_and_sync() {
        assert_send_sync::<Store>();
        assert_send_sync::<Error>();
    }

    #[test]
    fn watcher_can_move_to_a_thread() {
        fn assert_send<T: Send>() {}
        assert_send::<ChangeWatcher>();
    }
}
