//! The exported Identity Manager and Grouping functions, under their Windows names.
//!
//! Each export passes its arguments, with the facade backend ([`GLOBAL`]), to the
//! argument layer in [`identity_api`] / [`group_api`], whose body runs inside
//! `ffi::guard`: a panic becomes `E_UNEXPECTED` and never unwinds into C. The
//! signatures are those of `include/p2p.h` (non-`const` pointers where the Windows
//! header has them; the functions never write through input pointers).
//!
//! # Safety (every function)
//! String arguments are NULL or NUL-terminated UTF-16; structure arguments are NULL or
//! valid for reads of what their size fields and counts describe; out-pointers are NULL
//! or valid for writes. Handles may be anything (unknown handles are reported, never
//! dereferenced). These are the contracts of the Windows functions.

use crate::facade::GLOBAL;
use crate::types::{
    BOOL, DWORD, FILETIME, GUID, HANDLE, HCRYPTPROV, HGROUP, HPEERENUM, HPEEREVENT, HRESULT,
    PCWSTR, PEER_CREDENTIAL_INFO, PEER_GROUP_EVENT_DATA, PEER_GROUP_EVENT_REGISTRATION,
    PEER_GROUP_PROPERTIES, PEER_INVITATION_INFO, PEER_RECORD, PWSTR, ULONG,
};
use crate::{group_api, identity_api, records_api};

// ---------------------------------------------------------------------------------------
// Identity Manager
// ---------------------------------------------------------------------------------------

/// `PeerIdentityCreate`. `hCryptProv` must be 0 (else `E_HANDLE`).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerIdentityCreate(
    pwzClassifier: PCWSTR,
    pwzFriendlyName: PCWSTR,
    hCryptProv: HCRYPTPROV,
    ppwzIdentity: *mut PWSTR,
) -> HRESULT {
    // SAFETY: the caller's contract is the one of identity_api::identity_create.
    unsafe {
        identity_api::identity_create(
            &GLOBAL,
            pwzClassifier,
            pwzFriendlyName,
            hCryptProv,
            ppwzIdentity,
        )
    }
}

/// `PeerIdentityGetFriendlyName`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerIdentityGetFriendlyName(
    pwzIdentity: PCWSTR,
    ppwzFriendlyName: *mut PWSTR,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { identity_api::identity_get_friendly_name(&GLOBAL, pwzIdentity, ppwzFriendlyName) }
}

/// `PeerIdentitySetFriendlyName`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerIdentitySetFriendlyName(
    pwzIdentity: PCWSTR,
    pwzFriendlyName: PCWSTR,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { identity_api::identity_set_friendly_name(&GLOBAL, pwzIdentity, pwzFriendlyName) }
}

/// `PeerIdentityGetCryptKey`: `E_NOTIMPL` (no CryptoAPI provider exists off Windows).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerIdentityGetCryptKey(
    pwzIdentity: PCWSTR,
    phCryptProv: *mut HCRYPTPROV,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { identity_api::identity_get_crypt_key(&GLOBAL, pwzIdentity, phCryptProv) }
}

/// `PeerIdentityDelete`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerIdentityDelete(pwzIdentity: PCWSTR) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { identity_api::identity_delete(&GLOBAL, pwzIdentity) }
}

/// `PeerEnumIdentities`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerEnumIdentities(phPeerEnum: *mut HPEERENUM) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { identity_api::enum_identities(&GLOBAL, phPeerEnum) }
}

/// `PeerEnumGroups`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerEnumGroups(
    pwzIdentity: PCWSTR,
    phPeerEnum: *mut HPEERENUM,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { identity_api::enum_groups(&GLOBAL, pwzIdentity, phPeerEnum) }
}

/// `PeerCreatePeerName`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerCreatePeerName(
    pwzIdentity: PCWSTR,
    pwzClassifier: PCWSTR,
    ppwzPeerName: *mut PWSTR,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { identity_api::create_peer_name(&GLOBAL, pwzIdentity, pwzClassifier, ppwzPeerName) }
}

/// `PeerIdentityGetXML`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerIdentityGetXML(
    pwzIdentity: PCWSTR,
    ppwzIdentityXML: *mut PWSTR,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { identity_api::identity_get_xml(&GLOBAL, pwzIdentity, ppwzIdentityXML) }
}

/// `PeerIdentityExport`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerIdentityExport(
    pwzIdentity: PCWSTR,
    pwzPassword: PCWSTR,
    ppwzExportXML: *mut PWSTR,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { identity_api::identity_export(&GLOBAL, pwzIdentity, pwzPassword, ppwzExportXML) }
}

