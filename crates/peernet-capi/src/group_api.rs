//! Argument layer of the Grouping functions (PeerGroupCreate … PeerGroupPeerTimeToUniversalTime).
//!
//! Exported by [`crate::exports`] (see [`identity_api`](crate::identity_api) for the
//! pattern). Order
//! of checks in every function: grouping started (`PEER_E_NOT_INITIALIZED`), required
//! pointers (`E_INVALIDARG`), out-pointers set to NULL / zero, strings and structures
//! converted (`E_INVALIDARG`), then the group handle (`PEER_E_INVALID_GROUP`) and the
//! one backend call.

use peernet::HResult;
use peernet::hresult::{E_INVALIDARG, PEER_E_INVALID_GROUP_PROPERTIES};

use crate::backend::Backend;
use crate::ffi::{CResult, OK, guard};
use crate::group_handles::{self, GroupObject};
use crate::model::{CredentialInfo, GroupProperties, InvitationInfo, read_roles};
use crate::out;
use crate::types::{
    BOOL, DWORD, FILETIME, GUID, HGROUP, HRESULT, PCWSTR, PEER_CREDENTIAL_INFO,
    PEER_GROUP_PROPERTIES, PEER_GROUP_STORE_CREDENTIALS, PEER_INVITATION_INFO, PWSTR, ULONG,
};
use crate::wide::{read_opt_nonempty, read_req};

fn started(b: &(impl Backend + ?Sized)) -> Result<(), HResult> {
    if b.is_started() {
        Ok(())
    } else {
        Err(peernet::hresult::PEER_E_NOT_INITIALIZED)
    }
}

/// Run `f` on the group behind `h` (`PEER_E_INVALID_GROUP` when there is none).
fn on_group<R>(
    h: HGROUP,
    f: impl FnOnce(&mut GroupObject) -> Result<R, HResult>,
) -> Result<R, HResult> {
    group_handles::with_group(h, f)?
}

/// Identity argument documented as "NULL = the default identity".
///
/// # Safety
/// `p` NULL or NUL-terminated UTF-16.
unsafe fn identity_or_default(b: &(impl Backend + ?Sized), p: PCWSTR) -> Result<String, HResult> {
    // SAFETY: caller's contract.
    match unsafe { read_opt_nonempty(p) }? {
        Some(i) => Ok(i),
        None => b.identity_default(),
    }
}

/// Store a new group handle in `*phGroup` and return the success code.
///
/// # Safety
/// `phGroup` non-NULL and writable.
unsafe fn put_group(phGroup: *mut HGROUP, group: GroupObject, code: HResult) -> CResult {
    // SAFETY: caller's contract.
    unsafe { phGroup.write(group_handles::insert(group)) };
    Ok(code)
}

/// `PeerGroupCreate(pProperties, phGroup)`.
///
/// `pProperties->dwSize` is the Vista or the XP size; `pwzGroupPeerName` must be NULL
/// (`PEER_E_INVALID_GROUP_PROPERTIES`); NULL `pwzCreatorPeerName` = default identity.
///
/// # Safety
/// `pProperties` NULL or a valid structure; `phGroup` NULL or writable.
pub unsafe fn group_create(
    b: &(impl Backend + ?Sized),
    pProperties: *const PEER_GROUP_PROPERTIES,
    phGroup: *mut HGROUP,
) -> HRESULT {
    guard(|| {
        started(b)?;
        if pProperties.is_null() {
            return Err(E_INVALIDARG);
        }
        // SAFETY: caller's contract.
        unsafe {
            out::init(phGroup)?;
            let mut props = GroupProperties::read(pProperties)?;
            if props.group_peer_name.is_some() {
                return Err(PEER_E_INVALID_GROUP_PROPERTIES);
            }
            if props.creator_peer_name.as_deref().is_none_or(str::is_empty) {
                props.creator_peer_name = Some(b.identity_default()?);
            }
            let group = b.group_create(&props)?;
            put_group(phGroup, group, peernet::hresult::S_OK)
        }
    })
}

