//! Password-based encryption and MACs shared by PKCS#12 and PKCS#8:
//! the PKCS#12 KDF (RFC 7292 appendix B.2) with its PBES1-style ciphers and HMAC,
//! and PBES2 (RFC 8018) with PBKDF2.
//!
//! Algorithm parameters are parsed (and the iteration cap enforced) in [`Pbe::parse`],
//! long before any key derivation runs in [`Pbe::decrypt`].

use std::num::NonZeroU32;

use cbc::cipher::{
    BlockCipherDecrypt, BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, InnerIvInit,
    KeyInit, block_padding::Pkcs7,
};
use ring::{digest, hmac, pbkdf2};
use zeroize::{Zeroize, Zeroizing};

use super::{PkcsError, Result};
use crate::asn1::ber_reader::Tlv;
use crate::asn1::{self, oid, tag};

/// Highest iteration count accepted anywhere (MAC, PBES1, PBKDF2).
pub(crate) const MAX_ITERATIONS: u32 = 10_000_000;

/// A hash usable by the PKCS#12 KDF and HMAC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    pub(crate) fn from_digest_oid(oid: &[u8]) -> Result<Self> {
        Ok(match oid {
            oid::SHA1 => Hash::Sha1,
            oid::SHA256 => Hash::Sha256,
            oid::SHA384 => Hash::Sha384,
            oid::SHA512 => Hash::Sha512,
            _ => return Err(unsupported("MAC digest", oid)),
        })
    }

    pub(crate) fn digest_oid(self) -> &'static [u8] {
        match self {
            Hash::Sha1 => oid::SHA1,
            Hash::Sha256 => oid::SHA256,
            Hash::Sha384 => oid::SHA384,
            Hash::Sha512 => oid::SHA512,
        }
    }

    fn digest(self) -> &'static digest::Algorithm {
        match self {
            Hash::Sha1 => &digest::SHA1_FOR_LEGACY_USE_ONLY,
            Hash::Sha256 => &digest::SHA256,
            Hash::Sha384 => &digest::SHA384,
            Hash::Sha512 => &digest::SHA512,
        }
    }

    fn hmac(self) -> hmac::Algorithm {
        match self {
            Hash::Sha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
            Hash::Sha256 => hmac::HMAC_SHA256,
            Hash::Sha384 => hmac::HMAC_SHA384,
            Hash::Sha512 => hmac::HMAC_SHA512,
        }
    }

    fn pbkdf2(self) -> pbkdf2::Algorithm {
        match self {
            Hash::Sha1 => pbkdf2::PBKDF2_HMAC_SHA1,
            Hash::Sha256 => pbkdf2::PBKDF2_HMAC_SHA256,
            Hash::Sha384 => pbkdf2::PBKDF2_HMAC_SHA384,
            Hash::Sha512 => pbkdf2::PBKDF2_HMAC_SHA512,
        }
    }

    pub(crate) fn output_len(self) -> usize {
        self.digest().output_len()
    }
}

pub(crate) fn unsupported(what: &'static str, oid: &[u8]) -> PkcsError {
    PkcsError::UnsupportedAlgorithm {
        what,
        oid: oid::dotted(oid),
    }
}

/// The read-side cap. Fuzz builds (`--cfg fuzzing`, set by cargo-fuzz) use a lower one
/// so a mutated iteration count cannot make one input take seconds; every other build
/// uses [`MAX_ITERATIONS`].
#[cfg(fuzzing)]
const READ_MAX_ITERATIONS: u32 = 10_000;
#[cfg(not(fuzzing))]
const READ_MAX_ITERATIONS: u32 = MAX_ITERATIONS;

/// Checks an iteration count read from input against the cap.
pub(crate) fn check_iterations(t: &Tlv<'_>) -> Result<u32> {
    match t.uint()? {
        Some(0) => Err(PkcsError::Malformed("iteration count is zero")),
        Some(n) if n <= u64::from(READ_MAX_ITERATIONS) => Ok(n as u32),
        Some(n) => Err(PkcsError::IterationCountTooHigh {
            iterations: n,
            max: READ_MAX_ITERATIONS,
        }),
        None => Err(PkcsError::IterationCountTooHigh {
            iterations: u64::MAX,
            max: READ_MAX_ITERATIONS,
        }),
    }
}