/// `PeerIdentityImport`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerIdentityImport(
    pwzImportXML: PCWSTR,
    pwzPassword: PCWSTR,
    ppwzIdentity: *mut PWSTR,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { identity_api::identity_import(&GLOBAL, pwzImportXML, pwzPassword, ppwzIdentity) }
}

/// `PeerIdentityGetDefault`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerIdentityGetDefault(ppwzPeerName: *mut PWSTR) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { identity_api::identity_get_default(&GLOBAL, ppwzPeerName) }
}

// ---------------------------------------------------------------------------------------
// Grouping
// ---------------------------------------------------------------------------------------

/// `PeerGroupCreate`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupCreate(
    pProperties: *mut PEER_GROUP_PROPERTIES,
    phGroup: *mut HGROUP,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { group_api::group_create(&GLOBAL, pProperties.cast_const(), phGroup) }
}

/// `PeerGroupOpen`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupOpen(
    pwzIdentity: PCWSTR,
    pwzGroupPeerName: PCWSTR,
    pwzCloud: PCWSTR,
    phGroup: *mut HGROUP,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { group_api::group_open(&GLOBAL, pwzIdentity, pwzGroupPeerName, pwzCloud, phGroup) }
}

/// `PeerGroupJoin`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupJoin(
    pwzIdentity: PCWSTR,
    pwzInvitation: PCWSTR,
    pwzCloud: PCWSTR,
    phGroup: *mut HGROUP,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { group_api::group_join(&GLOBAL, pwzIdentity, pwzInvitation, pwzCloud, phGroup) }
}

/// `PeerGroupPasswordJoin`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupPasswordJoin(
    pwzIdentity: PCWSTR,
    pwzInvitation: PCWSTR,
    pwzPassword: PCWSTR,
    pwzCloud: PCWSTR,
    phGroup: *mut HGROUP,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe {
        group_api::group_password_join(
            &GLOBAL,
            pwzIdentity,
            pwzInvitation,
            pwzPassword,
            pwzCloud,
            phGroup,
        )
    }
}

/// `PeerGroupConnect`: the facade's answer (`E_NOTIMPL` for a valid group: no networking).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupConnect(hGroup: HGROUP) -> HRESULT {
    group_api::group_connect(&GLOBAL, hGroup)
}

/// `PeerGroupClose`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupClose(hGroup: HGROUP) -> HRESULT {
    group_api::group_close(&GLOBAL, hGroup)
}

/// `PeerGroupDelete`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupDelete(pwzIdentity: PCWSTR, pwzGroupPeerName: PCWSTR) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { group_api::group_delete(&GLOBAL, pwzIdentity, pwzGroupPeerName) }
}

/// `PeerGroupCreateInvitation`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupCreateInvitation(
    hGroup: HGROUP,
    pwzIdentityInfo: PCWSTR,
    pftExpiration: *mut FILETIME,
    cRoles: ULONG,
    pRoles: *const GUID,
    ppwzInvitation: *mut PWSTR,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe {
        group_api::group_create_invitation(
            &GLOBAL,
            hGroup,
            pwzIdentityInfo,
            pftExpiration.cast_const(),
            cRoles,
            pRoles,
            ppwzInvitation,
        )
    }
}

/// `PeerGroupCreatePasswordInvitation`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupCreatePasswordInvitation(
    hGroup: HGROUP,
    ppwzInvitation: *mut PWSTR,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { group_api::group_create_password_invitation(&GLOBAL, hGroup, ppwzInvitation) }
}

/// `PeerGroupParseInvitation`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupParseInvitation(
    pwzInvitation: PCWSTR,
    ppInvitationInfo: *mut *mut PEER_INVITATION_INFO,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { group_api::group_parse_invitation(&GLOBAL, pwzInvitation, ppInvitationInfo) }
}

/// `PeerGroupGetStatus`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupGetStatus(hGroup: HGROUP, pdwStatus: *mut DWORD) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { group_api::group_get_status(&GLOBAL, hGroup, pdwStatus) }
}

/// `PeerGroupGetProperties`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupGetProperties(
    hGroup: HGROUP,
    ppProperties: *mut *mut PEER_GROUP_PROPERTIES,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { group_api::group_get_properties(&GLOBAL, hGroup, ppProperties) }
}

/// `PeerGroupSetProperties`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupSetProperties(
    hGroup: HGROUP,
    pProperties: *mut PEER_GROUP_PROPERTIES,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { group_api::group_set_properties(&GLOBAL, hGroup, pProperties.cast_const()) }
}

