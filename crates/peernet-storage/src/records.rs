//! Group records (`PEER_RECORD`, PeerGroupAddRecord and its family) per (identity, group).
//!
//! The store keeps what it is handed: attribute XML as text (validated by the facade),
//! data and security data (the author's signature) as opaque bytes. It enforces the size
//! limits below, existence, and version compare-and-swap on update, and logs every change
//! in the change log in the same transaction.

use std::ops::ControlFlow;

use rusqlite::{OptionalExtension, Row, Transaction, params};

use crate::changes::{ChangeEvent, RecordChangeType, append_change};
use crate::error::{Error, Result};
use crate::group::{group_what, require_group};
use crate::store::Store;

pub use peernet_protocol::Guid;

/// Reads a 16-byte GUID column (the schema checks the length).
pub(crate) fn guid_column(row: &Row<'_>, index: usize) -> rusqlite::Result<Guid> {
    row.get::<_, [u8; 16]>(index).map(Guid::from_bytes)
}

/// Largest record payload (`PEER_RECORD.data`), bytes: 1 MiB.
pub const MAX_RECORD_DATA_SIZE: usize = 1 << 20;
/// Largest attribute XML (`PEER_RECORD.pwzAttributes`), bytes of UTF-8: 64 KiB.
pub const MAX_RECORD_ATTRIBUTES_SIZE: usize = 64 << 10;
/// Largest security data (the record signature), bytes: 16 KiB.
pub const MAX_RECORD_SECURITY_DATA_SIZE: usize = 16 << 10;
/// Largest creator / modifier peer name, bytes of UTF-8.
pub const MAX_RECORD_PEER_NAME_SIZE: usize = 1024;
/// Rows per page of [`Store::for_each_record`].
pub const RECORD_SCAN_PAGE: usize = 512;

/// A stored group record.
///
/// Times are FILETIME ticks (100 ns since 1601-01-01 UTC), as in `PEER_RECORD`; they
/// must not exceed `i64::MAX`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RecordRow {
    /// `id`.
    pub id: Guid,
    /// `type`.
    pub record_type: Guid,
    /// `dwVersion` (1 on creation, +1 per update).
    pub version: u32,
    /// `dwFlags` (`PEER_RECORD_FLAGS`).
    pub flags: u32,
    /// `pwzCreatorId`: the creator's peer name.
    pub creator_id: String,
    /// `pwzModifiedById`: the last modifier's peer name.
    pub modified_by_id: String,
    /// `pwzAttributes`: attribute XML, as validated by the facade.
    pub attributes: Option<String>,
    /// `ftCreation`.
    pub created: u64,
    /// `ftExpiration`.
    pub expiration: u64,
    /// `ftLastModified`.
    pub last_modified: u64,
    /// `data`.
    pub data: Vec<u8>,
    /// `securityData`: the author's signature, opaque to the store.
    pub security_data: Vec<u8>,
}

/// A record's id and type (what a removal reports).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordKey {
    /// The record id.
    pub id: Guid,
    /// The record type.
    pub record_type: Guid,
}

pub(crate) const RECORD_COLUMNS: &str = "record_id, record_type, version, flags, creator_id,
    modified_by_id, attributes, created, expiration, last_modified, data, security_data";

pub(crate) fn record_from_row(row: &Row<'_>) -> rusqlite::Result<RecordRow> {
    record_at(row, 0)
}

/// A record whose columns start at index 1 (after a leading `rowid`).
fn record_from_offset_row(row: &Row<'_>) -> rusqlite::Result<RecordRow> {
    record_at(row, 1)
}

fn record_at(row: &Row<'_>, o: usize) -> rusqlite::Result<RecordRow> {
    Ok(RecordRow {
        id: guid_column(row, o)?,
        record_type: guid_column(row, o + 1)?,
        version: row.get(o + 2)?,
        flags: row.get(o + 3)?,
        creator_id: row.get(o + 4)?,
        modified_by_id: row.get(o + 5)?,
        attributes: row.get(o + 6)?,
        created: row.get(o + 7)?,
        expiration: row.get(o + 8)?,
        last_modified: row.get(o + 9)?,
        data: row.get(o + 10)?,
        security_data: row.get(o + 11)?,
    })
}

fn time_param(field: &str, t: u64) -> Result<i64> {
    i64::try_from(t).map_err(|_| Error::InvalidInput {
        reason: format!("record {field} time {t} is beyond the FILETIME range"),
    })
}

