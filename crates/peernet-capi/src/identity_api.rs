//! Argument layer of the Identity Manager functions (PeerIdentity*, PeerEnumIdentities,
//! PeerEnumGroups, PeerCreatePeerName).
//!
//! Each function here has the C signature plus a backend argument; the
//! `#[unsafe(no_mangle)] extern "C"` export in [`crate::exports`] calls it with the facade
//! backend. Identity functions do not require PeerGroupStartup.
//!
//! Common rules: a required pointer that is NULL is `E_INVALIDARG`; out-pointers are
//! set to NULL (or 0) before anything else can fail; strings with unpaired surrogates
//! are `E_INVALIDARG`; results are `PeerFreeData` blocks.

use peernet::hresult::{E_HANDLE, E_INVALIDARG, S_OK};

use crate::backend::Backend;
use crate::enumeration::{self, EnumItem};
use crate::ffi::{OK, guard};
use crate::out;
use crate::types::{HCRYPTPROV, HPEERENUM, HRESULT, PCWSTR, PWSTR};
use crate::wide::{read_opt_nonempty, read_req};

/// `PeerIdentityCreate(pwzClassifier, pwzFriendlyName, hCryptProv, ppwzIdentity)`.
///
/// NULL or empty classifier = none; NULL or empty friendly name = the peer name.
/// `hCryptProv` must be 0 (generate a key): no CryptoAPI provider handle can exist off
/// Windows, so any other value is `E_HANDLE` (= HRESULT of ERROR_INVALID_HANDLE).
///
/// # Safety
/// String arguments are NULL or NUL-terminated UTF-16; `ppwzIdentity` is NULL or
/// writable.
pub unsafe fn identity_create(
    b: &(impl Backend + ?Sized),
    pwzClassifier: PCWSTR,
    pwzFriendlyName: PCWSTR,
    hCryptProv: HCRYPTPROV,
    ppwzIdentity: *mut PWSTR,
) -> HRESULT {
    guard(|| {
        // SAFETY: (whole body): pointer validity is the caller's contract above.
        unsafe {
            out::init(ppwzIdentity)?;
            let classifier = read_opt_nonempty(pwzClassifier)?;
            let friendly = read_opt_nonempty(pwzFriendlyName)?;
            if hCryptProv != 0 {
                return Err(E_HANDLE);
            }
            let name = b.identity_create(classifier.as_deref(), friendly.as_deref())?;
            out::string(ppwzIdentity, &name)?;
        }
        OK
    })
}

/// `PeerIdentityDelete(pwzIdentity)`.
///
/// # Safety
/// `pwzIdentity` is NULL or NUL-terminated UTF-16.
pub unsafe fn identity_delete(b: &(impl Backend + ?Sized), pwzIdentity: PCWSTR) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        let identity = unsafe { read_req(pwzIdentity) }?;
        b.identity_delete(&identity)?;
        OK
    })
}

/// `PeerIdentityExport(pwzIdentity, pwzPassword, ppwzExportXML)`; all required.
///
/// # Safety
/// Strings NULL or NUL-terminated UTF-16; `ppwzExportXML` NULL or writable.
pub unsafe fn identity_export(
    b: &(impl Backend + ?Sized),
    pwzIdentity: PCWSTR,
    pwzPassword: PCWSTR,
    ppwzExportXML: *mut PWSTR,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            out::init(ppwzExportXML)?;
            let identity = read_req(pwzIdentity)?;
            let password = read_req(pwzPassword)?;
            let xml = b.identity_export(&identity, &password)?;
            out::string(ppwzExportXML, &xml)?;
        }
        OK
    })
}

/// `PeerIdentityImport(pwzImportXML, pwzPassword, ppwzIdentity)`; all required.
///
/// # Safety
/// Strings NULL or NUL-terminated UTF-16; `ppwzIdentity` NULL or writable.
pub unsafe fn identity_import(
    b: &(impl Backend + ?Sized),
    pwzImportXML: PCWSTR,
    pwzPassword: PCWSTR,
    ppwzIdentity: *mut PWSTR,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            out::init(ppwzIdentity)?;
            let xml = read_req(pwzImportXML)?;
            let password = read_req(pwzPassword)?;
            let name = b.identity_import(&xml, &password)?;
            out::string(ppwzIdentity, &name)?;
        }
        OK
    })
}

/// `PeerIdentityGetXML(pwzIdentity, ppwzIdentityXML)`; NULL identity = the default
/// identity (created if the user has none).
///
/// # Safety
/// `pwzIdentity` NULL or NUL-terminated UTF-16; `ppwzIdentityXML` NULL or writable.
pub unsafe fn identity_get_xml(
    b: &(impl Backend + ?Sized),
    pwzIdentity: PCWSTR,
    ppwzIdentityXML: *mut PWSTR,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            out::init(ppwzIdentityXML)?;
            let identity = match read_opt_nonempty(pwzIdentity)? {
                Some(i) => i,
                None => b.identity_default()?,
            };
            let xml = b.identity_xml(&identity)?;
            out::string(ppwzIdentityXML, &xml)?;
        }
        OK
    })
}