/// `PeerGroupIssueCredentials`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupIssueCredentials(
    hGroup: HGROUP,
    pwzSubjectIdentity: PCWSTR,
    pCredentialInfo: *mut PEER_CREDENTIAL_INFO,
    dwFlags: DWORD,
    ppwzInvitation: *mut PWSTR,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe {
        group_api::group_issue_credentials(
            &GLOBAL,
            hGroup,
            pwzSubjectIdentity,
            pCredentialInfo.cast_const(),
            dwFlags,
            ppwzInvitation,
        )
    }
}

/// `PeerGroupExportConfig`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupExportConfig(
    hGroup: HGROUP,
    pwzPassword: PCWSTR,
    ppwzXML: *mut PWSTR,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { group_api::group_export_config(&GLOBAL, hGroup, pwzPassword, ppwzXML) }
}

/// `PeerGroupImportConfig`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupImportConfig(
    pwzXML: PCWSTR,
    pwzPassword: PCWSTR,
    fOverwrite: BOOL,
    ppwzIdentity: *mut PWSTR,
    ppwzGroup: *mut PWSTR,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe {
        group_api::group_import_config(
            &GLOBAL,
            pwzXML,
            pwzPassword,
            fOverwrite,
            ppwzIdentity,
            ppwzGroup,
        )
    }
}

/// `PeerGroupPeerTimeToUniversalTime`: `PEER_E_GROUP_NOT_READY` for a valid group (no
/// synchronized peer time without networking).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupPeerTimeToUniversalTime(
    hGroup: HGROUP,
    pftPeerTime: *mut FILETIME,
    pftUniversalTime: *mut FILETIME,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe {
        group_api::group_peer_time_to_universal_time(
            &GLOBAL,
            hGroup,
            pftPeerTime.cast_const(),
            pftUniversalTime,
        )
    }
}

/// `PeerGroupUniversalTimeToPeerTime`: as [`PeerGroupPeerTimeToUniversalTime`].
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupUniversalTimeToPeerTime(
    hGroup: HGROUP,
    pftUniversalTime: *mut FILETIME,
    pftPeerTime: *mut FILETIME,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe {
        group_api::group_universal_time_to_peer_time(
            &GLOBAL,
            hGroup,
            pftUniversalTime.cast_const(),
            pftPeerTime,
        )
    }
}

// ---------------------------------------------------------------------------------------
// Records, members, database, events
// ---------------------------------------------------------------------------------------

/// `PeerGroupAddRecord`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupAddRecord(
    hGroup: HGROUP,
    pRecord: *mut PEER_RECORD,
    pRecordId: *mut GUID,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { records_api::add_record(&GLOBAL, hGroup, pRecord.cast_const(), pRecordId) }
}

/// `PeerGroupUpdateRecord`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupUpdateRecord(
    hGroup: HGROUP,
    pRecord: *mut PEER_RECORD,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { records_api::update_record(&GLOBAL, hGroup, pRecord.cast_const()) }
}

/// `PeerGroupDeleteRecord`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupDeleteRecord(hGroup: HGROUP, pRecordId: *const GUID) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { records_api::delete_record(&GLOBAL, hGroup, pRecordId) }
}

/// `PeerGroupGetRecord`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupGetRecord(
    hGroup: HGROUP,
    pRecordId: *const GUID,
    ppRecord: *mut *mut PEER_RECORD,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { records_api::get_record(&GLOBAL, hGroup, pRecordId, ppRecord) }
}

/// `PeerGroupEnumRecords`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupEnumRecords(
    hGroup: HGROUP,
    pRecordType: *const GUID,
    phPeerEnum: *mut HPEERENUM,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { records_api::enum_records(&GLOBAL, hGroup, pRecordType, phPeerEnum) }
}

/// `PeerGroupSearchRecords`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupSearchRecords(
    hGroup: HGROUP,
    pwzCriteria: PCWSTR,
    phPeerEnum: *mut HPEERENUM,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { records_api::search_records(&GLOBAL, hGroup, pwzCriteria, phPeerEnum) }
}

/// `PeerGroupEnumMembers`.
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
    // SAFETY: forwarded contract.
    unsafe { records_api::enum_members(&GLOBAL, hGroup, dwFlags, pwzIdentity, phPeerEnum) }
}

/// `PeerGroupExportDatabase`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupExportDatabase(hGroup: HGROUP, pwzFilePath: PCWSTR) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { records_api::export_database(&GLOBAL, hGroup, pwzFilePath) }
}

