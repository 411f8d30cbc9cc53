//! Records, members and the group database: PeerGroupAddRecord … PeerGroupImportDatabase,
//! each a call of the facade's [`peernet::Group`] method of the same name
//! (`PeerGroupAddRecord` → `Group::add_record`), and the `PEER_RECORD` / `PEER_MEMBER`
//! layouts.
//!
//! # Safety (every function)
//! As for the Grouping functions: strings NULL or NUL-terminated UTF-16, structures NULL
//! or valid for what their sizes and counts describe, out-pointers NULL or writable,
//! handles anything.

use std::mem::{offset_of, size_of};
use std::path::Path;

use peernet::hresult::{E_INVALIDARG, E_OUTOFMEMORY};
use peernet::{HResult, PEER_MEMBER_PRESENT};

use crate::convert::{PublicKeyInfo, guid_bytes, guid_from_bytes, place_roles, public_key_info};
use crate::enumeration::{EnumItem, put_enum};
use crate::ffi::{OK, guard, h, init, read_guid, read_opt_guid, read_slice, started_with};
use crate::group::with_group;
use crate::memory::BlockBuilder;
use crate::startup::require_started;
use crate::types::{
    DWORD, FILETIME, GUID, HGROUP, HPEERENUM, HRESULT, PCWSTR, PEER_ADDRESS, PEER_CREDENTIAL_INFO,
    PEER_DATA, PEER_MEMBER, PEER_RECORD,
};

/// The most addresses one `PEER_MEMBER` carries (a member has one neighbour connection
/// per node, at most a few).
const MAX_MEMBER_ADDRESSES: usize = 16;
use crate::wide::{read_opt, read_opt_nonempty, read_req};

/// Largest record payload read from a caller's `PEER_RECORD` (the facade's limit, 1 MiB,
/// is checked there with `PEER_E_MAX_RECORD_SIZE_EXCEEDED`; this only bounds the copy).
const MAX_RECORD_COPY: usize = 64 << 20;

