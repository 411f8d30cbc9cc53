//! What replication asks of the store: tombstones, the (id, version, signature) items a
//! reconciliation compares, records by id whether live or deleted, and batches of
//! records written in one transaction each.
//!
//! A batch is one `BEGIN IMMEDIATE … COMMIT`: a sync of 100,000 records costs a few
//! hundred commits instead of 100,000, and a crash (kill -9) mid-batch leaves the
//! batch entirely absent (SQLite's journal), never a partial record; the next sync
//! fetches it again.

use rusqlite::{OptionalExtension, Transaction, params};

use crate::changes::{ChangeEvent, RecordChangeType, append_change};
use crate::error::{Error, Result};
use crate::group::require_group;
use crate::records::{
    Guid, RECORD_COLUMNS, RecordRow, guid_column, insert_row, record_from_row, validate_record,
};
use crate::store::Store;

/// `PEER_RECORD_FLAG_DELETED`: the record is a tombstone.
pub const RECORD_FLAG_DELETED: u32 = 0x2;

/// The most records one [`Store::records_by_ids`] call returns.
pub const MAX_IDS_PER_READ: usize = 4096;

/// What a batch did to one record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Applied {
    /// The record as stored now (a tombstone has [`RECORD_FLAG_DELETED`]).
    pub row: RecordRow,
    /// The change logged (`None` for a tombstone of a record this store never held).
    pub change: Option<RecordChangeType>,
}

fn insert_tombstone(
    tx: &Transaction<'_>,
    identity: &str,
    group: &str,
    r: &RecordRow,
) -> rusqlite::Result<()> {
    let t = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    tx.prepare_cached(
        "INSERT OR REPLACE INTO group_tombstones (identity, group_peer_name, record_id,
            record_type, version, flags, creator_id, modified_by_id, attributes, created,
            expiration, last_modified, data, security_data)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        identity,
        group,
        r.id.as_bytes(),
        r.record_type.as_bytes(),
        r.version,
        r.flags,
        r.creator_id,
        r.modified_by_id,
        r.attributes,
        t(r.created),
        t(r.expiration),
        t(r.last_modified),
        r.data,
        r.security_data,
    ])?;
    Ok(())
}

fn live_row(
    tx: &Transaction<'_>,
    identity: &str,
    group: &str,
    id: &Guid,
) -> rusqlite::Result<Option<RecordRow>> {
    tx.prepare_cached(&format!(
        "SELECT {RECORD_COLUMNS} FROM group_records
         WHERE identity = ?1 AND group_peer_name = ?2 AND record_id = ?3"
    ))?
    .query_row(params![identity, group, id.as_bytes()], record_from_row)
    .optional()
}

fn tombstone_row(
    tx: &Transaction<'_>,
    identity: &str,
    group: &str,
    id: &Guid,
) -> rusqlite::Result<Option<RecordRow>> {
    tx.prepare_cached(&format!(
        "SELECT {RECORD_COLUMNS} FROM group_tombstones
         WHERE identity = ?1 AND group_peer_name = ?2 AND record_id = ?3"
    ))?
    .query_row(params![identity, group, id.as_bytes()], record_from_row)
    .optional()
}

fn delete_live(
    tx: &Transaction<'_>,
    identity: &str,
    group: &str,
    id: &Guid,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "DELETE FROM group_records WHERE identity = ?1 AND group_peer_name = ?2 AND record_id = ?3",
    )?
    .execute(params![identity, group, id.as_bytes()])?;
    Ok(())
}

fn delete_tombstone(
    tx: &Transaction<'_>,
    identity: &str,
    group: &str,
    id: &Guid,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "DELETE FROM group_tombstones WHERE identity = ?1 AND group_peer_name = ?2 AND record_id = ?3",
    )?
    .execute(params![identity, group, id.as_bytes()])?;
    Ok(())
}