/// `PeerGroupImportDatabase`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupImportDatabase(hGroup: HGROUP, pwzFilePath: PCWSTR) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { records_api::import_database(&GLOBAL, hGroup, pwzFilePath) }
}

/// `PeerGroupRegisterEvent`. `hEvent`: NULL, or a file descriptor cast to `HANDLE`
/// (see [`records_api`]).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupRegisterEvent(
    hGroup: HGROUP,
    hEvent: HANDLE,
    cEventRegistration: DWORD,
    pEventRegistrations: *mut PEER_GROUP_EVENT_REGISTRATION,
    phPeerEvent: *mut HPEEREVENT,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe {
        records_api::register_event(
            &GLOBAL,
            hGroup,
            hEvent,
            cEventRegistration,
            pEventRegistrations.cast_const(),
            phPeerEvent,
        )
    }
}

/// `PeerGroupUnregisterEvent`.
///
/// # Safety
/// Always safe: the handle is looked up, never dereferenced.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupUnregisterEvent(hPeerEvent: HPEEREVENT) -> HRESULT {
    records_api::unregister_event(hPeerEvent)
}

/// `PeerGroupGetEventData`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupGetEventData(
    hPeerEvent: HPEEREVENT,
    ppEventData: *mut *mut PEER_GROUP_EVENT_DATA,
) -> HRESULT {
    // SAFETY: forwarded contract.
    unsafe { records_api::get_event_data(&GLOBAL, hPeerEvent, ppEventData) }
}

/// `PeernetWaitForGroupEvent` (peernet extension): wait for an event to be queued.
///
/// # Safety
/// Always safe: the handle is looked up, never dereferenced.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeernetWaitForGroupEvent(
    hPeerEvent: HPEEREVENT,
    dwMilliseconds: DWORD,
) -> HRESULT {
    records_api::wait_for_event(&GLOBAL, hPeerEvent, dwMilliseconds)
}

#[cfg(test)]
mod tests {
    use std::ptr::{null, null_mut};

    use peernet::hresult::{
        E_HANDLE, E_INVALIDARG, PEER_E_INVALID_GROUP, PEER_E_INVITATION_NOT_TRUSTED,
    };

    use super::*;
    use crate::test_backend::{W, take};

    /// The exported symbols on paths that need no store (the process-wide store is
    /// never opened by unit tests; tests/c/e2e.c covers the rest).
    #[test]
    fn exports_reach_the_argument_layer_and_the_facade() {
        let _l = crate::startup::TEST_LOCK
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        // SAFETY: valid strings and out-pointers, or NULL where the test says so.
        unsafe {
            let mut s: PWSTR = null_mut();
            assert_eq!(PeerCreatePeerName(null(), W::new("chat").p(), &mut s), 0);
            assert_eq!(take(s), "0.chat");
            assert_eq!(
                PeerIdentityCreate(null(), null(), 0, null_mut()),
                E_INVALIDARG.as_i32()
            );
            assert_eq!(
                PeerIdentityCreate(null(), null(), 1, &mut s),
                E_HANDLE.as_i32()
            );
            assert!(s.is_null());
            let mut prov: HCRYPTPROV = 3;
            assert_eq!(
                PeerIdentityGetCryptKey(null(), &mut prov),
                E_INVALIDARG.as_i32()
            );
            assert_eq!(prov, 0);

            let mut v = crate::types::PEER_VERSION_DATA::default();
            assert_eq!(
                crate::startup::PeerGroupStartup(crate::types::PEER_GROUP_VERSION, &mut v),
                0
            );
            let garbage: HGROUP = std::ptr::without_provenance_mut(0x7770);
            let mut status: DWORD = 5;
            assert_eq!(
                PeerGroupGetStatus(garbage, &mut status),
                PEER_E_INVALID_GROUP.as_i32()
            );
            assert_eq!(status, 0);
            assert_eq!(PeerGroupConnect(garbage), PEER_E_INVALID_GROUP.as_i32());
            assert_eq!(PeerGroupClose(garbage), PEER_E_INVALID_GROUP.as_i32());
            let mut info: *mut PEER_INVITATION_INFO = std::ptr::dangling_mut();
            assert_eq!(
                PeerGroupParseInvitation(W::new("<PEERINVITATION/>").p(), &mut info),
                PEER_E_INVITATION_NOT_TRUSTED.as_i32()
            );
            assert!(info.is_null());
            assert_eq!(crate::startup::PeerGroupShutdown(), 0);
        }
    }
}
