//! Key pairs and the two algorithm profiles.
//!
//! | profile | key | certificate signature |
//! |---|---|---|
//! | [`Profile::Windows`] | RSA-1024 (MS-PNRP 2.2.3.5 item 5) | sha1WithRSAEncryption (PKCS#1 v1.5, deterministic) |
//! | [`Profile::Modern`] (default) | ECDSA P-256 | ecdsa-with-SHA256, deterministic (RFC 6979) |
//!
//! Signing uses `rsa` and `p256` (ring cannot sign RSA-1024/SHA-1 and signs ECDSA with random
//! nonces); every verification uses ring.

use std::fmt;

use p256::pkcs8::DecodePrivateKey as _;
use rand_core::{CryptoRng, SeedableRng as _};
use rsa::signature::SignatureEncoding as _;
use zeroize::Zeroizing;

use crate::asn1::{self, Reader};
use crate::error::{Error, Result};
use crate::name::{PeerName, authority_of};
use crate::oid;
use crate::p256_key::P256Key;

/// The algorithm profile of an identity or group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Profile {
    /// Exactly what MS-PNRP / MS-PPSEC require: RSA-1024 keys, sha1WithRSAEncryption.
    Windows,
    /// ECDSA P-256 keys, ecdsa-with-SHA256 (default for new objects).
    #[default]
    Modern,
}

impl Profile {
    /// `"windows"` or `"modern"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Windows => "windows",
            Profile::Modern => "modern",
        }
    }

    /// The certificate signature algorithm of this profile.
    pub fn signature_algorithm(self) -> SignatureAlgorithm {
        match self {
            Profile::Windows => SignatureAlgorithm::Sha1WithRsa,
            Profile::Modern => SignatureAlgorithm::EcdsaWithSha256,
        }
    }

    /// The profile whose key type a DER SubjectPublicKeyInfo has, if any:
    /// RSA (any size) → windows, P-256 → modern.
    pub fn of_public_key(spki_der: &[u8]) -> Option<Profile> {
        match PublicKeyKind::of(spki_der)? {
            PublicKeyKind::Rsa { .. } => Some(Profile::Windows),
            PublicKeyKind::P256 => Some(Profile::Modern),
        }
    }
}

impl std::str::FromStr for Profile {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "windows" => Ok(Profile::Windows),
            "modern" => Ok(Profile::Modern),
            _ => Err(Error::InvalidParameters {
                reason: format!("unknown profile {s:?}"),
            }),
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A certificate signature algorithm.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureAlgorithm {
    /// sha1WithRSAEncryption, 1.2.840.113549.1.1.5.
    Sha1WithRsa,
    /// ecdsa-with-SHA256, 1.2.840.10045.4.3.2.
    EcdsaWithSha256,
    /// Anything else: the OID as DER content bytes (kept, never verified).
    Other(Vec<u8>),
}

impl SignatureAlgorithm {
    /// OID as DER content bytes.
    pub fn oid(&self) -> &[u8] {
        match self {
            SignatureAlgorithm::Sha1WithRsa => oid::SHA1_WITH_RSA,
            SignatureAlgorithm::EcdsaWithSha256 => oid::ECDSA_WITH_SHA256,
            SignatureAlgorithm::Other(o) => o,
        }
    }

    /// Dotted OID text.
    pub fn dotted(&self) -> String {
        oid::dotted(self.oid())
    }

    pub(crate) fn from_oid(o: &[u8]) -> Self {
        if o == oid::SHA1_WITH_RSA {
            SignatureAlgorithm::Sha1WithRsa
        } else if o == oid::ECDSA_WITH_SHA256 {
            SignatureAlgorithm::EcdsaWithSha256
        } else {
            SignatureAlgorithm::Other(o.to_vec())
        }
    }

    /// DER AlgorithmIdentifier (RSA with an explicit NULL parameter, ECDSA without, RFC 5758).
    pub(crate) fn algorithm_identifier(&self) -> Vec<u8> {
        let o = asn1::tlv(asn1::OID, self.oid());
        match self {
            SignatureAlgorithm::Sha1WithRsa => asn1::cons(asn1::SEQUENCE, &[&o, &[asn1::NULL, 0]]),
            _ => asn1::cons(asn1::SEQUENCE, &[&o]),
        }
    }
}

/// Public-key type of a SubjectPublicKeyInfo.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PublicKeyKind {
    /// rsaEncryption; length of the RSAPublicKey DER (140 for RSA-1024 with e = 65537) and modulus bytes.
    Rsa {
        rsa_public_key_len: usize,
        modulus_len: usize,
    },
    /// id-ecPublicKey on prime256v1 with a 65-byte uncompressed point that is on the curve.
    P256,
}

/// (algorithm OID content, parameters TLV, subjectPublicKey bits).
pub(crate) type SpkiParts<'a> = (&'a [u8], Option<&'a [u8]>, &'a [u8]);

