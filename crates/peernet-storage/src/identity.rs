//! Identities: peer name, friendly name, profile, IDC and the sealed private key.

use std::time::SystemTime;

use rusqlite::{OptionalExtension, Row, params};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::seal::Purpose;
use crate::store::{Store, TxResult, now_secs, system_time};

/// An identity to insert. The private key is passed separately to
/// [`Store::insert_identity`] so that it never sits in a cloneable struct.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewIdentity {
    /// Secure peer name `authority.classifier` (unique, case-sensitive).
    pub peer_name: String,
    /// Display name.
    pub friendly_name: String,
    /// Certificate profile, `"windows"` or `"modern"` (stored as given).
    pub profile: String,
    /// The identity certificate (IDC), DER.
    pub idc: Vec<u8>,
}

/// A stored identity (without its private key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// Secure peer name.
    pub peer_name: String,
    /// Display name.
    pub friendly_name: String,
    /// Certificate profile.
    pub profile: String,
    /// The identity certificate (IDC), DER.
    pub idc: Vec<u8>,
    /// When the identity was stored (second precision).
    pub created: SystemTime,
    /// Whether this is the user's default identity.
    pub is_default: bool,
}

const IDENTITY_COLUMNS: &str = "peer_name, friendly_name, profile, idc, created, is_default";

fn identity_from_row(row: &Row<'_>) -> rusqlite::Result<Identity> {
    Ok(Identity {
        peer_name: row.get(0)?,
        friendly_name: row.get(1)?,
        profile: row.get(2)?,
        idc: row.get(3)?,
        created: system_time(row.get(4)?),
        is_default: row.get(5)?,
    })
}

pub(crate) fn identity_what(peer_name: &str) -> String {
    format!("identity '{peer_name}'")
}

/// Fails with `NotFound` unless the identity exists.
pub(crate) fn require_identity(tx: &rusqlite::Connection, peer_name: &str) -> TxResult<()> {
    let exists = tx
        .prepare_cached("SELECT 1 FROM identities WHERE peer_name = ?1")?
        .exists([peer_name])?;
    if exists {
        Ok(())
    } else {
        Err(Error::NotFound {
            what: identity_what(peer_name),
        }
        .into())
    }
}

