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

use p256::ecdsa::signature::Signer as _;
use p256::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, EncodePublicKey as _};
use rand_core::{CryptoRng, SeedableRng as _};
use rsa::signature::SignatureEncoding as _;
use zeroize::Zeroizing;

use crate::asn1::{self, Reader};
use crate::error::{Error, Result};
use crate::name::{PeerName, authority_of};
use crate::oid;

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
    P256(Box<p256::ecdsa::SigningKey>),
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
    /// # Errors
    /// [`Error::Key`] if the OS RNG or key generation fails.
    pub fn generate(profile: Profile) -> Result<Self> {
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
                KeyInner::P256(Box::new(p256::ecdsa::SigningKey::from(&sk)))
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
            }
            KeyInner::P256(k) => k.verifying_key().to_public_key_der().map_err(key_err)?,
        };
        Ok(PrivateKey {
            inner,
            spki: spki.as_bytes().to_vec(),
        })
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
            Ok(sk) => {
                Self::from_inner(KeyInner::P256(Box::new(p256::ecdsa::SigningKey::from(&sk))))
            }
            Err(_) => Err(key_err(
                "not an unencrypted PKCS#8 RSA or P-256 private key",
            )),
        }
    }

    /// Encode as an unencrypted PKCS#8 PrivateKeyInfo (zeroized when dropped).
    ///
    /// # Errors
    /// [`Error::Key`] if encoding fails.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>> {
        let doc = match &self.inner {
            KeyInner::Rsa(k) => {
                rsa::pkcs8::EncodePrivateKey::to_pkcs8_der(rsa_key(k)).map_err(key_err)?
            }
            KeyInner::P256(k) => p256::SecretKey::from(k.as_nonzero_scalar())
                .to_pkcs8_der()
                .map_err(key_err)?,
        };
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
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
        PeerName::from_public_key(&self.spki, classifier)
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
            KeyInner::P256(k) => {
                let s: p256::ecdsa::Signature =
                    k.try_sign(message).map_err(|e| Error::Signing {
                        reason: e.to_string(),
                    })?;
                Ok(s.to_der().as_bytes().to_vec())
            }
        }
    }
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