/// `PeerGroupOpen(pwzIdentity, pwzGroupPeerName, pwzCloud, phGroup)`; identity and
/// group required; NULL cloud = the group's own cloud.
///
/// # Safety
/// Strings NULL or NUL-terminated UTF-16; `phGroup` NULL or writable.
pub unsafe fn group_open(
    b: &(impl Backend + ?Sized),
    pwzIdentity: PCWSTR,
    pwzGroupPeerName: PCWSTR,
    pwzCloud: PCWSTR,
    phGroup: *mut HGROUP,
) -> HRESULT {
    guard(|| {
        started(b)?;
        // SAFETY: caller's contract.
        unsafe {
            out::init(phGroup)?;
            let identity = read_req(pwzIdentity)?;
            let group_name = read_req(pwzGroupPeerName)?;
            let cloud = read_opt_nonempty(pwzCloud)?;
            let group = b.group_open(&identity, &group_name, cloud.as_deref())?;
            put_group(phGroup, group, peernet::hresult::S_OK)
        }
    })
}

/// `PeerGroupJoin(pwzIdentity, pwzInvitation, pwzCloud, phGroup)`; NULL identity =
/// default identity; invitation required; NULL cloud = the invitation's cloud.
///
/// # Safety
/// Strings NULL or NUL-terminated UTF-16; `phGroup` NULL or writable.
pub unsafe fn group_join(
    b: &(impl Backend + ?Sized),
    pwzIdentity: PCWSTR,
    pwzInvitation: PCWSTR,
    pwzCloud: PCWSTR,
    phGroup: *mut HGROUP,
) -> HRESULT {
    guard(|| {
        started(b)?;
        // SAFETY: caller's contract.
        unsafe {
            out::init(phGroup)?;
            let invitation = read_req(pwzInvitation)?;
            let cloud = read_opt_nonempty(pwzCloud)?;
            let identity = identity_or_default(b, pwzIdentity)?;
            let group = b.group_join(&identity, &invitation, cloud.as_deref())?;
            put_group(phGroup, group, peernet::hresult::S_OK)
        }
    })
}

/// `PeerGroupPasswordJoin(pwzIdentity, pwzInvitation, pwzPassword, pwzCloud, phGroup)`;
/// as PeerGroupJoin plus a required password; may return `PEER_S_ALREADY_A_MEMBER`.
///
/// # Safety
/// Strings NULL or NUL-terminated UTF-16; `phGroup` NULL or writable.
pub unsafe fn group_password_join(
    b: &(impl Backend + ?Sized),
    pwzIdentity: PCWSTR,
    pwzInvitation: PCWSTR,
    pwzPassword: PCWSTR,
    pwzCloud: PCWSTR,
    phGroup: *mut HGROUP,
) -> HRESULT {
    guard(|| {
        started(b)?;
        // SAFETY: caller's contract.
        unsafe {
            out::init(phGroup)?;
            let invitation = read_req(pwzInvitation)?;
            let password = read_req(pwzPassword)?;
            let cloud = read_opt_nonempty(pwzCloud)?;
            let identity = identity_or_default(b, pwzIdentity)?;
            let (group, code) =
                b.group_password_join(&identity, &invitation, &password, cloud.as_deref())?;
            put_group(phGroup, group, code)
        }
    })
}

/// `PeerGroupConnect(hGroup)`.
pub fn group_connect(b: &(impl Backend + ?Sized), hGroup: HGROUP) -> HRESULT {
    guard(|| {
        started(b)?;
        on_group(hGroup, |g| b.group_connect(g))
    })
}

/// `PeerGroupClose(hGroup)`: the handle is invalid afterwards, whatever the backend says.
pub fn group_close(b: &(impl Backend + ?Sized), hGroup: HGROUP) -> HRESULT {
    guard(|| {
        started(b)?;
        let group = group_handles::remove(hGroup)?;
        b.group_close(group)?;
        OK
    })
}

