//! Where the C ABI's store lives, and the process-wide context opened on first use.
//!
//! Location: `$PEERNET_HOME` when set and not empty, else `peernet` in the platform
//! data directory (`~/.local/share/peernet` on Linux, `~/Library/Application
//! Support/peernet` on macOS) — the same rule as the CLI (`Store::default_dir`). The
//! directory is read when the context is first opened; changing `PEERNET_HOME`
//! afterwards has no effect in that process.
//!
//! The context is opened lazily by the first function that needs it (identity
//! functions do not need PeerGroupStartup), shared by every thread, and kept for the
//! life of the process. A failed open is not cached: the next call tries again. An open
//! group keeps the context it was opened with, so only the functions that name no group
//! handle ask for it.
//!
//! New identities (and so the groups they create) use the **windows** profile
//! (RSA-1024 / SHA-1, PFX and GROUPKEY with 2000 iterations), because a program written
//! against P2P.dll exchanges identity exports, invitations and configurations with
//! Windows peers.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use peernet::hresult::PEER_E_NO_KEY_ACCESS;
use peernet::{HResult, Options, Peernet, Profile};

/// The process-wide context.
static CONTEXT: ContextSlot<Peernet> = ContextSlot::new();

/// The store directory (`PEER_E_NO_KEY_ACCESS` when no home directory exists and
/// `PEERNET_HOME` is unset).
fn location() -> Result<PathBuf, HResult> {
    peernet_storage::Store::default_dir().map_err(|_| PEER_E_NO_KEY_ACCESS)
}

/// Open a context on `dir` with the windows profile; failures are the facade's HRESULT.
pub(crate) fn open_at(dir: &Path) -> Result<Peernet, HResult> {
    Peernet::open_with(
        dir,
        Options::default().with_default_profile(Profile::Windows),
    )
    .map_err(|e| e.hresult())
}

/// The context of the functions that name no group: the process-wide one, opened on
/// first use (an unopenable store is the facade's HRESULT, e.g. `PEER_E_NO_KEY_ACCESS`).
/// Unit tests substitute a temporary store per thread (`tests::with_store`).
pub(crate) fn context() -> Result<Peernet, HResult> {
    #[cfg(test)]
    if let Some(pn) = tests::current() {
        return Ok(pn);
    }
    CONTEXT.get(|| open_at(&location()?)).map(|c| (*c).clone())
}

/// A value opened on first use and shared afterwards.
struct ContextSlot<T> {
    slot: Mutex<Option<Arc<T>>>,
}

impl<T> ContextSlot<T> {
    /// An empty slot (usable in a `static`).
    const fn new() -> Self {
        ContextSlot {
            slot: Mutex::new(None),
        }
    }

    /// The shared value, opening it with `open` if this is the first successful call.
    /// Concurrent first calls are serialised, so `open` runs once.
    fn get(&self, open: impl FnOnce() -> Result<T, HResult>) -> Result<Arc<T>, HResult> {
        // The slot is only ever replaced whole, so a poisoned lock still holds a
        // consistent value.
        let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = slot.as_ref() {
            return Ok(Arc::clone(v));
        }
        let v = Arc::new(open()?);
        *slot = Some(Arc::clone(&v));
        Ok(v)
    }

    /// True once a value has been opened.
    #[cfg(test)]
    fn is_open(&self) -> bool {
        self.slot
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::cell::RefCell;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    thread_local! {
        static STORE: RefCell<Option<Peernet>> = const { RefCell::new(None) };
    }

    pub(super) fn current() -> Option<Peernet> {
        STORE.with(|s| s.borrow().clone())
    }

    /// Run `f` with `pn` as this thread's context (restoring the previous one after), so
    /// tests call the exported functions on a temporary store and never open the
    /// process-wide one.
    pub(crate) fn with_store<R>(pn: &Peernet, f: impl FnOnce() -> R) -> R {
        let previous = STORE.with(|s| s.replace(Some(pn.clone())));
        struct Restore(Option<Peernet>);
        impl Drop for Restore {
            fn drop(&mut self) {
                let p = self.0.take();
                STORE.with(|s| *s.borrow_mut() = p);
            }
        }
        let _restore = Restore(previous);
        f()
    }

    #[test]
    fn unopenable_store_is_the_facade_hresult() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-directory");
        std::fs::write(&file, b"x").unwrap();
        assert_eq!(open_at(&file).err(), Some(PEER_E_NO_KEY_ACCESS));
        let ok = open_at(dir.path()).unwrap();
        assert_eq!(ok.options().default_profile, Profile::Windows);
    }

    #[test]
    fn opened_once_shared_by_threads_and_failures_not_cached() {
        static SLOT: ContextSlot<usize> = ContextSlot::new();
        static OPENS: AtomicUsize = AtomicUsize::new(0);
        assert_eq!(
            SLOT.get(|| Err(PEER_E_NO_KEY_ACCESS)),
            Err(PEER_E_NO_KEY_ACCESS)
        );
        assert!(!SLOT.is_open());
        let values: Vec<usize> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|i| {
                    s.spawn(move || {
                        *SLOT
                            .get(|| {
                                OPENS.fetch_add(1, Ordering::SeqCst);
                                Ok(100 + i)
                            })
                            .unwrap()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(OPENS.load(Ordering::SeqCst), 1);
        assert!(values.iter().all(|v| *v == values[0]));
        assert!(SLOT.is_open());
    }

    #[test]
    fn location_is_a_path() {
        // PEERNET_HOME is not touched here (tests run in parallel); with or without it a
        // normal test environment has a home directory.
        let p = location().unwrap();
        assert!(p.is_absolute() || std::env::var_os("PEERNET_HOME").is_some());
    }
}
