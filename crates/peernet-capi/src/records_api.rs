//! Argument layer of the record, member, database and event functions
//! (PeerGroupAddRecord … PeerGroupGetEventData), their C models and `HPEEREVENT`.
//!
//! Same order of checks as [`group_api`](crate::group_api): grouping started, required
//! pointers, out-pointers cleared, structures converted, then the handle and ONE backend
//! call.
//!
//! `hEvent` of PeerGroupRegisterEvent: there are no Win32 events off Windows. It may be
//! NULL — then poll `PeerGroupGetEventData` until `PEER_S_NO_EVENT_DATA`, or block in the
//! extension `PeernetWaitForGroupEvent` — or a POSIX file descriptor (> 0) cast to
//! `HANDLE`, to which the library writes the 8 bytes of the native-endian `uint64_t` 1
//! whenever events have been queued (an `eventfd` counts up; a pipe's reader drains it):
//! the same "signalled when events queue up" contract, usable in `poll`/`select` loops.

use std::any::Any;
use std::ffi::c_void;
use std::mem::{offset_of, size_of};
use std::sync::Arc;

use peernet::HResult;
use peernet::hresult::{E_INVALIDARG, E_OUTOFMEMORY, PEER_S_NO_EVENT_DATA, S_OK};

use crate::alloc::BlockBuilder;
use crate::backend::Backend;
use crate::enumeration::{self, EnumItem};
use crate::ffi::{CResult, OK, guard};
use crate::group_handles::{self, GroupObject};
use crate::handles::{HandleTable, Kind};
use crate::model::PublicKeyInfo;
use crate::out;
use crate::types::{
    DWORD, FILETIME, GUID, HANDLE, HGROUP, HPEERENUM, HPEEREVENT, HRESULT, PCWSTR,
    PEER_CREDENTIAL_INFO, PEER_DATA, PEER_EVENT_MEMBER_CHANGE_DATA, PEER_EVENT_RECORD_CHANGE_DATA,
    PEER_GROUP_EVENT_DATA, PEER_GROUP_EVENT_DATA_UNION, PEER_GROUP_EVENT_REGISTRATION, PEER_MEMBER,
    PEER_RECORD,
};
use crate::wide::{read_opt, read_opt_nonempty, read_req};

/// Largest record payload read from a caller's `PEER_RECORD` (the facade's limit, 1 MiB,
/// is checked there with `PEER_E_MAX_RECORD_SIZE_EXCEEDED`; this only bounds the copy).
pub const MAX_RECORD_COPY: usize = 64 << 20;
/// Most event registrations in one call.
pub const MAX_REGISTRATIONS: usize = 64;
/// `PEER_MEMBER_PRESENT`.
pub const PEER_MEMBER_PRESENT: u32 = 0x1;

/// `PEER_RECORD` as Rust values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Record {
    /// `type`.
    pub record_type: GUID,
    /// `id`.
    pub id: GUID,
    /// `dwVersion`.
    pub version: u32,
    /// `dwFlags`.
    pub flags: u32,
    /// `pwzCreatorId`.
    pub creator_id: Option<String>,
    /// `pwzModifiedById`.
    pub modified_by_id: Option<String>,
    /// `pwzAttributes`.
    pub attributes: Option<String>,
    /// `ftCreation` (64-bit FILETIME).
    pub creation: u64,
    /// `ftExpiration`.
    pub expiration: u64,
    /// `ftLastModified`.
    pub last_modified: u64,
    /// `securityData`.
    pub security_data: Vec<u8>,
    /// `data`.
    pub data: Vec<u8>,
}

/// # Safety
/// `d.pbData` is NULL with `cbData == 0`, or readable for `cbData` bytes.
unsafe fn read_data(d: &PEER_DATA) -> Result<Vec<u8>, HResult> {
    let n = d.cbData as usize;
    if n == 0 {
        return Ok(Vec::new());
    }
    if d.pbData.is_null() || n > MAX_RECORD_COPY {
        return Err(E_INVALIDARG);
    }
    // SAFETY: per the contract.
    Ok(unsafe { std::slice::from_raw_parts(d.pbData, n) }.to_vec())
}

