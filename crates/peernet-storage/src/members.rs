//! Members known to a group's database (`PEER_MEMBER`, PeerGroupEnumMembers).

use rusqlite::{OptionalExtension, Row, params};

use rusqlite::Transaction;

use crate::changes::{ChangeEvent, MemberChangeType, append_change};
use crate::error::{Error, Result};
use crate::group::{UpsertOutcome, group_what, require_group};
use crate::store::Store;

/// Largest member attribute string, bytes of UTF-8: 64 KiB.
pub const MAX_MEMBER_ATTRIBUTES_SIZE: usize = 64 << 10;
/// Largest member GMC chain blob, bytes: 256 KiB.
pub const MAX_MEMBER_CHAIN_SIZE: usize = 256 << 10;

/// A member row.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MemberRow {
    /// `pwzIdentity`: the member's identity peer name.
    pub peer_name: String,
    /// `dwFlags` (`PEER_MEMBER_PRESENT` = 0x1) as last recorded.
    pub flags: u32,
    /// `pwzAttributes`.
    pub attributes: Option<String>,
    /// `ullNodeId`, when known.
    pub node_id: Option<u64>,
    /// The member's GMC chain (PKCS#7 or the facade's encoding), when known.
    pub gmc_chain: Option<Vec<u8>>,
}

/// Logs `MEMBER_CHANGED` of type `change` for `member_peer_name` in the group's change log.
fn append_member_change(
    tx: &Transaction<'_>,
    identity: &str,
    group: &str,
    change: MemberChangeType,
    member_peer_name: &str,
) -> crate::store::TxResult<()> {
    append_change(
        tx,
        identity,
        group,
        &ChangeEvent::MemberChanged {
            change,
            member_peer_name: member_peer_name.to_owned(),
        },
    )
}

const MEMBER_COLUMNS: &str = "member_peer_name, flags, attributes, node_id, gmc_chain";

fn member_from_row(row: &Row<'_>) -> rusqlite::Result<MemberRow> {
    let node_id: Option<i64> = row.get(3)?;
    Ok(MemberRow {
        peer_name: row.get(0)?,
        flags: row.get(1)?,
        attributes: row.get(2)?,
        // Stored as the same 64 bits (SQLite integers are signed).
        node_id: node_id.map(|n| u64::from_ne_bytes(n.to_ne_bytes())),
        gmc_chain: row.get(4)?,
    })
}

fn member_not_found(identity: &str, group: &str, member: &str) -> Error {
    Error::NotFound {
        what: format!("member '{member}' of {}", group_what(identity, group)),
    }
}

fn validate_member(m: &MemberRow) -> Result<()> {
    if m.peer_name.is_empty() {
        return Err(Error::InvalidInput {
            reason: "a member's peer name cannot be empty".into(),
        });
    }
    let attrs = m.attributes.as_ref().map_or(0, String::len);
    if attrs > MAX_MEMBER_ATTRIBUTES_SIZE {
        return Err(Error::InvalidInput {
            reason: format!(
                "member attributes are {attrs} bytes; the limit is {MAX_MEMBER_ATTRIBUTES_SIZE}"
            ),
        });
    }
    let chain = m.gmc_chain.as_ref().map_or(0, Vec::len);
    if chain > MAX_MEMBER_CHAIN_SIZE {
        return Err(Error::InvalidInput {
            reason: format!(
                "member GMC chain is {chain} bytes; the limit is {MAX_MEMBER_CHAIN_SIZE}"
            ),
        });
    }
    Ok(())
}

/// Inserts or replaces a member row (no checks, no change log); whether it existed.
pub(crate) fn upsert_member_row(
    tx: &rusqlite::Connection,
    identity: &str,
    group: &str,
    m: &MemberRow,
) -> rusqlite::Result<bool> {
    let existed = tx
        .prepare_cached(
            "SELECT 1 FROM group_members
             WHERE identity = ?1 AND group_peer_name = ?2 AND member_peer_name = ?3",
        )?
        .exists([identity, group, &m.peer_name])?;
    let node_id = m.node_id.map(|n| i64::from_ne_bytes(n.to_ne_bytes()));
    tx.prepare_cached(
        "INSERT INTO group_members (identity, group_peer_name, member_peer_name, flags,
            attributes, node_id, gmc_chain)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (identity, group_peer_name, member_peer_name) DO UPDATE SET
            flags = excluded.flags, attributes = excluded.attributes,
            node_id = excluded.node_id, gmc_chain = excluded.gmc_chain",
    )?
    .execute(params![
        identity,
        group,
        m.peer_name,
        m.flags,
        m.attributes,
        node_id,
        m.gmc_chain
    ])?;
    Ok(existed)
}

