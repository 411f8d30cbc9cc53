//! Group records (`PeerGroupAddRecord` … `PeerGroupSearchRecords`).
//!
//! Every record is signed by its last modifier's identity key (the key its leaf GMC
//! certifies) over a canonical byte string (`docs/FORMATS.md` "Record signature"); the
//! signature and the modifier's GMC serial travel in `security_data` and are verified on
//! every read against the modifier's GMC chain known to the group (this identity's own
//! chain, or the member rows), so a row edited in the database, or an edited export file,
//! reads as `PEER_E_INVALID_RECORD`.

use std::ops::ControlFlow;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use peernet_crypto::chain::ChainPolicy;
use peernet_crypto::{Certificate, Profile, Role, pkcs7};
use peernet_protocol::{AttributeValue, DateTime, RecordAttributes, SearchQuery};
use peernet_storage::{MemberRow, RecordRow};

use crate::error::{Error, Result};
use crate::group::{Group, MembershipStatus, validate_with_time_status};
use crate::hresult::{self as hr};
use crate::members::member_chain;
use crate::time::{from_filetime, to_filetime};

pub use peernet_protocol::Guid;

/// `PEER_RECORD_FLAG_AUTOREFRESH`.
pub const PEER_RECORD_FLAG_AUTOREFRESH: u32 = 0x1;
/// `PEER_RECORD_FLAG_DELETED`.
pub const PEER_RECORD_FLAG_DELETED: u32 = 0x2;
/// Record types reserved by the grouping and graphing protocols ([MS-PPSEC] 2.2.3,
/// [MS-PPGRH] 2.2.3), in
/// memory form: Membership {01000000-…}, Security Properties {02000000-…}, GRAPH_INFO
/// {00000100-…}, SIGNATURE {00000200-…}, CONTACT {00000300-…}, PRESENCE {00000400-…}.
pub const RESERVED_RECORD_TYPES: [Guid; 6] = [
    guid_d1(0x0100_0000),
    guid_d1(0x0200_0000),
    guid_d1(0x0000_0100),
    guid_d1(0x0000_0200),
    guid_d1(0x0000_0300),
    guid_d1(0x0000_0400),
];

const fn guid_d1(d1: u32) -> Guid {
    Guid::from_fields(d1, 0, 0, [0; 8])
}

/// With `PEER_RECORD_FLAG_AUTOREFRESH` the expiration must be at least this far ahead.
pub const AUTOREFRESH_MIN_LIFETIME: Duration = Duration::from_secs(240);

/// Security-data format version (first byte).
pub const RECORD_SIGNATURE_VERSION: u8 = 1;
/// Domain separator at the start of the signed bytes.
pub const RECORD_SIGNATURE_CONTEXT: &str = "peernet/record-signature/v1";

/// `PEER_RECORD`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// `type`: application-chosen (not one of [`RESERVED_RECORD_TYPES`]).
    pub record_type: Guid,
    /// `id`: set by [`Group::add_record`].
    pub id: Guid,
    /// `dwVersion`: 1 on creation, +1 per update.
    pub version: u32,
    /// `dwFlags`: 0 or `PEER_RECORD_FLAG_AUTOREFRESH`.
    pub flags: u32,
    /// `pwzCreatorId`.
    pub creator_id: String,
    /// `pwzModifiedById`.
    pub modified_by_id: String,
    /// `pwzAttributes`: attribute XML (`<attributes>…`).
    pub attributes: Option<String>,
    /// `ftCreation`.
    pub creation: SystemTime,
    /// `ftExpiration` (peer time = UTC here).
    pub expiration: SystemTime,
    /// `ftLastModified`.
    pub last_modified: SystemTime,
    /// `securityData`: the signature (see `docs/FORMATS.md`).
    pub security_data: Vec<u8>,
    /// `data`.
    pub data: Vec<u8>,
}

impl Record {
    /// A record to add: type, expiration, the rest empty.
    pub fn new(record_type: Guid, expiration: SystemTime) -> Record {
        Record {
            record_type,
            id: Guid::NULL,
            version: 0,
            flags: 0,
            creator_id: String::new(),
            modified_by_id: String::new(),
            attributes: None,
            creation: UNIX_EPOCH,
            expiration,
            last_modified: UNIX_EPOCH,
            security_data: Vec::new(),
            data: Vec::new(),
        }
    }

