//! `HPEERENUM`: PeerGetItemCount, PeerGetNextItem, PeerEndEnumeration.
//!
//! An enumeration is a snapshot: the enumerating function (PeerEnumIdentities, …)
//! prepares every item as Rust data and stores it behind a handle. Each
//! `PeerGetNextItem` lays the requested items out in ONE new block — the array of item
//! pointers first, then the items, then their strings — so one `PeerFreeData` on the
//! returned array releases it all. Arrays stay valid after `PeerEndEnumeration`.

use std::ffi::c_void;
use std::mem::{offset_of, size_of};

use peernet::hresult::E_INVALIDARG;

use crate::ffi::{CResult, OK, guard, init};
use crate::handles::{HandleTable, Kind, with};
use crate::memory::BlockBuilder;
use crate::types::{HPEERENUM, HRESULT, PEER_NAME_PAIR, ULONG};

/// One prepared item: writes itself into a block and returns its offset.
pub(crate) trait EnumItem: Send {
    /// Lay the item (and whatever it points to) out in `b`; return the item's offset.
    fn place(&self, b: &mut BlockBuilder) -> usize;
}

/// A `PEER_NAME_PAIR` item (PeerEnumIdentities, PeerEnumGroups).
impl EnumItem for peernet::NamePair {
    fn place(&self, b: &mut BlockBuilder) -> usize {
        let at = b.push(PEER_NAME_PAIR {
            dwSize: size_of::<PEER_NAME_PAIR>() as u32,
            pwzPeerName: std::ptr::null_mut(),
            pwzFriendlyName: std::ptr::null_mut(),
        });
        type P = PEER_NAME_PAIR;
        b.link_wstr(at + offset_of!(P, pwzPeerName), Some(&self.peer_name));
        b.link_wstr(
            at + offset_of!(P, pwzFriendlyName),
            Some(&self.friendly_name),
        );
        at
    }
}

/// The state behind an `HPEERENUM`.
struct Enumeration {
    items: Vec<Box<dyn EnumItem>>,
    next: usize,
}

static ENUMERATIONS: HandleTable<Enumeration> = HandleTable::new(Kind::Enumeration);

/// Store prepared items behind a new `HPEERENUM` in `*ph`.
///
/// # Safety
/// `ph` is non-NULL and writable.
pub(crate) unsafe fn put_enum<T: EnumItem + 'static>(ph: *mut HPEERENUM, items: Vec<T>) -> CResult {
    let items = items
        .into_iter()
        .map(|i| Box::new(i) as Box<dyn EnumItem>)
        .collect();
    let h = ENUMERATIONS.insert(Enumeration { items, next: 0 });
    // SAFETY: per the contract.
    unsafe { ph.write(h) };
    OK
}

/// `HRESULT PeerGetItemCount(HPEERENUM hPeerEnum, ULONG *pCount)`: the total number of
/// items of the enumeration; `*pCount` is left as it is on failure.
///
/// # Safety
/// `pCount` is NULL or valid for a write of a `ULONG`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGetItemCount(hPeerEnum: HPEERENUM, pCount: *mut ULONG) -> HRESULT {
    guard(|| {
        if pCount.is_null() {
            return Err(E_INVALIDARG);
        }
        let n = with(&ENUMERATIONS, hPeerEnum, |e| e.items.len()).ok_or(E_INVALIDARG)?;
        // SAFETY: non-NULL, writable per the contract.
        unsafe { pCount.write(ULONG::try_from(n).unwrap_or(ULONG::MAX)) };
        OK
    })
}

/// `HRESULT PeerGetNextItem(HPEERENUM hPeerEnum, ULONG *pCount, PVOID **pppvItems)`.
///
/// `*pCount` in: how many items are wanted; out: how many were delivered (0 at the end,
/// with `*pppvItems` NULL). On failure `*pppvItems` is NULL and `*pCount` is left as it
/// is.
///
/// # Safety
/// `pCount` is NULL or valid for reads and writes of a `ULONG`; `pppvItems` is NULL or
/// valid for a write of a pointer.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerGetNextItem(
    hPeerEnum: HPEERENUM,
    pCount: *mut ULONG,
    pppvItems: *mut *mut *mut c_void,
) -> HRESULT {
    guard(|| {
        // SAFETY: caller's contract.
        let items = unsafe { init(pppvItems) };
        if pCount.is_null() {
            return Err(E_INVALIDARG);
        }
        items?;
        // SAFETY: non-NULL, readable per the contract.
        let wanted = unsafe { pCount.read() } as usize;
        let block = with(&ENUMERATIONS, hPeerEnum, |e| {
            let n = wanted.min(e.items.len() - e.next);
            if n == 0 {
                return Ok((std::ptr::null_mut(), 0));
            }
            let mut b = BlockBuilder::new();
            let array = b.reserve::<*mut c_void>(n);
            for (i, item) in e.items[e.next..e.next + n].iter().enumerate() {
                let at = item.place(&mut b);
                b.link(array + i * size_of::<*mut c_void>(), at);
            }
            let p = b.finish()?;
            e.next += n;
            Ok((p, n))
        })
        .ok_or(E_INVALIDARG)?;
        let (p, n) = block?;
        // SAFETY: both pointers are non-NULL and writable per the contract.
        unsafe {
            pppvItems.write(p.cast());
            pCount.write(n as ULONG);
        }
        OK
    })
}