/// A caller's record (`dwSize` must be `sizeof(PEER_RECORD)`) as the facade's. The
/// fields the infrastructure sets (creator, modifier, creation and modification times,
/// security data) are not read: add and update ignore them.
///
/// # Safety
/// `p` non-NULL and valid; nested pointers NULL or valid for what they describe.
unsafe fn read_record(p: *const PEER_RECORD) -> Result<peernet::Record, HResult> {
    // SAFETY: per the contract.
    unsafe {
        let r = &*p;
        if r.dwSize as usize != size_of::<PEER_RECORD>() {
            return Err(E_INVALIDARG);
        }
        let mut f = peernet::Record::new(
            guid_bytes(&r.r#type),
            peernet::from_filetime(r.ftExpiration.as_u64()),
        );
        f.id = guid_bytes(&r.id);
        f.version = r.dwVersion;
        f.flags = r.dwFlags;
        f.attributes = read_opt(r.pwzAttributes)?;
        f.data = read_slice(r.data.pbData, r.data.cbData, MAX_RECORD_COPY)?;
        Ok(f)
    }
}

/// Place a record, its strings and data in `b`; returns its offset.
fn place_record(r: &peernet::Record, b: &mut BlockBuilder) -> Result<usize, HResult> {
    let len = |v: &Vec<u8>| u32::try_from(v.len()).map_err(|_| E_OUTOFMEMORY);
    let time = |t| FILETIME::from_u64(peernet::to_filetime(t));
    let empty = PEER_DATA {
        cbData: 0,
        pbData: std::ptr::null_mut(),
    };
    let at = b.push(PEER_RECORD {
        dwSize: size_of::<PEER_RECORD>() as u32,
        r#type: guid_from_bytes(&r.record_type),
        id: guid_from_bytes(&r.id),
        dwVersion: r.version,
        dwFlags: r.flags,
        pwzCreatorId: std::ptr::null_mut(),
        pwzModifiedById: std::ptr::null_mut(),
        pwzAttributes: std::ptr::null_mut(),
        ftCreation: time(r.creation),
        ftExpiration: time(r.expiration),
        ftLastModified: time(r.last_modified),
        securityData: PEER_DATA {
            cbData: len(&r.security_data)?,
            ..empty
        },
        data: PEER_DATA {
            cbData: len(&r.data)?,
            ..empty
        },
    });
    type R = PEER_RECORD;
    b.link_wstr(at + offset_of!(R, pwzCreatorId), Some(&r.creator_id));
    b.link_wstr(at + offset_of!(R, pwzModifiedById), Some(&r.modified_by_id));
    b.link_wstr(at + offset_of!(R, pwzAttributes), r.attributes.as_deref());
    for (field, bytes) in [
        (offset_of!(R, securityData), &r.security_data),
        (offset_of!(R, data), &r.data),
    ] {
        if !bytes.is_empty() {
            let d = b.push_bytes(bytes, 8);
            b.link(at + field + offset_of!(PEER_DATA, pbData), d);
        }
    }
    Ok(at)
}

impl EnumItem for peernet::Record {
    fn place(&self, b: &mut BlockBuilder) -> usize {
        // Sizes were bounded when the record was read from the store (≤ 1 MiB).
        place_record(self, b).unwrap_or(0)
    }
}

/// A `PEER_MEMBER` item: the facade's member and its public key, converted to
/// `CERT_PUBLIC_KEY_INFO` values when the enumeration is made (a key that does not
/// convert fails PeerGroupEnumMembers with `E_FAIL`, not the item).
///
/// `pCredentialInfo` and its `pwzFriendlyName` are never NULL (programs such as the SDK's
/// GroupChat read them unchecked): for a member whose credentials the group database does
/// not hold, the structure carries the member's peer name as friendly name, and no key,
/// issuer, validity or roles.
struct MemberItem {
    member: peernet::Member,
    key: Option<PublicKeyInfo>,
}

impl MemberItem {
    /// The item of `member` (`E_FAIL` if its public key is not a SubjectPublicKeyInfo).
    fn new(member: peernet::Member) -> Result<MemberItem, HResult> {
        let key = match &member.credentials {
            Some(c) => Some(public_key_info(&c.public_key)?),
            None => None,
        };
        Ok(MemberItem { member, key })
    }
}

impl EnumItem for MemberItem {
    fn place(&self, b: &mut BlockBuilder) -> usize {
        let m = &self.member;
        let at = b.push(PEER_MEMBER {
            dwSize: size_of::<PEER_MEMBER>() as u32,
            dwFlags: m.flags,
            pwzIdentity: std::ptr::null_mut(),
            pwzAttributes: std::ptr::null_mut(),
            ullNodeId: m.node_id,
            cAddresses: m.addresses.len().min(MAX_MEMBER_ADDRESSES) as u32,
            pAddresses: std::ptr::null_mut(),
            pCredentialInfo: std::ptr::null_mut(),
        });
        type M = PEER_MEMBER;
        if !m.addresses.is_empty() {
            let n = m.addresses.len().min(MAX_MEMBER_ADDRESSES);
            let arr = b.reserve::<PEER_ADDRESS>(n);
            for (i, a) in m.addresses.iter().take(n).enumerate() {
                b.put(
                    arr + i * size_of::<PEER_ADDRESS>(),
                    crate::connection::peer_address(*a),
                );
            }
            b.link(at + offset_of!(M, pAddresses), arr);
        }
        type C = PEER_CREDENTIAL_INFO;
        b.link_wstr(at + offset_of!(M, pwzIdentity), Some(&m.identity));
        b.link_wstr(at + offset_of!(M, pwzAttributes), m.attributes.as_deref());
        let c = m.credentials.as_ref();
        let time = |t| FILETIME::from_u64(peernet::to_filetime(t));
        let ci = b.push(PEER_CREDENTIAL_INFO {
            dwSize: size_of::<C>() as u32,
            dwFlags: 0,
            pwzFriendlyName: std::ptr::null_mut(),
            pPublicKey: std::ptr::null_mut(),
            pwzIssuerPeerName: std::ptr::null_mut(),
            pwzIssuerFriendlyName: std::ptr::null_mut(),
            ftValidityStart: c.map_or(FILETIME::default(), |c| time(c.validity_start)),
            ftValidityEnd: c.map_or(FILETIME::default(), |c| time(c.validity_end)),
            cRoles: c.map_or(0, |c| c.roles.len().min(u32::MAX as usize) as u32),
            pRoles: std::ptr::null_mut(),
        });
        b.link(at + offset_of!(M, pCredentialInfo), ci);
        let friendly = c.map_or(m.identity.as_str(), |c| c.friendly_name.as_str());
        b.link_wstr(ci + offset_of!(C, pwzFriendlyName), Some(friendly));
        let Some(c) = c else {
            return at;
        };
        b.link_wstr(
            ci + offset_of!(C, pwzIssuerPeerName),
            Some(&c.issuer_peer_name),
        );
        b.link_wstr(
            ci + offset_of!(C, pwzIssuerFriendlyName),
            Some(&c.issuer_friendly_name),
        );
        // Key sizes were bounded when the certificate was read from the store.
        if let Some(k) = self.key.as_ref().and_then(|k| k.place(b).ok()) {
            b.link(ci + offset_of!(C, pPublicKey), k);
        }
        if let Some(roles) = place_roles(b, &c.roles) {
            b.link(ci + offset_of!(C, pRoles), roles);
        }
        at
    }
}

/// Check the required `GUID` out-pointer of PeerGroupAddRecord and set it to `GUID_NULL`
/// (unaligned: the caller's GUID may sit anywhere in its own structures).
///
/// # Safety
/// `p` is NULL or valid for a write of a `GUID`.
unsafe fn init_guid(p: *mut GUID) -> Result<(), HResult> {
    if p.is_null() {
        return Err(E_INVALIDARG);
    }
    // SAFETY: non-NULL and writable per the contract.
    unsafe { p.write_unaligned(GUID::NULL) };
    Ok(())
}

/// `PeerGroupAddRecord(hGroup, pRecord, pRecordId)`; all required; `*pRecordId` is
/// `GUID_NULL` on every failure.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupAddRecord(
    hGroup: HGROUP,
    pRecord: *mut PEER_RECORD,
    pRecordId: *mut GUID,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            started_with(init_guid(pRecordId))?;
            if pRecord.is_null() {
                return Err(E_INVALIDARG);
            }
            let r = read_record(pRecord)?;
            let id = with_group(hGroup, |g| h(g.add_record(&r)))?;
            pRecordId.write_unaligned(guid_from_bytes(&id));
        }
        OK
    })
}