/// Split a SubjectPublicKeyInfo into (algorithm OID, parameters TLV raw, subjectPublicKey bits).
pub(crate) fn split_spki(spki: &[u8]) -> Option<SpkiParts<'_>> {
    let mut outer = Reader::new(spki);
    let body = outer.expect(asn1::SEQUENCE, "spki").ok()?;
    outer.finish("spki").ok()?;
    let mut r = Reader::new(body);
    let alg = r.expect(asn1::SEQUENCE, "alg").ok()?;
    let bits = r.expect(asn1::BIT_STRING, "key").ok()?;
    r.finish("spki").ok()?;
    let mut a = Reader::new(alg);
    let o = a.expect(asn1::OID, "oid").ok()?;
    let params = if a.is_empty() {
        None
    } else {
        Some(a.any().ok()?.raw)
    };
    a.finish("alg").ok()?;
    let (&unused, key) = bits.split_first()?;
    if unused != 0 {
        return None;
    }
    Some((o, params, key))
}

impl PublicKeyKind {
    pub(crate) fn of(spki: &[u8]) -> Option<Self> {
        let (o, params, key) = split_spki(spki)?;
        if o == oid::RSA_ENCRYPTION {
            if params != Some(&[asn1::NULL, 0][..]) {
                return None;
            }
            let mut r = Reader::new(key);
            let seq = r.expect(asn1::SEQUENCE, "RSAPublicKey").ok()?;
            r.finish("RSAPublicKey").ok()?;
            let mut s = Reader::new(seq);
            let n = s.expect(asn1::INTEGER, "n").ok()?;
            s.expect(asn1::INTEGER, "e").ok()?;
            s.finish("RSAPublicKey").ok()?;
            let modulus_len = n.len() - usize::from(n.first() == Some(&0));
            Some(PublicKeyKind::Rsa {
                rsa_public_key_len: key.len(),
                modulus_len,
            })
        } else if o == oid::EC_PUBLIC_KEY {
            let curve = asn1::tlv(asn1::OID, oid::PRIME256V1);
            if params != Some(&curve[..]) || key.len() != 65 || key[0] != 4 {
                return None;
            }
            p256::PublicKey::from_sec1_bytes(key).ok()?;
            Some(PublicKeyKind::P256)
        } else {
            None
        }
    }
}

enum KeyInner {
    Rsa(Box<rsa::pkcs1v15::SigningKey<sha1::Sha1>>),
    P256(Box<P256Key>),
}

/// A private key of either profile. Zeroized on drop (the `rsa` and `p256` key types wipe
/// themselves); `Debug` prints only the profile and the public-key authority.
pub struct PrivateKey {
    inner: KeyInner,
    spki: Vec<u8>,
}

fn rsa_key(k: &rsa::pkcs1v15::SigningKey<sha1::Sha1>) -> &rsa::RsaPrivateKey {
    k.as_ref()
}

fn key_err(reason: impl fmt::Display) -> Error {
    Error::Key {
        reason: reason.to_string(),
    }
}