impl Record {
    /// Read a caller's record (`dwSize` must be `sizeof(PEER_RECORD)`); the fields the
    /// infrastructure sets are read too and ignored by the backend.
    ///
    /// # Safety
    /// `p` non-NULL and valid; nested pointers NULL or valid for what they describe.
    pub unsafe fn read(p: *const PEER_RECORD) -> Result<Record, HResult> {
        // SAFETY: per the contract.
        unsafe {
            let r = &*p;
            if r.dwSize as usize != size_of::<PEER_RECORD>() {
                return Err(E_INVALIDARG);
            }
            Ok(Record {
                record_type: r.r#type,
                id: r.id,
                version: r.dwVersion,
                flags: r.dwFlags,
                creator_id: None,
                modified_by_id: None,
                attributes: read_opt(r.pwzAttributes)?,
                creation: r.ftCreation.as_u64(),
                expiration: r.ftExpiration.as_u64(),
                last_modified: r.ftLastModified.as_u64(),
                security_data: Vec::new(),
                data: read_data(&r.data)?,
            })
        }
    }

    fn place_in(&self, b: &mut BlockBuilder) -> Result<usize, HResult> {
        let len = |v: &Vec<u8>| u32::try_from(v.len()).map_err(|_| E_OUTOFMEMORY);
        let empty = PEER_DATA {
            cbData: 0,
            pbData: std::ptr::null_mut(),
        };
        let at = b.push(PEER_RECORD {
            dwSize: size_of::<PEER_RECORD>() as u32,
            r#type: self.record_type,
            id: self.id,
            dwVersion: self.version,
            dwFlags: self.flags,
            pwzCreatorId: std::ptr::null_mut(),
            pwzModifiedById: std::ptr::null_mut(),
            pwzAttributes: std::ptr::null_mut(),
            ftCreation: FILETIME::from_u64(self.creation),
            ftExpiration: FILETIME::from_u64(self.expiration),
            ftLastModified: FILETIME::from_u64(self.last_modified),
            securityData: PEER_DATA {
                cbData: len(&self.security_data)?,
                ..empty
            },
            data: PEER_DATA {
                cbData: len(&self.data)?,
                ..empty
            },
        });
        type R = PEER_RECORD;
        b.link_wstr(at + offset_of!(R, pwzCreatorId), self.creator_id.as_deref());
        b.link_wstr(
            at + offset_of!(R, pwzModifiedById),
            self.modified_by_id.as_deref(),
        );
        b.link_wstr(
            at + offset_of!(R, pwzAttributes),
            self.attributes.as_deref(),
        );
        for (field, bytes) in [
            (offset_of!(R, securityData), &self.security_data),
            (offset_of!(R, data), &self.data),
        ] {
            if !bytes.is_empty() {
                let d = b.push_bytes(bytes, 8);
                b.link(at + field + offset_of!(PEER_DATA, pbData), d);
            }
        }
        Ok(at)
    }

    /// One `PeerFreeData` block holding the record, its strings and data.
    pub fn to_block(&self) -> Result<*mut PEER_RECORD, HResult> {
        let mut b = BlockBuilder::new();
        self.place_in(&mut b)?;
        Ok(b.finish()?.cast())
    }
}

impl EnumItem for Record {
    fn place(&self, b: &mut BlockBuilder) -> usize {
        // Sizes were bounded when the record was read from the store (≤ 1 MiB).
        self.place_in(b).unwrap_or(0)
    }
}

/// `PEER_CREDENTIAL_INFO` of a member (output).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemberCredential {
    /// `pwzFriendlyName`.
    pub friendly_name: String,
    /// `pPublicKey`.
    pub public_key: PublicKeyInfo,
    /// `pwzIssuerPeerName`.
    pub issuer_peer_name: String,
    /// `pwzIssuerFriendlyName`.
    pub issuer_friendly_name: String,
    /// `ftValidityStart`.
    pub validity_start: u64,
    /// `ftValidityEnd`.
    pub validity_end: u64,
    /// `pRoles`.
    pub roles: Vec<GUID>,
}

