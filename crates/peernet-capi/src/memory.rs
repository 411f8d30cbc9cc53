//! `PeerFreeData` and the allocator behind every buffer the C ABI returns.
//!
//! Every buffer the C ABI hands out — a string, a structure together with everything
//! its pointers reach, an item array together with its items — is ONE block built by
//! [`BlockBuilder`] and registered in a process-wide table of live blocks. Pointers
//! inside a block point into the same block, so one `PeerFreeData` on the top-level
//! pointer releases everything, and nested pointers must never be freed separately
//! (Windows semantics).
//!
//! `PeerFreeData(NULL)` does nothing. A pointer that is not the start of a live block
//! (a nested pointer, a double free, garbage) is ignored instead of corrupting the heap:
//! the table is consulted before any memory is touched. Blocks are zeroed before they
//! are released, because some carry secrets (identity exports hold the encrypted key).

use std::alloc::{Layout, alloc_zeroed, dealloc};
use std::collections::HashMap;
use std::ffi::c_void;
use std::mem::{align_of, size_of};
use std::sync::{Mutex, MutexGuard, OnceLock};

use peernet::HResult;
use peernet::hresult::E_OUTOFMEMORY;

use crate::ffi::guard_void;
use crate::types::WCHAR;

/// Alignment of every block; enough for every structure of `p2p.h`.
const BLOCK_ALIGN: usize = 16;

/// Largest block we agree to build (a sanity bound, far above any legitimate result).
const MAX_BLOCK: usize = 256 * 1024 * 1024;

/// The key of a block in the live table: the complement of its address. The table must
/// not look like a pointer to the block, so that a block the application never releases
/// is a *definite* leak for valgrind and similar tools (as it would be on Windows), not
/// memory still reachable from our table.
fn key(p: *const c_void) -> usize {
    !(p as usize)
}

fn live() -> MutexGuard<'static, HashMap<usize, Layout>> {
    static LIVE: OnceLock<Mutex<HashMap<usize, Layout>>> = OnceLock::new();
    // A poisoned lock only means a panic happened while the map was consistent
    // (insert/remove are single operations), so keep using it.
    LIVE.get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

/// True when `p` is the start of a block that has not been freed.
#[cfg(test)]
pub(crate) fn is_live(p: *const c_void) -> bool {
    live().contains_key(&key(p))
}

/// Release a block; NULL and unknown pointers are ignored.
pub(crate) fn free(p: *const c_void) {
    if p.is_null() {
        return;
    }
    let Some(layout) = live().remove(&key(p)) else {
        return;
    };
    let p = p as *mut u8;
    // SAFETY: `p` was returned by `alloc_zeroed(layout)` in `finish` and was still in
    // the live table, so it is valid for `layout.size()` bytes and not yet freed; the
    // table entry is gone, so no other caller can free it again.
    unsafe {
        std::ptr::write_bytes(p, 0, layout.size());
        dealloc(p, layout);
    }
}

/// `VOID PeerFreeData(LPCVOID pvData)`.
///
/// # Safety
/// Always safe to call: `pvData` is only compared against the table of live blocks
/// before anything is dereferenced.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerFreeData(pvData: *const c_void) {
    guard_void(|| free(pvData));
}

/// Builds one block: fixed-size structures first, then whatever they point to, with
/// internal pointers recorded as relocations and patched when the block is allocated.
#[derive(Default)]
pub(crate) struct BlockBuilder {
    bytes: Vec<u8>,
    relocations: Vec<(usize, usize)>,
}