impl PrivateKey {
    /// Generate a key for `profile` from the operating system's RNG.
    ///
    /// P-256 keys are generated by ring (its `nistz256` arithmetic, about 6× faster than
    /// p256's portable code) and keep the public point ring computed; RSA keys come from
    /// the `rsa` crate with a ChaCha20 RNG seeded from the OS.
    ///
    /// # Errors
    /// [`Error::Key`] if the OS RNG or key generation fails.
    pub fn generate(profile: Profile) -> Result<Self> {
        if profile == Profile::Modern {
            return Self::from_inner(KeyInner::P256(Box::new(P256Key::generate()?)));
        }
        let mut seed = Zeroizing::new([0u8; 32]);
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), seed.as_mut())
            .map_err(|_| key_err("operating system RNG failed"))?;
        let mut rng = rand_chacha::ChaCha20Rng::from_seed(*seed);
        Self::generate_with_rng(profile, &mut rng)
    }

    /// Generate a key for `profile` from a caller-supplied RNG (seeded RNGs give reproducible
    /// fixtures; use [`PrivateKey::generate`] for real keys).
    ///
    /// # Errors
    /// [`Error::Key`] if key generation fails.
    pub fn generate_with_rng<R: CryptoRng + ?Sized>(profile: Profile, rng: &mut R) -> Result<Self> {
        let inner = match profile {
            Profile::Windows => {
                let k = rsa::RsaPrivateKey::new(rng, 1024).map_err(key_err)?;
                KeyInner::Rsa(Box::new(rsa::pkcs1v15::SigningKey::new(k)))
            }
            Profile::Modern => {
                let sk =
                    <p256::SecretKey as p256::elliptic_curve::Generate>::generate_from_rng(rng);
                KeyInner::P256(Box::new(P256Key::from_secret(&sk)))
            }
        };
        Self::from_inner(inner)
    }

    /// Generate a key deterministically from a 32-byte seed (ChaCha20 RNG). For fixtures
    /// and tests only: anyone who knows the seed knows the key.
    ///
    /// # Errors
    /// [`Error::Key`] if key generation fails.
    pub fn generate_from_seed(profile: Profile, seed: [u8; 32]) -> Result<Self> {
        let seed = Zeroizing::new(seed);
        let mut rng = rand_chacha::ChaCha20Rng::from_seed(*seed);
        Self::generate_with_rng(profile, &mut rng)
    }

    fn from_inner(inner: KeyInner) -> Result<Self> {
        let spki = match &inner {
            KeyInner::Rsa(k) => {
                rsa::pkcs8::EncodePublicKey::to_public_key_der(&rsa_key(k).to_public_key())
                    .map_err(key_err)?
                    .as_bytes()
                    .to_vec()
            }
            KeyInner::P256(k) => k.spki(),
        };
        Ok(PrivateKey { inner, spki })
    }

    /// Decode an unencrypted PKCS#8 PrivateKeyInfo; the profile is detected from the key type
    /// (RSA 1024–4096 bits → windows, P-256 → modern).
    ///
    /// # Errors
    /// [`Error::Key`] for anything else.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        if let Ok(k) = rsa::RsaPrivateKey::from_pkcs8_der(der) {
            let bits = rsa::traits::PublicKeyParts::size(&k) * 8;
            if !(1024..=4096).contains(&bits) {
                return Err(key_err(format!(
                    "RSA key of {bits} bits; 1024 to 4096 are supported"
                )));
            }
            return Self::from_inner(KeyInner::Rsa(Box::new(rsa::pkcs1v15::SigningKey::new(k))));
        }
        match p256::SecretKey::from_pkcs8_der(der) {
            Ok(sk) => Self::from_inner(KeyInner::P256(Box::new(P256Key::from_decoded_pkcs8(
                &sk, der,
            )))),
            Err(_) => Err(key_err(
                "not an unencrypted PKCS#8 RSA or P-256 private key",
            )),
        }
    }

    /// Check an unencrypted PKCS#8 PrivateKeyInfo as [`PrivateKey::from_pkcs8_der`] does
    /// (the same keys are accepted, with the same errors) and return its profile, public key
    /// and canonical encoding, without building the signing key when it can be avoided.
    ///
    /// An RSA key that is already exactly what [`PrivateKey::to_pkcs8_der`] writes — every
    /// key this crate exported — is checked with a few big-integer products and remainders
    /// instead of the `rsa` crate's key set-up (CRT inversions, Montgomery parameters), and
    /// its bytes are kept as they are. Any other input (P-256, other RSA encodings, invalid
    /// keys) goes through [`PrivateKey::from_pkcs8_der`] and is re-encoded by
    /// [`CheckedPkcs8::to_pkcs8_der`], so that what a caller stores is always the canonical
    /// encoding. Sign with a key from [`PrivateKey::from_pkcs8_der`].
    ///
    /// # Errors
    /// [`Error::Key`] as [`PrivateKey::from_pkcs8_der`].
    pub fn check_pkcs8_der(der: &[u8]) -> Result<CheckedPkcs8> {
        if let Some(spki) = canonical_rsa_spki(der) {
            return Ok(CheckedPkcs8 {
                profile: Profile::Windows,
                spki,
                form: CheckedForm::Canonical(Zeroizing::new(der.to_vec())),
            });
        }
        let key = Self::from_pkcs8_der(der)?;
        Ok(CheckedPkcs8 {
            profile: key.profile(),
            spki: key.spki.clone(),
            form: CheckedForm::Parsed(key),
        })
    }

    /// Encode as an unencrypted PKCS#8 PrivateKeyInfo (zeroized when dropped).
    ///
    /// # Errors
    /// [`Error::Key`] if encoding fails.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        match &self.inner {
            KeyInner::Rsa(k) => {
                let doc =
                    rsa::pkcs8::EncodePrivateKey::to_pkcs8_der(rsa_key(k)).map_err(key_err)?;
                Ok(Zeroizing::new(doc.as_bytes().to_vec()))
            }
            KeyInner::P256(k) => Ok(k.to_pkcs8_der()),
        }
    }

    /// The profile of this key.
    pub fn profile(&self) -> Profile {
        match self.inner {
            KeyInner::Rsa(_) => Profile::Windows,
            KeyInner::P256(_) => Profile::Modern,
        }
    }

    /// The DER SubjectPublicKeyInfo of the public key.
    pub fn public_key_der(&self) -> &[u8] {
        &self.spki
    }

    /// The secure peer name of this key with `classifier`.
    ///
    /// # Errors
    /// Classifier errors as in [`crate::name::validate_classifier`].
    pub fn peer_name(&self, classifier: &str) -> Result<PeerName> {
        Ok(PeerName::from_public_key(&self.spki, classifier)?)
    }

    /// The signature algorithm this key signs certificates with.
    pub fn signature_algorithm(&self) -> SignatureAlgorithm {
        self.profile().signature_algorithm()
    }

    /// Sign `message`: RSASSA-PKCS1-v1_5 with SHA-1 (windows) or DER ECDSA with SHA-256,
    /// RFC 6979 nonces (modern). Both are deterministic. The RSA private-key operation is
    /// blinded with operating-system randomness (`rsa`'s `getrandom` feature, enabled in the
    /// workspace for RUSTSEC-2023-0071); blinding does not change the signature.
    ///
    /// # Errors
    /// [`Error::Signing`] if the signer fails.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        match &self.inner {
            KeyInner::Rsa(k) => {
                let s: rsa::pkcs1v15::Signature = rsa::signature::Signer::try_sign(&**k, message)
                    .map_err(|e| Error::Signing {
                    reason: e.to_string(),
                })?;
                Ok(s.to_vec())
            }
            KeyInner::P256(k) => Ok(k.sign(message)),
        }
    }
}

