//! PeerGroupStartup / PeerGroupShutdown: version negotiation (the facade's
//! [`peernet::startup`]) and the startup count.
//!
//! Grouping functions (every `PeerGroup*` other than these two) return
//! `PEER_E_NOT_INITIALIZED` while the count is zero. Identity Manager functions
//! (`PeerIdentity*`, `PeerEnumIdentities`, `PeerEnumGroups`, `PeerCreatePeerName`) and
//! the memory/enumeration helpers do not need startup, as on Windows, where their
//! reference pages do not mention it.
//!
//! SIGPIPE: a C host keeps the default disposition (terminate the process), and the
//! library writes to sockets whose other end may be gone (the store's node died, another
//! process closed its session with a node running in this one). So PeerGroupStartup sets
//! SIGPIPE to ignored when, and only when, its disposition is still the default: such a
//! write then fails (`PEER_E_SERVICE_NOT_AVAILABLE` and the like) instead of killing the
//! host. A host that installed its own disposition keeps it. Rust programs ignore SIGPIPE
//! already.

use std::sync::Mutex;

use peernet::HResult;
use peernet::hresult::{E_INVALIDARG, E_UNEXPECTED, PEER_E_NOT_INITIALIZED};

use crate::ffi::{OK, guard, h};
use crate::types::{HRESULT, PEER_VERSION_DATA, PPEER_VERSION_DATA, WORD};

static STARTUPS: Mutex<u32> = Mutex::new(0);

fn count() -> std::sync::MutexGuard<'static, u32> {
    STARTUPS.lock().unwrap_or_else(|e| e.into_inner())
}

/// `Ok` when grouping has been started, else `PEER_E_NOT_INITIALIZED`.
pub(crate) fn require_started() -> Result<(), HResult> {
    if *count() > 0 {
        Ok(())
    } else {
        Err(PEER_E_NOT_INITIALIZED)
    }
}

/// `HRESULT PeerGroupStartup(WORD wVersionRequested, PPEER_VERSION_DATA pVersionData)`:
/// versions 1.0 (`0x0001`, the XP header) and 1.1 (`0x0101`) are granted as asked, a
/// newer request gets 1.1, major version 0 is `PEER_E_UNSUPPORTED_VERSION`.
///
/// # Safety
/// `pVersionData` is NULL or valid for a write of a `PEER_VERSION_DATA`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupStartup(
    wVersionRequested: WORD,
    pVersionData: PPEER_VERSION_DATA,
) -> HRESULT {
    guard(|| {
        if pVersionData.is_null() {
            return Err(E_INVALIDARG);
        }
        let v = h(peernet::startup(wVersionRequested))?;
        ignore_default_sigpipe();
        // SAFETY: non-NULL and writable per the contract.
        unsafe {
            pVersionData.write(PEER_VERSION_DATA {
                wVersion: v.version,
                wHighestVersion: v.highest_version,
            })
        };
        *count() += 1;
        OK
    })
}

/// Sets SIGPIPE to ignored if its disposition is the default (module documentation).
#[cfg(unix)]
fn ignore_default_sigpipe() {
    // SAFETY: `sigaction` with a NULL new action only reads the disposition into `old`;
    // the second call installs SIG_IGN with an empty mask. No handler code is involved.
    unsafe {
        let mut old: libc::sigaction = std::mem::zeroed();
        if libc::sigaction(libc::SIGPIPE, std::ptr::null(), &mut old) == 0
            && old.sa_sigaction == libc::SIG_DFL
        {
            let mut ignore: libc::sigaction = std::mem::zeroed();
            ignore.sa_sigaction = libc::SIG_IGN;
            libc::sigemptyset(&mut ignore.sa_mask);
            libc::sigaction(libc::SIGPIPE, &ignore, std::ptr::null_mut());
        }
    }
}

#[cfg(not(unix))]
fn ignore_default_sigpipe() {}

/// `HRESULT PeerGroupShutdown(void)`: undoes one `PeerGroupStartup`; the last one
/// closes every group handle and event registration still open. Without a matching
/// startup: `E_UNEXPECTED`.
///
/// # Safety
/// Always safe.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGroupShutdown() -> HRESULT {
    guard(|| {
        let mut n = count();
        if *n == 0 {
            return Err(E_UNEXPECTED);
        }
        *n -= 1;
        if *n == 0 {
            crate::group::close_all();
            crate::events::close_all();
        }
        OK
    })
}

#[cfg(test)]
mod tests {
    use peernet::hresult::PEER_E_UNSUPPORTED_VERSION;

    use super::*;
    use crate::types::PEER_GROUP_VERSION;

    fn negotiate(requested: WORD) -> Result<PEER_VERSION_DATA, i32> {
        let mut v = PEER_VERSION_DATA::default();
        // SAFETY: a valid out-pointer.
        match unsafe { PeerGroupStartup(requested, &mut v) } {
            0 => {
                // SAFETY: no arguments.
                assert_eq!(unsafe { PeerGroupShutdown() }, 0);
                Ok(v)
            }
            e => Err(e),
        }
    }

    #[test]
    fn negotiation() {
        let _l = crate::tests::lock();
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
        let bad = PEER_E_UNSUPPORTED_VERSION.as_i32();
        assert_eq!(negotiate(0x0000), Err(bad));
        assert_eq!(negotiate(0x0100), Err(bad), "0.1");
    }

    #[test]
    fn startup_shutdown_counting() {
        let _l = crate::tests::lock();
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
            assert!(require_started().is_ok());
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
