//! Group database export and import (`PeerGroupExportDatabase` /
//! `PeerGroupImportDatabase`).
//!
//! File format (version 1; all integers big-endian; see `docs/STORAGE.md`):
//!
//! ```text
//! magic            8 bytes  "PNETGDB\0"
//! version          u32      1
//! identity         str      the importing identity must be this one
//! group            str      the importing group must be this one
//! exported_at      u64      seconds since the Unix epoch
//! record_count     u64
//! member_count     u64
//! records          record_count × record
//! members          member_count × member
//! checksum         32 bytes SHA-256 of every byte before it
//! (end of file)
//!
//! str  = u32 length || UTF-8 bytes          blob = u32 length || bytes
//! opt<T> = u8 0 | u8 1 || T
//! record = id[16] type[16] version:u32 flags:u32 creator:str modified_by:str
//!          attributes:opt<str> created:u64 expiration:u64 last_modified:u64
//!          data:blob security_data:blob
//! member = peer_name:str flags:u32 attributes:opt<str> node_id:opt<u64> gmc_chain:opt<blob>
//! ```

use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use ring::digest::{Context, SHA256};
use rusqlite::Transaction;

use crate::changes::{ChangeEvent, MemberChangeType, RecordChangeType, append_change};
use crate::error::{Error, Result};
use crate::group::require_group;
use crate::members::{MAX_MEMBER_ATTRIBUTES_SIZE, MAX_MEMBER_CHAIN_SIZE, MemberRow};
use crate::members::{list_members, upsert_member_row};
use crate::records::{
    Guid, MAX_RECORD_DATA_SIZE, RECORD_COLUMNS, RecordRow, guid_column, insert_row,
    record_from_row, validate_record,
};
use crate::store::{Store, TxError, TxResult, now_secs};

/// The first 8 bytes of a database export file.
pub const DATABASE_EXPORT_MAGIC: [u8; 8] = *b"PNETGDB\0";
/// The format version this build writes and reads.
pub const DATABASE_EXPORT_VERSION: u32 = 1;
/// Largest export file imported, bytes: 4 GiB.
pub const MAX_DATABASE_EXPORT_SIZE: u64 = 4 << 30;
/// Largest string in an export file (peer names, attributes), bytes.
const MAX_STR: usize = if MAX_MEMBER_ATTRIBUTES_SIZE > 64 << 10 {
    MAX_MEMBER_ATTRIBUTES_SIZE
} else {
    64 << 10
};
/// Largest blob in an export file, bytes.
const MAX_BLOB: usize = if MAX_RECORD_DATA_SIZE > MAX_MEMBER_CHAIN_SIZE {
    MAX_RECORD_DATA_SIZE
} else {
    MAX_MEMBER_CHAIN_SIZE
};

struct HashWriter<W: Write> {
    inner: W,
    hash: Context,
}

impl<W: Write> HashWriter<W> {
    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.hash.update(bytes);
        self.inner.write_all(bytes)
    }
    fn u32(&mut self, v: u32) -> io::Result<()> {
        self.put(&v.to_be_bytes())
    }
    fn u64(&mut self, v: u64) -> io::Result<()> {
        self.put(&v.to_be_bytes())
    }
    fn len(&mut self, n: usize) -> io::Result<()> {
        let n = u32::try_from(n).map_err(|_| io::Error::other("field longer than 4 GiB"))?;
        self.u32(n)
    }
    fn blob(&mut self, b: &[u8]) -> io::Result<()> {
        self.len(b.len())?;
        self.put(b)
    }
    fn opt_blob(&mut self, b: Option<&[u8]>) -> io::Result<()> {
        match b {
            None => self.put(&[0]),
            Some(b) => {
                self.put(&[1])?;
                self.blob(b)
            }
        }
    }
}

/// Why a file could not be parsed.
enum ParseError {
    Io(io::Error),
    Invalid(String),
}