/// `PeerGroupDelete(pwzIdentity, pwzGroupPeerName)`; NULL identity = default identity.
///
/// # Safety
/// Strings NULL or NUL-terminated UTF-16.
pub unsafe fn group_delete(
    b: &(impl Backend + ?Sized),
    pwzIdentity: PCWSTR,
    pwzGroupPeerName: PCWSTR,
) -> HRESULT {
    guard(|| {
        started(b)?;
        // SAFETY: caller's contract.
        let group_name = unsafe { read_req(pwzGroupPeerName) }?;
        // SAFETY: caller's contract.
        let identity = unsafe { identity_or_default(b, pwzIdentity) }?;
        b.group_delete(&identity, &group_name)?;
        OK
    })
}

/// `PeerGroupCreateInvitation(hGroup, pwzIdentityInfo, pftExpiration, cRoles, pRoles,
/// ppwzInvitation)`; NULL expiration = the issuer's remaining lifetime; `cRoles > 0`
/// with NULL `pRoles` (or more than 1024 roles) is `E_INVALIDARG`.
///
/// # Safety
/// `pwzIdentityInfo` NULL or NUL-terminated UTF-16; `pftExpiration` NULL or readable;
/// `pRoles` readable for `cRoles` GUIDs; `ppwzInvitation` NULL or writable.
pub unsafe fn group_create_invitation(
    b: &(impl Backend + ?Sized),
    hGroup: HGROUP,
    pwzIdentityInfo: PCWSTR,
    pftExpiration: *const FILETIME,
    cRoles: ULONG,
    pRoles: *const GUID,
    ppwzInvitation: *mut PWSTR,
) -> HRESULT {
    guard(|| {
        started(b)?;
        // SAFETY: caller's contract.
        unsafe {
            out::init(ppwzInvitation)?;
            let info = read_req(pwzIdentityInfo)?;
            let expiration = if pftExpiration.is_null() {
                None
            } else {
                Some(pftExpiration.read_unaligned().as_u64())
            };
            let roles = read_roles(pRoles, cRoles)?;
            let xml = on_group(hGroup, |g| {
                b.group_create_invitation(g, &info, expiration, &roles)
            })?;
            out::string(ppwzInvitation, &xml)?;
        }
        OK
    })
}

/// `PeerGroupCreatePasswordInvitation(hGroup, ppwzInvitation)`.
///
/// # Safety
/// `ppwzInvitation` NULL or writable.
pub unsafe fn group_create_password_invitation(
    b: &(impl Backend + ?Sized),
    hGroup: HGROUP,
    ppwzInvitation: *mut PWSTR,
) -> HRESULT {
    guard(|| {
        started(b)?;
        // SAFETY: caller's contract.
        unsafe {
            out::init(ppwzInvitation)?;
            let xml = on_group(hGroup, |g| b.group_create_password_invitation(g))?;
            out::string(ppwzInvitation, &xml)?;
        }
        OK
    })
}

/// `PeerGroupParseInvitation(pwzInvitation, ppInvitationInfo)`: one block holding the
/// structure and everything it points to.
///
/// # Safety
/// `pwzInvitation` NULL or NUL-terminated UTF-16; `ppInvitationInfo` NULL or writable.
pub unsafe fn group_parse_invitation(
    b: &(impl Backend + ?Sized),
    pwzInvitation: PCWSTR,
    ppInvitationInfo: *mut *mut PEER_INVITATION_INFO,
) -> HRESULT {
    guard(|| {
        started(b)?;
        // SAFETY: caller's contract.
        unsafe {
            out::init(ppInvitationInfo)?;
            let invitation = read_req(pwzInvitation)?;
            let info: InvitationInfo = b.group_parse_invitation(&invitation)?;
            ppInvitationInfo.write(info.to_block()?);
        }
        OK
    })
}