/// Checks an iteration count the caller asked the writer to use.
pub(crate) fn check_write_iterations(n: u32) -> Result<NonZeroU32> {
    if n > MAX_ITERATIONS {
        return Err(PkcsError::IterationCountTooHigh {
            iterations: u64::from(n),
            max: MAX_ITERATIONS,
        });
    }
    NonZeroU32::new(n).ok_or(PkcsError::InvalidArgument(
        "iteration count must be at least 1",
    ))
}

/// A password in the two encodings the formats use.
pub(crate) struct Password {
    /// UTF-16BE code units followed by a 16-bit NUL (PKCS#12 KDF, RFC 7292 B.1).
    bmp: Zeroizing<Vec<u8>>,
    /// UTF-8 bytes as given (PBES2/PBKDF2, as OpenSSL 3 does).
    utf8: Zeroizing<Vec<u8>>,
}

impl Password {
    pub(crate) fn new(password: &str) -> Self {
        let mut bmp = Zeroizing::new(Vec::with_capacity(password.len() * 2 + 2));
        for unit in password.encode_utf16() {
            bmp.extend_from_slice(&unit.to_be_bytes());
        }
        bmp.extend_from_slice(&[0, 0]);
        Password {
            bmp,
            utf8: Zeroizing::new(password.as_bytes().to_vec()),
        }
    }

    /// The "NULL" password: no bytes at all in either encoding (RFC 7292 B.2 with an
    /// empty P), which some writers use for an empty password.
    pub(crate) fn null() -> Self {
        Password {
            bmp: Zeroizing::new(Vec::new()),
            utf8: Zeroizing::new(Vec::new()),
        }
    }
}

/// RFC 7292 appendix B.2 key derivation. `id` 1 = key, 2 = IV, 3 = MAC key.
pub(crate) fn pkcs12_kdf(
    hash: Hash,
    password: &Password,
    salt: &[u8],
    id: u8,
    iterations: u32,
    out_len: usize,
) -> Zeroizing<Vec<u8>> {
    let alg = hash.digest();
    let u = alg.output_len();
    let v = alg.block_len();
    let fill = |src: &[u8]| -> Vec<u8> {
        if src.is_empty() {
            return Vec::new();
        }
        let len = v * src.len().div_ceil(v);
        src.iter().copied().cycle().take(len).collect()
    };
    let mut i_buf = Zeroizing::new(fill(salt));
    i_buf.extend_from_slice(&fill(&password.bmp));
    let d = vec![id; v];
    let mut out = Zeroizing::new(Vec::with_capacity(out_len + u));
    let mut a = Zeroizing::new(vec![0u8; u]);
    let mut b = Zeroizing::new(vec![0u8; v]);
    while out.len() < out_len {
        let mut ctx = digest::Context::new(alg);
        ctx.update(&d);
        ctx.update(&i_buf);
        a.copy_from_slice(ctx.finish().as_ref());
        rehash(hash, &mut a, iterations.saturating_sub(1));
        out.extend_from_slice(&a);
        if out.len() >= out_len {
            break;
        }
        for (k, byte) in b.iter_mut().enumerate() {
            *byte = a[k % u];
        }
        for chunk in i_buf.chunks_mut(v) {
            // chunk = (chunk + B + 1) mod 2^(8v)
            let mut carry: u16 = 1;
            for k in (0..v).rev() {
                let sum = u16::from(chunk[k]) + u16::from(b[k]) + carry;
                chunk[k] = sum as u8;
                carry = sum >> 8;
            }
        }
    }
    out.truncate(out_len);
    out
}

