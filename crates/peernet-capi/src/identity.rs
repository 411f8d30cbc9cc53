//! The Identity Manager functions: PeerIdentity*, PeerEnumIdentities, PeerEnumGroups,
//! PeerCreatePeerName, each a call of the facade's method of the same name on the
//! process-wide context. They do not require PeerGroupStartup.
//!
//! Common rules: a required pointer that is NULL is `E_INVALIDARG`; out-pointers are
//! set to NULL (or 0) before anything else can fail; strings with unpaired surrogates
//! are `E_INVALIDARG`; results are `PeerFreeData` blocks. A NULL (or empty) identity
//! where the documentation allows one is passed to the facade as `None`, which resolves
//! it exactly as Windows does. Passwords are held as [`peernet::Secret`] (zeroized on
//! drop) from the moment they are read.
//!
//! # Safety (every function)
//! String arguments are NULL or NUL-terminated UTF-16; out-pointers are NULL or valid
//! for writes. These are the contracts of the Windows functions.

use peernet::Secret;
use peernet::hresult::{E_HANDLE, E_INVALIDARG, E_NOTIMPL};

use crate::context::context;
use crate::enumeration::put_enum;
use crate::ffi::{OK, guard, h, init, init_value, put_string};
use crate::types::{HCRYPTPROV, HPEERENUM, HRESULT, PCWSTR, PWSTR};
use crate::wide::{read_opt_nonempty, read_req};

/// `PeerIdentityCreate(pwzClassifier, pwzFriendlyName, hCryptProv, ppwzIdentity)`.
///
/// NULL or empty classifier = none; NULL or empty friendly name = the peer name.
/// `hCryptProv` must be 0 (generate a key): no CryptoAPI provider handle can exist off
/// Windows, so any other value is `E_HANDLE` (= HRESULT of ERROR_INVALID_HANDLE).
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
    guard(|| {
        // SAFETY: pointer validity is the caller's contract above.
        unsafe {
            init(ppwzIdentity)?;
            let classifier = read_opt_nonempty(pwzClassifier)?;
            let friendly = read_opt_nonempty(pwzFriendlyName)?;
            if hCryptProv != 0 {
                return Err(E_HANDLE);
            }
            let name =
                h(context()?.identity_create(classifier.as_deref(), friendly.as_deref(), None))?;
            put_string(ppwzIdentity, &name)
        }
    })
}

/// `PeerIdentityDelete(pwzIdentity)`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerIdentityDelete(pwzIdentity: PCWSTR) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        let identity = unsafe { read_req(pwzIdentity) }?;
        h(context()?.identity_delete(&identity))?;
        OK
    })
}

/// `PeerIdentityExport(pwzIdentity, pwzPassword, ppwzExportXML)`; all required.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerIdentityExport(
    pwzIdentity: PCWSTR,
    pwzPassword: PCWSTR,
    ppwzExportXML: *mut PWSTR,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            init(ppwzExportXML)?;
            let identity = read_req(pwzIdentity)?;
            let password = Secret::from(read_req(pwzPassword)?);
            let xml = h(context()?.identity_export(&identity, &password))?;
            put_string(ppwzExportXML, &xml)
        }
    })
}

/// `PeerIdentityImport(pwzImportXML, pwzPassword, ppwzIdentity)`; all required.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerIdentityImport(
    pwzImportXML: PCWSTR,
    pwzPassword: PCWSTR,
    ppwzIdentity: *mut PWSTR,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            init(ppwzIdentity)?;
            let xml = read_req(pwzImportXML)?;
            let password = Secret::from(read_req(pwzPassword)?);
            let name = h(context()?.identity_import(&xml, &password))?;
            put_string(ppwzIdentity, &name)
        }
    })
}

/// `PeerIdentityGetXML(pwzIdentity, ppwzIdentityXML)`; NULL identity = the default
/// identity (created if the user has none, as documented).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerIdentityGetXML(
    pwzIdentity: PCWSTR,
    ppwzIdentityXML: *mut PWSTR,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            init(ppwzIdentityXML)?;
            let identity = read_opt_nonempty(pwzIdentity)?;
            let xml = h(context()?.identity_get_xml(identity.as_deref()))?;
            put_string(ppwzIdentityXML, &xml)
        }
    })
}