/// `PeerGroupUpdateRecord(hGroup, pRecord)`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupUpdateRecord(
    hGroup: HGROUP,
    pRecord: *mut PEER_RECORD,
) -> HRESULT {
    guard(|| {
        require_started()?;
        if pRecord.is_null() {
            return Err(E_INVALIDARG);
        }
        // SAFETY: caller's contract.
        let r = unsafe { read_record(pRecord) }?;
        with_group(hGroup, |g| h(g.update_record(&r)))?;
        OK
    })
}

/// `PeerGroupDeleteRecord(hGroup, pRecordId)`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupDeleteRecord(hGroup: HGROUP, pRecordId: *const GUID) -> HRESULT {
    guard(|| {
        require_started()?;
        // SAFETY: caller's contract.
        let id = guid_bytes(&unsafe { read_guid(pRecordId) }?);
        with_group(hGroup, |g| h(g.delete_record(&id)))?;
        OK
    })
}

/// `PeerGroupGetRecord(hGroup, pRecordId, ppRecord)`; free with PeerFreeData.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupGetRecord(
    hGroup: HGROUP,
    pRecordId: *const GUID,
    ppRecord: *mut *mut PEER_RECORD,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            started_with(init(ppRecord))?;
            let id = guid_bytes(&read_guid(pRecordId)?);
            let r = with_group(hGroup, |g| h(g.get_record(&id)))?;
            let mut b = BlockBuilder::new();
            place_record(&r, &mut b)?;
            ppRecord.write(b.finish()?.cast());
        }
        OK
    })
}

/// `PeerGroupEnumRecords(hGroup, pRecordType, phPeerEnum)`; `pRecordType` NULL = all.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupEnumRecords(
    hGroup: HGROUP,
    pRecordType: *const GUID,
    phPeerEnum: *mut HPEERENUM,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            started_with(init(phPeerEnum))?;
            let ty = read_opt_guid(pRecordType).map(|t| guid_bytes(&t));
            let v = with_group(hGroup, |g| h(g.enum_records(ty.as_ref())))?;
            put_enum(phPeerEnum, v)
        }
    })
}

/// `PeerGroupSearchRecords(hGroup, pwzCriteria, phPeerEnum)`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupSearchRecords(
    hGroup: HGROUP,
    pwzCriteria: PCWSTR,
    phPeerEnum: *mut HPEERENUM,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            started_with(init(phPeerEnum))?;
            let q = read_req(pwzCriteria)?;
            let v = with_group(hGroup, |g| h(g.search_records(&q)))?;
            put_enum(phPeerEnum, v)
        }
    })
}

/// `PeerGroupEnumMembers(hGroup, dwFlags, pwzIdentity, phPeerEnum)`; `dwFlags` 0 or
/// `PEER_MEMBER_PRESENT`; `pwzIdentity` NULL = every member.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupEnumMembers(
    hGroup: HGROUP,
    dwFlags: DWORD,
    pwzIdentity: PCWSTR,
    phPeerEnum: *mut HPEERENUM,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            started_with(init(phPeerEnum))?;
            if dwFlags & !PEER_MEMBER_PRESENT != 0 {
                return Err(E_INVALIDARG);
            }
            let who = read_opt_nonempty(pwzIdentity)?;
            let members = with_group(hGroup, |g| h(g.enum_members(dwFlags, who.as_deref())))?;
            let items = members
                .into_iter()
                .map(MemberItem::new)
                .collect::<Result<Vec<_>, _>>()?;
            put_enum(phPeerEnum, items)
        }
    })
}

/// `PeerGroupExportDatabase(hGroup, pwzFilePath)`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupExportDatabase(hGroup: HGROUP, pwzFilePath: PCWSTR) -> HRESULT {
    guard(|| {
        require_started()?;
        // SAFETY: caller's contract.
        let path = unsafe { read_req(pwzFilePath) }?;
        if path.is_empty() {
            return Err(E_INVALIDARG);
        }
        with_group(hGroup, |g| h(g.export_database(Path::new(&path))))?;
        OK
    })
}

/// `PeerGroupImportDatabase(hGroup, pwzFilePath)`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupImportDatabase(hGroup: HGROUP, pwzFilePath: PCWSTR) -> HRESULT {
    guard(|| {
        require_started()?;
        // SAFETY: caller's contract.
        let path = unsafe { read_req(pwzFilePath) }?;
        if path.is_empty() {
            return Err(E_INVALIDARG);
        }
        with_group(hGroup, |g| h(g.import_database(Path::new(&path))))?;
        OK
    })
}

#[cfg(test)]
mod tests;