/// `a ← H(a)`, `n` times (the inner loop of the PKCS#12 KDF, where all its time goes).
///
/// For SHA-1 and SHA-256 the input is one digest, so each step is exactly one
/// compression of a block whose padding and length never change: the block is built
/// once and the compression function called directly (`sha1`/`sha2` block API, which
/// uses the SHA extensions where the CPU has them). ring's one-shot `digest` costs a
/// context set-up and finalisation per step on top of the compression, and its SHA-1
/// has no SHA-extension path: measured 2.0× slower for the windows profile than OpenSSL.
/// SHA-384/512 keep the one-shot path.
fn rehash(hash: Hash, a: &mut [u8], n: u32) {
    fn one_block(a: &mut [u8], n: u32, state_len: usize, compress: impl Fn(&mut [u32], &[u8; 64])) {
        let u = a.len();
        let mut block = Zeroizing::new([0u8; 64]);
        block[..u].copy_from_slice(a);
        block[u] = 0x80;
        block[56..].copy_from_slice(&((u as u64) * 8).to_be_bytes());
        let mut state = Zeroizing::new([0u32; 8]);
        for _ in 0..n {
            compress(&mut state[..state_len], &block);
            for (chunk, word) in block[..u].chunks_exact_mut(4).zip(state.iter()) {
                chunk.copy_from_slice(&word.to_be_bytes());
            }
        }
        a.copy_from_slice(&block[..u]);
    }
    const SHA1_IV: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    const SHA256_IV: [u32; 8] = [
        0x6a09_e667,
        0xbb67_ae85,
        0x3c6e_f372,
        0xa54f_f53a,
        0x510e_527f,
        0x9b05_688c,
        0x1f83_d9ab,
        0x5be0_cd19,
    ];
    match hash {
        Hash::Sha1 => one_block(a, n, 5, |state, block| {
            let mut s = SHA1_IV;
            sha1::block_api::compress(&mut s, std::slice::from_ref(block));
            state.copy_from_slice(&s);
            s.zeroize();
        }),
        Hash::Sha256 => one_block(a, n, 8, |state, block| {
            let mut s = SHA256_IV;
            sha2::block_api::compress256(&mut s, std::slice::from_ref(block));
            state.copy_from_slice(&s);
            s.zeroize();
        }),
        Hash::Sha384 | Hash::Sha512 => {
            let alg = hash.digest();
            for _ in 0..n {
                let h = digest::digest(alg, a);
                a.copy_from_slice(h.as_ref());
            }
        }
    }
}

/// The PKCS#12 MAC (HMAC with a PKCS#12-KDF key) over `data`.
pub(crate) fn pkcs12_mac(
    hash: Hash,
    password: &Password,
    salt: &[u8],
    iterations: u32,
    data: &[u8],
) -> Vec<u8> {
    let key = pkcs12_kdf(hash, password, salt, 3, iterations, hash.output_len());
    let k = hmac::Key::new(hash.hmac(), &key);
    hmac::sign(&k, data).as_ref().to_vec()
}

/// Verifies a PKCS#12 MAC in constant time.
pub(crate) fn pkcs12_mac_verify(
    hash: Hash,
    password: &Password,
    salt: &[u8],
    iterations: u32,
    data: &[u8],
    tag: &[u8],
) -> bool {
    let key = pkcs12_kdf(hash, password, salt, 3, iterations, hash.output_len());
    let k = hmac::Key::new(hash.hmac(), &key);
    hmac::verify(&k, data, tag).is_ok()
}

/// A symmetric cipher in CBC mode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cipher {
    Aes128,
    Aes192,
    Aes256,
    TripleDes3,
    TripleDes2,
    Rc2 {
        effective_bits: usize,
        key_len: usize,
    },
}

impl Cipher {
    fn key_len(self) -> usize {
        match self {
            Cipher::Aes128 | Cipher::TripleDes2 => 16,
            Cipher::Aes192 | Cipher::TripleDes3 => 24,
            Cipher::Aes256 => 32,
            Cipher::Rc2 { key_len, .. } => key_len,
        }
    }

    fn block_len(self) -> usize {
        match self {
            Cipher::Aes128 | Cipher::Aes192 | Cipher::Aes256 => 16,
            _ => 8,
        }
    }

    fn encrypt(self, key: &[u8], iv: &[u8], data: &[u8]) -> Result<Vec<u8>> {
        self.run(key, Encrypt { iv, data })
    }