/// `PeerIdentityGetFriendlyName(pwzIdentity, ppwzFriendlyName)`; all required.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerIdentityGetFriendlyName(
    pwzIdentity: PCWSTR,
    ppwzFriendlyName: *mut PWSTR,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            init(ppwzFriendlyName)?;
            let identity = read_req(pwzIdentity)?;
            let name = h(context()?.identity_get_friendly_name(&identity))?;
            put_string(ppwzFriendlyName, &name)
        }
    })
}

/// `PeerIdentitySetFriendlyName(pwzIdentity, pwzFriendlyName)`; NULL or empty friendly
/// name resets it to the default (the peer name).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerIdentitySetFriendlyName(
    pwzIdentity: PCWSTR,
    pwzFriendlyName: PCWSTR,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        let (identity, friendly) =
            unsafe { (read_req(pwzIdentity)?, read_opt_nonempty(pwzFriendlyName)?) };
        h(context()?.identity_set_friendly_name(&identity, friendly.as_deref()))?;
        OK
    })
}

/// `PeerIdentityGetDefault(ppwzPeerName)`: the user's default identity, created when
/// there is none.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerIdentityGetDefault(ppwzPeerName: *mut PWSTR) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            init(ppwzPeerName)?;
            let name = h(context()?.identity_get_default())?;
            put_string(ppwzPeerName, &name)
        }
    })
}

/// `PeerIdentityGetCryptKey(pwzIdentity, phCryptProv)`: `E_NOTIMPL` for every valid
/// call, with `*phCryptProv` 0. The result is a CryptoAPI provider handle, and no
/// CryptoAPI exists off Windows; the facade offers the key as a typed value instead
/// (`Peernet::identity_get_crypt_key`). Arguments are still checked (`E_INVALIDARG`).
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerIdentityGetCryptKey(
    pwzIdentity: PCWSTR,
    phCryptProv: *mut HCRYPTPROV,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            init_value(phCryptProv)?;
            read_req(pwzIdentity)?;
        }
        Err(E_NOTIMPL)
    })
}

/// `PeerCreatePeerName(pwzIdentity, pwzClassifier, ppwzPeerName)`; needs no store.
///
/// At least one of identity and classifier is required (NULL identity = unsecured
/// `0.<classifier>`; NULL classifier = the identity's own peer name). `*ppwzPeerName`
/// must be NULL on entry, as documented; otherwise `E_INVALIDARG`.
///
/// # Safety
/// See the module documentation; `ppwzPeerName` is also readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerCreatePeerName(
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
            let name = h(peernet::create_peer_name(
                identity.as_deref(),
                classifier.as_deref(),
            ))?;
            put_string(ppwzPeerName, &name)
        }
    })
}

/// `PeerEnumIdentities(phPeerEnum)`: items are `PEER_NAME_PAIR*`.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerEnumIdentities(phPeerEnum: *mut HPEERENUM) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            init(phPeerEnum)?;
            let items = h(context()?.enum_identities())?;
            put_enum(phPeerEnum, items)
        }
    })
}

/// `PeerEnumGroups(pwzIdentity, phPeerEnum)`: items are `PEER_NAME_PAIR*`, the groups of
/// the identity (`PEER_E_NOT_FOUND` if it is unknown).
///
/// NULL (or empty) identity, as the SDK's GroupChat passes: the groups of the default
/// identity, like every other NULL identity argument, but resolved without creating one
/// (as `Peernet::group_delete` does): a store without a default identity has no groups
/// of it, so the enumeration is empty.
///
/// # Safety
/// See the module documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerEnumGroups(
    pwzIdentity: PCWSTR,
    phPeerEnum: *mut HPEERENUM,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        unsafe {
            init(phPeerEnum)?;
            let identity = read_opt_nonempty(pwzIdentity)?;
            let pn = context()?;
            let identity = match identity {
                Some(i) => Some(i),
                None => h(pn.identity_existing_default())?,
            };
            let items = match identity {
                Some(i) => h(pn.enum_groups(&i))?,
                None => Vec::new(),
            };
            put_enum(phPeerEnum, items)
        }
    })
}

#[cfg(test)]
mod tests;
