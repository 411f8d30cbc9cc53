//! The property every fuzz target checks: any input may be refused, but nothing panics,
//! and whatever is accepted writes, reads back to the same value, and writes the same
//! bytes again: `parse(write(parse(x))) == parse(x)`.

use peernet_protocol::{IdentityExport, XmlDocument};

pub mod crypto;
pub mod facade;
pub mod net;
pub mod replication;

/// Check one input against document type `T`. `normalize` maps a parsed value to what the
/// writer preserves (identity exports: the element-name variant is not written back).
pub fn check_with<T, F>(data: &[u8], normalize: F)
where
    T: XmlDocument + PartialEq + std::fmt::Debug,
    F: Fn(T) -> T,
{
    let Ok(doc) = T::parse(data) else { return };
    let doc = normalize(doc);
    let xml = doc.to_xml().expect("an accepted document can be written");
    let again = T::parse(&xml).expect("written document parses");
    assert_eq!(again, doc, "parse(write(parse(x))) != parse(x)");
    assert_eq!(
        again.to_xml().expect("writes again"),
        xml,
        "writing is not stable"
    );
}

/// [`check_with`] without normalisation.
pub fn check<T: XmlDocument + PartialEq + std::fmt::Debug>(data: &[u8]) {
    check_with::<T, _>(data, |d| d);
}

/// The identity-export check (element-name variant normalised).
pub fn check_identity_export(data: &[u8]) {
    check_with::<IdentityExport, _>(data, |mut d| {
        d.element_names = Default::default();
        d
    });
}

/// AddressSanitizer's built-in defaults for every target (the runtime calls this weak hook
/// at start-up; `ASAN_OPTIONS` still overrides it). `detect_odr_violation=0`: the bundled
/// SQLite (`libsqlite3-sys`, C, linked into the facade targets) trips ASan's
/// one-definition-rule check on its static tables (`odr-violation: global 'aiOff'`), a
/// report about how the C object is linked, not a memory error; every other check stays on.
#[unsafe(no_mangle)]
pub extern "C" fn __asan_default_options() -> *const std::ffi::c_char {
    c"detect_odr_violation=0".as_ptr()
}