impl BlockBuilder {
    /// An empty builder.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    fn align(&mut self, align: usize) {
        debug_assert!(align.is_power_of_two() && align <= BLOCK_ALIGN);
        let padded = self.bytes.len().next_multiple_of(align);
        self.bytes.resize(padded, 0);
    }

    /// Reserve zeroed, aligned room for `n` values of `T`; returns the offset.
    pub(crate) fn reserve<T>(&mut self, n: usize) -> usize {
        assert!(
            align_of::<T>() <= BLOCK_ALIGN,
            "type over-aligned for a block"
        );
        self.align(align_of::<T>());
        let at = self.bytes.len();
        self.bytes.resize(at + size_of::<T>() * n, 0);
        at
    }

    /// Write `value` at offset `at` (which [`reserve`](Self::reserve) returned or lies
    /// inside such a reservation). Pointer fields inside `value` should be NULL; set
    /// them with [`link`](Self::link).
    pub(crate) fn put<T: Copy>(&mut self, at: usize, value: T) {
        let end = at + size_of::<T>();
        assert!(end <= self.bytes.len(), "write outside the reservation");
        // SAFETY: `at..end` lies inside `bytes` (checked above); the write is unaligned
        // because a Vec<u8> has no alignment guarantee. `T: Copy` has no drop glue.
        unsafe { std::ptr::write_unaligned(self.bytes.as_mut_ptr().add(at).cast::<T>(), value) }
    }

    /// Append `value` as a new aligned item; returns its offset.
    pub(crate) fn push<T: Copy>(&mut self, value: T) -> usize {
        let at = self.reserve::<T>(1);
        self.put(at, value);
        at
    }

    /// Append a NUL-terminated UTF-16 copy of `s`; returns its offset.
    pub(crate) fn push_wstr(&mut self, s: &str) -> usize {
        self.align(align_of::<WCHAR>());
        let at = self.bytes.len();
        for unit in s.encode_utf16().chain(std::iter::once(0)) {
            self.bytes.extend_from_slice(&unit.to_ne_bytes());
        }
        at
    }

    /// Append raw bytes with the given alignment; returns their offset.
    pub(crate) fn push_bytes(&mut self, data: &[u8], align: usize) -> usize {
        self.align(align);
        let at = self.bytes.len();
        self.bytes.extend_from_slice(data);
        at
    }

    /// Make the pointer field at offset `field` point at offset `target` of the block.
    pub(crate) fn link(&mut self, field: usize, target: usize) {
        self.relocations.push((field, target));
    }

    /// Optional string into a `PWSTR` field: `None` leaves the field NULL.
    pub(crate) fn link_wstr(&mut self, field: usize, s: Option<&str>) {
        if let Some(s) = s {
            let at = self.push_wstr(s);
            self.link(field, at);
        }
    }

    /// Allocate the block, copy the bytes in, patch internal pointers and register it.
    pub(crate) fn finish(self) -> Result<*mut c_void, HResult> {
        let size = self.bytes.len().max(1);
        if size > MAX_BLOCK {
            return Err(E_OUTOFMEMORY);
        }
        let layout = Layout::from_size_align(size, BLOCK_ALIGN).map_err(|_| E_OUTOFMEMORY)?;
        // SAFETY: `layout` has a non-zero size.
        let base = unsafe { alloc_zeroed(layout) };
        if base.is_null() {
            return Err(E_OUTOFMEMORY);
        }
        // SAFETY: `base` is valid for `size >= bytes.len()` bytes and does not overlap
        // the Vec.
        unsafe { std::ptr::copy_nonoverlapping(self.bytes.as_ptr(), base, self.bytes.len()) };
        for (field, target) in self.relocations {
            assert!(field + size_of::<usize>() <= self.bytes.len() && target <= self.bytes.len());
            // SAFETY: both offsets lie inside the block (checked above).
            unsafe {
                let p = base.add(target);
                std::ptr::write_unaligned(base.add(field).cast::<*mut u8>(), p);
            }
        }
        live().insert(key(base.cast_const().cast()), layout);
        Ok(base.cast())
    }
}

#[cfg(test)]
mod tests {
    use std::mem::offset_of;

    use super::*;
    use crate::types::PEER_NAME_PAIR;
    use crate::wide::read_req;

    #[test]
    fn a_structure_and_its_strings_in_one_block() {
        let mut b = BlockBuilder::new();
        let at = b.push(PEER_NAME_PAIR {
            dwSize: size_of::<PEER_NAME_PAIR>() as u32,
            pwzPeerName: std::ptr::null_mut(),
            pwzFriendlyName: std::ptr::null_mut(),
        });
        b.link_wstr(
            at + offset_of!(PEER_NAME_PAIR, pwzPeerName),
            Some("abc.def"),
        );
        b.link_wstr(at + offset_of!(PEER_NAME_PAIR, pwzFriendlyName), None);
        let p = b.finish().unwrap().cast::<PEER_NAME_PAIR>();
        assert_eq!(p as usize % BLOCK_ALIGN, 0);
        // SAFETY: `p` is a live block holding a PEER_NAME_PAIR at offset 0.
        let pair = unsafe { *p };
        assert_eq!(pair.dwSize as usize, size_of::<PEER_NAME_PAIR>());
        // SAFETY: the link points at a NUL-terminated string inside the block.
        assert_eq!(unsafe { read_req(pair.pwzPeerName) }.unwrap(), "abc.def");
        assert!(pair.pwzFriendlyName.is_null());
        // A nested pointer is not a block: freeing it is ignored.
        free(pair.pwzPeerName.cast());
        assert!(is_live(p.cast()));
        free(p.cast());
        assert!(!is_live(p.cast()));
        free(p.cast()); // double free: ignored
    }

    #[test]
    fn free_null_and_garbage_are_ignored() {
        free(std::ptr::null());
        let x = 5u64;
        free((&x as *const u64).cast());
        // SAFETY: PeerFreeData only compares the pointer against the table.
        unsafe { PeerFreeData(0x1234 as *const c_void) };
    }

    #[test]
    fn empty_block_is_still_a_block() {
        let p = BlockBuilder::new().finish().unwrap();
        assert!(is_live(p));
        free(p);
    }
}