impl From<io::Error> for ParseError {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            ParseError::Invalid("the file is truncated".into())
        } else {
            ParseError::Io(e)
        }
    }
}

struct HashReader<R: Read> {
    inner: R,
    hash: Context,
}

impl<R: Read> HashReader<R> {
    fn take(&mut self, buf: &mut [u8]) -> std::result::Result<(), ParseError> {
        self.inner.read_exact(buf)?;
        self.hash.update(buf);
        Ok(())
    }
    fn array<const N: usize>(&mut self) -> std::result::Result<[u8; N], ParseError> {
        let mut b = [0u8; N];
        self.take(&mut b)?;
        Ok(b)
    }
    fn u32(&mut self) -> std::result::Result<u32, ParseError> {
        Ok(u32::from_be_bytes(self.array()?))
    }
    fn u64(&mut self) -> std::result::Result<u64, ParseError> {
        Ok(u64::from_be_bytes(self.array()?))
    }
    fn flag(&mut self, what: &str) -> std::result::Result<bool, ParseError> {
        match self.array::<1>()?[0] {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(ParseError::Invalid(format!(
                "presence byte {b} of {what} is not 0 or 1"
            ))),
        }
    }
    fn blob(&mut self, what: &str, max: usize) -> std::result::Result<Vec<u8>, ParseError> {
        let n = usize::try_from(self.u32()?).unwrap_or(usize::MAX);
        if n > max {
            return Err(ParseError::Invalid(format!(
                "{what} is {n} bytes, over the limit of {max}"
            )));
        }
        let mut b = vec![0u8; n];
        self.take(&mut b)?;
        Ok(b)
    }
    fn str(&mut self, what: &str) -> std::result::Result<String, ParseError> {
        String::from_utf8(self.blob(what, MAX_STR)?)
            .map_err(|_| ParseError::Invalid(format!("{what} is not UTF-8")))
    }
    fn opt_str(&mut self, what: &str) -> std::result::Result<Option<String>, ParseError> {
        if self.flag(what)? {
            Ok(Some(self.str(what)?))
        } else {
            Ok(None)
        }
    }
}

fn read_record<R: Read>(r: &mut HashReader<R>) -> std::result::Result<RecordRow, ParseError> {
    Ok(RecordRow {
        id: Guid::from_bytes(r.array()?),
        record_type: Guid::from_bytes(r.array()?),
        version: r.u32()?,
        flags: r.u32()?,
        creator_id: r.str("creator id")?,
        modified_by_id: r.str("modified-by id")?,
        attributes: r.opt_str("attributes")?,
        created: r.u64()?,
        expiration: r.u64()?,
        last_modified: r.u64()?,
        data: r.blob("record data", MAX_RECORD_DATA_SIZE)?,
        security_data: r.blob("security data", MAX_BLOB)?,
    })
}

fn read_member<R: Read>(r: &mut HashReader<R>) -> std::result::Result<MemberRow, ParseError> {
    let peer_name = r.str("member peer name")?;
    let flags = r.u32()?;
    let attributes = r.opt_str("member attributes")?;
    let node_id = if r.flag("node id")? {
        Some(r.u64()?)
    } else {
        None
    };
    let gmc_chain = if r.flag("GMC chain")? {
        Some(r.blob("GMC chain", MAX_MEMBER_CHAIN_SIZE)?)
    } else {
        None
    };
    Ok(MemberRow {
        peer_name,
        flags,
        attributes,
        node_id,
        gmc_chain,
    })
}

fn write_record<W: Write>(w: &mut HashWriter<W>, r: &RecordRow) -> io::Result<()> {
    w.put(r.id.as_bytes())?;
    w.put(r.record_type.as_bytes())?;
    w.u32(r.version)?;
    w.u32(r.flags)?;
    w.blob(r.creator_id.as_bytes())?;
    w.blob(r.modified_by_id.as_bytes())?;
    w.opt_blob(r.attributes.as_ref().map(String::as_bytes))?;
    w.u64(r.created)?;
    w.u64(r.expiration)?;
    w.u64(r.last_modified)?;
    w.blob(&r.data)?;
    w.blob(&r.security_data)
}