/// `PeerIdentityGetFriendlyName(pwzIdentity, ppwzFriendlyName)`; all required.
///
/// # Safety
/// `pwzIdentity` NULL or NUL-terminated UTF-16; `ppwzFriendlyName` NULL or writable.
pub unsafe fn identity_get_friendly_name(
    b: &(impl Backend + ?Sized),
    pwzIdentity: PCWSTR,
    ppwzFriendlyName: *mut PWSTR,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            out::init(ppwzFriendlyName)?;
            let identity = read_req(pwzIdentity)?;
            let name = b.identity_friendly_name(&identity)?;
            out::string(ppwzFriendlyName, &name)?;
        }
        OK
    })
}

/// `PeerIdentitySetFriendlyName(pwzIdentity, pwzFriendlyName)`; NULL or empty friendly
/// name resets it to the default (the peer name).
///
/// # Safety
/// Strings NULL or NUL-terminated UTF-16.
pub unsafe fn identity_set_friendly_name(
    b: &(impl Backend + ?Sized),
    pwzIdentity: PCWSTR,
    pwzFriendlyName: PCWSTR,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        let (identity, friendly) =
            unsafe { (read_req(pwzIdentity)?, read_opt_nonempty(pwzFriendlyName)?) };
        b.identity_set_friendly_name(&identity, friendly.as_deref())?;
        OK
    })
}

/// `PeerIdentityGetDefault(ppwzPeerName)`.
///
/// # Safety
/// `ppwzPeerName` NULL or writable.
pub unsafe fn identity_get_default(
    b: &(impl Backend + ?Sized),
    ppwzPeerName: *mut PWSTR,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            out::init(ppwzPeerName)?;
            let name = b.identity_default()?;
            out::string(ppwzPeerName, &name)?;
        }
        OK
    })
}

/// `PeerIdentityGetCryptKey(pwzIdentity, phCryptProv)`; `*phCryptProv` is 0 on failure.
///
/// # Safety
/// `pwzIdentity` NULL or NUL-terminated UTF-16; `phCryptProv` NULL or writable.
pub unsafe fn identity_get_crypt_key(
    b: &(impl Backend + ?Sized),
    pwzIdentity: PCWSTR,
    phCryptProv: *mut HCRYPTPROV,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            out::init_value(phCryptProv)?;
            let identity = read_req(pwzIdentity)?;
            let prov = b.identity_crypt_key(&identity)?;
            phCryptProv.write(prov);
        }
        OK
    })
}

/// `PeerCreatePeerName(pwzIdentity, pwzClassifier, ppwzPeerName)`.
///
/// At least one of identity and classifier is required (NULL identity = unsecured
/// `0.<classifier>`; NULL classifier = the identity's own peer name). `*ppwzPeerName`
/// must be NULL on entry, as documented; otherwise `E_INVALIDARG`.
///
/// # Safety
/// Strings NULL or NUL-terminated UTF-16; `ppwzPeerName` NULL or readable and writable.
pub unsafe fn create_peer_name(
    b: &(impl Backend + ?Sized),
    pwzIdentity: PCWSTR,
    pwzClassifier: PCWSTR,
    ppwzPeerName: *mut PWSTR,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            if ppwzPeerName.is_null() || !ppwzPeerName.read().is_null() {
                return Err(E_INVALIDARG);
            }
            let identity = read_opt_nonempty(pwzIdentity)?;
            let classifier = read_opt_nonempty(pwzClassifier)?;
            if identity.is_none() && classifier.is_none() {
                return Err(E_INVALIDARG);
            }
            let name = b.create_peer_name(identity.as_deref(), classifier.as_deref())?;
            out::string(ppwzPeerName, &name)?;
        }
        OK
    })
}

fn boxed(items: Vec<crate::enumeration::NamePair>) -> Vec<Box<dyn EnumItem>> {
    items
        .into_iter()
        .map(|i| Box::new(i) as Box<dyn EnumItem>)
        .collect()
}

/// `PeerEnumIdentities(phPeerEnum)`: items are `PEER_NAME_PAIR*`.
///
/// # Safety
/// `phPeerEnum` NULL or writable.
pub unsafe fn enum_identities(b: &(impl Backend + ?Sized), phPeerEnum: *mut HPEERENUM) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            out::init(phPeerEnum)?;
            let items = b.enum_identities()?;
            phPeerEnum.write(enumeration::open(boxed(items)));
        }
        Ok(S_OK)
    })
}

/// `PeerEnumGroups(pwzIdentity, phPeerEnum)`: items are `PEER_NAME_PAIR*`; identity
/// required.
///
/// # Safety
/// `pwzIdentity` NULL or NUL-terminated UTF-16; `phPeerEnum` NULL or writable.
pub unsafe fn enum_groups(
    b: &(impl Backend + ?Sized),
    pwzIdentity: PCWSTR,
    phPeerEnum: *mut HPEERENUM,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            out::init(phPeerEnum)?;
            let identity = read_req(pwzIdentity)?;
            let items = b.enum_groups(&identity)?;
            phPeerEnum.write(enumeration::open(boxed(items)));
        }
        OK
    })
}

#[cfg(test)]
#[path = "identity_api_tests.rs"]
mod tests;
