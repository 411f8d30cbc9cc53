//! The three OpenSSL calls the safe `openssl` crate cannot express.
//!
//! * `PKCS12_create` with `mac_iter = -1` followed by one `PKCS12_set_mac`: the crate's
//!   `Pkcs12Builder::build2` passes its `mac_iter` to `PKCS12_create` (which computes a
//!   SHA-1 MAC) and then calls `PKCS12_set_mac` again with the chosen digest, so every
//!   file it builds pays for the MAC key derivation twice. To compare like with like
//!   we make the calls ourselves, once each, exactly as `openssl pkcs12 -export` does.
//! * `X509_STORE_set_verify_cb`: the crate has no verify callback for stores; we need
//!   one to tolerate the two errors peer certificates raise by design (unknown critical
//!   extensions; GMCs acting as issuers without basicConstraints).
#![allow(unsafe_code)]

use std::ffi::{CString, c_int};
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};

use foreign_types::ForeignType;
use openssl::nid::Nid;
use openssl::pkey::{PKey, Private};
use openssl::stack::Stack;
use openssl::x509::X509;
use openssl::x509::store::X509StoreBuilder;
use openssl_sys as ffi;

/// Digest of the PKCS#12 MAC.
#[derive(Clone, Copy, Debug)]
pub enum MacDigest {
    /// HMAC-SHA1 (windows profile).
    Sha1,
    /// HMAC-SHA256 (modern profile).
    Sha256,
}

/// Everything `PKCS12_create` is handed, parsed once.
pub struct Pkcs12Input {
    /// The private key.
    pub pkey: PKey<Private>,
    /// The key's certificate.
    pub cert: X509,
    /// Further certificates.
    pub ca: Vec<X509>,
    /// `nid_key` of `PKCS12_create` (a PBE, or a cipher for PBES2).
    pub key_nid: Nid,
    /// `nid_cert` of `PKCS12_create`.
    pub cert_nid: Nid,
    /// Iterations of both encryptions and of the MAC.
    pub iterations: u32,
    /// MAC digest.
    pub mac: MacDigest,
}

/// `PKCS12_create(.., mac_iter = -1, ..)`, `PKCS12_set_mac(.., iterations, md)`,
/// `i2d_PKCS12`: one PFX as DER, every key derivation done once.
pub fn pkcs12_create(input: &Pkcs12Input, password: &str) -> Vec<u8> {
    let pass = CString::new(password).expect("password without NUL");
    let iter = c_int::try_from(input.iterations).expect("iterations fit in an int");
    let mut ca = Stack::<X509>::new().expect("stack");
    for c in &input.ca {
        ca.push(c.clone()).expect("push");
    }
    // SAFETY: every pointer comes from a live owned object of the `openssl` crate, which
    // outlives the calls; PKCS12_create takes its own references (up-refs) to what it
    // keeps; the returned PKCS12 is freed below on every path; i2d_PKCS12 is called
    // once for the length and once into a buffer of that length.
    unsafe {
        let p12 = ffi::PKCS12_create(
            pass.as_ptr(),
            std::ptr::null(),
            input.pkey.as_ptr(),
            input.cert.as_ptr(),
            ca.as_ptr(),
            input.key_nid.as_raw(),
            input.cert_nid.as_raw(),
            iter,
            -1,
            0,
        );
        assert!(!p12.is_null(), "PKCS12_create failed");
        let md = match input.mac {
            MacDigest::Sha1 => ffi::EVP_sha1(),
            MacDigest::Sha256 => ffi::EVP_sha256(),
        };
        let pass_len = c_int::try_from(password.len()).expect("short password");
        let ok = ffi::PKCS12_set_mac(
            p12,
            pass.as_ptr(),
            pass_len,
            std::ptr::null_mut(),
            0,
            iter,
            md,
        );
        let len = if ok == 1 {
            ffi::i2d_PKCS12(p12, std::ptr::null_mut())
        } else {
            -1
        };
        let mut out = vec![0u8; usize::try_from(len).unwrap_or(0)];
        let written = if len > 0 {
            let mut p = out.as_mut_ptr();
            ffi::i2d_PKCS12(p12, &mut p)
        } else {
            -1
        };
        ffi::PKCS12_free(p12);
        assert!(
            ok == 1 && written == len && len > 0,
            "PKCS12_set_mac/i2d failed"
        );
        out
    }
}

unsafe extern "C" {
    fn X509_STORE_set_verify_cb(
        store: *mut ffi::X509_STORE,
        cb: Option<unsafe extern "C" fn(c_int, *mut ffi::X509_STORE_CTX) -> c_int>,
    );
}

/// Errors the tolerant callback let through (X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION,
/// X509_V_ERR_INVALID_CA), counted over the whole run.
pub static TOLERATED: AtomicU64 = AtomicU64::new(0);
/// The last error the callback did not tolerate (0 = none so far).
pub static UNEXPECTED: AtomicI32 = AtomicI32::new(0);

unsafe extern "C" fn tolerant(ok: c_int, ctx: *mut ffi::X509_STORE_CTX) -> c_int {
    if ok == 1 {
        return 1;
    }
    // SAFETY: OpenSSL calls us with the live context being verified.
    let err = unsafe { ffi::X509_STORE_CTX_get_error(ctx) };
    if err == ffi::X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION || err == ffi::X509_V_ERR_INVALID_CA {
        TOLERATED.fetch_add(1, Ordering::Relaxed);
        1
    } else {
        UNEXPECTED.store(err, Ordering::Relaxed);
        0
    }
}

/// Install the callback that accepts exactly the unhandled-critical-extension and
/// invalid-CA errors (and records anything else as a failure).
pub fn set_tolerant_verify_callback(builder: &mut X509StoreBuilder) {
    // SAFETY: the builder owns a live X509_STORE; the callback is a plain function.
    unsafe { X509_STORE_set_verify_cb(builder.as_ptr(), Some(tolerant)) }
}