    /// `None` when the padding is wrong (wrong key or damaged data).
    fn decrypt(self, key: &[u8], iv: &[u8], data: &[u8]) -> Result<Option<Zeroizing<Vec<u8>>>> {
        if data.is_empty() || !data.len().is_multiple_of(self.block_len()) {
            return Err(PkcsError::Malformed(
                "ciphertext is not a whole number of blocks",
            ));
        }
        self.run(key, Decrypt { iv, data })
    }

    /// Keys the block cipher and hands it to `op`: the one dispatch over [`Cipher`].
    fn run<O: CbcOp>(self, key: &[u8], op: O) -> Result<O::Output> {
        let bad_key = |_| PkcsError::Malformed("bad key length");
        match self {
            Cipher::Aes128 => op.run(aes::Aes128::new_from_slice(key).map_err(bad_key)?),
            Cipher::Aes192 => op.run(aes::Aes192::new_from_slice(key).map_err(bad_key)?),
            Cipher::Aes256 => op.run(aes::Aes256::new_from_slice(key).map_err(bad_key)?),
            Cipher::TripleDes3 => op.run(des::TdesEde3::new_from_slice(key).map_err(bad_key)?),
            Cipher::TripleDes2 => op.run(des::TdesEde2::new_from_slice(key).map_err(bad_key)?),
            Cipher::Rc2 { effective_bits, .. } => {
                op.run(rc2::Rc2::new_with_eff_key_len(key, effective_bits))
            }
        }
    }
}

/// A CBC operation over any of the block ciphers (a generic closure, which Rust lacks).
trait CbcOp {
    type Output;
    fn run<C: BlockCipherEncrypt + BlockCipherDecrypt>(self, cipher: C) -> Result<Self::Output>;
}

/// CBC encryption with PKCS#7 padding.
struct Encrypt<'a> {
    iv: &'a [u8],
    data: &'a [u8],
}

impl CbcOp for Encrypt<'_> {
    type Output = Vec<u8>;
    fn run<C: BlockCipherEncrypt + BlockCipherDecrypt>(self, cipher: C) -> Result<Vec<u8>> {
        let enc = cbc::Encryptor::<C>::inner_iv_slice_init(cipher, self.iv)
            .map_err(|_| PkcsError::Malformed("bad IV length"))?;
        Ok(enc.encrypt_padded_vec::<Pkcs7>(self.data))
    }
}

/// CBC decryption; `None` when the PKCS#7 padding is wrong.
struct Decrypt<'a> {
    iv: &'a [u8],
    data: &'a [u8],
}

impl CbcOp for Decrypt<'_> {
    type Output = Option<Zeroizing<Vec<u8>>>;
    fn run<C: BlockCipherEncrypt + BlockCipherDecrypt>(self, cipher: C) -> Result<Self::Output> {
        let dec = cbc::Decryptor::<C>::inner_iv_slice_init(cipher, self.iv)
            .map_err(|_| PkcsError::Malformed("bad IV length"))?;
        Ok(dec
            .decrypt_padded_vec::<Pkcs7>(self.data)
            .ok()
            .map(Zeroizing::new))
    }
}

/// A parsed password-based encryption AlgorithmIdentifier.
#[derive(Clone, Debug)]
pub(crate) enum Pbe {
    /// PKCS#12 PBE (pbeWithSHAAnd…): PKCS#12 KDF with SHA-1, BMPString password.
    Pkcs12 {
        cipher: Cipher,
        salt: Vec<u8>,
        iterations: u32,
    },
    /// PBES2 with PBKDF2, UTF-8 password.
    Pbes2 {
        prf: Hash,
        salt: Vec<u8>,
        iterations: u32,
        cipher: Cipher,
        iv: Vec<u8>,
    },
}

impl Pbe {
    /// The iteration count (already checked against the cap).
    pub(crate) fn iterations(&self) -> u32 {
        match self {
            Pbe::Pkcs12 { iterations, .. } | Pbe::Pbes2 { iterations, .. } => *iterations,
        }
    }