/// A PKCS#8 private key checked as [`PrivateKey::from_pkcs8_der`] checks it, without
/// building the signing key: what [`PrivateKey::check_pkcs8_der`] returns, for code that
/// only needs the public key and the bytes to store (identity import).
pub struct CheckedPkcs8 {
    profile: Profile,
    spki: Vec<u8>,
    form: CheckedForm,
}

enum CheckedForm {
    /// The input, which is exactly what [`PrivateKey::to_pkcs8_der`] writes for this key.
    Canonical(Zeroizing<Vec<u8>>),
    /// Any other encoding: decoded by [`PrivateKey::from_pkcs8_der`], re-encoded on demand.
    Parsed(PrivateKey),
}

impl CheckedPkcs8 {
    /// The profile of this key.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The DER SubjectPublicKeyInfo of the public key (as [`PrivateKey::public_key_der`]).
    pub fn public_key_der(&self) -> &[u8] {
        &self.spki
    }

    /// The secure peer name of this key with `classifier`.
    ///
    /// # Errors
    /// Classifier errors as in [`crate::name::validate_classifier`].
    pub fn peer_name(&self, classifier: &str) -> Result<PeerName> {
        Ok(PeerName::from_public_key(&self.spki, classifier)?)
    }

    /// The key as [`PrivateKey::to_pkcs8_der`] encodes it: the input bytes when they already
    /// are that encoding, else the re-encoding.
    ///
    /// # Errors
    /// [`Error::Key`] if encoding fails.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        match &self.form {
            CheckedForm::Canonical(der) => Ok(der.clone()),
            CheckedForm::Parsed(k) => k.to_pkcs8_der(),
        }
    }
}

impl fmt::Debug for CheckedPkcs8 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckedPkcs8")
            .field("profile", &self.profile)
            .field("authority", &authority_of(&self.spki))
            .field("canonical", &matches!(self.form, CheckedForm::Canonical(_)))
            .finish_non_exhaustive()
    }
}

/// Big-endian magnitude of a non-negative DER INTEGER's content, leading zeros removed.
fn rsa_magnitude(content: &[u8]) -> Option<&[u8]> {
    if content.first()? & 0x80 != 0 {
        return None;
    }
    let start = content
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(content.len());
    Some(&content[start..])
}

/// Append the minimal DER INTEGER of a magnitude (as the `der` crate writes it).
fn push_rsa_integer(out: &mut Vec<u8>, magnitude: &[u8]) {
    let pad = magnitude.first().is_none_or(|&b| b & 0x80 != 0);
    push_header(out, asn1::INTEGER, magnitude.len() + usize::from(pad));
    if pad {
        out.push(0);
    }
    out.extend_from_slice(magnitude);
}

fn push_header(out: &mut Vec<u8>, tag: u8, len: usize) {
    out.push(tag);
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(bytes.len() - 1);
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
}

/// AlgorithmIdentifier rsaEncryption with its NULL parameter.
fn rsa_algorithm_identifier() -> Vec<u8> {
    let mut alg = Vec::with_capacity(15);
    push_header(&mut alg, asn1::SEQUENCE, oid::RSA_ENCRYPTION.len() + 4);
    push_header(&mut alg, asn1::OID, oid::RSA_ENCRYPTION.len());
    alg.extend_from_slice(oid::RSA_ENCRYPTION);
    alg.extend_from_slice(&[asn1::NULL, 0]);
    alg
}