fn write_member<W: Write>(w: &mut HashWriter<W>, m: &MemberRow) -> io::Result<()> {
    w.blob(m.peer_name.as_bytes())?;
    w.u32(m.flags)?;
    w.opt_blob(m.attributes.as_ref().map(String::as_bytes))?;
    match m.node_id {
        None => w.put(&[0])?,
        Some(n) => {
            w.put(&[1])?;
            w.u64(n)?;
        }
    }
    w.opt_blob(m.gmc_chain.as_deref())
}

fn io_error(path: &Path, e: io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source: e,
    }
}

fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_owned()).unwrap_or_default();
    name.push(format!(".{}.tmp", std::process::id()));
    path.with_file_name(name)
}

impl Store {
    /// Writes a snapshot of the group's records and members to `path` (replacing an
    /// existing file atomically: written under a temporary name, synced, renamed).
    ///
    /// # Errors
    /// [`Error::NotFound`] when the identity has no such group; [`Error::Io`] when the
    /// file cannot be written.
    pub fn export_database(&self, identity: &str, group: &str, path: &Path) -> Result<()> {
        let tmp = temp_path(path);
        let result = self.export_to(identity, group, &tmp).and_then(|()| {
            fs::rename(&tmp, path).map_err(|e| io_error(path, e))?;
            if let Some(dir) = path.parent().and_then(|d| File::open(d).ok()) {
                let _ = dir.sync_all();
            }
            Ok(())
        });
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result
    }

    fn export_to(&self, identity: &str, group: &str, tmp: &Path) -> Result<()> {
        self.read(|tx| {
            require_group(tx, identity, group)?;
            let file = File::create(tmp).map_err(|e| io_error(tmp, e))?;
            write_snapshot(tx, identity, group, file).map_err(|e| match e {
                TxError::Store(Error::Io { source, .. }) => TxError::Store(io_error(tmp, source)),
                other => other,
            })
        })
    }

    /// Replaces the group's records and members with those of an export file written by
    /// [`Store::export_database`] for the same identity and group, in one transaction,
    /// logging the differences as record changes (added / updated / deleted) and member
    /// changes (joined / updated / left). Nothing changes unless the whole file is valid.
    ///
    /// The facade refuses the import with `PEER_E_GROUP_IN_USE` while the group is
    /// connected; the store does not know connection state.
    ///
    /// # Errors
    /// [`Error::NotFound`] when the identity has no such group; [`Error::Io`] when the
    /// file cannot be read (e.g. missing); [`Error::InvalidDatabase`] when it is not a
    /// valid export (bad magic, version, checksum, truncated, over a limit, trailing
    /// bytes, duplicate ids, larger than [`MAX_DATABASE_EXPORT_SIZE`]);
    /// [`Error::DatabaseMismatch`] when it was exported for another identity or group.
    pub fn import_database(&self, identity: &str, group: &str, path: &Path) -> Result<()> {
        let invalid = |reason: String| Error::InvalidDatabase {
            path: path.to_path_buf(),
            reason,
        };
        self.write(|tx| {
            require_group(tx, identity, group)?;
            let file = File::open(path).map_err(|e| io_error(path, e))?;
            let size = file.metadata().map_err(|e| io_error(path, e))?.len();
            if size > MAX_DATABASE_EXPORT_SIZE {
                return Err(invalid(format!(
                    "the file is {size} bytes, over the limit of {MAX_DATABASE_EXPORT_SIZE}"
                ))
                .into());
            }
            import_from(tx, identity, group, path, file).map_err(|e| match e {
                ImportError::Tx(e) => e,
                ImportError::Parse(ParseError::Invalid(reason)) => invalid(reason).into(),
                ImportError::Parse(ParseError::Io(e)) => io_error(path, e).into(),
            })
        })
    }
}

