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
//! life of the process. A failed open is not cached: the next call tries again.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use peernet::HResult;
use peernet::hresult::PEER_E_NO_KEY_ACCESS;

/// The store directory (`PEER_E_NO_KEY_ACCESS` when no home directory exists and
/// `PEERNET_HOME` is unset).
pub fn location() -> Result<PathBuf, HResult> {
    peernet_storage::Store::default_dir().map_err(|_| PEER_E_NO_KEY_ACCESS)
}

/// A value opened on first use and shared afterwards (the facade context, once wired:
/// `static CONTEXT: ContextSlot<peernet::…> = ContextSlot::new();`).
pub struct ContextSlot<T> {
    slot: Mutex<Option<Arc<T>>>,
}

impl<T> ContextSlot<T> {
    /// An empty slot (usable in a `static`).
    pub const fn new() -> Self {
        ContextSlot {
            slot: Mutex::new(None),
        }
    }

    /// The shared value, opening it with `open` if this is the first successful call.
    /// Concurrent first calls are serialised, so `open` runs once.
    pub fn get(&self, open: impl FnOnce() -> Result<T, HResult>) -> Result<Arc<T>, HResult> {
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
    pub fn is_open(&self) -> bool {
        self.slot
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }
}

impl<T> Default for ContextSlot<T> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

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