fn log_record(
    tx: &Transaction<'_>,
    identity: &str,
    group: &str,
    change: RecordChangeType,
    r: &RecordRow,
) -> crate::store::TxResult<()> {
    append_change(
        tx,
        identity,
        group,
        &ChangeEvent::RecordChanged {
            change,
            record_id: r.id,
            record_type: r.record_type,
        },
    )
}

impl Store {
    /// Adds `records` (new ids) in one transaction, logging `RECORD_CHANGED / ADDED`
    /// for each: all or none.
    ///
    /// # Errors
    /// As [`Store::insert_record`] for any of them; nothing is written then.
    pub fn insert_records(&self, identity: &str, group: &str, records: &[RecordRow]) -> Result<()> {
        for r in records {
            validate_record(r)?;
        }
        self.write(|tx| {
            require_group(tx, identity, group)?;
            for r in records {
                if live_row(tx, identity, group, &r.id)?.is_some()
                    || tombstone_row(tx, identity, group, &r.id)?.is_some()
                {
                    return Err(Error::AlreadyExists {
                        what: format!("record {} of group '{group}'", r.id),
                    }
                    .into());
                }
                insert_row(tx, identity, group, r)?;
                log_record(tx, identity, group, RecordChangeType::Added, r)?;
            }
            Ok(())
        })
    }

    /// Replaces the live record `tombstone.id`, still at `previous_version`, by
    /// `tombstone` (a signed version with [`RECORD_FLAG_DELETED`]) and logs
    /// `RECORD_CHANGED / DELETED`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] when `tombstone` lacks the flag or does not raise the
    /// version; [`Error::RecordNotFound`]; [`Error::RecordVersionConflict`].
    pub fn tombstone_record(
        &self,
        identity: &str,
        group: &str,
        tombstone: &RecordRow,
        previous_version: u32,
    ) -> Result<()> {
        validate_record(tombstone)?;
        if tombstone.flags & RECORD_FLAG_DELETED == 0 || tombstone.version <= previous_version {
            return Err(Error::InvalidInput {
                reason: "a tombstone carries PEER_RECORD_FLAG_DELETED and a higher version".into(),
            });
        }
        self.write(|tx| {
            let Some(cur) = live_row(tx, identity, group, &tombstone.id)? else {
                require_group(tx, identity, group)?;
                return Err(Error::RecordNotFound {
                    group: group.to_owned(),
                    record_id: tombstone.id.to_string(),
                }
                .into());
            };
            if cur.version != previous_version {
                return Err(Error::RecordVersionConflict {
                    record_id: tombstone.id.to_string(),
                    expected: previous_version,
                    found: cur.version,
                }
                .into());
            }
            delete_live(tx, identity, group, &tombstone.id)?;
            insert_tombstone(tx, identity, group, tombstone)?;
            log_record(tx, identity, group, RecordChangeType::Deleted, tombstone)
        })
    }