/// `PeerGroupIssueCredentials(hGroup, pwzSubjectIdentity, pCredentialInfo, dwFlags,
/// ppwzInvitation)`; subject required; NULL credential info = the subject's data in the
/// group database; `dwFlags` 0 or PEER_GROUP_STORE_CREDENTIALS (other bits:
/// `E_INVALIDARG`); `ppwzInvitation` optional.
///
/// # Safety
/// `pwzSubjectIdentity` NULL or NUL-terminated UTF-16; `pCredentialInfo` NULL or a
/// valid structure; `ppwzInvitation` NULL or writable.
pub unsafe fn group_issue_credentials(
    b: &(impl Backend + ?Sized),
    hGroup: HGROUP,
    pwzSubjectIdentity: PCWSTR,
    pCredentialInfo: *const PEER_CREDENTIAL_INFO,
    dwFlags: DWORD,
    ppwzInvitation: *mut PWSTR,
) -> HRESULT {
    guard(|| {
        started(b)?;
        // SAFETY: caller's contract.
        unsafe {
            if !ppwzInvitation.is_null() {
                ppwzInvitation.write(std::ptr::null_mut());
            }
            if dwFlags & !PEER_GROUP_STORE_CREDENTIALS != 0 {
                return Err(E_INVALIDARG);
            }
            let subject = read_req(pwzSubjectIdentity)?;
            let credential = if pCredentialInfo.is_null() {
                None
            } else {
                Some(CredentialInfo::read(pCredentialInfo)?)
            };
            let xml = on_group(hGroup, |g| {
                b.group_issue_credentials(g, &subject, credential.as_ref(), dwFlags)
            })?;
            if !ppwzInvitation.is_null() {
                out::string(ppwzInvitation, &xml)?;
            }
        }
        OK
    })
}

/// `PeerGroupExportConfig(hGroup, pwzPassword, ppwzXML)`; all required.
///
/// # Safety
/// `pwzPassword` NULL or NUL-terminated UTF-16; `ppwzXML` NULL or writable.
pub unsafe fn group_export_config(
    b: &(impl Backend + ?Sized),
    hGroup: HGROUP,
    pwzPassword: PCWSTR,
    ppwzXML: *mut PWSTR,
) -> HRESULT {
    guard(|| {
        started(b)?;
        // SAFETY: caller's contract.
        unsafe {
            out::init(ppwzXML)?;
            let password = read_req(pwzPassword)?;
            let xml = on_group(hGroup, |g| b.group_export_config(g, &password))?;
            out::string(ppwzXML, &xml)?;
        }
        OK
    })
}

/// `PeerGroupImportConfig(pwzXML, pwzPassword, fOverwrite, ppwzIdentity, ppwzGroup)`;
/// all pointers required; `fOverwrite` non-zero = replace an existing configuration.
///
/// # Safety
/// Strings NULL or NUL-terminated UTF-16; out-pointers NULL or writable.
pub unsafe fn group_import_config(
    b: &(impl Backend + ?Sized),
    pwzXML: PCWSTR,
    pwzPassword: PCWSTR,
    fOverwrite: BOOL,
    ppwzIdentity: *mut PWSTR,
    ppwzGroup: *mut PWSTR,
) -> HRESULT {
    guard(|| {
        started(b)?;
        // SAFETY: caller's contract.
        unsafe {
            out::init(ppwzIdentity)?;
            out::init(ppwzGroup)?;
            let xml = read_req(pwzXML)?;
            let password = read_req(pwzPassword)?;
            let (identity, group) = b.group_import_config(&xml, &password, fOverwrite != 0)?;
            out::string(ppwzIdentity, &identity)?;
            if let Err(e) = out::string(ppwzGroup, &group) {
                crate::alloc::free(ppwzIdentity.read().cast());
                ppwzIdentity.write(std::ptr::null_mut());
                return Err(e);
            }
        }
        OK
    })
}

