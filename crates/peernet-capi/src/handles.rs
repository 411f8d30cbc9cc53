//! Tables of live handles (`HPEERENUM`, `HGROUP`, `HPEEREVENT`).
//!
//! A handle value is a token, never a pointer: `(serial << 4) | kind`. The object it
//! names lives in a process-wide table, so a stale, closed, foreign-kind or garbage
//! handle is simply not found and nothing is dereferenced. Serials are never reused.

use std::collections::HashMap;
use std::ffi::c_void;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// What a handle names; stored in the low 4 bits of the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(usize)]
pub(crate) enum Kind {
    /// `HPEERENUM`.
    Enumeration = 0x5,
    /// `HGROUP`.
    Group = 0x9,
    /// `HPEEREVENT`.
    Event = 0xD,
}

static SERIAL: AtomicUsize = AtomicUsize::new(1);

/// A table of objects of one kind, addressed by handle value.
pub(crate) struct HandleTable<T> {
    kind: Kind,
    map: Mutex<Option<HashMap<usize, Arc<Mutex<T>>>>>,
}

impl<T> HandleTable<T> {
    /// An empty table (usable in a `static`).
    pub(crate) const fn new(kind: Kind) -> Self {
        HandleTable {
            kind,
            map: Mutex::new(None),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Option<HashMap<usize, Arc<Mutex<T>>>>> {
        // Map operations are single steps; a poisoned lock still holds a consistent map.
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Store `value` and return its new handle.
    pub(crate) fn insert(&self, value: T) -> *mut c_void {
        let serial = SERIAL.fetch_add(1, Ordering::Relaxed);
        let handle = (serial << 4) | self.kind as usize;
        self.lock()
            .get_or_insert_with(HashMap::new)
            .insert(handle, Arc::new(Mutex::new(value)));
        handle as *mut c_void
    }

    /// The object behind `handle`, if it is live and of this table's kind.
    pub(crate) fn get(&self, handle: *const c_void) -> Option<Arc<Mutex<T>>> {
        let h = handle as usize;
        if h & 0xF != self.kind as usize {
            return None;
        }
        self.lock().as_ref()?.get(&h).cloned()
    }

    /// Remove `handle`; returns the object if it was live.
    pub(crate) fn remove(&self, handle: *const c_void) -> Option<Arc<Mutex<T>>> {
        let h = handle as usize;
        if h & 0xF != self.kind as usize {
            return None;
        }
        self.lock().as_mut()?.remove(&h)
    }

    /// Remove every handle (used by the last `PeerGroupShutdown`).
    pub(crate) fn clear(&self) -> usize {
        self.lock().take().map_or(0, |m| m.len())
    }

    /// Number of live handles.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().as_ref().map_or(0, HashMap::len)
    }

    /// True when no handle is live.
    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Run `f` on the locked object behind `handle`.
pub(crate) fn with<T, R>(
    table: &HandleTable<T>,
    handle: *const c_void,
    f: impl FnOnce(&mut T) -> R,
) -> Option<R> {
    let obj = table.get(handle)?;
    let mut guard = obj.lock().unwrap_or_else(|e| e.into_inner());
    Some(f(&mut guard))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_tokens_of_one_kind() {
        static T: HandleTable<u32> = HandleTable::new(Kind::Group);
        static U: HandleTable<u32> = HandleTable::new(Kind::Enumeration);
        let h = T.insert(7);
        assert!(!h.is_null());
        assert_eq!(with(&T, h, |v| *v), Some(7));
        assert!(
            U.get(h).is_none(),
            "a group handle is not an enumeration handle"
        );
        assert!(T.get(std::ptr::null()).is_none());
        assert!(T.get(0xdead_bee9usize as *const c_void).is_none());
        assert!(T.remove(h).is_some());
        assert!(T.get(h).is_none(), "closed handle");
        assert!(T.remove(h).is_none(), "double close");
        let h2 = T.insert(8);
        assert_ne!(h, h2, "serials are not reused");
        assert_eq!(T.clear(), 1);
        assert!(T.is_empty());
    }
}