    /// Sets the attribute XML.
    pub fn with_attributes(mut self, xml: impl Into<String>) -> Record {
        self.attributes = Some(xml.into());
        self
    }

    /// Sets the payload.
    pub fn with_data(mut self, data: impl Into<Vec<u8>>) -> Record {
        self.data = data.into();
        self
    }

    fn from_row(r: RecordRow) -> Record {
        Record {
            record_type: r.record_type,
            id: r.id,
            version: r.version,
            flags: r.flags,
            creator_id: r.creator_id,
            modified_by_id: r.modified_by_id,
            attributes: r.attributes,
            creation: from_filetime(r.created),
            expiration: from_filetime(r.expiration),
            last_modified: from_filetime(r.last_modified),
            security_data: r.security_data,
            data: r.data,
        }
    }
}

// ---- canonical signed bytes -------------------------------------------------------------

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(&u32::try_from(b.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(b);
}

/// The bytes a record signature covers (`docs/FORMATS.md` "Record signature").
pub(crate) fn signed_bytes(group: &str, r: &RecordRow, serial: &[u8; 16]) -> Vec<u8> {
    let mut out = Vec::with_capacity(256 + r.data.len());
    put_bytes(&mut out, RECORD_SIGNATURE_CONTEXT.as_bytes());
    put_bytes(&mut out, group.as_bytes());
    out.extend_from_slice(r.id.as_bytes());
    out.extend_from_slice(r.record_type.as_bytes());
    out.extend_from_slice(&r.version.to_be_bytes());
    out.extend_from_slice(&r.flags.to_be_bytes());
    put_bytes(&mut out, r.creator_id.as_bytes());
    put_bytes(&mut out, r.modified_by_id.as_bytes());
    match &r.attributes {
        None => out.push(0),
        Some(a) => {
            out.push(1);
            put_bytes(&mut out, a.as_bytes());
        }
    }
    out.extend_from_slice(&r.created.to_be_bytes());
    out.extend_from_slice(&r.expiration.to_be_bytes());
    out.extend_from_slice(&r.last_modified.to_be_bytes());
    put_bytes(&mut out, &r.data);
    out.extend_from_slice(serial);
    out
}

fn invalid_record(id: &Guid, why: impl std::fmt::Display) -> Error {
    Error::api(
        hr::PEER_E_INVALID_RECORD,
        format!(
            "record {} fails verification: {why}; delete it or import a good copy",
            id
        ),
    )
}

fn check_attributes(xml: Option<&str>) -> Result<Option<RecordAttributes>> {
    let Some(xml) = xml else { return Ok(None) };
    if xml.len() > peernet_storage::MAX_RECORD_ATTRIBUTES_SIZE {
        return Err(Error::api(
            hr::PEER_E_MAX_RECORD_SIZE_EXCEEDED,
            format!(
                "the attribute XML is {} bytes; the limit is {}",
                xml.len(),
                peernet_storage::MAX_RECORD_ATTRIBUTES_SIZE
            ),
        ));
    }
    let attrs = RecordAttributes::parse_str(xml).map_err(|e| {
        Error::xml(
            "invalid record attributes",
            e,
            hr::PEER_E_INVALID_ATTRIBUTES,
        )
    })?;
    if let Some(a) = attrs
        .attributes
        .iter()
        .find(|a| peernet_protocol::is_reserved_attribute_name(&a.name))
    {
        return Err(Error::api(
            hr::PEER_E_INVALID_ATTRIBUTES,
            format!(
                "attribute '{}' is reserved and set by the infrastructure",
                a.name
            ),
        ));
    }
    Ok(Some(attrs))
}

fn check_data(data: &[u8]) -> Result<()> {
    if data.len() > peernet_storage::MAX_RECORD_DATA_SIZE {
        return Err(Error::api(
            hr::PEER_E_MAX_RECORD_SIZE_EXCEEDED,
            format!(
                "the record data is {} bytes; the limit is {}",
                data.len(),
                peernet_storage::MAX_RECORD_DATA_SIZE
            ),
        ));
    }
    Ok(())
}

fn date_of(ft: u64) -> Option<AttributeValue> {
    let t = from_filetime(ft);
    let (secs, nanos) = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (i64::try_from(d.as_secs()).ok()?, d.subsec_nanos()),
        Err(_) => return None,
    };
    DateTime::from_unix(secs, nanos).map(AttributeValue::Date)
}