impl Store {
    /// Stores a new identity with its PKCS#8 private key, sealed under the store key.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty peer name; [`Error::AlreadyExists`] when an
    /// identity with this peer name exists.
    pub fn insert_identity(&self, identity: &NewIdentity, private_key_pkcs8: &[u8]) -> Result<()> {
        if identity.peer_name.is_empty() {
            return Err(Error::InvalidInput {
                reason: "an identity's peer name cannot be empty".into(),
            });
        }
        let sealed = self.seal(
            Purpose::IdentityKey,
            &identity.peer_name,
            None,
            private_key_pkcs8,
        )?;
        let now = now_secs();
        self.write(|tx| {
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO identities (peer_name, friendly_name, profile, idc, sealed_key, created)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (peer_name) DO NOTHING",
                )?
                .execute(params![
                    identity.peer_name,
                    identity.friendly_name,
                    identity.profile,
                    identity.idc,
                    sealed,
                    now
                ])?;
            if inserted == 0 {
                return Err(Error::AlreadyExists {
                    what: identity_what(&identity.peer_name),
                }
                .into());
            }
            Ok(())
        })
    }

    /// The identity with this peer name.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is none.
    pub fn identity(&self, peer_name: &str) -> Result<Identity> {
        self.read(|tx| {
            tx.prepare_cached(&format!(
                "SELECT {IDENTITY_COLUMNS} FROM identities WHERE peer_name = ?1"
            ))?
            .query_row([peer_name], identity_from_row)
            .optional()?
            .ok_or_else(|| {
                Error::NotFound {
                    what: identity_what(peer_name),
                }
                .into()
            })
        })
    }

    /// All identities, sorted by peer name (byte order).
    ///
    /// # Errors
    /// [`Error::Sqlite`] / [`Error::Corrupted`] on a database failure.
    pub fn identities(&self) -> Result<Vec<Identity>> {
        self.read(|tx| {
            let mut stmt = tx.prepare_cached(&format!(
                "SELECT {IDENTITY_COLUMNS} FROM identities ORDER BY peer_name"
            ))?;
            let rows = stmt.query_map([], identity_from_row)?;
            Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    /// Changes an identity's friendly name.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is no such identity.
    pub fn set_identity_friendly_name(&self, peer_name: &str, friendly_name: &str) -> Result<()> {
        self.write(|tx| {
            let changed = tx
                .prepare_cached("UPDATE identities SET friendly_name = ?2 WHERE peer_name = ?1")?
                .execute(params![peer_name, friendly_name])?;
            if changed == 0 {
                return Err(Error::NotFound {
                    what: identity_what(peer_name),
                }
                .into());
            }
            Ok(())
        })
    }

    /// Deletes an identity and its private key.
    ///
    /// # Errors
    /// [`Error::GroupsExist`] while the identity has groups; [`Error::NotFound`] when
    /// there is no such identity.
    pub fn delete_identity(&self, peer_name: &str) -> Result<()> {
        self.write(|tx| {
            require_identity(tx, peer_name)?;
            let count: u64 = tx
                .prepare_cached("SELECT count(*) FROM groups WHERE identity = ?1")?
                .query_row([peer_name], |r| r.get(0))?;
            if count > 0 {
                return Err(Error::GroupsExist {
                    identity: peer_name.to_owned(),
                    count,
                }
                .into());
            }
            tx.prepare_cached("DELETE FROM identities WHERE peer_name = ?1")?
                .execute([peer_name])?;
            Ok(())
        })
    }

    /// The default identity's peer name, if one is set.
    ///
    /// # Errors
    /// [`Error::Sqlite`] on a database failure.
    pub fn default_identity(&self) -> Result<Option<String>> {
        self.read(|tx| {
            Ok(tx
                .prepare_cached("SELECT peer_name FROM identities WHERE is_default = 1")?
                .query_row([], |r| r.get(0))
                .optional()?)
        })
    }

    /// Makes this identity the default (and no other).
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is no such identity.
    pub fn set_default_identity(&self, peer_name: &str) -> Result<()> {
        self.write(|tx| {
            require_identity(tx, peer_name)?;
            tx.prepare_cached("UPDATE identities SET is_default = 0 WHERE is_default = 1")?
                .execute([])?;
            tx.prepare_cached("UPDATE identities SET is_default = 1 WHERE peer_name = ?1")?
                .execute([peer_name])?;
            Ok(())
        })
    }

    /// Clears the default-identity marker.
    ///
    /// # Errors
    /// [`Error::Sqlite`] on a database failure.
    pub fn clear_default_identity(&self) -> Result<()> {
        self.write(|tx| {
            tx.prepare_cached("UPDATE identities SET is_default = 0 WHERE is_default = 1")?
                .execute([])?;
            Ok(())
        })
    }

    /// Unseals the identity's PKCS#8 private key.
    ///
    /// # Errors
    /// [`Error::NotFound`] when there is no such identity; [`Error::Corrupted`] when the
    /// sealed key cannot be opened with this store's key.
    pub fn identity_private_key(&self, peer_name: &str) -> Result<Zeroizing<Vec<u8>>> {
        let sealed: Vec<u8> = self.read(|tx| {
            tx.prepare_cached("SELECT sealed_key FROM identities WHERE peer_name = ?1")?
                .query_row([peer_name], |r| r.get(0))
                .optional()?
                .ok_or_else(|| {
                    Error::NotFound {
                        what: identity_what(peer_name),
                    }
                    .into()
                })
        })?;
        self.unseal(
            Purpose::IdentityKey,
            peer_name,
            None,
            &sealed,
            &format!("the private key of identity '{peer_name}'"),
        )
    }
}