/// `PEER_MEMBER` as Rust values (no addresses: no connections).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Member {
    /// `dwFlags`.
    pub flags: u32,
    /// `pwzIdentity`.
    pub identity: String,
    /// `pwzAttributes`.
    pub attributes: Option<String>,
    /// `ullNodeId`.
    pub node_id: u64,
    /// `pCredentialInfo`.
    pub credential: Option<MemberCredential>,
}

impl EnumItem for Member {
    fn place(&self, b: &mut BlockBuilder) -> usize {
        let at = b.push(PEER_MEMBER {
            dwSize: size_of::<PEER_MEMBER>() as u32,
            dwFlags: self.flags,
            pwzIdentity: std::ptr::null_mut(),
            pwzAttributes: std::ptr::null_mut(),
            ullNodeId: self.node_id,
            cAddresses: 0,
            pAddresses: std::ptr::null_mut(),
            pCredentialInfo: std::ptr::null_mut(),
        });
        b.link_wstr(
            at + offset_of!(PEER_MEMBER, pwzIdentity),
            Some(&self.identity),
        );
        b.link_wstr(
            at + offset_of!(PEER_MEMBER, pwzAttributes),
            self.attributes.as_deref(),
        );
        if let Some(c) = &self.credential {
            type C = PEER_CREDENTIAL_INFO;
            let ci = b.push(PEER_CREDENTIAL_INFO {
                dwSize: size_of::<C>() as u32,
                dwFlags: 0,
                pwzFriendlyName: std::ptr::null_mut(),
                pPublicKey: std::ptr::null_mut(),
                pwzIssuerPeerName: std::ptr::null_mut(),
                pwzIssuerFriendlyName: std::ptr::null_mut(),
                ftValidityStart: FILETIME::from_u64(c.validity_start),
                ftValidityEnd: FILETIME::from_u64(c.validity_end),
                cRoles: c.roles.len().min(u32::MAX as usize) as u32,
                pRoles: std::ptr::null_mut(),
            });
            b.link(at + offset_of!(PEER_MEMBER, pCredentialInfo), ci);
            b.link_wstr(ci + offset_of!(C, pwzFriendlyName), Some(&c.friendly_name));
            b.link_wstr(
                ci + offset_of!(C, pwzIssuerPeerName),
                Some(&c.issuer_peer_name),
            );
            b.link_wstr(
                ci + offset_of!(C, pwzIssuerFriendlyName),
                Some(&c.issuer_friendly_name),
            );
            if let Ok(k) = c.public_key.place(b) {
                b.link(ci + offset_of!(C, pPublicKey), k);
            }
            if !c.roles.is_empty() {
                let roles = b.reserve::<GUID>(c.roles.len());
                for (i, r) in c.roles.iter().enumerate() {
                    b.put(roles + i * size_of::<GUID>(), *r);
                }
                b.link(ci + offset_of!(C, pRoles), roles);
            }
        }
        at
    }
}

/// `PEER_GROUP_EVENT_REGISTRATION` as Rust values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Registration {
    /// `eventType`.
    pub event_type: u32,
    /// `*pType` when non-NULL.
    pub record_type: Option<GUID>,
}

/// `PEER_GROUP_EVENT_DATA` as Rust values (the arms that can arise locally).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventData {
    /// `PEER_GROUP_EVENT_STATUS_CHANGED`: `dwStatus`.
    Status(u32),
    /// `PEER_GROUP_EVENT_PROPERTY_CHANGED` (no data).
    Property,
    /// `PEER_GROUP_EVENT_RECORD_CHANGED`: change type, record id, record type.
    Record(u32, GUID, GUID),
    /// `PEER_GROUP_EVENT_MEMBER_CHANGED`: change type, member identity.
    Member(u32, String),
}