    /// Parses an AlgorithmIdentifier; enforces the iteration cap. No KDF work.
    pub(crate) fn parse(alg: &Tlv<'_>) -> Result<Self> {
        if alg.tag != tag::SEQUENCE {
            return Err(PkcsError::Malformed("bad encryption AlgorithmIdentifier"));
        }
        let mut r = alg.children()?;
        let oid = r.expect(tag::OID, "encryption algorithm OID")?;
        let params = r.read("encryption algorithm parameters")?;
        let legacy = match oid.body {
            oid::PBE_SHA1_3DES => Some(Cipher::TripleDes3),
            oid::PBE_SHA1_2DES => Some(Cipher::TripleDes2),
            oid::PBE_SHA1_RC2_128 => Some(Cipher::Rc2 {
                effective_bits: 128,
                key_len: 16,
            }),
            oid::PBE_SHA1_RC2_40 => Some(Cipher::Rc2 {
                effective_bits: 40,
                key_len: 5,
            }),
            oid::PBES2 => None,
            other => return Err(unsupported("encryption algorithm", other)),
        };
        if params.tag != tag::SEQUENCE {
            return Err(PkcsError::Malformed("bad encryption parameters"));
        }
        let mut p = params.children()?;
        if let Some(cipher) = legacy {
            let salt = p
                .expect(tag::OCTET_STRING, "PBE salt")?
                .octets()?
                .into_owned();
            let iterations = check_iterations(&p.expect(tag::INTEGER, "PBE iterations")?)?;
            p.finish("PBE parameters")?;
            return Ok(Pbe::Pkcs12 {
                cipher,
                salt,
                iterations,
            });
        }
        // PBES2-params ::= SEQUENCE { keyDerivationFunc, encryptionScheme }
        let kdf = p.expect(tag::SEQUENCE, "PBES2 key derivation function")?;
        let enc = p.expect(tag::SEQUENCE, "PBES2 encryption scheme")?;
        p.finish("PBES2 parameters")?;
        let mut k = kdf.children()?;
        let kdf_oid = k.expect(tag::OID, "KDF OID")?;
        if kdf_oid.body != oid::PBKDF2 {
            return Err(unsupported("PBES2 key derivation function", kdf_oid.body));
        }
        let kp = k.expect(tag::SEQUENCE, "PBKDF2 parameters")?;
        let mut kp = kp.children()?;
        let salt = kp
            .expect(tag::OCTET_STRING, "PBKDF2 salt")?
            .octets()?
            .into_owned();
        let iterations = check_iterations(&kp.expect(tag::INTEGER, "PBKDF2 iterations")?)?;
        let key_length = match kp.optional(tag::INTEGER)? {
            Some(t) => Some(t.uint()?.ok_or(PkcsError::Malformed("PBKDF2 key length"))?),
            None => None,
        };
        let prf = match kp.optional(tag::SEQUENCE)? {
            None => Hash::Sha1,
            Some(prf) => {
                let mut pr = prf.children()?;
                let prf_oid = pr.expect(tag::OID, "PRF OID")?;
                match prf_oid.body {
                    oid::HMAC_SHA1 => Hash::Sha1,
                    oid::HMAC_SHA256 => Hash::Sha256,
                    oid::HMAC_SHA384 => Hash::Sha384,
                    oid::HMAC_SHA512 => Hash::Sha512,
                    other => return Err(unsupported("PBKDF2 PRF", other)),
                }
            }
        };
        kp.finish("PBKDF2 parameters")?;
        let mut e = enc.children()?;
        let enc_oid = e.expect(tag::OID, "cipher OID")?;
        let cipher = match enc_oid.body {
            oid::AES128_CBC => Cipher::Aes128,
            oid::AES192_CBC => Cipher::Aes192,
            oid::AES256_CBC => Cipher::Aes256,
            oid::DES_EDE3_CBC => Cipher::TripleDes3,
            other => return Err(unsupported("PBES2 cipher", other)),
        };
        let iv = e
            .expect(tag::OCTET_STRING, "cipher IV")?
            .octets()?
            .into_owned();
        e.finish("cipher parameters")?;
        if iv.len() != cipher.block_len() {
            return Err(PkcsError::Malformed("IV length does not match the cipher"));
        }
        if let Some(kl) = key_length
            && kl != cipher.key_len() as u64
        {
            return Err(PkcsError::Malformed(
                "PBKDF2 key length does not match the cipher",
            ));
        }
        Ok(Pbe::Pbes2 {
            prf,
            salt,
            iterations,
            cipher,
            iv,
        })
    }