/// `HRESULT PeerEndEnumeration(HPEERENUM hPeerEnum)`.
///
/// # Safety
/// Always safe: the handle is looked up, never dereferenced.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn PeerEndEnumeration(hPeerEnum: HPEERENUM) -> HRESULT {
    guard(|| {
        ENUMERATIONS
            .remove(hPeerEnum)
            .map(|_| peernet::hresult::S_OK)
            .ok_or(E_INVALIDARG)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::{free, is_live};
    use crate::wide::read_req;

    fn open(n: usize) -> HPEERENUM {
        let items = (0..n)
            .map(|i| peernet::NamePair {
                peer_name: format!("0.p{i}"),
                friendly_name: format!("F{i}"),
            })
            .collect();
        let mut h = std::ptr::null_mut();
        // SAFETY: a valid out-pointer.
        assert_eq!(unsafe { put_enum(&mut h, items) }, OK);
        h
    }

    /// # Safety
    /// `items` is a live array of `n` PEER_NAME_PAIR pointers.
    unsafe fn names(items: *mut *mut c_void, n: usize) -> Vec<String> {
        (0..n)
            .map(|i| {
                // SAFETY: per the function contract.
                let pair = unsafe { *(*items.add(i)).cast::<PEER_NAME_PAIR>() };
                // SAFETY: the string lives in the same block.
                unsafe { read_req(pair.pwzPeerName) }.unwrap()
            })
            .collect()
    }

    #[test]
    fn walk_in_batches_until_zero() {
        let h = open(5);
        let mut count = 0;
        // SAFETY: valid out-pointer.
        assert_eq!(unsafe { PeerGetItemCount(h, &mut count) }, 0);
        assert_eq!(count, 5);
        let mut seen = Vec::new();
        loop {
            let mut n: ULONG = 2;
            let mut items = std::ptr::null_mut();
            // SAFETY: valid pointers.
            assert_eq!(unsafe { PeerGetNextItem(h, &mut n, &mut items) }, 0);
            if n == 0 {
                assert!(items.is_null());
                break;
            }
            assert!(n <= 2);
            // SAFETY: `items` holds `n` PEER_NAME_PAIR pointers.
            seen.extend(unsafe { names(items, n as usize) });
            assert!(is_live(items.cast()));
            free(items.cast());
        }
        assert_eq!(seen, ["0.p0", "0.p1", "0.p2", "0.p3", "0.p4"]);
        // SAFETY: handle lookups only.
        assert_eq!(unsafe { PeerEndEnumeration(h) }, 0);
        // SAFETY: handle lookups only.
        assert_eq!(unsafe { PeerEndEnumeration(h) }, E_INVALIDARG.as_i32());
    }

    #[test]
    fn arrays_outlive_the_enumeration() {
        let h = open(3);
        let mut n: ULONG = 10;
        let mut items = std::ptr::null_mut();
        // SAFETY: valid pointers.
        assert_eq!(unsafe { PeerGetNextItem(h, &mut n, &mut items) }, 0);
        assert_eq!(n, 3, "asking for more than is left delivers what is left");
        // SAFETY: handle lookup only.
        assert_eq!(unsafe { PeerEndEnumeration(h) }, 0);
        // SAFETY: the array block is still live.
        assert_eq!(unsafe { names(items, 3) }, ["0.p0", "0.p1", "0.p2"]);
        free(items.cast());
    }

    #[test]
    fn invalid_arguments() {
        let bad = E_INVALIDARG.as_i32();
        let h = open(1);
        let mut n: ULONG = 1;
        let mut items = std::ptr::dangling_mut::<*mut c_void>();
        // SAFETY: NULL pointers are checked before use; handles are looked up only.
        unsafe {
            assert_eq!(PeerGetItemCount(h, std::ptr::null_mut()), bad);
            assert_eq!(PeerGetItemCount(std::ptr::null_mut(), &mut n), bad);
            assert_eq!(PeerGetItemCount(0x1234_5675 as HPEERENUM, &mut n), bad);
            assert_eq!(PeerGetNextItem(h, std::ptr::null_mut(), &mut items), bad);
            assert!(items.is_null(), "cleared even when pCount is NULL");
            items = std::ptr::dangling_mut();
            assert_eq!(PeerGetNextItem(h, &mut n, std::ptr::null_mut()), bad);
            assert_eq!(
                PeerGetNextItem(std::ptr::null_mut(), &mut n, &mut items),
                bad
            );
            assert!(items.is_null(), "out-pointer initialised even on failure");
            assert_eq!(n, 1, "the in/out count is left as it is on failure");
            assert_eq!(PeerEndEnumeration(std::ptr::null_mut()), bad);
            assert_eq!(PeerEndEnumeration(h), 0);
            assert_eq!(PeerGetNextItem(h, &mut n, &mut items), bad, "closed handle");
        }
    }

    #[test]
    fn zero_requested_delivers_nothing() {
        let h = open(2);
        let mut n: ULONG = 0;
        let mut items = std::ptr::null_mut();
        // SAFETY: valid pointers.
        assert_eq!(unsafe { PeerGetNextItem(h, &mut n, &mut items) }, 0);
        assert_eq!(n, 0);
        assert!(items.is_null());
        // SAFETY: handle lookup only.
        assert_eq!(unsafe { PeerEndEnumeration(h) }, 0);
    }
}
