//! Writing results through caller out-pointers.

use peernet::HResult;
use peernet::hresult::E_INVALIDARG;

use crate::types::PWSTR;
use crate::wide::to_block;

/// Check a required out-pointer and set `*p` to NULL so it is NULL on every failure.
///
/// # Safety
/// `p` is NULL or valid for a write of a pointer.
pub unsafe fn init<T>(p: *mut *mut T) -> Result<(), HResult> {
    if p.is_null() {
        return Err(E_INVALIDARG);
    }
    // SAFETY: non-NULL and writable per the contract.
    unsafe { p.write(std::ptr::null_mut()) };
    Ok(())
}

/// Check a required out-pointer to a plain value and zero it.
///
/// # Safety
/// `p` is NULL or valid for a write of a `T`.
pub unsafe fn init_value<T: Default>(p: *mut T) -> Result<(), HResult> {
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
pub unsafe fn string(p: *mut PWSTR, s: &str) -> Result<(), HResult> {
    let block = to_block(s)?;
    // SAFETY: per the contract.
    unsafe { p.write(block) };
    Ok(())
}