fn write_snapshot(tx: &Transaction<'_>, identity: &str, group: &str, file: File) -> TxResult<()> {
    let io = |e: io::Error| {
        TxError::Store(Error::Io {
            path: PathBuf::new(),
            source: e,
        })
    };
    let record_count: u64 = tx
        .prepare_cached(
            "SELECT count(*) FROM group_records WHERE identity = ?1 AND group_peer_name = ?2",
        )?
        .query_row([identity, group], |r| r.get(0))?;
    let members = list_members(tx, identity, group)?;
    let mut w = HashWriter {
        inner: BufWriter::with_capacity(1 << 16, file),
        hash: Context::new(&SHA256),
    };
    w.put(&DATABASE_EXPORT_MAGIC).map_err(io)?;
    w.u32(DATABASE_EXPORT_VERSION).map_err(io)?;
    w.blob(identity.as_bytes()).map_err(io)?;
    w.blob(group.as_bytes()).map_err(io)?;
    w.u64(u64::try_from(now_secs()).unwrap_or(0)).map_err(io)?;
    w.u64(record_count).map_err(io)?;
    w.u64(members.len() as u64).map_err(io)?;
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {RECORD_COLUMNS} FROM group_records
         WHERE identity = ?1 AND group_peer_name = ?2 ORDER BY record_id"
    ))?;
    let mut rows = stmt.query([identity, group])?;
    let mut written = 0u64;
    while let Some(row) = rows.next()? {
        write_record(&mut w, &record_from_row(row)?).map_err(io)?;
        written += 1;
    }
    if written != record_count {
        return Err(io(io::Error::other("record count changed during export")));
    }
    for m in &members {
        write_member(&mut w, m).map_err(io)?;
    }
    let digest = w.hash.finish();
    w.inner.write_all(digest.as_ref()).map_err(io)?;
    let file = w.inner.into_inner().map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(io)?;
    Ok(())
}

enum ImportError {
    Tx(TxError),
    Parse(ParseError),
}

impl From<ParseError> for ImportError {
    fn from(e: ParseError) -> Self {
        ImportError::Parse(e)
    }
}

impl From<rusqlite::Error> for ImportError {
    fn from(e: rusqlite::Error) -> Self {
        ImportError::Tx(TxError::Sql(e))
    }
}

impl From<TxError> for ImportError {
    fn from(e: TxError) -> Self {
        ImportError::Tx(e)
    }
}

