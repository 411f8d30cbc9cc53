//! `HGROUP`: the table of open groups.
//!
//! The object behind a handle is whatever the backend returns from PeerGroupCreate /
//! Open / Join (the facade's group type once wired), stored type-erased so this table
//! does not depend on the facade. An unknown, closed or foreign handle is
//! `PEER_E_INVALID_GROUP`.

use std::any::Any;
use std::ffi::c_void;

use peernet::HResult;
use peernet::hresult::PEER_E_INVALID_GROUP;

use crate::handles::{HandleTable, Kind, with};
use crate::types::HGROUP;

/// What an `HGROUP` names.
pub type GroupObject = Box<dyn Any + Send>;

static GROUPS: HandleTable<GroupObject> = HandleTable::new(Kind::Group);

/// Store an opened group and return its handle.
pub fn insert(group: GroupObject) -> HGROUP {
    GROUPS.insert(group)
}

/// Run `f` on the open group behind `h`.
pub fn with_group<R>(h: HGROUP, f: impl FnOnce(&mut GroupObject) -> R) -> Result<R, HResult> {
    with(&GROUPS, h as *const c_void, f).ok_or(PEER_E_INVALID_GROUP)
}

/// Remove `h` from the table and hand back its object.
pub fn remove(h: HGROUP) -> Result<GroupObject, HResult> {
    let obj = GROUPS
        .remove(h as *const c_void)
        .ok_or(PEER_E_INVALID_GROUP)?;
    // The Arc may still be held by a call running on another thread; take the object
    // out either way (that call keeps an empty box).
    let mut guard = obj.lock().unwrap_or_else(|e| e.into_inner());
    Ok(std::mem::replace(&mut *guard, Box::new(())))
}

/// Close every open group (last PeerGroupShutdown).
pub fn close_all() {
    GROUPS.clear();
}

/// Number of open groups.
pub fn open_count() -> usize {
    GROUPS.len()
}
