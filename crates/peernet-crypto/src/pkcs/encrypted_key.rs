//! PKCS#8 `EncryptedPrivateKeyInfo` (RFC 5958 §3) under a password: the `GROUPKEY`
//! element of PEERGROUPCONFIG.
//!
//! Sealing uses PBES2 (RFC 8018): PBKDF2-HMAC-SHA256 over the UTF-8 password, and
//! AES-256-CBC; [`MODERN_ITERATIONS`] by default, at most [`MAX_ITERATIONS`]. Opening
//! accepts any PBES2 or PKCS#12-PBE scheme the PFX reader accepts, with the same cap,
//! checked before the key derivation.
//!
//! There is no MAC: a wrong password and a damaged blob look the same (bad padding or
//! a plaintext that is not a PrivateKeyInfo) and both give [`PkcsError::InvalidPassword`].

use zeroize::Zeroizing;

use super::pbe::{self as pbe, Password, Pbe, Random};
use super::{PkcsError, Result};
use crate::asn1::ber_reader as ber;
use crate::asn1::{self, tag};

pub use super::pkcs12::{MAX_ITERATIONS, MODERN_ITERATIONS};

/// Largest blob [`open`] accepts (64 KiB; an RSA-4096 key is about 2.4 KiB).
pub const MAX_ENCRYPTED_KEY_LEN: usize = 64 * 1024;

/// Encrypts a PKCS#8 PrivateKeyInfo (DER) under `password` with `iterations`
/// PBKDF2 rounds; salt and IV from the operating system's RNG.
///
/// # Errors
/// [`PkcsError::InvalidArgument`] (not a DER SEQUENCE, zero iterations),
/// [`PkcsError::IterationCountTooHigh`], [`PkcsError::RandomFailure`].
pub fn seal(private_key: &[u8], password: &str, iterations: u32) -> Result<Vec<u8>> {
    seal_inner(private_key, password, iterations, Random::os())
}

/// [`seal`] with salt and IV drawn from `rng` (seeded for reproducible fixtures).
///
/// # Errors
/// As [`seal`].
pub fn seal_with_rng<R: rand_core::CryptoRng + ?Sized>(
    private_key: &[u8],
    password: &str,
    iterations: u32,
    rng: &mut R,
) -> Result<Vec<u8>> {
    let mut fill = |buf: &mut [u8]| rng.fill_bytes(buf);
    seal_inner(private_key, password, iterations, Random::caller(&mut fill))
}

fn seal_inner(
    private_key: &[u8],
    password: &str,
    iterations: u32,
    mut rng: Random<'_>,
) -> Result<Vec<u8>> {
    let iterations = pbe::check_write_iterations(iterations)?.get();
    if !ber::is_well_formed_sequence(private_key) {
        return Err(PkcsError::InvalidArgument(
            "the private key is not one DER SEQUENCE",
        ));
    }
    let scheme = Pbe::pbes2_aes256(rng.bytes(16)?, iterations, rng.bytes(16)?);
    let ct = scheme.encrypt(&Password::new(password), private_key)?;
    Ok(asn1::seq(&[&scheme.encode(), &asn1::octets(&ct)]))
}

/// Decrypts an EncryptedPrivateKeyInfo; returns the PKCS#8 PrivateKeyInfo DER.
///
/// # Errors
/// [`PkcsError::InputTooLarge`], [`PkcsError::Malformed`],
/// [`PkcsError::UnsupportedAlgorithm`], [`PkcsError::IterationCountTooHigh`] (before any
/// derivation), [`PkcsError::InvalidPassword`].
pub fn open(blob: &[u8], password: &str) -> Result<Zeroizing<Vec<u8>>> {
    if blob.len() > MAX_ENCRYPTED_KEY_LEN {
        return Err(PkcsError::InputTooLarge {
            len: blob.len(),
            max: MAX_ENCRYPTED_KEY_LEN,
        });
    }
    let top = ber::parse_single(blob, "EncryptedPrivateKeyInfo")?;
    if top.tag != tag::SEQUENCE {
        return Err(PkcsError::Malformed(
            "EncryptedPrivateKeyInfo is not a SEQUENCE",
        ));
    }
    let mut r = top.children()?;
    let scheme = Pbe::parse(&r.read("encryption algorithm")?)?;
    let ct = r.read("encrypted data")?;
    if !ct.is_octet_string() {
        return Err(PkcsError::Malformed(
            "encrypted data is not an OCTET STRING",
        ));
    }
    r.finish("EncryptedPrivateKeyInfo")?;
    let plain = scheme
        .decrypt(&Password::new(password), &ct.octets()?)?
        .ok_or(PkcsError::InvalidPassword)?;
    if !ber::is_well_formed_sequence(&plain) {
        return Err(PkcsError::InvalidPassword);
    }
    Ok(plain)
}
