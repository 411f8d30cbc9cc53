//! UTF-16 (`PCWSTR`/`PWSTR`) ⇄ Rust strings.
//!
//! Input strings are NUL-terminated UTF-16; an unpaired surrogate or a string longer
//! than [`MAX_WIDE_LEN`] code units is `E_INVALIDARG`. Output strings are allocated with
//! [`crate::memory`] so that `PeerFreeData` releases them.

use peernet::HResult;
use peernet::hresult::E_INVALIDARG;

use crate::memory::BlockBuilder;
use crate::types::{PCWSTR, PWSTR};

/// Longest input string accepted, in UTF-16 code units without the terminator. The
/// largest legitimate inputs are XML documents (capped at 1 MiB by the parser); 4 Mi
/// units leaves room for base64 blobs while bounding the scan of an unterminated buffer.
pub(crate) const MAX_WIDE_LEN: usize = 4 * 1024 * 1024;

/// Length of a NUL-terminated UTF-16 string, bounded by `max`.
///
/// # Safety
/// `p` must be non-NULL and point to readable UTF-16 code units up to the terminator
/// or `max + 1` units, whichever comes first.
unsafe fn wide_len(p: PCWSTR, max: usize) -> Result<usize, HResult> {
    let mut n = 0;
    loop {
        // SAFETY: the caller guarantees readability up to the terminator; we stop at
        // the terminator or at `max`.
        if unsafe { *p.add(n) } == 0 {
            return Ok(n);
        }
        n += 1;
        if n > max {
            return Err(E_INVALIDARG);
        }
    }
}

/// Read an optional `PCWSTR`: NULL → `None`.
///
/// # Safety
/// `p` is NULL or a readable NUL-terminated UTF-16 string.
pub(crate) unsafe fn read_opt(p: PCWSTR) -> Result<Option<String>, HResult> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: non-NULL and NUL-terminated per the contract.
    let len = unsafe { wide_len(p, MAX_WIDE_LEN)? };
    // SAFETY: `len` units starting at `p` were just read.
    let units = unsafe { std::slice::from_raw_parts(p, len) };
    String::from_utf16(units)
        .map(Some)
        .map_err(|_| E_INVALIDARG)
}

/// Read a required `PCWSTR`: NULL → `E_INVALIDARG`.
///
/// # Safety
/// As [`read_opt`].
pub(crate) unsafe fn read_req(p: PCWSTR) -> Result<String, HResult> {
    // SAFETY: forwarded contract.
    unsafe { read_opt(p) }?.ok_or(E_INVALIDARG)
}

/// Read an optional string where NULL and `""` both mean "use the default".
///
/// # Safety
/// As [`read_opt`].
pub(crate) unsafe fn read_opt_nonempty(p: PCWSTR) -> Result<Option<String>, HResult> {
    // SAFETY: forwarded contract.
    Ok(unsafe { read_opt(p) }?.filter(|s| !s.is_empty()))
}

/// A new NUL-terminated UTF-16 copy of `s` in its own `PeerFreeData` block.
pub(crate) fn to_block(s: &str) -> Result<PWSTR, HResult> {
    let mut b = BlockBuilder::new();
    b.push_wstr(s);
    Ok(b.finish()?.cast())
}

/// Encode `s` as UTF-16 with a terminator (for tests).
#[cfg(test)]
pub(crate) fn encode(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(std::iter::once(0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_defaults() {
        let w = encode("héllo 🦀");
        // SAFETY: `w` is NUL-terminated.
        assert_eq!(unsafe { read_req(w.as_ptr()) }.unwrap(), "héllo 🦀");
        // SAFETY: NULL is allowed.
        assert_eq!(unsafe { read_opt(std::ptr::null()) }.unwrap(), None);
        // SAFETY: NULL is allowed.
        assert_eq!(unsafe { read_req(std::ptr::null()) }, Err(E_INVALIDARG));
        let empty = encode("");
        // SAFETY: NUL-terminated.
        assert_eq!(unsafe { read_opt_nonempty(empty.as_ptr()) }.unwrap(), None);
        // SAFETY: NUL-terminated.
        assert_eq!(
            // SAFETY: test arguments are valid NUL-terminated buffers, writable out-pointers or NULL.
            unsafe { read_opt(empty.as_ptr()) }.unwrap(),
            Some(String::new())
        );
    }

    #[test]
    fn unpaired_surrogates_are_rejected() {
        for bad in [[0xD800u16, 0x0041, 0], [0x0041, 0xDC00, 0]] {
            // SAFETY: NUL-terminated.
            assert_eq!(unsafe { read_opt(bad.as_ptr()) }, Err(E_INVALIDARG));
        }
        let lone_high_at_end = [0x0041u16, 0xD83E, 0];
        // SAFETY: NUL-terminated.
        assert_eq!(
            // SAFETY: test arguments are valid NUL-terminated buffers, writable out-pointers or NULL.
            unsafe { read_opt(lone_high_at_end.as_ptr()) },
            Err(E_INVALIDARG)
        );
    }

    #[test]
    fn length_is_bounded() {
        let long = vec![0x41u16; 10];
        let mut terminated = long.clone();
        terminated.push(0);
        // SAFETY: readable for 11 units, and we stop after max + 1 = 6.
        assert_eq!(unsafe { wide_len(long.as_ptr(), 5) }, Err(E_INVALIDARG));
        // SAFETY: NUL-terminated.
        assert_eq!(unsafe { wide_len(terminated.as_ptr(), 10) }, Ok(10));
    }

    #[test]
    fn output_strings_are_free_data_blocks() {
        let p = to_block("peer.name").unwrap();
        // SAFETY: `p` is a fresh NUL-terminated block.
        assert_eq!(unsafe { read_req(p) }.unwrap(), "peer.name");
        assert!(crate::memory::is_live(p.cast()));
        crate::memory::free(p.cast());
        assert!(!crate::memory::is_live(p.cast()));
    }
}