impl EventData {
    /// One `PeerFreeData` block: the structure and, for a member change, its string.
    pub fn to_block(&self) -> Result<*mut PEER_GROUP_EVENT_DATA, HResult> {
        let mut b = BlockBuilder::new();
        let (event_type, u) = match self {
            EventData::Status(s) => (1, PEER_GROUP_EVENT_DATA_UNION { dwStatus: *s }),
            EventData::Property => (2, PEER_GROUP_EVENT_DATA_UNION { dwStatus: 0 }),
            EventData::Record(change, id, ty) => (
                3,
                PEER_GROUP_EVENT_DATA_UNION {
                    recordChangeData: PEER_EVENT_RECORD_CHANGE_DATA {
                        dwSize: size_of::<PEER_EVENT_RECORD_CHANGE_DATA>() as u32,
                        changeType: *change,
                        recordId: *id,
                        recordType: *ty,
                    },
                },
            ),
            EventData::Member(change, _) => (
                8,
                PEER_GROUP_EVENT_DATA_UNION {
                    memberChangeData: PEER_EVENT_MEMBER_CHANGE_DATA {
                        dwSize: size_of::<PEER_EVENT_MEMBER_CHANGE_DATA>() as u32,
                        changeType: *change,
                        pwzIdentity: std::ptr::null_mut(),
                    },
                },
            ),
        };
        let at = b.push(PEER_GROUP_EVENT_DATA {
            eventType: event_type,
            u,
        });
        if let EventData::Member(_, identity) = self {
            b.link_wstr(
                at + offset_of!(PEER_GROUP_EVENT_DATA, u)
                    + offset_of!(PEER_EVENT_MEMBER_CHANGE_DATA, pwzIdentity),
                Some(identity),
            );
        }
        Ok(b.finish()?.cast())
    }
}

/// What an `HPEEREVENT` names (the facade's event handle once wired). Shared, so that a
/// wait runs outside the handle table's lock.
pub type EventObject = Arc<dyn Any + Send + Sync>;

static EVENTS: HandleTable<EventObject> = HandleTable::new(Kind::Event);

fn event_object(h: HPEEREVENT) -> Result<EventObject, HResult> {
    crate::handles::with(&EVENTS, h.cast_const(), |o| o.clone()).ok_or(E_INVALIDARG)
}

/// Number of open event registrations (tests).
pub fn open_event_count() -> usize {
    EVENTS.len()
}

/// Drop every registration (last PeerGroupShutdown).
pub fn close_all_events() {
    EVENTS.clear();
}

/// The callback for a non-NULL `hEvent`: write a `uint64_t` 1 to the descriptor.
#[cfg(unix)]
fn fd_notifier(h: HANDLE) -> Result<Option<crate::backend::Notify>, HResult> {
    use std::io::Write;
    use std::os::fd::FromRawFd;
    if h.is_null() {
        return Ok(None);
    }
    let fd = i32::try_from(h as usize).map_err(|_| E_INVALIDARG)?;
    Ok(Some(Box::new(move || {
        // SAFETY: the caller handed us the descriptor for this purpose and keeps it open
        // while registered (documented contract); ManuallyDrop never closes it.
        let f = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(fd) });
        let _ = (&*f).write(&1u64.to_ne_bytes());
    })))
}

#[cfg(not(unix))]
fn fd_notifier(h: HANDLE) -> Result<Option<crate::backend::Notify>, HResult> {
    if h.is_null() {
        Ok(None)
    } else {
        Err(E_INVALIDARG)
    }
}

fn started(b: &(impl Backend + ?Sized)) -> Result<(), HResult> {
    if b.is_started() {
        Ok(())
    } else {
        Err(peernet::hresult::PEER_E_NOT_INITIALIZED)
    }
}

fn on_group<R>(
    h: HGROUP,
    f: impl FnOnce(&mut GroupObject) -> Result<R, HResult>,
) -> Result<R, HResult> {
    group_handles::with_group(h, f)?
}

