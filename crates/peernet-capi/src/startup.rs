//! PeerGroupStartup / PeerGroupShutdown: version negotiation and the startup count.
//!
//! Grouping functions (every `PeerGroup*` other than these two) return
//! `PEER_E_NOT_INITIALIZED` while the count is zero. Identity Manager functions
//! (`PeerIdentity*`, `PeerEnumIdentities`, `PeerEnumGroups`, `PeerCreatePeerName`) and
//! the memory/enumeration helpers do not need startup, as on Windows, where their
//! reference pages do not mention it.

use std::sync::Mutex;

use peernet::HResult;
use peernet::hresult::{
    E_INVALIDARG, E_UNEXPECTED, PEER_E_NOT_INITIALIZED, PEER_E_UNSUPPORTED_VERSION,
};

use crate::ffi::{CResult, OK, guard};
use crate::types::{HRESULT, PEER_GROUP_VERSION, PEER_VERSION_DATA, PPEER_VERSION_DATA, WORD};

static STARTUPS: Mutex<u32> = Mutex::new(0);

fn count() -> std::sync::MutexGuard<'static, u32> {
    STARTUPS.lock().unwrap_or_else(|e| e.into_inner())
}

/// `(major, minor)` of a `MAKEWORD(major, minor)` value (low byte major).
const fn split(v: WORD) -> (u8, u8) {
    ((v & 0xff) as u8, (v >> 8) as u8)
}

/// The version to use for a request: the lower of the request and ours.
/// Requests below 1.0 are `PEER_E_UNSUPPORTED_VERSION`.
pub fn negotiate(requested: WORD) -> Result<PEER_VERSION_DATA, HResult> {
    let ours = split(PEER_GROUP_VERSION);
    let asked = split(requested);
    if asked.0 < 1 {
        return Err(PEER_E_UNSUPPORTED_VERSION);
    }
    let used = if asked < ours {
        requested
    } else {
        PEER_GROUP_VERSION
    };
    Ok(PEER_VERSION_DATA {
        wVersion: used,
        wHighestVersion: PEER_GROUP_VERSION,
    })
}

/// True between a successful `PeerGroupStartup` and its matching `PeerGroupShutdown`.
pub fn is_started() -> bool {
    *count() > 0
}

/// `Ok` when grouping has been started, else `PEER_E_NOT_INITIALIZED`.
pub fn require_started() -> Result<(), HResult> {
    if is_started() {
        Ok(())
    } else {
        Err(PEER_E_NOT_INITIALIZED)
    }
}

fn startup(requested: WORD, out: PPEER_VERSION_DATA) -> CResult {
    if out.is_null() {
        return Err(E_INVALIDARG);
    }
    let v = negotiate(requested)?;
    // SAFETY: non-NULL and writable per the PeerGroupStartup contract.
    unsafe { out.write(v) };
    *count() += 1;
    OK
}

fn shutdown() -> CResult {
    let mut n = count();
    if *n == 0 {
        return Err(E_UNEXPECTED);
    }
    *n -= 1;
    if *n == 0 {
        crate::group_handles::close_all();
        crate::records_api::close_all_events();
    }
    OK
}

/// `HRESULT PeerGroupStartup(WORD wVersionRequested, PPEER_VERSION_DATA pVersionData)`.
///
/// # Safety
/// `pVersionData` is NULL or valid for a write of a `PEER_VERSION_DATA`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupStartup(
    wVersionRequested: WORD,
    pVersionData: PPEER_VERSION_DATA,
) -> HRESULT {
    guard(|| startup(wVersionRequested, pVersionData))
}

/// `HRESULT PeerGroupShutdown(void)`: undoes one `PeerGroupStartup`; the last one
/// closes every group handle still open. Without a matching startup: `E_UNEXPECTED`.
///
/// # Safety
/// Always safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupShutdown() -> HRESULT {
    guard(shutdown)
}

/// Serialises tests that touch the process-wide startup count.
#[cfg(test)]
pub(crate) static TEST_LOCK: Mutex<()> = Mutex::new(());

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation() {
        assert_eq!(
            negotiate(0x0101).unwrap(),
            PEER_VERSION_DATA {
                wVersion: 0x0101,
                wHighestVersion: 0x0101
            }
        );
        assert_eq!(
            negotiate(0x0001).unwrap().wVersion,
            0x0001,
            "1.0 is granted as asked"
        );
        assert_eq!(
            negotiate(0x0002).unwrap().wVersion,
            0x0101,
            "2.0 gets our highest"
        );
        assert_eq!(negotiate(0x0501).unwrap().wVersion, 0x0101, "1.5 gets 1.1");
        assert_eq!(negotiate(0x0000), Err(PEER_E_UNSUPPORTED_VERSION));
        assert_eq!(negotiate(0x0100), Err(PEER_E_UNSUPPORTED_VERSION), "0.1");
    }

    #[test]
    fn startup_shutdown_counting() {
        let _l = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let mut v = PEER_VERSION_DATA::default();
        // SAFETY: valid pointer / NULL checked.
        unsafe {
            assert_eq!(
                PeerGroupStartup(PEER_GROUP_VERSION, std::ptr::null_mut()),
                E_INVALIDARG.as_i32()
            );
            assert_eq!(
                PeerGroupStartup(0, &mut v),
                PEER_E_UNSUPPORTED_VERSION.as_i32()
            );
            let before = *count();
            assert_eq!(PeerGroupStartup(PEER_GROUP_VERSION, &mut v), 0);
            assert_eq!(
                v,
                PEER_VERSION_DATA {
                    wVersion: 0x0101,
                    wHighestVersion: 0x0101
                }
            );
            assert_eq!(PeerGroupStartup(0x0001, &mut v), 0);
            assert!(is_started());
            assert_eq!(PeerGroupShutdown(), 0);
            assert_eq!(PeerGroupShutdown(), 0);
            assert_eq!(*count(), before);
            if before == 0 {
                assert_eq!(require_started(), Err(PEER_E_NOT_INITIALIZED));
                assert_eq!(PeerGroupShutdown(), E_UNEXPECTED.as_i32());
            }
        }
    }
}