/// The reserved attributes a search may name, for one record.
struct Reserved {
    values: [(&'static str, Option<AttributeValue>); 6],
}

impl Reserved {
    fn of(r: &RecordRow) -> Reserved {
        let s = |v: String| Some(AttributeValue::String(v));
        Reserved {
            values: [
                ("peerrecordid", s(r.id.to_string())),
                ("peerrecordtype", s(r.record_type.to_string())),
                ("peercreatorid", s(r.creator_id.clone())),
                ("peerlastmodifiedby", s(r.modified_by_id.clone())),
                ("peercreationtime", date_of(r.created)),
                ("peerlastmodificationtime", date_of(r.last_modified)),
            ],
        }
    }
}

/// A record id: 16 random bytes with the RFC 4122 version 4 / variant bits (memory form).
fn new_record_id() -> Result<Guid> {
    let mut id = peernet_crypto::cert::random_serial()
        .map_err(|e| Error::crypto_as(hr::E_FAIL, "no random record id", e))?;
    id[7] = (id[7] & 0x0f) | 0x40;
    id[8] = (id[8] & 0x3f) | 0x80;
    Ok(Guid::from_bytes(id))
}

impl Group {
    /// This identity's validated chain, refusing pending / out-of-period memberships for
    /// publishing.
    fn publisher(&self) -> Result<std::sync::Arc<Vec<Certificate>>> {
        let (_, certs, status) = self.current()?;
        match status {
            MembershipStatus::Valid => Ok(certs),
            MembershipStatus::CredentialsPending => Err(Error::api(
                hr::PEER_E_GROUP_NOT_READY,
                "this membership has no credentials yet; records cannot be published",
            )),
            MembershipStatus::Expired | MembershipStatus::NotYetValid => Err(Error::api(
                hr::PEER_E_INVALID_TIME_PERIOD,
                "your membership credentials are not valid now; renew them first",
            )),
        }
    }

    /// Signs `row` (sets `security_data`) with this identity's key.
    pub(crate) fn sign_row(&self, row: &mut RecordRow, leaf: &Certificate) -> Result<()> {
        let serial = leaf.serial16().unwrap_or_default();
        let key = self.ctx().identity_private_key(self.identity())?;
        let msg = signed_bytes(self.peer_name(), row, &serial);
        let sig = key
            .sign(&msg)
            .map_err(|e| Error::crypto(hr::E_FAIL, "cannot sign the record", e))?;
        let mut sd = Vec::with_capacity(17 + sig.len());
        sd.push(RECORD_SIGNATURE_VERSION);
        sd.extend_from_slice(&serial);
        sd.extend_from_slice(&sig);
        row.security_data = sd;
        Ok(())
    }

    /// `member`'s leaf GMC as known to this group: our own chain, or a member row whose
    /// chain validates under this group's root and whose leaf names `member`.
    pub(crate) fn known_member_leaf(
        &self,
        own: &[Certificate],
        member: &str,
    ) -> Result<Option<Certificate>> {
        if member == self.identity() && own.len() > 1 {
            return Ok(own.last().cloned());
        }
        let row = match self
            .ctx()
            .store
            .member(self.identity(), self.peer_name(), member)
        {
            Ok(r) => r,
            Err(peernet_storage::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(Error::storage(e)),
        };
        let Some(certs) = member_chain(&row) else {
            return Ok(None);
        };
        Ok(self.checked_member_leaf(own, &certs, member))
    }

    /// The leaf of `certs` if it is a chain of this group (same root as `own`,
    /// validating under the group's policy) whose leaf names `member`.
    pub(crate) fn checked_member_leaf(
        &self,
        own: &[Certificate],
        certs: &[Certificate],
        member: &str,
    ) -> Option<Certificate> {
        if own.first().map(Certificate::der) != certs.first().map(Certificate::der) {
            return None;
        }
        let gpn = &self.inner.group_peer_name;
        let policy = ChainPolicy::new(self.profile(), self.ctx().now()).group(gpn);
        if validate_with_time_status(certs, policy).is_err() {
            return None;
        }
        certs
            .last()
            .filter(|_| certs.len() > 1)
            .filter(|l| l.subject_peer_name().is_some_and(|p| p.as_str() == member))
            .cloned()
    }

    /// Verifies a stored record's signature (`PEER_E_INVALID_RECORD` if it fails).
    fn verify_row(&self, own: &[Certificate], row: &RecordRow) -> Result<()> {
        let Some(leaf) = self.known_member_leaf(own, &row.modified_by_id)? else {
            return Err(invalid_record(
                &row.id,
                format!(
                    "its modifier '{}' has no membership credentials known to this group",
                    row.modified_by_id
                ),
            ));
        };
        self.verify_signed_by(row, &leaf)
    }

    /// Verifies `row`'s signature against `leaf`'s key (`PEER_E_INVALID_RECORD`).
    pub(crate) fn verify_signed_by(&self, row: &RecordRow, leaf: &Certificate) -> Result<()> {
        let sd = &row.security_data;
        if sd.len() < 18 || sd[0] != RECORD_SIGNATURE_VERSION {
            return Err(invalid_record(
                &row.id,
                "its security data is not a peernet signature",
            ));
        }
        let mut serial = [0u8; 16];
        serial.copy_from_slice(&sd[1..17]);
        let spki = leaf.public_key_der();
        let Some(profile) = Profile::of_public_key(spki) else {
            return Err(invalid_record(
                &row.id,
                "the modifier's key type is unknown",
            ));
        };
        let msg = signed_bytes(self.peer_name(), row, &serial);
        peernet_crypto::key::verify_signature(spki, &profile.signature_algorithm(), &msg, &sd[17..])
            .map_err(|_| invalid_record(&row.id, "the signature does not match its content"))
    }

    fn now_ft(&self) -> u64 {
        to_filetime(self.ctx().now())
    }

    /// Removes records whose expiration has passed, logging `EXPIRED` for each (peernet
    /// extension; writes and event registrations also sweep). Returns how many. Only a
    /// read while nothing is due.
    ///
    /// # Errors
    /// `PEER_E_INVALID_GROUP`.
    pub fn delete_expired_records(&self) -> Result<usize> {
        let store = &self.ctx().store;
        let now = self.now_ft();
        let next = store
            .next_record_expiration(self.identity(), self.peer_name())
            .map_err(|e| self.group_err(e))?;
        if next.is_none_or(|t| t > now) {
            return Ok(0);
        }
        store
            .delete_expired_records(self.identity(), self.peer_name(), now)
            .map(|v| v.len())
            .map_err(|e| self.group_err(e))
    }

    fn check_expiration(
        &self,
        leaf: &Certificate,
        flags: u32,
        expiration: SystemTime,
    ) -> Result<()> {
        let now = self.ctx().now();
        if expiration <= now {
            return Err(Error::api(
                hr::PEER_E_INVALID_RECORD_EXPIRATION,
                "the record's expiration is not in the future",
            ));
        }
        if flags & PEER_RECORD_FLAG_AUTOREFRESH != 0 && expiration < now + AUTOREFRESH_MIN_LIFETIME
        {
            return Err(Error::api(
                hr::PEER_E_INVALID_RECORD_EXPIRATION,
                "an auto-refreshed record must expire at least 4 minutes ahead",
            ));
        }
        if expiration > leaf.validity().not_after {
            return Err(Error::api(
                hr::PEER_E_INVALID_RECORD_EXPIRATION,
                "the record's expiration is beyond your membership credentials' end",
            ));
        }
        Ok(())
    }

    /// Writes this identity's member row when the group database has none (Windows
    /// publishes a member's data on its first action: `MEMBER_CHANGED / JOINED`).
    fn ensure_own_member(&self, own: &[Certificate]) -> Result<()> {
        let store = &self.ctx().store;
        match store.member(self.identity(), self.peer_name(), self.identity()) {
            Ok(_) => Ok(()),
            Err(peernet_storage::Error::NotFound { .. }) => {
                let ders: Vec<Vec<u8>> = own.iter().map(|c| c.der().to_vec()).collect();
                let chain = pkcs7::encode(&ders)
                    .map_err(|e| Error::crypto_as(hr::E_FAIL, "cannot encode the chain", e))?;
                store
                    .upsert_member(
                        self.identity(),
                        self.peer_name(),
                        &MemberRow {
                            peer_name: self.identity().to_owned(),
                            flags: 0,
                            attributes: None,
                            node_id: None,
                            gmc_chain: Some(chain),
                        },
                    )
                    .map(|_| ())
                    .map_err(|e| self.group_err(e))
            }
            Err(e) => Err(self.group_err(e)),
        }
    }

    /// `PeerGroupAddRecord`: publishes a record signed by this identity; returns its id.
    /// `record_type`, `expiration`, `attributes`, `data` and `flags` are taken from
    /// `record`; the infrastructure fields are set here.
    ///
    /// # Errors
    /// `PEER_E_INVALID_GROUP`, `PEER_E_GROUP_NOT_READY` (credentials pending),
    /// `PEER_E_INVALID_TIME_PERIOD` (membership not valid now), `PEER_E_NOT_AUTHORIZED`
    /// (reserved record type), `E_INVALIDARG` (flags other than AUTOREFRESH),
    /// `PEER_E_INVALID_ATTRIBUTES`, `PEER_E_MAX_RECORD_SIZE_EXCEEDED`,
    /// `PEER_E_INVALID_RECORD_EXPIRATION`.
    pub fn add_record(&self, record: &Record) -> Result<Guid> {
        let own = self.publisher()?;
        let leaf = own
            .last()
            .ok_or_else(|| Error::api(hr::PEER_E_GROUP_NOT_READY, "no credentials"))?;
        self.check_new_record(leaf, record)?;
        let _ = self.delete_expired_records();
        self.ensure_own_member(&own)?;
        let mut row = self.new_row(record, self.now_ft())?;
        self.sign_row(&mut row, leaf)?;
        self.ctx()
            .store
            .insert_record(self.identity(), self.peer_name(), &row)
            .map_err(|e| self.group_err(e))?;
        Ok(row.id)
    }

    /// Publishes several records in one transaction (peernet extension; one commit
    /// instead of one per record). All or none: the first invalid record fails the
    /// call with the error [`Group::add_record`] would give and nothing is stored.
    /// Returns the ids in input order.
    ///
    /// # Errors
    /// As [`Group::add_record`].
    pub fn add_records(&self, records: &[Record]) -> Result<Vec<Guid>> {
        let own = self.publisher()?;
        let leaf = own
            .last()
            .ok_or_else(|| Error::api(hr::PEER_E_GROUP_NOT_READY, "no credentials"))?;
        let _ = self.delete_expired_records();
        self.ensure_own_member(&own)?;
        let now = self.now_ft();
        let mut rows = Vec::with_capacity(records.len());
        for record in records {
            self.check_new_record(leaf, record)?;
            let mut row = self.new_row(record, now)?;
            self.sign_row(&mut row, leaf)?;
            rows.push(row);
        }
        self.ctx()
            .store
            .insert_records(self.identity(), self.peer_name(), &rows)
            .map_err(|e| self.group_err(e))?;
        Ok(rows.iter().map(|r| r.id).collect())
    }

    fn check_new_record(&self, leaf: &Certificate, record: &Record) -> Result<()> {
        if RESERVED_RECORD_TYPES.contains(&record.record_type) {
            return Err(Error::api(
                hr::PEER_E_NOT_AUTHORIZED,
                format!(
                    "record type {} is reserved by the grouping protocols",
                    record.record_type
                ),
            ));
        }
        if record.flags & !PEER_RECORD_FLAG_AUTOREFRESH != 0 {
            return Err(Error::invalid_arg(format!(
                "record flags {:#x}: only PEER_RECORD_FLAG_AUTOREFRESH may be set",
                record.flags
            )));
        }
        check_attributes(record.attributes.as_deref())?;
        check_data(&record.data)?;
        self.check_expiration(leaf, record.flags, record.expiration)
    }

    fn new_row(&self, record: &Record, now: u64) -> Result<RecordRow> {
        Ok(RecordRow {
            id: new_record_id()?,
            record_type: record.record_type,
            version: 1,
            flags: record.flags,
            creator_id: self.identity().to_owned(),
            modified_by_id: self.identity().to_owned(),
            attributes: record.attributes.clone(),
            created: now,
            expiration: to_filetime(record.expiration),
            last_modified: now,
            data: record.data.clone(),
            security_data: Vec::new(),
        })
    }

    fn authorize(&self, own: &[Certificate], row: &RecordRow, what: &str) -> Result<()> {
        let admin = own.len() > 1
            && own
                .last()
                .and_then(Certificate::roles)
                .is_some_and(|r| r.contains(&Role::ADMIN));
        if row.creator_id == self.identity() || admin {
            Ok(())
        } else {
            Err(Error::api(
                hr::PEER_E_NOT_AUTHORIZED,
                format!(
                    "only the record's creator ('{}') or an administrator may {what} it",
                    row.creator_id
                ),
            ))
        }
    }

    fn stored_row(&self, id: &Guid) -> Result<RecordRow> {
        let row = self
            .ctx()
            .store
            .record(self.identity(), self.peer_name(), id)
            .map_err(|e| self.group_err(e))?;
        if row.expiration <= self.now_ft() {
            return Err(Error::api(
                hr::PEER_E_RECORD_NOT_FOUND,
                format!("record {} has expired", id),
            ));
        }
        Ok(row)
    }

    /// `PeerGroupUpdateRecord`: replaces the attributes, expiration and data of the record
    /// `record.id`; `record_type` and `flags` must be unchanged. Creator or administrator.
    /// The expiration may only stay equal or grow.
    ///
    /// # Errors
    /// As [`Group::add_record`], plus `PEER_E_RECORD_NOT_FOUND`, `PEER_E_NOT_AUTHORIZED`
    /// (neither creator nor administrator), `PEER_E_INVALID_RECORD` (the stored record fails
    /// verification, or concurrent updates kept winning).
    pub fn update_record(&self, record: &Record) -> Result<()> {
        let own = self.publisher()?;
        check_attributes(record.attributes.as_deref())?;
        check_data(&record.data)?;
        let leaf = own
            .last()
            .ok_or_else(|| Error::api(hr::PEER_E_GROUP_NOT_READY, "no credentials"))?;
        let _ = self.delete_expired_records();
        for _ in 0..16 {
            let cur = self.stored_row(&record.id)?;
            self.verify_row(&own, &cur)?;
            if cur.record_type != record.record_type || cur.flags != record.flags {
                return Err(Error::invalid_arg(
                    "a record's type and flags cannot change on update",
                ));
            }
            self.authorize(&own, &cur, "update")?;
            let expiration = to_filetime(record.expiration);
            if expiration < cur.expiration {
                return Err(Error::api(
                    hr::PEER_E_INVALID_RECORD_EXPIRATION,
                    "a record's expiration can only stay equal or grow on update",
                ));
            }
            self.check_expiration(leaf, record.flags, record.expiration)?;
            self.ensure_own_member(&own)?;
            let mut row = RecordRow {
                version: cur
                    .version
                    .checked_add(1)
                    .ok_or_else(|| invalid_record(&cur.id, "its version counter is exhausted"))?,
                modified_by_id: self.identity().to_owned(),
                attributes: record.attributes.clone(),
                expiration,
                last_modified: self.now_ft().max(cur.last_modified),
                data: record.data.clone(),
                security_data: Vec::new(),
                ..cur.clone()
            };
            self.sign_row(&mut row, leaf)?;
            match self.ctx().store.update_record(
                self.identity(),
                self.peer_name(),
                &row,
                cur.version,
            ) {
                Ok(()) => return Ok(()),
                Err(peernet_storage::Error::RecordVersionConflict { .. }) => continue,
                Err(e) => return Err(self.group_err(e)),
            }
        }
        Err(invalid_record(
            &record.id,
            "concurrent updates kept winning; try again",
        ))
    }

    /// `PeerGroupDeleteRecord`: creator or administrator.
    ///
    /// # Errors
    /// `PEER_E_INVALID_GROUP`, `PEER_E_RECORD_NOT_FOUND`, `PEER_E_NOT_AUTHORIZED`,
    /// `PEER_E_GROUP_NOT_READY`.
    pub fn delete_record(&self, id: &Guid) -> Result<()> {
        let own = self.publisher()?;
        let _ = self.delete_expired_records();
        let cur = self.stored_row(id)?;
        // An administrator may delete a record that fails verification (the way to get
        // rid of a tampered row); the creator check trusts the row only if it verifies.
        if self.verify_row(&own, &cur).is_err() {
            let admin = own
                .last()
                .and_then(Certificate::roles)
                .is_some_and(|r| r.contains(&Role::ADMIN));
            if !admin {
                self.verify_row(&own, &cur)?;
            }
        }
        self.authorize(&own, &cur, "delete")?;
        self.ensure_own_member(&own)?;
        let leaf = own
            .last()
            .ok_or_else(|| Error::api(hr::PEER_E_GROUP_NOT_READY, "no credentials"))?;
        // A delete is an update with the Deleted flag and no payload ([MS-PPGRH]
        // 1.3.5.2): the signed tombstone replicates and lives until the record's
        // expiration, so a member still holding the record learns of the delete.
        let mut tomb = RecordRow {
            version: cur
                .version
                .checked_add(1)
                .ok_or_else(|| invalid_record(&cur.id, "its version counter is exhausted"))?,
            flags: cur.flags | PEER_RECORD_FLAG_DELETED,
            modified_by_id: self.identity().to_owned(),
            attributes: None,
            last_modified: self.now_ft().max(cur.last_modified),
            data: Vec::new(),
            security_data: Vec::new(),
            ..cur.clone()
        };
        self.sign_row(&mut tomb, leaf)?;
        self.ctx()
            .store
            .tombstone_record(self.identity(), self.peer_name(), &tomb, cur.version)
            .map_err(|e| match e {
                peernet_storage::Error::RecordVersionConflict { .. } => {
                    invalid_record(id, "it was updated while being deleted; try again")
                }
                e => self.group_err(e),
            })
    }

    /// `PeerGroupGetRecord`: one record, verified.
    ///
    /// # Errors
    /// `PEER_E_INVALID_GROUP`, `PEER_E_RECORD_NOT_FOUND` (also once expired),
    /// `PEER_E_INVALID_RECORD` (fails verification).
    pub fn get_record(&self, id: &Guid) -> Result<Record> {
        let (_, own, _) = self.current()?;
        let row = self.stored_row(id)?;
        self.verify_row(&own, &row)?;
        Ok(Record::from_row(row))
    }

    fn scan(
        &self,
        record_type: Option<&Guid>,
        mut keep: impl FnMut(&RecordRow) -> bool,
    ) -> Result<Vec<Record>> {
        let (_, own, _) = self.current()?;
        let now = self.now_ft();
        let mut out = Vec::new();
        let mut failure = None;
        self.ctx()
            .store
            .for_each_record(self.identity(), self.peer_name(), record_type, |row| {
                if row.expiration <= now || !keep(&row) {
                    return ControlFlow::Continue(());
                }
                match self.verify_row(&own, &row) {
                    Ok(()) => {
                        out.push(Record::from_row(row));
                        ControlFlow::Continue(())
                    }
                    Err(e) => {
                        failure = Some(e);
                        ControlFlow::Break(())
                    }
                }
            })
            .map_err(|e| self.group_err(e))?;
        match failure {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    /// `PeerGroupEnumRecords`: all unexpired records, or those of one type, each verified.
    ///
    /// # Errors
    /// `PEER_E_INVALID_GROUP`, `PEER_E_INVALID_RECORD` (a record fails verification; the
    /// message names it).
    pub fn enum_records(&self, record_type: Option<&Guid>) -> Result<Vec<Record>> {
        self.scan(record_type, |_| true)
    }

    /// `PeerGroupSearchRecords`: the records whose attributes match a `<peersearch>` query
    /// (the reserved attributes `peerrecordid`, `peerrecordtype`, `peercreatorid`,
    /// `peerlastmodifiedby`, `peercreationtime`, `peerlastmodificationtime` can be named).
    ///
    /// # Errors
    /// `PEER_E_INVALID_SEARCH` (malformed query), `E_INVALIDARG` (an invalid backslash
    /// escape), `PEER_E_INVALID_GROUP`, `PEER_E_INVALID_RECORD`.
    pub fn search_records(&self, query: &str) -> Result<Vec<Record>> {
        let q = SearchQuery::parse_str(query)
            .map_err(|e| Error::xml("invalid search query", e, hr::PEER_E_INVALID_SEARCH))?;
        self.scan(None, |row| {
            let attrs = row
                .attributes
                .as_deref()
                .and_then(|a| RecordAttributes::parse_str(a).ok())
                .unwrap_or_default();
            let reserved = Reserved::of(row);
            q.matches_with(|name| {
                attrs.get(name).or_else(|| {
                    reserved
                        .values
                        .iter()
                        .find(|(n, _)| n.eq_ignore_ascii_case(name))
                        .and_then(|(_, v)| v.as_ref())
                })
            })
        })
    }
}