/// The SubjectPublicKeyInfo of an RSA PKCS#8 key if `der` is exactly what
/// [`PrivateKey::to_pkcs8_der`] writes for a key that [`PrivateKey::from_pkcs8_der`]
/// accepts; `None` for anything else (which may still be a usable key in another encoding).
///
/// The checks are those of `rsa::RsaPrivateKey::from_components` and `validate` plus our
/// size policy — n odd, 1024–4096 bits; e odd, 3 ≤ e ≤ 2³³ − 1; d < n; p, q odd, > 1, at
/// most ⌈bits(n)/2⌉ bits; p·q = n; d·e ≡ 1 mod p − 1 and mod q − 1 — and that the CRT values
/// are the ones the encoder computes: dp = d mod (p − 1), dq = d mod (q − 1),
/// qinv = q⁻¹ mod p (qinv < p, qinv·q ≡ 1 mod p). That is products and remainders, no
/// inversion and no Montgomery set-up. The arithmetic is constant-time except for the
/// sizes, which are public (they follow from n).
fn canonical_rsa_spki(der: &[u8]) -> Option<Vec<u8>> {
    use crypto_bigint::{BoxedUint, ConcatenatingMul as _, Integer as _, NonZero};

    let mut outer = Reader::new(der);
    let info = outer.expect(asn1::SEQUENCE, "PrivateKeyInfo").ok()?;
    let mut r = Reader::new(info);
    r.expect(asn1::INTEGER, "version").ok()?;
    r.expect(asn1::SEQUENCE, "algorithm").ok()?;
    let octets = r.expect(asn1::OCTET_STRING, "privateKey").ok()?;
    let mut k = Reader::new(octets);
    let rsa = k.expect(asn1::SEQUENCE, "RSAPrivateKey").ok()?;
    let mut s = Reader::new(rsa);
    s.expect(asn1::INTEGER, "version").ok()?;
    let mut ints: [&[u8]; 8] = [&[]; 8];
    for i in &mut ints {
        *i = rsa_magnitude(s.expect(asn1::INTEGER, "RSAPrivateKey integer").ok()?)?;
    }
    let [n, e, d, p, q, dp, dq, qinv] = ints;

    // Canonical: the input is byte for byte what the encoder writes for these values
    // (PKCS#8 v1 without attributes, NULL parameters, two-prime RSAPrivateKey, minimal DER).
    let mut body = Zeroizing::new(Vec::with_capacity(der.len()));
    body.extend_from_slice(&[asn1::INTEGER, 1, 0]);
    for i in ints {
        push_rsa_integer(&mut body, i);
    }
    let alg = rsa_algorithm_identifier();
    let mut rebuilt = Zeroizing::new(Vec::with_capacity(der.len()));
    let mut key_octets = Zeroizing::new(Vec::with_capacity(body.len() + 8));
    push_header(&mut key_octets, asn1::SEQUENCE, body.len());
    key_octets.extend_from_slice(&body);
    let content_len = 3 + alg.len() + header_len(key_octets.len()) + key_octets.len();
    push_header(&mut rebuilt, asn1::SEQUENCE, content_len);
    rebuilt.extend_from_slice(&[asn1::INTEGER, 1, 0]);
    rebuilt.extend_from_slice(&alg);
    push_header(&mut rebuilt, asn1::OCTET_STRING, key_octets.len());
    rebuilt.extend_from_slice(&key_octets);
    if rebuilt.as_slice() != der {
        return None;
    }

    // Public values and sizes (not secret).
    if !(128..=512).contains(&n.len()) || n[n.len() - 1] & 1 == 0 {
        return None;
    }
    if e.is_empty() || e.len() > 5 || e[e.len() - 1] & 1 == 0 {
        return None;
    }
    let e_value = e.iter().fold(0u64, |a, &b| (a << 8) | u64::from(b));
    if !(3..=(1 << 33) - 1).contains(&e_value) {
        return None;
    }
    let uint = |b: &[u8]| Zeroizing::new(BoxedUint::from_be_slice_vartime(b));
    let n_u = uint(n);
    let e_u = uint(e);
    let half_bits = n_u.bits_vartime().div_ceil(2);

    // Secret values: fixed-size arithmetic from here on.
    let (d_u, p_u, q_u) = (uint(d), uint(p), uint(q));
    let (dp_u, dq_u, qinv_u) = (uint(dp), uint(dq), uint(qinv));
    let one = BoxedUint::one();
    let mut ok = *d_u < *n_u;
    for x in [&p_u, &q_u] {
        ok &= x.is_odd().to_bool() & (**x > one) & (x.bits() <= half_bits);
    }
    if !ok {
        return None;
    }
    ok &= *Zeroizing::new(p_u.concatenating_mul(&*q_u)) == *n_u;
    for (prime, d_mod) in [(&p_u, &dp_u), (&q_u, &dq_u)] {
        let m = NonZero::new(prime.wrapping_sub(&one)).into_option()?;
        ok &= *Zeroizing::new(d_u.rem(&m)) == **d_mod;
        ok &= Zeroizing::new(d_mod.concatenating_mul(&*e_u).rem(&m))
            .is_one()
            .to_bool();
    }
    let p_nz = NonZero::new((*p_u).clone()).into_option()?;
    ok &= *qinv_u < *p_u;
    ok &= Zeroizing::new(qinv_u.concatenating_mul(&*q_u).rem(&p_nz))
        .is_one()
        .to_bool();
    if !ok {
        return None;
    }

    let mut rsa_public = Vec::with_capacity(n.len() + e.len() + 12);
    let public_len = integer_len(n) + integer_len(e);
    push_header(&mut rsa_public, asn1::SEQUENCE, public_len);
    push_rsa_integer(&mut rsa_public, n);
    push_rsa_integer(&mut rsa_public, e);
    let bits_len = 1 + rsa_public.len();
    let mut spki = Vec::with_capacity(alg.len() + bits_len + 12);
    push_header(
        &mut spki,
        asn1::SEQUENCE,
        alg.len() + header_len(bits_len) + bits_len,
    );
    spki.extend_from_slice(&alg);
    push_header(&mut spki, asn1::BIT_STRING, bits_len);
    spki.push(0);
    spki.extend_from_slice(&rsa_public);
    Some(spki)
}

/// Length of a DER header for `len` content bytes.
fn header_len(len: usize) -> usize {
    let mut h = Vec::with_capacity(6);
    push_header(&mut h, 0, len);
    h.len()
}