pub(crate) fn list_members(
    tx: &rusqlite::Connection,
    identity: &str,
    group: &str,
) -> rusqlite::Result<Vec<MemberRow>> {
    tx.prepare_cached(&format!(
        "SELECT {MEMBER_COLUMNS} FROM group_members
         WHERE identity = ?1 AND group_peer_name = ?2 ORDER BY member_peer_name"
    ))?
    .query_map([identity, group], member_from_row)?
    .collect()
}

impl Store {
    /// Logs a member change that alters no stored row, e.g. a member coming online
    /// ([`MemberChangeType::Connected`]) or going offline.
    ///
    /// # Errors
    /// [`Error::NotFound`](crate::Error::NotFound) when the identity has no such group.
    pub fn log_member_change(
        &self,
        identity: &str,
        group: &str,
        member_peer_name: &str,
        change: MemberChangeType,
    ) -> Result<()> {
        self.write(|tx| {
            require_group(tx, identity, group)?;
            append_member_change(tx, identity, group, change, member_peer_name)
        })
    }

    /// Inserts or replaces a member, logging `MEMBER_CHANGED / JOINED` for a new member
    /// and `MEMBER_CHANGED / UPDATED` for a replaced one.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty peer name or oversized fields;
    /// [`Error::NotFound`] when the identity has no such group.
    pub fn upsert_member(
        &self,
        identity: &str,
        group: &str,
        member: &MemberRow,
    ) -> Result<UpsertOutcome> {
        validate_member(member)?;
        self.write(|tx| {
            require_group(tx, identity, group)?;
            let existed = upsert_member_row(tx, identity, group, member)?;
            let change = if existed {
                MemberChangeType::Updated
            } else {
                MemberChangeType::Joined
            };
            append_member_change(tx, identity, group, change, &member.peer_name)?;
            Ok(if existed {
                UpsertOutcome::Replaced
            } else {
                UpsertOutcome::Inserted
            })
        })
    }

    /// One member.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the group or the member does not exist.
    pub fn member(&self, identity: &str, group: &str, member_peer_name: &str) -> Result<MemberRow> {
        self.read(|tx| {
            let row = tx
                .prepare_cached(&format!(
                    "SELECT {MEMBER_COLUMNS} FROM group_members
                     WHERE identity = ?1 AND group_peer_name = ?2 AND member_peer_name = ?3"
                ))?
                .query_row([identity, group, member_peer_name], member_from_row)
                .optional()?;
            match row {
                Some(row) => Ok(row),
                None => {
                    require_group(tx, identity, group)?;
                    Err(member_not_found(identity, group, member_peer_name).into())
                }
            }
        })
    }

    /// The group's members, sorted by peer name.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the identity has no such group.
    pub fn members(&self, identity: &str, group: &str) -> Result<Vec<MemberRow>> {
        self.read(|tx| {
            require_group(tx, identity, group)?;
            Ok(list_members(tx, identity, group)?)
        })
    }

    /// Deletes a member row, logging `MEMBER_CHANGED / LEFT`.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the group or the member does not exist.
    pub fn delete_member(&self, identity: &str, group: &str, member_peer_name: &str) -> Result<()> {
        self.write(|tx| {
            let removed = tx
                .prepare_cached(
                    "DELETE FROM group_members
                     WHERE identity = ?1 AND group_peer_name = ?2 AND member_peer_name = ?3",
                )?
                .execute([identity, group, member_peer_name])?;
            if removed == 0 {
                require_group(tx, identity, group)?;
                return Err(member_not_found(identity, group, member_peer_name).into());
            }
            append_member_change(
                tx,
                identity,
                group,
                MemberChangeType::Left,
                member_peer_name,
            )
        })
    }
}
