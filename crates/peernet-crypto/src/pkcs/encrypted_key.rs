//! PKCS#8 `EncryptedPrivateKeyInfo` (RFC 5958 §3) under a password: the `GROUPKEY`
//! element of PEERGROUPCONFIG.
//!
//! Sealing uses PBES2 (RFC 8018): PBKDF2-HMAC-SHA256 over the UTF-8 password, and
//! AES-256-CBC; [`MODERN_ITERATIONS`] by default, at most [`MAX_ITERATIONS`]. Opening
//! accepts any PBES2 or PKCS#12-PBE scheme the PFX reader accepts, with the same cap,
//! checked before the key derivation.
//!
//! There is no MAC: a wrong password and a damaged blob look the same (bad padding or
//! a plaintext that is not a PrivateKeyInfo) and both give [`Error::InvalidPassword`].

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::pkcs_ber::{self as ber};
use crate::pkcs_pbe::{self as pbe, Password, Pbe, Random};

pub use crate::pkcs12::{MAX_ITERATIONS, MODERN_ITERATIONS};

/// Largest blob [`open`] accepts (64 KiB; an RSA-4096 key is about 2.4 KiB).
pub const MAX_ENCRYPTED_KEY_LEN: usize = 64 * 1024;

/// Encrypts a PKCS#8 PrivateKeyInfo (DER) under `password` with `iterations`
/// PBKDF2 rounds; salt and IV from the operating system's RNG.
///
/// # Errors
/// [`Error::InvalidPkcsArgument`] (not a DER SEQUENCE, zero iterations),
/// [`Error::IterationCountTooHigh`], [`Error::PkcsRandomFailure`].
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
        return Err(Error::InvalidPkcsArgument(
            "the private key is not one DER SEQUENCE",
        ));
    }
    let scheme = Pbe::pbes2_aes256(rng.bytes(16)?, iterations, rng.bytes(16)?);
    let ct = scheme.encrypt(&Password::new(password), private_key)?;
    Ok(ber::seq(&[&scheme.encode(), &ber::octets(&ct)]))
}

/// Decrypts an EncryptedPrivateKeyInfo; returns the PKCS#8 PrivateKeyInfo DER.
///
/// # Errors
/// [`Error::PkcsInputTooLarge`], [`Error::MalformedPkcs`],
/// [`Error::UnsupportedPkcsAlgorithm`], [`Error::IterationCountTooHigh`] (before any
/// derivation), [`Error::InvalidPassword`].
pub fn open(blob: &[u8], password: &str) -> Result<Zeroizing<Vec<u8>>> {
    if blob.len() > MAX_ENCRYPTED_KEY_LEN {
        return Err(Error::PkcsInputTooLarge {
            len: blob.len(),
            max: MAX_ENCRYPTED_KEY_LEN,
        });
    }
    let top = ber::parse_single(blob, "EncryptedPrivateKeyInfo")?;
    if top.tag != ber::TAG_SEQUENCE {
        return Err(Error::MalformedPkcs(
            "EncryptedPrivateKeyInfo is not a SEQUENCE",
        ));
    }
    let mut r = top.children()?;
    let scheme = Pbe::parse(&r.read("encryption algorithm")?)?;
    let ct = r.read("encrypted data")?;
    if ct.tag & !0x20 != ber::TAG_OCTET_STRING {
        return Err(Error::MalformedPkcs(
            "encrypted data is not an OCTET STRING",
        ));
    }
    r.finish("EncryptedPrivateKeyInfo")?;
    let plain = scheme
        .decrypt(&Password::new(password), &ct.octets()?)?
        .ok_or(Error::InvalidPassword)?;
    if !ber::is_well_formed_sequence(&plain) {
        return Err(Error::InvalidPassword);
    }
    Ok(plain)
}
