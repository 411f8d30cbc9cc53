//! The boundary every exported function goes through: panic containment and the
//! `Result<(), HResult>` → `HRESULT` conversion.

use std::panic::{AssertUnwindSafe, catch_unwind};

use peernet::HResult;
use peernet::hresult::{E_UNEXPECTED, S_OK};

use crate::types::HRESULT;

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

#[cfg(test)]
mod tests {
    use super::*;
    use peernet::hresult::E_INVALIDARG;

    #[test]
    fn panics_become_e_unexpected() {
        let hr = guard(|| panic!("boom"));
        assert_eq!(hr, E_UNEXPECTED.as_i32());
        assert_eq!(guard(|| Err(E_INVALIDARG)), E_INVALIDARG.as_i32());
        assert_eq!(guard(|| OK), 0);
        guard_void(|| panic!("boom"));
    }
}