/// # Safety
/// `p` NULL or readable.
unsafe fn read_guid(p: *const GUID) -> Result<GUID, HResult> {
    if p.is_null() {
        return Err(E_INVALIDARG);
    }
    // SAFETY: non-NULL per check, readable per the contract.
    Ok(unsafe { p.read_unaligned() })
}

/// `PeerGroupAddRecord(hGroup, pRecord, pRecordId)`; all required.
///
/// # Safety
/// `pRecord` NULL or a valid `PEER_RECORD`; `pRecordId` NULL or writable.
pub unsafe fn add_record(
    b: &(impl Backend + ?Sized),
    hGroup: HGROUP,
    pRecord: *const PEER_RECORD,
    pRecordId: *mut GUID,
) -> HRESULT {
    guard(|| {
        started(b)?;
        if pRecord.is_null() || pRecordId.is_null() {
            return Err(E_INVALIDARG);
        }
        // SAFETY: caller's contract.
        unsafe {
            pRecordId.write_unaligned(GUID::NULL);
            let r = Record::read(pRecord)?;
            let id = on_group(hGroup, |g| b.group_add_record(g, &r))?;
            pRecordId.write_unaligned(id);
        }
        OK
    })
}

/// `PeerGroupUpdateRecord(hGroup, pRecord)`.
///
/// # Safety
/// `pRecord` NULL or a valid `PEER_RECORD`.
pub unsafe fn update_record(
    b: &(impl Backend + ?Sized),
    hGroup: HGROUP,
    pRecord: *const PEER_RECORD,
) -> HRESULT {
    guard(|| {
        started(b)?;
        if pRecord.is_null() {
            return Err(E_INVALIDARG);
        }
        // SAFETY: caller's contract.
        let r = unsafe { Record::read(pRecord) }?;
        on_group(hGroup, |g| b.group_update_record(g, &r))?;
        OK
    })
}

/// `PeerGroupDeleteRecord(hGroup, pRecordId)`.
///
/// # Safety
/// `pRecordId` NULL or readable.
pub unsafe fn delete_record(
    b: &(impl Backend + ?Sized),
    hGroup: HGROUP,
    pRecordId: *const GUID,
) -> HRESULT {
    guard(|| {
        started(b)?;
        // SAFETY: caller's contract.
        let id = unsafe { read_guid(pRecordId) }?;
        on_group(hGroup, |g| b.group_delete_record(g, &id))?;
        OK
    })
}

/// `PeerGroupGetRecord(hGroup, pRecordId, ppRecord)`; free with PeerFreeData.
///
/// # Safety
/// `pRecordId` NULL or readable; `ppRecord` NULL or writable.
pub unsafe fn get_record(
    b: &(impl Backend + ?Sized),
    hGroup: HGROUP,
    pRecordId: *const GUID,
    ppRecord: *mut *mut PEER_RECORD,
) -> HRESULT {
    guard(|| {
        started(b)?;
        // SAFETY: caller's contract.
        unsafe {
            out::init(ppRecord)?;
            let id = read_guid(pRecordId)?;
            let r = on_group(hGroup, |g| b.group_get_record(g, &id))?;
            ppRecord.write(r.to_block()?);
        }
        OK
    })
}

/// Store prepared items behind a new enumeration handle.
///
/// # Safety
/// `ph` non-NULL and writable.
unsafe fn put_enum<T: EnumItem + 'static>(ph: *mut HPEERENUM, items: Vec<T>) -> CResult {
    let items: Vec<Box<dyn EnumItem>> = items
        .into_iter()
        .map(|i| Box::new(i) as Box<dyn EnumItem>)
        .collect();
    // SAFETY: caller's contract.
    unsafe { ph.write(enumeration::open(items)) };
    OK
}