fn check_size(field: &'static str, size: usize, limit: usize) -> Result<()> {
    if size > limit {
        Err(Error::RecordTooLarge { field, size, limit })
    } else {
        Ok(())
    }
}

/// Checks a record against the store's limits.
pub(crate) fn validate_record(r: &RecordRow) -> Result<()> {
    check_size("data", r.data.len(), MAX_RECORD_DATA_SIZE)?;
    check_size(
        "attributes",
        r.attributes.as_ref().map_or(0, String::len),
        MAX_RECORD_ATTRIBUTES_SIZE,
    )?;
    check_size(
        "security data",
        r.security_data.len(),
        MAX_RECORD_SECURITY_DATA_SIZE,
    )?;
    check_size("creator id", r.creator_id.len(), MAX_RECORD_PEER_NAME_SIZE)?;
    check_size(
        "modified-by id",
        r.modified_by_id.len(),
        MAX_RECORD_PEER_NAME_SIZE,
    )?;
    if r.creator_id.is_empty() || r.modified_by_id.is_empty() {
        return Err(Error::InvalidInput {
            reason: "a record's creator and modifier ids cannot be empty".into(),
        });
    }
    time_param("creation", r.created)?;
    time_param("expiration", r.expiration)?;
    time_param("last-modified", r.last_modified)?;
    Ok(())
}

fn record_not_found(group: &str, id: &Guid) -> Error {
    Error::RecordNotFound {
        group: group.to_owned(),
        record_id: id.to_string(),
    }
}