fn import_from(
    tx: &Transaction<'_>,
    identity: &str,
    group: &str,
    path: &Path,
    file: File,
) -> std::result::Result<(), ImportError> {
    let mut r = HashReader {
        inner: BufReader::with_capacity(1 << 16, file),
        hash: Context::new(&SHA256),
    };
    let magic: [u8; 8] = r.array().map_err(|e| match e {
        ParseError::Invalid(_) => ParseError::Invalid("the file is too short".into()),
        other => other,
    })?;
    if magic != DATABASE_EXPORT_MAGIC {
        return Err(ParseError::Invalid("not a peernet database export (bad magic)".into()).into());
    }
    let version = r.u32()?;
    if version != DATABASE_EXPORT_VERSION {
        return Err(ParseError::Invalid(format!(
            "format version {version}; this build reads version {DATABASE_EXPORT_VERSION}"
        ))
        .into());
    }
    let found_identity = r.str("identity")?;
    let found_group = r.str("group")?;
    if found_identity != identity || found_group != group {
        return Err(ImportError::Tx(TxError::Store(Error::DatabaseMismatch {
            path: path.to_path_buf(),
            identity: identity.to_owned(),
            group: group.to_owned(),
            found_identity,
            found_group,
        })));
    }
    let _exported_at = r.u64()?;
    let record_count = r.u64()?;
    let member_count = r.u64()?;

    // The records before the import: id → (type, version).
    let mut old: HashMap<Guid, (Guid, u32)> = HashMap::new();
    {
        let mut stmt = tx.prepare_cached(
            "SELECT record_id, record_type, version FROM group_records
             WHERE identity = ?1 AND group_peer_name = ?2",
        )?;
        let mut rows = stmt.query([identity, group])?;
        while let Some(row) = rows.next()? {
            old.insert(guid_column(row, 0)?, (guid_column(row, 1)?, row.get(2)?));
        }
    }
    tx.prepare_cached("DELETE FROM group_records WHERE identity = ?1 AND group_peer_name = ?2")?
        .execute([identity, group])?;

    let mut seen: HashSet<Guid> = HashSet::new();
    let mut events: Vec<ChangeEvent> = Vec::new();
    for _ in 0..record_count {
        let record = read_record(&mut r)?;
        validate_record(&record)
            .map_err(|e| ParseError::Invalid(format!("invalid record: {e}")))?;
        if !seen.insert(record.id) {
            return Err(ParseError::Invalid(format!("record {} appears twice", record.id)).into());
        }
        insert_row(tx, identity, group, &record)?;
        let change = match old.remove(&record.id) {
            None => Some(RecordChangeType::Added),
            Some((_, v)) if v != record.version => Some(RecordChangeType::Updated),
            Some(_) => None,
        };
        if let Some(change) = change {
            events.push(ChangeEvent::RecordChanged {
                change,
                record_id: record.id,
                record_type: record.record_type,
            });
        }
    }
    let mut gone: Vec<(Guid, Guid)> = old.into_iter().map(|(id, (t, _))| (id, t)).collect();
    gone.sort();
    for (record_id, record_type) in gone {
        events.push(ChangeEvent::RecordChanged {
            change: RecordChangeType::Deleted,
            record_id,
            record_type,
        });
    }

    let old_members: HashMap<String, MemberRow> = list_members(tx, identity, group)?
        .into_iter()
        .map(|m| (m.peer_name.clone(), m))
        .collect();
    tx.prepare_cached("DELETE FROM group_members WHERE identity = ?1 AND group_peer_name = ?2")?
        .execute([identity, group])?;
    let mut seen_members: HashSet<String> = HashSet::new();
    for _ in 0..member_count {
        let member = read_member(&mut r)?;
        if member.peer_name.is_empty() || !seen_members.insert(member.peer_name.clone()) {
            return Err(ParseError::Invalid(format!(
                "member '{}' is empty or appears twice",
                member.peer_name
            ))
            .into());
        }
        upsert_member_row(tx, identity, group, &member)?;
        let change = match old_members.get(&member.peer_name) {
            None => Some(MemberChangeType::Joined),
            Some(m) if *m != member => Some(MemberChangeType::Updated),
            Some(_) => None,
        };
        if let Some(change) = change {
            events.push(ChangeEvent::MemberChanged {
                change,
                member_peer_name: member.peer_name,
            });
        }
    }
    let mut left: Vec<&String> = old_members
        .keys()
        .filter(|k| !seen_members.contains(*k))
        .collect();
    left.sort();
    for name in left {
        events.push(ChangeEvent::MemberChanged {
            change: MemberChangeType::Left,
            member_peer_name: name.clone(),
        });
    }

    let digest = r.hash.clone().finish();
    let mut stored = [0u8; 32];
    r.inner.read_exact(&mut stored).map_err(ParseError::from)?;
    if digest.as_ref() != stored {
        return Err(ParseError::Invalid("checksum mismatch (the file is damaged)".into()).into());
    }
    let mut extra = [0u8; 1];
    if r.inner.read(&mut extra).map_err(ParseError::Io)? != 0 {
        return Err(ParseError::Invalid("trailing bytes after the checksum".into()).into());
    }
    for event in &events {
        append_change(tx, identity, group, event)?;
    }
    Ok(())
}