/// `PeerGroupGetProperties(hGroup, ppProperties)`: one block, Vista-sized structure.
///
/// # Safety
/// `ppProperties` NULL or writable.
pub unsafe fn group_get_properties(
    b: &(impl Backend + ?Sized),
    hGroup: HGROUP,
    ppProperties: *mut *mut PEER_GROUP_PROPERTIES,
) -> HRESULT {
    guard(|| {
        started(b)?;
        // SAFETY: caller's contract.
        unsafe {
            out::init(ppProperties)?;
            let props = on_group(hGroup, |g| b.group_properties(g))?;
            ppProperties.write(props.to_block()?);
        }
        OK
    })
}

/// `PeerGroupSetProperties(hGroup, pProperties)`; `dwSize` as for PeerGroupCreate.
///
/// # Safety
/// `pProperties` NULL or a valid structure.
pub unsafe fn group_set_properties(
    b: &(impl Backend + ?Sized),
    hGroup: HGROUP,
    pProperties: *const PEER_GROUP_PROPERTIES,
) -> HRESULT {
    guard(|| {
        started(b)?;
        if pProperties.is_null() {
            return Err(E_INVALIDARG);
        }
        // SAFETY: caller's contract.
        let props = unsafe { GroupProperties::read(pProperties) }?;
        on_group(hGroup, |g| b.group_set_properties(g, &props))?;
        OK
    })
}

/// `PeerGroupGetStatus(hGroup, pdwStatus)`; `*pdwStatus` is 0 on failure.
///
/// # Safety
/// `pdwStatus` NULL or writable.
pub unsafe fn group_get_status(
    b: &(impl Backend + ?Sized),
    hGroup: HGROUP,
    pdwStatus: *mut DWORD,
) -> HRESULT {
    guard(|| {
        started(b)?;
        // SAFETY: caller's contract.
        unsafe {
            out::init_value(pdwStatus)?;
            let status = on_group(hGroup, |g| b.group_status(g))?;
            pdwStatus.write(status);
        }
        OK
    })
}

/// Shared body of the two peer-time conversions; the output is zeroed on failure.
///
/// # Safety
/// `input` NULL or readable; `output` NULL or writable.
unsafe fn convert_time(
    b: &(impl Backend + ?Sized),
    hGroup: HGROUP,
    input: *const FILETIME,
    output: *mut FILETIME,
    f: impl FnOnce(&mut GroupObject, u64) -> Result<u64, HResult>,
) -> HRESULT {
    guard(|| {
        started(b)?;
        // SAFETY: caller's contract.
        unsafe {
            out::init_value(output)?;
            if input.is_null() {
                return Err(E_INVALIDARG);
            }
            let t = input.read_unaligned().as_u64();
            let converted = on_group(hGroup, |g| f(g, t))?;
            output.write(FILETIME::from_u64(converted));
        }
        OK
    })
}

/// `PeerGroupUniversalTimeToPeerTime(hGroup, pftUniversalTime, pftPeerTime)`.
///
/// # Safety
/// `pftUniversalTime` NULL or readable; `pftPeerTime` NULL or writable.
pub unsafe fn group_universal_time_to_peer_time(
    b: &(impl Backend + ?Sized),
    hGroup: HGROUP,
    pftUniversalTime: *const FILETIME,
    pftPeerTime: *mut FILETIME,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe {
        convert_time(b, hGroup, pftUniversalTime, pftPeerTime, |g, t| {
            b.group_universal_to_peer_time(g, t)
        })
    }
}

/// `PeerGroupPeerTimeToUniversalTime(hGroup, pftPeerTime, pftUniversalTime)`.
///
/// # Safety
/// `pftPeerTime` NULL or readable; `pftUniversalTime` NULL or writable.
pub unsafe fn group_peer_time_to_universal_time(
    b: &(impl Backend + ?Sized),
    hGroup: HGROUP,
    pftPeerTime: *const FILETIME,
    pftUniversalTime: *mut FILETIME,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe {
        convert_time(b, hGroup, pftPeerTime, pftUniversalTime, |g, t| {
            b.group_peer_to_universal_time(g, t)
        })
    }
}

#[cfg(test)]
#[path = "group_api_tests.rs"]
mod tests;