/// Length of the minimal DER INTEGER of a magnitude.
fn integer_len(magnitude: &[u8]) -> usize {
    let content = magnitude.len() + usize::from(magnitude.first().is_none_or(|&b| b & 0x80 != 0));
    header_len(content) + content
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("profile", &self.profile())
            .field("authority", &authority_of(&self.spki))
            .finish_non_exhaustive()
    }
}

/// Verify `signature` over `message` with the key in `spki_der` (ring).
///
/// sha1WithRSAEncryption accepts RSA keys of 1024–8192 bits
/// (`RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY`); ecdsa-with-SHA256 accepts P-256 keys.
///
/// # Errors
/// [`Error::BadSignature`] if it does not verify or the algorithm/key pair is unsupported.
pub fn verify_signature(
    spki_der: &[u8],
    algorithm: &SignatureAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> Result<()> {
    let (key_oid, _, key) = split_spki(spki_der).ok_or(Error::BadSignature)?;
    let alg: &dyn ring::signature::VerificationAlgorithm = match algorithm {
        SignatureAlgorithm::Sha1WithRsa if key_oid == oid::RSA_ENCRYPTION => {
            &ring::signature::RSA_PKCS1_1024_8192_SHA1_FOR_LEGACY_USE_ONLY
        }
        SignatureAlgorithm::EcdsaWithSha256 if key_oid == oid::EC_PUBLIC_KEY => {
            &ring::signature::ECDSA_P256_SHA256_ASN1
        }
        _ => return Err(Error::BadSignature),
    };
    ring::signature::UnparsedPublicKey::new(alg, key)
        .verify(message, signature)
        .map_err(|_| Error::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;

    #[test]
    fn both_profiles_sign_verify_and_round_trip() {
        for profile in [Profile::Windows, Profile::Modern] {
            let mut rng = ChaCha20Rng::from_seed([7; 32]);
            let k = PrivateKey::generate_with_rng(profile, &mut rng).unwrap();
            assert_eq!(k.profile(), profile);
            assert_eq!(Profile::of_public_key(k.public_key_der()), Some(profile));
            let sig = k.sign(b"hello").unwrap();
            assert_eq!(sig, k.sign(b"hello").unwrap(), "deterministic");
            verify_signature(k.public_key_der(), &k.signature_algorithm(), b"hello", &sig).unwrap();
            assert!(
                verify_signature(k.public_key_der(), &k.signature_algorithm(), b"hellO", &sig)
                    .is_err()
            );
            let p8 = k.to_pkcs8_der().unwrap();
            let k2 = PrivateKey::from_pkcs8_der(&p8).unwrap();
            assert_eq!(k2.profile(), profile);
            assert_eq!(k2.public_key_der(), k.public_key_der());
            let dbg = format!("{k:?}");
            let mid = p8.len() / 2;
            assert!(
                dbg.contains(&format!("{profile:?}"))
                    && !dbg.contains(&hex::encode(&p8[mid..mid + 8]))
            );
        }
    }

    /// `check_pkcs8_der` must accept exactly what `from_pkcs8_der` accepts, with the same
    /// error, the same public key and the same canonical encoding.
    fn assert_check_matches_full(der: &[u8]) -> Option<bool> {
        let checked = PrivateKey::check_pkcs8_der(der);
        let full = PrivateKey::from_pkcs8_der(der);
        match (checked, full) {
            (Ok(c), Ok(k)) => {
                assert_eq!(c.profile(), k.profile());
                assert_eq!(c.public_key_der(), k.public_key_der());
                assert_eq!(
                    c.to_pkcs8_der().map(|d| d.to_vec()).ok(),
                    k.to_pkcs8_der().map(|d| d.to_vec()).ok()
                );
                let kept = format!("{c:?}").contains("canonical: true");
                if kept {
                    assert_eq!(&*c.to_pkcs8_der().unwrap(), der, "kept bytes are canonical");
                }
                Some(kept)
            }
            (Err(a), Err(b)) => {
                assert_eq!(a.to_string(), b.to_string());
                None
            }
            (c, k) => panic!(
                "check_pkcs8_der {:?} but from_pkcs8_der {:?}",
                c.map(|_| ()),
                k.map(|_| ())
            ),
        }
    }

    /// An RSA PKCS#8 in the encoder's layout from the eight RSAPrivateKey magnitudes.
    fn rsa_pkcs8(ints: &[Vec<u8>; 8]) -> Vec<u8> {
        let mut body = vec![asn1::INTEGER, 1, 0];
        for i in ints {
            push_rsa_integer(&mut body, i);
        }
        let mut key = Vec::new();
        push_header(&mut key, asn1::SEQUENCE, body.len());
        key.extend_from_slice(&body);
        asn1::cons(
            asn1::SEQUENCE,
            &[
                &[asn1::INTEGER, 1, 0],
                &rsa_algorithm_identifier(),
                &asn1::tlv(asn1::OCTET_STRING, &key),
            ],
        )
    }

    fn rsa_ints(der: &[u8]) -> [Vec<u8>; 8] {
        let mut r = Reader::new(der);
        let mut r = Reader::new(r.expect(asn1::SEQUENCE, "").unwrap());
        r.expect(asn1::INTEGER, "").unwrap();
        r.expect(asn1::SEQUENCE, "").unwrap();
        let mut k = Reader::new(r.expect(asn1::OCTET_STRING, "").unwrap());
        let mut s = Reader::new(k.expect(asn1::SEQUENCE, "").unwrap());
        s.expect(asn1::INTEGER, "").unwrap();
        std::array::from_fn(|_| {
            rsa_magnitude(s.expect(asn1::INTEGER, "").unwrap())
                .unwrap()
                .to_vec()
        })
    }

    fn big(b: &[u8]) -> crypto_bigint::BoxedUint {
        crypto_bigint::BoxedUint::from_be_slice_vartime(b)
    }

    fn bytes(x: &crypto_bigint::BoxedUint) -> Vec<u8> {
        rsa_magnitude(&[&[0u8][..], &x.to_be_bytes()].concat())
            .unwrap()
            .to_vec()
    }

    #[test]
    fn check_pkcs8_keeps_our_rsa_encoding_and_agrees_with_from_pkcs8() {
        for seed in 0..4u8 {
            let k = PrivateKey::generate_from_seed(Profile::Windows, [seed; 32]).unwrap();
            let der = k.to_pkcs8_der().unwrap();
            assert_eq!(assert_check_matches_full(&der), Some(true), "seed {seed}");
            let c = PrivateKey::check_pkcs8_der(&der).unwrap();
            assert_eq!(c.public_key_der(), k.public_key_der());
            assert_eq!(c.peer_name("x").unwrap(), k.peer_name("x").unwrap());
            assert_eq!(rsa_pkcs8(&rsa_ints(&der)), *der, "test encoder = ours");
        }
        // P-256 always takes the full path.
        let k = PrivateKey::generate_from_seed(Profile::Modern, [9; 32]).unwrap();
        assert_eq!(
            assert_check_matches_full(&k.to_pkcs8_der().unwrap()),
            Some(false)
        );
        // Every single-byte change of a canonical key: the same verdict as the full decode.
        let k = PrivateKey::generate_from_seed(Profile::Windows, [5; 32]).unwrap();
        let der = k.to_pkcs8_der().unwrap();
        for i in 0..der.len() {
            for x in [0x01u8, 0x80] {
                let mut m = der.to_vec();
                m[i] ^= x;
                assert_ne!(
                    assert_check_matches_full(&m),
                    Some(true),
                    "byte {i} ^ {x:#x}"
                );
            }
        }
    }

    #[test]
    fn check_pkcs8_on_altered_rsa_keys() {
        use crypto_bigint::{ConcatenatingMul as _, NonZero};
        let k = PrivateKey::generate_from_seed(Profile::Windows, [3; 32]).unwrap();
        let der = k.to_pkcs8_der().unwrap();
        let ints = rsa_ints(&der);
        let other = rsa_ints(
            &PrivateKey::generate_from_seed(Profile::Windows, [4; 32])
                .unwrap()
                .to_pkcs8_der()
                .unwrap(),
        );
        let [n, e, d, p, q, dp, dq, qinv] = ints.clone();
        let one = crypto_bigint::BoxedUint::one();
        let with = |i: usize, v: Vec<u8>| {
            let mut a = ints.clone();
            a[i] = v;
            rsa_pkcs8(&a)
        };
        // Refused by both: inconsistent primes, wrong d, wrong e, p = q, n even.
        for bad in [
            with(3, other[3].clone()),
            with(4, other[4].clone()),
            with(2, other[2].clone()),
            with(1, vec![3]),
            rsa_pkcs8(&[
                n.clone(),
                e.clone(),
                d.clone(),
                p.clone(),
                p.clone(),
                dp.clone(),
                dp.clone(),
                qinv.clone(),
            ]),
            with(0, bytes(&big(&n).wrapping_add(&one))),
        ] {
            assert_eq!(assert_check_matches_full(&bad), None);
            assert!(matches!(
                PrivateKey::check_pkcs8_der(&bad),
                Err(Error::Key { .. })
            ));
        }
        // Accepted by both but not our encoding: wrong CRT values (ignored by `rsa`), a
        // non-minimal INTEGER, PKCS#8 with a trailing attribute set. Stored re-encoded.
        let inc = |v: &[u8]| bytes(&big(v).wrapping_add(&one));
        let mut attributes = der.to_vec();
        attributes.extend_from_slice(&[0xa0, 0]);
        let outer_len = u16::try_from(attributes.len() - 4).unwrap();
        attributes[2..4].copy_from_slice(&outer_len.to_be_bytes()); // 30 82 LL LL
        let mut long_e = ints.clone();
        long_e[1].insert(0, 0); // 02 04 00 01 00 01: e with a non-minimal leading zero
        let long_e = rsa_pkcs8(&long_e);
        for crt in [with(5, inc(&dp)), with(6, inc(&dq)), with(7, inc(&qinv))] {
            assert_eq!(assert_check_matches_full(&crt), Some(false));
            assert_eq!(
                *PrivateKey::check_pkcs8_der(&crt)
                    .unwrap()
                    .to_pkcs8_der()
                    .unwrap(),
                *der
            );
        }
        for odd in [attributes, long_e] {
            let kept = assert_check_matches_full(&odd);
            assert_ne!(kept, Some(true));
            if kept.is_some() {
                assert_eq!(
                    *PrivateKey::check_pkcs8_der(&odd)
                        .unwrap()
                        .to_pkcs8_der()
                        .unwrap(),
                    *der
                );
            }
        }
        // qinv + p is ≡ q⁻¹ mod p but not reduced (computed at double width): not canonical.
        let qinv_plus_p = bytes(&big(&qinv).concatenating_mul(&one).wrapping_add(big(&p)));
        assert_ne!(assert_check_matches_full(&with(7, qinv_plus_p)), Some(true));
        // p and q swapped (CRT values recomputed): a different, valid, canonical key.
        let (pb, qb) = (big(&p), big(&q));
        let d_mod = |m: &crypto_bigint::BoxedUint| {
            bytes(&big(&d).rem(&NonZero::new(m.wrapping_sub(&one)).unwrap()))
        };
        let q_inv_p = bytes(
            &pb.invert_odd_mod(&crypto_bigint::Odd::new(qb.clone()).unwrap())
                .unwrap(),
        );
        let swapped = rsa_pkcs8(&[
            n,
            e,
            d.clone(),
            q.clone(),
            p.clone(),
            d_mod(&qb),
            d_mod(&pb),
            q_inv_p,
        ]);
        assert_eq!(assert_check_matches_full(&swapped), Some(true));
    }

    /// `generate(Modern)` takes the key and its public point from ring: the point must be
    /// p256's derivation from the scalar, and the key must sign, verify and survive PKCS#8
    /// and PFX like a seeded one.
    #[test]
    fn os_rng_p256_keys_match_p256_and_round_trip() {
        use p256::pkcs8::EncodePublicKey as _;
        let now = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_767_225_600);
        for _ in 0..4 {
            let k = PrivateKey::generate(Profile::Modern).unwrap();
            let p8 = k.to_pkcs8_der().unwrap();
            let derived = p256::SecretKey::from_pkcs8_der(&p8).unwrap().public_key();
            assert_eq!(
                k.public_key_der(),
                derived.to_public_key_der().unwrap().as_bytes(),
                "public key = p256's derivation from the scalar"
            );
            let sig = k.sign(b"hello").unwrap();
            verify_signature(k.public_key_der(), &k.signature_algorithm(), b"hello", &sig).unwrap();
            assert!(
                verify_signature(k.public_key_der(), &k.signature_algorithm(), b"hellO", &sig)
                    .is_err()
            );
            // PKCS#8 (what the store seals): same key, same canonical bytes, same signatures.
            let k2 = PrivateKey::from_pkcs8_der(&p8).unwrap();
            assert_eq!(k2.public_key_der(), k.public_key_der());
            assert_eq!(*k2.to_pkcs8_der().unwrap(), *p8);
            assert_eq!(k2.sign(b"hello").unwrap(), sig);
            let checked = PrivateKey::check_pkcs8_der(&p8).unwrap();
            assert_eq!(checked.public_key_der(), k.public_key_der());
            assert_eq!(*checked.to_pkcs8_der().unwrap(), *p8);
            // PFX with its IDC.
            let idc = crate::cert::IdcParams::new(k.peer_name("me").unwrap(), "Me", now)
                .unwrap()
                .issue(&k)
                .unwrap();
            crate::chain::validate_idc(&idc, Profile::Modern, now).unwrap();
            let opts = crate::pkcs12::Pkcs12WriteOptions::new(crate::pkcs12::Pkcs12Profile::Modern)
                .with_iterations(1000);
            let pfx = crate::pkcs12::write(&[idc.der().to_vec()], &p8, "pw", &opts).unwrap();
            let back = crate::pkcs12::read(&pfx, "pw").unwrap();
            assert_eq!(*back.private_key, *p8);
            let k3 = PrivateKey::from_pkcs8_der(&back.private_key).unwrap();
            assert_eq!(k3.public_key_der(), idc.public_key_der());
            assert_eq!(k3.sign(b"hello").unwrap(), sig);
        }
    }

    #[test]
    fn rsa_1024_spki_shape() {
        let mut rng = ChaCha20Rng::from_seed([1; 32]);
        let k = PrivateKey::generate_with_rng(Profile::Windows, &mut rng).unwrap();
        assert_eq!(
            PublicKeyKind::of(k.public_key_der()),
            Some(PublicKeyKind::Rsa {
                rsa_public_key_len: 140,
                modulus_len: 128
            })
        );
    }

    #[test]
    fn os_rng_generation_and_garbage_import() {
        let k = PrivateKey::generate(Profile::Modern).unwrap();
        assert_eq!(k.profile(), Profile::Modern);
        assert!(matches!(
            PrivateKey::from_pkcs8_der(b"nope"),
            Err(Error::Key { .. })
        ));
    }
}