/// `PeerGroupEnumRecords(hGroup, pRecordType, phPeerEnum)`; `pRecordType` NULL = all.
///
/// # Safety
/// `pRecordType` NULL or readable; `phPeerEnum` NULL or writable.
pub unsafe fn enum_records(
    b: &(impl Backend + ?Sized),
    hGroup: HGROUP,
    pRecordType: *const GUID,
    phPeerEnum: *mut HPEERENUM,
) -> HRESULT {
    guard(|| {
        started(b)?;
        // SAFETY: caller's contract.
        unsafe {
            out::init(phPeerEnum.cast::<*mut c_void>())?;
            let ty = if pRecordType.is_null() {
                None
            } else {
                Some(read_guid(pRecordType)?)
            };
            let v = on_group(hGroup, |g| b.group_enum_records(g, ty.as_ref()))?;
            put_enum(phPeerEnum, v)
        }
    })
}

/// `PeerGroupSearchRecords(hGroup, pwzCriteria, phPeerEnum)`.
///
/// # Safety
/// `pwzCriteria` NULL or NUL-terminated UTF-16; `phPeerEnum` NULL or writable.
pub unsafe fn search_records(
    b: &(impl Backend + ?Sized),
    hGroup: HGROUP,
    pwzCriteria: PCWSTR,
    phPeerEnum: *mut HPEERENUM,
) -> HRESULT {
    guard(|| {
        started(b)?;
        // SAFETY: caller's contract.
        unsafe {
            out::init(phPeerEnum.cast::<*mut c_void>())?;
            let q = read_req(pwzCriteria)?;
            let v = on_group(hGroup, |g| b.group_search_records(g, &q))?;
            put_enum(phPeerEnum, v)
        }
    })
}

/// `PeerGroupEnumMembers(hGroup, dwFlags, pwzIdentity, phPeerEnum)`; `dwFlags` 0 or
/// `PEER_MEMBER_PRESENT`; `pwzIdentity` NULL = every member.
///
/// # Safety
/// `pwzIdentity` NULL or NUL-terminated UTF-16; `phPeerEnum` NULL or writable.
pub unsafe fn enum_members(
    b: &(impl Backend + ?Sized),
    hGroup: HGROUP,
    dwFlags: DWORD,
    pwzIdentity: PCWSTR,
    phPeerEnum: *mut HPEERENUM,
) -> HRESULT {
    guard(|| {
        started(b)?;
        // SAFETY: caller's contract.
        unsafe {
            out::init(phPeerEnum.cast::<*mut c_void>())?;
            if dwFlags & !PEER_MEMBER_PRESENT != 0 {
                return Err(E_INVALIDARG);
            }
            let who = read_opt_nonempty(pwzIdentity)?;
            let v = on_group(hGroup, |g| b.group_enum_members(g, dwFlags, who.as_deref()))?;
            put_enum(phPeerEnum, v)
        }
    })
}

/// `PeerGroupExportDatabase(hGroup, pwzFilePath)`.
///
/// # Safety
/// `pwzFilePath` NULL or NUL-terminated UTF-16.
pub unsafe fn export_database(
    b: &(impl Backend + ?Sized),
    hGroup: HGROUP,
    pwzFilePath: PCWSTR,
) -> HRESULT {
    guard(|| {
        started(b)?;
        // SAFETY: caller's contract.
        let path = unsafe { read_req(pwzFilePath) }?;
        if path.is_empty() {
            return Err(E_INVALIDARG);
        }
        on_group(hGroup, |g| b.group_export_database(g, &path))?;
        OK
    })
}

/// `PeerGroupImportDatabase(hGroup, pwzFilePath)`.
///
/// # Safety
/// `pwzFilePath` NULL or NUL-terminated UTF-16.
pub unsafe fn import_database(
    b: &(impl Backend + ?Sized),
    hGroup: HGROUP,
    pwzFilePath: PCWSTR,
) -> HRESULT {
    guard(|| {
        started(b)?;
        // SAFETY: caller's contract.
        let path = unsafe { read_req(pwzFilePath) }?;
        if path.is_empty() {
            return Err(E_INVALIDARG);
        }
        on_group(hGroup, |g| b.group_import_database(g, &path))?;
        OK
    })
}