    /// The AlgorithmIdentifier DER for this scheme (writer side).
    pub(crate) fn encode(&self) -> Vec<u8> {
        match self {
            Pbe::Pkcs12 {
                cipher,
                salt,
                iterations,
            } => {
                let oid = match cipher {
                    Cipher::TripleDes3 => oid::PBE_SHA1_3DES,
                    Cipher::TripleDes2 => oid::PBE_SHA1_2DES,
                    Cipher::Rc2 {
                        effective_bits: 40, ..
                    } => oid::PBE_SHA1_RC2_40,
                    _ => oid::PBE_SHA1_RC2_128,
                };
                asn1::seq(&[
                    &asn1::oid(oid),
                    &asn1::seq(&[&asn1::octets(salt), &asn1::uint(u64::from(*iterations))]),
                ])
            }
            Pbe::Pbes2 {
                prf,
                salt,
                iterations,
                cipher,
                iv,
            } => {
                let prf_oid = match prf {
                    Hash::Sha1 => oid::HMAC_SHA1,
                    Hash::Sha256 => oid::HMAC_SHA256,
                    Hash::Sha384 => oid::HMAC_SHA384,
                    Hash::Sha512 => oid::HMAC_SHA512,
                };
                let cipher_oid = match cipher {
                    Cipher::Aes128 => oid::AES128_CBC,
                    Cipher::Aes192 => oid::AES192_CBC,
                    Cipher::TripleDes3 => oid::DES_EDE3_CBC,
                    _ => oid::AES256_CBC,
                };
                let null = [tag::NULL, 0];
                let pbkdf2_params = asn1::seq(&[
                    &asn1::octets(salt),
                    &asn1::uint(u64::from(*iterations)),
                    &asn1::seq(&[&asn1::oid(prf_oid), &null]),
                ]);
                let kdf = asn1::seq(&[&asn1::oid(oid::PBKDF2), &pbkdf2_params]);
                let enc = asn1::seq(&[&asn1::oid(cipher_oid), &asn1::octets(iv)]);
                asn1::seq(&[&asn1::oid(oid::PBES2), &asn1::seq(&[&kdf, &enc])])
            }
        }
    }

    fn key_iv(&self, password: &Password) -> (Zeroizing<Vec<u8>>, Vec<u8>) {
        match self {
            Pbe::Pkcs12 {
                cipher,
                salt,
                iterations,
            } => {
                let key = pkcs12_kdf(Hash::Sha1, password, salt, 1, *iterations, cipher.key_len());
                let iv = pkcs12_kdf(
                    Hash::Sha1,
                    password,
                    salt,
                    2,
                    *iterations,
                    cipher.block_len(),
                );
                (key, iv.to_vec())
            }
            Pbe::Pbes2 {
                prf,
                salt,
                iterations,
                cipher,
                iv,
            } => {
                let mut key = Zeroizing::new(vec![0u8; cipher.key_len()]);
                // The iteration count was checked non-zero when parsed or built.
                let n = NonZeroU32::new(*iterations).unwrap_or(NonZeroU32::MIN);
                pbkdf2::derive(prf.pbkdf2(), n, salt, &password.utf8, &mut key);
                (key, iv.clone())
            }
        }
    }

    fn cipher(&self) -> Cipher {
        match self {
            Pbe::Pkcs12 { cipher, .. } | Pbe::Pbes2 { cipher, .. } => *cipher,
        }
    }

    /// Encrypts `data` (runs the KDF).
    pub(crate) fn encrypt(&self, password: &Password, data: &[u8]) -> Result<Vec<u8>> {
        let (key, iv) = self.key_iv(password);
        self.cipher().encrypt(&key, &iv, data)
    }

    /// Decrypts `data` (runs the KDF). `Ok(None)` = bad padding: wrong password or damage.
    pub(crate) fn decrypt(
        &self,
        password: &Password,
        data: &[u8],
    ) -> Result<Option<Zeroizing<Vec<u8>>>> {
        let (key, iv) = self.key_iv(password);
        self.cipher().decrypt(&key, &iv, data)
    }