/// Inserts one record row (no checks, no change log).
pub(crate) fn insert_row(
    tx: &Transaction<'_>,
    identity: &str,
    group: &str,
    r: &RecordRow,
) -> rusqlite::Result<()> {
    let t = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    tx.prepare_cached(
        "INSERT INTO group_records (identity, group_peer_name, record_id, record_type, version,
            flags, creator_id, modified_by_id, attributes, created, expiration, last_modified,
            data, security_data)
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

/// The SQL condition selecting a type (or all), with parameter `?3`. Each shape is its
/// own statement so that SQLite uses the matching index (a `?3 IS NULL OR …` condition
/// would defeat it).
fn type_filter(record_type: Option<&Guid>) -> (&'static str, Option<&[u8]>) {
    match record_type {
        Some(t) => (" AND record_type = ?3", Some(t.as_bytes())),
        None => ("", None),
    }
}

impl Store {
    /// Adds a record to the group and logs `RECORD_CHANGED / ADDED`.
    ///
    /// # Errors
    /// [`Error::RecordTooLarge`] over a size limit; [`Error::InvalidInput`] for empty
    /// creator/modifier ids or out-of-range times; [`Error::NotFound`] when the identity
    /// has no such group; [`Error::AlreadyExists`] when the record id is taken.
    pub fn insert_record(&self, identity: &str, group: &str, record: &RecordRow) -> Result<()> {
        validate_record(record)?;
        self.write(|tx| {
            require_group(tx, identity, group)?;
            let exists = tx
                .prepare_cached(
                    "SELECT 1 FROM group_records
                     WHERE identity = ?1 AND group_peer_name = ?2 AND record_id = ?3",
                )?
                .exists(params![identity, group, record.id.as_bytes()])?;
            if exists {
                return Err(Error::AlreadyExists {
                    what: format!("record {} of {}", record.id, group_what(identity, group)),
                }
                .into());
            }
            insert_row(tx, identity, group, record)?;
            append_change(
                tx,
                identity,
                group,
                &ChangeEvent::RecordChanged {
                    change: RecordChangeType::Added,
                    record_id: record.id,
                    record_type: record.record_type,
                },
            )
        })
    }

    /// Replaces a record with `record` (same id and type, higher version), provided the
    /// stored version is still `previous_version` (compare-and-swap), and logs
    /// `RECORD_CHANGED / UPDATED`.
    ///
    /// # Errors
    /// [`Error::RecordTooLarge`] over a size limit; [`Error::InvalidInput`] when
    /// `record.version <= previous_version`, or the type, creator id or creation time
    /// differs from the stored one;
    /// [`Error::NotFound`] when the identity has no such group; [`Error::RecordNotFound`]
    /// when the record does not exist; [`Error::RecordVersionConflict`] when the stored
    /// version is not `previous_version`.
    pub fn update_record(
        &self,
        identity: &str,
        group: &str,
        record: &RecordRow,
        previous_version: u32,
    ) -> Result<()> {
        validate_record(record)?;
        if record.version <= previous_version {
            return Err(Error::InvalidInput {
                reason: format!(
                    "a record update must raise its version (from {previous_version}, got {})",
                    record.version
                ),
            });
        }
        self.write(|tx| {
            let stored: Option<(u32, Guid, String, u64)> = tx
                .prepare_cached(
                    "SELECT version, record_type, creator_id, created FROM group_records
                     WHERE identity = ?1 AND group_peer_name = ?2 AND record_id = ?3",
                )?
                .query_row(params![identity, group, record.id.as_bytes()], |r| {
                    Ok((r.get(0)?, guid_column(r, 1)?, r.get(2)?, r.get(3)?))
                })
                .optional()?;
            let Some((version, record_type, creator_id, created)) = stored else {
                require_group(tx, identity, group)?;
                return Err(record_not_found(group, &record.id).into());
            };
            if version != previous_version {
                return Err(Error::RecordVersionConflict {
                    record_id: record.id.to_string(),
                    expected: previous_version,
                    found: version,
                }
                .into());
            }
            if record_type != record.record_type {
                return Err(Error::InvalidInput {
                    reason: format!(
                        "record {} has type {}; an update cannot change it",
                        record.id, record_type
                    ),
                }
                .into());
            }
            if creator_id != record.creator_id || created != record.created {
                return Err(Error::InvalidInput {
                    reason: format!(
                        "record {}: an update cannot change its creator or creation time",
                        record.id
                    ),
                }
                .into());
            }
            let t = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
            let changed = tx
                .prepare_cached(
                    "UPDATE group_records SET version = ?4, flags = ?5, creator_id = ?6,
                        modified_by_id = ?7, attributes = ?8, created = ?9, expiration = ?10,
                        last_modified = ?11, data = ?12, security_data = ?13
                     WHERE identity = ?1 AND group_peer_name = ?2 AND record_id = ?3
                        AND version = ?14",
                )?
                .execute(params![
                    identity,
                    group,
                    record.id.as_bytes(),
                    record.version,
                    record.flags,
                    record.creator_id,
                    record.modified_by_id,
                    record.attributes,
                    t(record.created),
                    t(record.expiration),
                    t(record.last_modified),
                    record.data,
                    record.security_data,
                    previous_version,
                ])?;
            if changed != 1 {
                // Cannot happen inside BEGIN IMMEDIATE; kept as the CAS of record.
                return Err(Error::RecordVersionConflict {
                    record_id: record.id.to_string(),
                    expected: previous_version,
                    found: version,
                }
                .into());
            }
            append_change(
                tx,
                identity,
                group,
                &ChangeEvent::RecordChanged {
                    change: RecordChangeType::Updated,
                    record_id: record.id,
                    record_type: record.record_type,
                },
            )
        })
    }

    /// Deletes a record and logs `RECORD_CHANGED / DELETED`; returns its id and type.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the identity has no such group; [`Error::RecordNotFound`]
    /// when the record does not exist.
    pub fn delete_record(&self, identity: &str, group: &str, id: &Guid) -> Result<RecordKey> {
        self.write(|tx| {
            let record_type: Option<Guid> = tx
                .prepare_cached(
                    "DELETE FROM group_records
                     WHERE identity = ?1 AND group_peer_name = ?2 AND record_id = ?3
                     RETURNING record_type",
                )?
                .query_row(params![identity, group, id.as_bytes()], |r| {
                    guid_column(r, 0)
                })
                .optional()?;
            let Some(record_type) = record_type else {
                require_group(tx, identity, group)?;
                return Err(record_not_found(group, id).into());
            };
            append_change(
                tx,
                identity,
                group,
                &ChangeEvent::RecordChanged {
                    change: RecordChangeType::Deleted,
                    record_id: *id,
                    record_type,
                },
            )?;
            Ok(RecordKey {
                id: *id,
                record_type,
            })
        })
    }

    /// One record.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the identity has no such group; [`Error::RecordNotFound`]
    /// when the record does not exist; [`Error::Corrupted`] for a row that does not fit
    /// its type.
    pub fn record(&self, identity: &str, group: &str, id: &Guid) -> Result<RecordRow> {
        self.read(|tx| {
            let row = tx
                .prepare_cached(&format!(
                    "SELECT {RECORD_COLUMNS} FROM group_records
                     WHERE identity = ?1 AND group_peer_name = ?2 AND record_id = ?3"
                ))?
                .query_row(params![identity, group, id.as_bytes()], record_from_row)
                .optional()?;
            match row {
                Some(row) => Ok(row),
                None => {
                    require_group(tx, identity, group)?;
                    Err(record_not_found(group, id).into())
                }
            }
        })
    }

    /// The group's records (all, or of one type), ordered by record id (byte order).
    /// For large groups prefer [`Store::for_each_record`] or [`Store::records_page`].
    ///
    /// # Errors
    /// [`Error::NotFound`] when the identity has no such group.
    pub fn records(
        &self,
        identity: &str,
        group: &str,
        record_type: Option<&Guid>,
    ) -> Result<Vec<RecordRow>> {
        self.records_page(identity, group, record_type, None, usize::MAX)
    }

    /// Up to `limit` of the group's records (all, or of one type) whose id is greater
    /// than `after` (from the first when `None`), ordered by record id. Pass the last id
    /// of one page as `after` to get the next.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the identity has no such group.
    pub fn records_page(
        &self,
        identity: &str,
        group: &str,
        record_type: Option<&Guid>,
        after: Option<&Guid>,
        limit: usize,
    ) -> Result<Vec<RecordRow>> {
        let (filter, type_param) = type_filter(record_type);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let after = after.map(|a| a.as_bytes());
        // Keyset paging: `record_id > ?4` is a range on the primary key (or on the
        // by-type index), so every page costs O(page + log n), not O(offset).
        let after_filter = if after.is_some() {
            " AND record_id > ?4"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM group_records
             WHERE identity = ?1 AND group_peer_name = ?2{filter}{after_filter}
             ORDER BY record_id LIMIT ?5"
        );
        self.read(|tx| {
            require_group(tx, identity, group)?;
            let mut stmt = tx.prepare_cached(&sql)?;
            let mut bind = |i: usize, v: &dyn rusqlite::ToSql| stmt.raw_bind_parameter(i, v);
            bind(1, &identity)?;
            bind(2, &group)?;
            if let Some(t) = type_param {
                bind(3, &t)?;
            }
            if let Some(a) = after {
                bind(4, &a)?;
            }
            bind(5, &limit)?;
            let mut rows = stmt.raw_query();
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(record_from_row(row)?);
            }
            Ok(out)
        })
    }

    /// Calls `f` with each of the group's records (all, or of one type) until it
    /// returns `ControlFlow::Break`. Rows are read in pages of [`RECORD_SCAN_PAGE`], each
    /// in its own read transaction, so memory stays bounded and writers are not blocked
    /// for the whole scan; a record changed during the scan is seen at most once, in one
    /// of its versions, and one added during the scan may or may not be seen.
    ///
    /// Order: for all records, storage order (the order rows were inserted; an update
    /// keeps a row's place), which reads the table sequentially and is several times
    /// faster than id order on large groups; for one type, record-id order. Either way
    /// the order is stable while the group does not change.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the identity has no such group.
    pub fn for_each_record(
        &self,
        identity: &str,
        group: &str,
        record_type: Option<&Guid>,
        mut f: impl FnMut(RecordRow) -> ControlFlow<()>,
    ) -> Result<()> {
        if record_type.is_some() {
            let mut after: Option<Guid> = None;
            loop {
                let page = self.records_page(
                    identity,
                    group,
                    record_type,
                    after.as_ref(),
                    RECORD_SCAN_PAGE,
                )?;
                let full = page.len() == RECORD_SCAN_PAGE;
                for row in page {
                    after = Some(row.id);
                    if f(row).is_break() {
                        return Ok(());
                    }
                }
                if !full {
                    return Ok(());
                }
            }
        }
        let page_limit = i64::try_from(RECORD_SCAN_PAGE).unwrap_or(i64::MAX);
        let mut after_rowid: i64 = 0;
        loop {
            // Pages keyed by rowid through `group_records_by_group`, whose entries are
            // (identity, group_peer_name, rowid): each page is an index range.
            let page: Vec<(i64, RecordRow)> = self.read(|tx| {
                require_group(tx, identity, group)?;
                Ok(tx
                    .prepare_cached(&format!(
                        "SELECT rowid, {RECORD_COLUMNS} FROM group_records
                            INDEXED BY group_records_by_group
                         WHERE identity = ?1 AND group_peer_name = ?2 AND rowid > ?3
                         ORDER BY rowid LIMIT ?4"
                    ))?
                    .query_map(params![identity, group, after_rowid, page_limit], |r| {
                        Ok((r.get(0)?, record_from_offset_row(r)?))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?)
            })?;
            let full = page.len() == RECORD_SCAN_PAGE;
            for (rowid, row) in page {
                after_rowid = rowid;
                if f(row).is_break() {
                    return Ok(());
                }
            }
            if !full {
                return Ok(());
            }
        }
    }

    /// How many records the group has (all, or of one type).
    ///
    /// # Errors
    /// [`Error::NotFound`] when the identity has no such group.
    pub fn record_count(
        &self,
        identity: &str,
        group: &str,
        record_type: Option<&Guid>,
    ) -> Result<u64> {
        let (filter, type_param) = type_filter(record_type);
        self.read(|tx| {
            require_group(tx, identity, group)?;
            Ok(tx
                .prepare_cached(&format!(
                    "SELECT count(*) FROM group_records
                     WHERE identity = ?1 AND group_peer_name = ?2{filter}"
                ))?
                .query_row(
                    rusqlite::params_from_iter(
                        [
                            Some(rusqlite::types::Value::Text(identity.to_owned())),
                            Some(rusqlite::types::Value::Text(group.to_owned())),
                            type_param.map(|t| rusqlite::types::Value::Blob(t.to_vec())),
                        ]
                        .into_iter()
                        .flatten(),
                    ),
                    |r| r.get(0),
                )?)
        })
    }

    /// The earliest expiration (FILETIME) among the group's records and tombstones, if
    /// any: one read
    /// on the `(identity, group_peer_name, expiration)` index, so a caller can skip the
    /// write transaction of [`Store::delete_expired_records`] while nothing is due.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the identity has no such group.
    pub fn next_record_expiration(&self, identity: &str, group: &str) -> Result<Option<u64>> {
        self.read(|tx| {
            require_group(tx, identity, group)?;
            let min: Option<i64> = tx
                .prepare_cached(
                    "SELECT min(e) FROM (
                        SELECT min(expiration) AS e FROM group_records
                         WHERE identity = ?1 AND group_peer_name = ?2
                        UNION ALL
                        SELECT min(expiration) FROM group_tombstones
                         WHERE identity = ?1 AND group_peer_name = ?2)",
                )?
                .query_row([identity, group], |r| r.get(0))?;
            Ok(min.map(|m| u64::try_from(m).unwrap_or(0)))
        })
    }

    /// Deletes the group's records whose expiration is at or before `now` (FILETIME),
    /// logging `RECORD_CHANGED / EXPIRED` for each, in one transaction; returns them in
    /// record-id order.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the identity has no such group; [`Error::InvalidInput`]
    /// when `now` is beyond the FILETIME range.
    pub fn delete_expired_records(
        &self,
        identity: &str,
        group: &str,
        now: u64,
    ) -> Result<Vec<RecordKey>> {
        let now = time_param("current", now)?;
        self.write(|tx| {
            require_group(tx, identity, group)?;
            let mut expired = tx
                .prepare_cached(
                    "DELETE FROM group_records
                     WHERE identity = ?1 AND group_peer_name = ?2 AND expiration <= ?3
                     RETURNING record_id, record_type",
                )?
                .query_map(params![identity, group, now], |r| {
                    Ok(RecordKey {
                        id: guid_column(r, 0)?,
                        record_type: guid_column(r, 1)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            expired.sort();
            // Tombstones go silently: their delete was reported when it happened.
            tx.prepare_cached(
                "DELETE FROM group_tombstones
                 WHERE identity = ?1 AND group_peer_name = ?2 AND expiration <= ?3",
            )?
            .execute(params![identity, group, now])?;
            for key in &expired {
                append_change(
                    tx,
                    identity,
                    group,
                    &ChangeEvent::RecordChanged {
                        change: RecordChangeType::Expired,
                        record_id: key.id,
                        record_type: key.record_type,
                    },
                )?;
            }
            Ok(expired)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_string_is_windows_form() {
        let g = Guid::from_bytes([
            0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x03, 0x00, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09,
            0x0a, 0x0b,
        ]);
        assert_eq!(g.to_string(), "{00000001-0002-0003-0405-060708090a0b}");
    }
}