    /// Applies records received from other members in one transaction. For each, the
    /// stored version (live or tombstone) is looked up and `accept(stored, incoming)`
    /// decides whether the incoming one replaces it (conflict order, creator binding:
    /// the caller's rules). Accepted records are stored and logged (`ADDED`, `UPDATED`,
    /// `DELETED`); a tombstone of a record never held is kept without an event.
    /// Returns what changed, in input order; a record over a size limit is skipped.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the identity has no such group; the store's errors
    /// (nothing of the batch is written then).
    pub fn apply_records(
        &self,
        identity: &str,
        group: &str,
        records: &[RecordRow],
        mut accept: impl FnMut(Option<&RecordRow>, &RecordRow) -> bool,
    ) -> Result<Vec<Applied>> {
        self.write(|tx| {
            require_group(tx, identity, group)?;
            let mut out = Vec::new();
            for r in records {
                if validate_record(r).is_err() {
                    continue;
                }
                let live = live_row(tx, identity, group, &r.id)?;
                let stored = match live {
                    Some(l) => Some(l),
                    None => tombstone_row(tx, identity, group, &r.id)?,
                };
                if !accept(stored.as_ref(), r) {
                    continue;
                }
                let was_live = stored
                    .as_ref()
                    .is_some_and(|s| s.flags & RECORD_FLAG_DELETED == 0);
                let change = if r.flags & RECORD_FLAG_DELETED != 0 {
                    if was_live {
                        delete_live(tx, identity, group, &r.id)?;
                    }
                    insert_tombstone(tx, identity, group, r)?;
                    was_live.then_some(RecordChangeType::Deleted)
                } else {
                    if was_live {
                        delete_live(tx, identity, group, &r.id)?;
                    } else if stored.is_some() {
                        delete_tombstone(tx, identity, group, &r.id)?;
                    }
                    insert_row(tx, identity, group, r)?;
                    Some(if was_live {
                        RecordChangeType::Updated
                    } else {
                        RecordChangeType::Added
                    })
                };
                if let Some(c) = change {
                    log_record(tx, identity, group, c, r)?;
                }
                out.push(Applied {
                    row: r.clone(),
                    change,
                });
            }
            Ok(out)
        })
    }

    /// Calls `f(id, version, security data)` for every record of the group, live and
    /// tombstones, in one read snapshot: what a reconciliation compares.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the identity has no such group.
    pub fn for_each_record_item(
        &self,
        identity: &str,
        group: &str,
        mut f: impl FnMut(Guid, u32, &[u8]),
    ) -> Result<()> {
        self.read(|tx| {
            require_group(tx, identity, group)?;
            for table in ["group_records", "group_tombstones"] {
                let mut stmt = tx.prepare_cached(&format!(
                    "SELECT record_id, version, security_data FROM {table}
                     WHERE identity = ?1 AND group_peer_name = ?2"
                ))?;
                let mut rows = stmt.query(params![identity, group])?;
                while let Some(row) = rows.next()? {
                    let id = guid_column(row, 0)?;
                    let version: u32 = row.get(1)?;
                    let sd = row.get_ref(2)?.as_blob().unwrap_or_default();
                    f(id, version, sd);
                }
            }
            Ok(())
        })
    }

    /// The records (live or tombstone) with the given ids; absent ids are skipped. At
    /// most [`MAX_IDS_PER_READ`] ids are looked up.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the identity has no such group.
    pub fn records_by_ids(
        &self,
        identity: &str,
        group: &str,
        ids: &[Guid],
    ) -> Result<Vec<RecordRow>> {
        self.read(|tx| {
            require_group(tx, identity, group)?;
            let mut out = Vec::new();
            for id in ids.iter().take(MAX_IDS_PER_READ) {
                match live_row(tx, identity, group, id)? {
                    Some(r) => out.push(r),
                    None => out.extend(tombstone_row(tx, identity, group, id)?),
                }
            }
            Ok(out)
        })
    }

    /// The tombstone of `id`, if the record was deleted and the tombstone has not
    /// expired away.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the identity has no such group.
    pub fn tombstone(&self, identity: &str, group: &str, id: &Guid) -> Result<Option<RecordRow>> {
        self.read(|tx| {
            require_group(tx, identity, group)?;
            Ok(tombstone_row(tx, identity, group, id)?)
        })
    }

    /// Removes tombstones whose expiration is at or before `now` (FILETIME); returns
    /// how many. No events: the record was already reported deleted.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the identity has no such group.
    pub fn delete_expired_tombstones(
        &self,
        identity: &str,
        group: &str,
        now: u64,
    ) -> Result<usize> {
        let now = i64::try_from(now).unwrap_or(i64::MAX);
        self.write(|tx| {
            require_group(tx, identity, group)?;
            Ok(tx
                .prepare_cached(
                    "DELETE FROM group_tombstones
                     WHERE identity = ?1 AND group_peer_name = ?2 AND expiration <= ?3",
                )?
                .execute(params![identity, group, now])?)
        })
    }
}