    /// The writer's PBES2 scheme: PBKDF2-HMAC-SHA256 + AES-256-CBC.
    pub(crate) fn pbes2_aes256(salt: Vec<u8>, iterations: u32, iv: Vec<u8>) -> Self {
        Pbe::Pbes2 {
            prf: Hash::Sha256,
            salt,
            iterations,
            cipher: Cipher::Aes256,
            iv,
        }
    }
}

/// Source of salts and IVs: the OS, or a caller's RNG (deterministic fixtures).
/// A caller's byte source.
type Fill<'a> = &'a mut dyn FnMut(&mut [u8]);

pub(crate) struct Random<'a>(Option<Fill<'a>>);

impl<'a> Random<'a> {
    pub(crate) fn os() -> Self {
        Random(None)
    }

    pub(crate) fn caller(f: &'a mut dyn FnMut(&mut [u8])) -> Self {
        Random(Some(f))
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Result<Vec<u8>> {
        let mut out = vec![0u8; n];
        match &mut self.0 {
            Some(f) => f(&mut out),
            None => {
                use ring::rand::SecureRandom;
                ring::rand::SystemRandom::new()
                    .fill(&mut out)
                    .map_err(|_| PkcsError::RandomFailure)?;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::asn1::ber_reader as ber;

    #[test]
    fn pkcs12_kdf_matches_openssl_vector() {
        // Vector from OpenSSL test/recipes pkcs12 KDF tests (RFC 7292 style):
        // password "smeg", salt 0A58CF64530D823F, id 1, 1 iteration, 24 bytes.
        let pw = Password::new("smeg");
        let salt = [0x0A, 0x58, 0xCF, 0x64, 0x53, 0x0D, 0x82, 0x3F];
        let k = pkcs12_kdf(Hash::Sha1, &pw, &salt, 1, 1, 24);
        assert_eq!(
            hex::encode(&*k),
            "8aaae6297b6cb04642ab5b077851284eb7128f1a2a7fbca3"
        );
        let iv = pkcs12_kdf(Hash::Sha1, &pw, &salt, 2, 1, 8);
        assert_eq!(hex::encode(&*iv), "79993dfe048d3b76");
    }

    #[test]
    fn rehash_matches_repeated_one_shot_digests() {
        for hash in [Hash::Sha1, Hash::Sha256, Hash::Sha384, Hash::Sha512] {
            for n in [0u32, 1, 2, 7, 100] {
                let start: Vec<u8> = (0..hash.output_len() as u8).collect();
                let mut expected = start.clone();
                for _ in 0..n {
                    expected = digest::digest(hash.digest(), &expected).as_ref().to_vec();
                }
                let mut fast = start.clone();
                rehash(hash, &mut fast, n);
                assert_eq!(fast, expected, "{hash:?} n={n}");
            }
        }
    }

    #[test]
    fn round_trip_all_ciphers() {
        let pw = Password::new("pässword");
        for pbe in [
            Pbe::Pkcs12 {
                cipher: Cipher::TripleDes3,
                salt: vec![1; 8],
                iterations: 3,
            },
            Pbe::Pkcs12 {
                cipher: Cipher::Rc2 {
                    effective_bits: 40,
                    key_len: 5,
                },
                salt: vec![2; 8],
                iterations: 3,
            },
            Pbe::pbes2_aes256(vec![3; 16], 3, vec![4; 16]),
        ] {
            let ct = pbe.encrypt(&pw, b"hello world, this is a test").unwrap();
            let reparsed = Pbe::parse(&ber::parse_single(&pbe.encode(), "x").unwrap()).unwrap();
            let pt = reparsed.decrypt(&pw, &ct).unwrap().unwrap();
            assert_eq!(&pt[..], b"hello world, this is a test");
        }
    }

    #[test]
    fn iteration_cap_is_checked_when_parsing() {
        let pbe = Pbe::pbes2_aes256(vec![3; 16], MAX_ITERATIONS + 1, vec![4; 16]);
        let der = pbe.encode();
        let err = Pbe::parse(&ber::parse_single(&der, "x").unwrap()).unwrap_err();
        assert!(matches!(
            err,
            PkcsError::IterationCountTooHigh {
                iterations: 10_000_001,
                ..
            }
        ));
    }
}
