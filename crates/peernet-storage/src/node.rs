//! What the store keeps for its network node: the node key (sealed like the other
//! keys), the node's listen addresses, and the connection events it logs.

use ring::rand::SecureRandom;
use rusqlite::{OptionalExtension, params};
use zeroize::Zeroizing;

use crate::changes::{ChangeEvent, append_change};
use crate::error::{Error, Result};
use crate::group::require_group;
use crate::seal::Purpose;
use crate::store::Store;

/// Length of the node key (an ed25519 secret key).
pub const NODE_KEY_LEN: usize = 32;

const NODE_KEY: &str = "node.key";
const NODE_LISTEN: &str = "node.listen";

impl Store {
    /// The store's node key, created (32 random bytes, sealed) on first use. Every
    /// process of the store gets the same key, so the node keeps its PeerId across runs.
    ///
    /// # Errors
    /// [`Error::Corrupted`] when the sealed key cannot be opened; [`Error::Io`] when the
    /// system random generator fails; [`Error::Sqlite`] on a database failure.
    pub fn node_key(&self) -> Result<Zeroizing<[u8; NODE_KEY_LEN]>> {
        let sealed: Vec<u8> = self.write(|tx| {
            let existing: Option<Vec<u8>> = tx
                .prepare_cached("SELECT value FROM settings WHERE name = ?1")?
                .query_row([NODE_KEY], |r| r.get(0))
                .optional()?;
            if let Some(blob) = existing {
                return Ok(blob);
            }
            let mut fresh = Zeroizing::new([0u8; NODE_KEY_LEN]);
            self.rng.fill(&mut fresh[..]).map_err(|_| Error::Io {
                path: self.dir().to_path_buf(),
                source: std::io::Error::other("the system random generator failed"),
            })?;
            let blob = self.seal(Purpose::NodeKey, "", None, &fresh[..])?;
            tx.prepare_cached("INSERT INTO settings (name, value) VALUES (?1, ?2)")?
                .execute(params![NODE_KEY, blob])?;
            Ok(blob)
        })?;
        let plain = self.unseal(Purpose::NodeKey, "", None, &sealed, "the node key")?;
        let bytes: [u8; NODE_KEY_LEN] = plain[..].try_into().map_err(|_| Error::Corrupted {
            path: self.db_path().to_path_buf(),
            reason: format!("the node key is {} bytes, not {NODE_KEY_LEN}", plain.len()),
        })?;
        Ok(Zeroizing::new(bytes))
    }

    /// The node's configured listen addresses (as written by
    /// [`Store::set_node_listen`]); `None` when never configured.
    ///
    /// # Errors
    /// [`Error::Sqlite`] on a database failure.
    pub fn node_listen(&self) -> Result<Option<String>> {
        self.read(|tx| {
            let v: Option<Vec<u8>> = tx
                .prepare_cached("SELECT value FROM settings WHERE name = ?1")?
                .query_row([NODE_LISTEN], |r| r.get(0))
                .optional()?;
            Ok(v.map(|b| String::from_utf8_lossy(&b).into_owned()))
        })
    }

    /// Sets (or with `None` clears) the node's listen addresses, a comma-separated list
    /// of socket addresses that the facade parses.
    ///
    /// # Errors
    /// [`Error::Sqlite`] on a database failure.
    pub fn set_node_listen(&self, listen: Option<&str>) -> Result<()> {
        self.write(|tx| {
            match listen {
                Some(v) => tx
                    .prepare_cached(
                        "INSERT INTO settings (name, value) VALUES (?1, ?2)
                         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                    )?
                    .execute(params![NODE_LISTEN, v.as_bytes()])?,
                None => tx
                    .prepare_cached("DELETE FROM settings WHERE name = ?1")?
                    .execute([NODE_LISTEN])?,
            };
            Ok(())
        })
    }

    /// Logs a network event of the group (`NEIGHBOR_CONNECTION`, `CONNECTION_FAILED`,
    /// `AUTHENTICATION_FAILED`, `MEMBER_CHANGED` CONNECTED / DISCONNECTED) in the change log, so that every process with a
    /// registration receives it.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an event that is not a network event;
    /// [`Error::NotFound`] when the identity has no such group.
    pub fn log_network_event(
        &self,
        identity: &str,
        group_peer_name: &str,
        event: &ChangeEvent,
    ) -> Result<()> {
        if !matches!(
            event,
            ChangeEvent::NeighborConnection { .. }
                | ChangeEvent::ConnectionFailed { .. }
                | ChangeEvent::AuthenticationFailed { .. }
                | ChangeEvent::MemberChanged {
                    change: crate::MemberChangeType::Connected
                        | crate::MemberChangeType::Disconnected,
                    ..
                }
        ) {
            return Err(Error::InvalidInput {
                reason: "only network events are logged through log_network_event".into(),
            });
        }
        self.write(|tx| {
            require_group(tx, identity, group_peer_name)?;
            append_change(tx, identity, group_peer_name, event)
        })
    }
}