/// `PeerGroupRegisterEvent(hGroup, hEvent, cEventRegistration, pEventRegistrations,
/// phPeerEvent)`. `hEvent`: NULL, or a file descriptor (see the module documentation).
///
/// # Safety
/// `pEventRegistrations` NULL or readable for `cEventRegistration` entries, each `pType`
/// NULL or readable; `phPeerEvent` NULL or writable.
pub unsafe fn register_event(
    b: &(impl Backend + ?Sized),
    hGroup: HGROUP,
    hEvent: HANDLE,
    cEventRegistration: DWORD,
    pEventRegistrations: *const PEER_GROUP_EVENT_REGISTRATION,
    phPeerEvent: *mut HPEEREVENT,
) -> HRESULT {
    guard(|| {
        started(b)?;
        // SAFETY: caller's contract.
        unsafe {
            out::init(phPeerEvent.cast::<*mut c_void>())?;
            let n = cEventRegistration as usize;
            if pEventRegistrations.is_null() || n == 0 || n > MAX_REGISTRATIONS {
                return Err(E_INVALIDARG);
            }
            let regs = std::slice::from_raw_parts(pEventRegistrations, n)
                .iter()
                .map(|r| {
                    Ok(Registration {
                        event_type: r.eventType,
                        record_type: if r.pType.is_null() {
                            None
                        } else {
                            Some(read_guid(r.pType)?)
                        },
                    })
                })
                .collect::<Result<Vec<_>, HResult>>()?;
            let notify = fd_notifier(hEvent)?;
            let obj = on_group(hGroup, |g| b.group_register_event(g, &regs, notify))?;
            phPeerEvent.write(EVENTS.insert(obj));
        }
        OK
    })
}

/// `PeerGroupUnregisterEvent(hPeerEvent)`: stops delivery; queued events are dropped.
pub fn unregister_event(hPeerEvent: HPEEREVENT) -> HRESULT {
    guard(|| {
        EVENTS
            .remove(hPeerEvent.cast_const())
            .map(|_| S_OK)
            .ok_or(E_INVALIDARG)
    })
}

/// `PeerGroupGetEventData(hPeerEvent, ppEventData)`: `S_OK` with one event, or
/// `PEER_S_NO_EVENT_DATA` with `*ppEventData` NULL.
///
/// # Safety
/// `ppEventData` NULL or writable.
pub unsafe fn get_event_data(
    b: &(impl Backend + ?Sized),
    hPeerEvent: HPEEREVENT,
    ppEventData: *mut *mut PEER_GROUP_EVENT_DATA,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            out::init(ppEventData)?;
            let obj = event_object(hPeerEvent)?;
            match b.event_get_data(&*obj)? {
                Some(e) => {
                    ppEventData.write(e.to_block()?);
                    OK
                }
                None => Ok(PEER_S_NO_EVENT_DATA),
            }
        }
    })
}

/// `PeernetWaitForGroupEvent(hPeerEvent, dwMilliseconds)` (peernet extension): blocks
/// until an event is queued (`S_OK`) or the time passes (`PEER_S_NO_EVENT_DATA`);
/// `INFINITE` (0xFFFFFFFF) waits without limit.
pub fn wait_for_event(b: &(impl Backend + ?Sized), hPeerEvent: HPEEREVENT, ms: DWORD) -> HRESULT {
    guard(|| {
        let obj = event_object(hPeerEvent)?;
        let timeout = if ms == u32::MAX {
            std::time::Duration::from_secs(u64::from(u32::MAX))
        } else {
            std::time::Duration::from_millis(u64::from(ms))
        };
        if b.event_wait(&*obj, timeout)? {
            OK
        } else {
            Ok(PEER_S_NO_EVENT_DATA)
        }
    })
}

#[cfg(test)]
#[path = "records_api_tests.rs"]
mod tests;
