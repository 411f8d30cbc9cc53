//! What every exported function goes through: panic containment, the
//! `Result<HResult, HResult>` → `HRESULT` conversion, facade errors as HRESULTs, and the
//! argument helpers (out-pointers, GUIDs, counted arrays).
//!
//! Order of checks in every function: out-pointers that are not NULL set to NULL / zero
//! (so they are NULL / zero on every failure, `PEER_E_NOT_INITIALIZED` included), then
//! grouping started where needed (`PEER_E_NOT_INITIALIZED`), required pointers
//! (`E_INVALIDARG`), strings and structures converted (`E_INVALIDARG`), then the handle
//! (`PEER_E_INVALID_GROUP`, …) and the facade call, whose HRESULT passes through unchanged.

use std::panic::{AssertUnwindSafe, catch_unwind};

use peernet::HResult;
use peernet::hresult::{E_INVALIDARG, E_UNEXPECTED, S_OK};

use crate::startup::require_started;
use crate::types::{GUID, HRESULT, PWSTR};
use crate::wide::to_block;

/// What a function body returns: `Ok(code)` for a success code (usually `S_OK`).
pub(crate) type CResult = Result<HResult, HResult>;

/// Run `body`, turn its result into an `HRESULT`, and turn a panic into `E_UNEXPECTED`
/// (unwinding into C is undefined behaviour; a panic here is a bug in peernet).
pub(crate) fn guard(body: impl FnOnce() -> CResult) -> HRESULT {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(code)) | Ok(Err(code)) => code.as_i32(),
        Err(_) => E_UNEXPECTED.as_i32(),
    }
}

/// `guard` for functions whose C return type is `void`.
pub(crate) fn guard_void(body: impl FnOnce()) {
    let _ = catch_unwind(AssertUnwindSafe(body));
}

/// `Ok(S_OK)`, for readability at the end of function bodies.
pub(crate) const OK: CResult = Ok(S_OK);

/// A facade result with its error as the facade's HRESULT.
pub(crate) fn h<T>(r: peernet::Result<T>) -> Result<T, HResult> {
    r.map_err(|e| e.hresult())
}

/// Check a required out-pointer and set `*p` to NULL so it is NULL on every failure.
///
/// # Safety
/// `p` is NULL or valid for a write of a pointer.
pub(crate) unsafe fn init<T>(p: *mut *mut T) -> Result<(), HResult> {
    if p.is_null() {
        return Err(E_INVALIDARG);
    }
    // SAFETY: non-NULL and writable per the contract.
    unsafe { p.write(std::ptr::null_mut()) };
    Ok(())
}

/// The first check of a Grouping function: `outputs` is the result of its [`init`] /
/// [`init_value`] calls, made before this one so that the out-pointers are NULL / zero
/// even when grouping is not started. `PEER_E_NOT_INITIALIZED` comes before the
/// `E_INVALIDARG` of a NULL required out-pointer.
pub(crate) fn started_with(outputs: Result<(), HResult>) -> Result<(), HResult> {
    require_started()?;
    outputs
}

/// Check a required out-pointer to a plain value and zero it.
///
/// # Safety
/// `p` is NULL or valid for a write of a `T`.
pub(crate) unsafe fn init_value<T: Default>(p: *mut T) -> Result<(), HResult> {
    if p.is_null() {
        return Err(E_INVALIDARG);
    }
    // SAFETY: non-NULL and writable per the contract.
    unsafe { p.write(T::default()) };
    Ok(())
}

/// Store a new `PeerFreeData` string in `*p`.
///
/// # Safety
/// `p` is non-NULL and valid for a write of a pointer.
pub(crate) unsafe fn put_string(p: *mut PWSTR, s: &str) -> CResult {
    let block = to_block(s)?;
    // SAFETY: per the contract.
    unsafe { p.write(block) };
    OK
}

/// A required GUID argument (`E_INVALIDARG` when NULL).
///
/// # Safety
/// `p` NULL or readable.
pub(crate) unsafe fn read_guid(p: *const GUID) -> Result<GUID, HResult> {
    if p.is_null() {
        return Err(E_INVALIDARG);
    }
    // SAFETY: non-NULL per check, readable per the contract.
    Ok(unsafe { p.read_unaligned() })
}

/// An optional GUID argument (NULL → `None`).
///
/// # Safety
/// `p` NULL or readable.
pub(crate) unsafe fn read_opt_guid(p: *const GUID) -> Option<GUID> {
    // SAFETY: non-NULL per check, readable per the contract.
    (!p.is_null()).then(|| unsafe { p.read_unaligned() })
}

/// A counted array from a caller's structure or arguments: NULL with `n == 0` is empty;
/// NULL with `n > 0`, or more than `max` values, is `E_INVALIDARG`.
///
/// # Safety
/// `p` is NULL with `n == 0`, or readable for `n` values.
pub(crate) unsafe fn read_slice<T: Copy>(
    p: *const T,
    n: u32,
    max: usize,
) -> Result<Vec<T>, HResult> {
    let n = n as usize;
    if n == 0 {
        return Ok(Vec::new());
    }
    if p.is_null() || n > max {
        return Err(E_INVALIDARG);
    }
    // SAFETY: per the contract.
    Ok(unsafe { std::slice::from_raw_parts(p, n) }.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_e_unexpected() {
        let hr = guard(|| panic!("boom"));
        assert_eq!(hr, E_UNEXPECTED.as_i32());
        assert_eq!(guard(|| Err(E_INVALIDARG)), E_INVALIDARG.as_i32());
        assert_eq!(guard(|| OK), 0);
        guard_void(|| panic!("boom"));
    }

    #[test]
    fn lists_and_blobs_are_bounded() {
        // SAFETY: NULL with a count is rejected before any read.
        unsafe {
            assert_eq!(
                read_slice::<GUID>(std::ptr::null(), 1, 8),
                Err(E_INVALIDARG)
            );
            assert_eq!(read_slice::<GUID>(std::ptr::null(), 0, 8), Ok(vec![]));
            let g = [GUID::NULL];
            assert_eq!(read_slice(g.as_ptr(), 9, 8), Err(E_INVALIDARG));
            assert_eq!(read_slice::<u8>(std::ptr::null(), 3, 8), Err(E_INVALIDARG));
            assert_eq!(read_guid(std::ptr::null()), Err(E_INVALIDARG));
            assert_eq!(read_opt_guid(std::ptr::null()), None);
        }
    }
}
