//! PKCS#12 (PFX) export and import of one private key with its certificates
//! (RFC 7292), in the two peernet profiles.
//!
//! | | [`Pkcs12Profile::Windows`] | [`Pkcs12Profile::Modern`] |
//! |---|---|---|
//! | key bag | pkcs8ShroudedKeyBag, pbeWithSHAAnd3-KeyTripleDES-CBC | pkcs8ShroudedKeyBag, PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) |
//! | cert bags | encryptedData, pbeWithSHAAnd40BitRC2-CBC | encryptedData, PBES2 (same as the key) |
//! | MAC | HMAC-SHA1 | HMAC-SHA256 |
//! | iterations | 2000 | 600,000 (configurable) |
//!
//! The reader accepts both, OpenSSL 3's default and `-legacy` output, Python
//! `cryptography`'s output, BER (indefinite lengths, constructed OCTET STRINGs), and
//! refuses any iteration count above [`MAX_ITERATIONS`], and a file whose counts add up
//! to more than [`MAX_TOTAL_ITERATIONS`], before deriving any key.
//!
//! Passwords: the PKCS#12 KDF (MAC key, legacy PBE) takes the password as UTF-16BE
//! followed by a 16-bit NUL (RFC 7292 B.1); PBES2/PBKDF2 takes the UTF-8 bytes, as
//! OpenSSL 3 and Python `cryptography` do.
//!
//! Wrong password versus tampering: see [`read`].

use std::fmt;

use zeroize::Zeroizing;

use super::pbe::{self as pbe, Cipher, Hash, Password, Pbe, Random};
use super::{PkcsError, Result};
use crate::asn1::ber_reader::{self as ber, Tlv};
use crate::asn1::{self, oid, tag};

/// Highest iteration count accepted in a MAC or any PBE (10,000,000).
pub const MAX_ITERATIONS: u32 = pbe::MAX_ITERATIONS;
/// Highest sum of the iteration counts of a PFX's MAC and encrypted parts (30,000,000:
/// a MAC, a key and a certificate part each at [`MAX_ITERATIONS`]). Without it a file of 8
/// encrypted parts at the cap cost 9 capped derivations (75 s in a debug build).
pub const MAX_TOTAL_ITERATIONS: u32 = 3 * MAX_ITERATIONS;
/// Largest PFX accepted by [`read`] (1 MiB).
pub const MAX_PFX_LEN: usize = 1 << 20;
/// Most certificates a PFX may hold.
pub const MAX_CERTIFICATES: usize = 64;
/// Default iteration count of the windows profile (as Windows and `openssl -legacy`).
pub const WINDOWS_ITERATIONS: u32 = 2000;
/// Default iteration count of the modern profile.
pub const MODERN_ITERATIONS: u32 = 600_000;

const MAX_BAGS: usize = 256;
/// Most encrypted parts (encrypted SafeContents + shrouded key bags in plain
/// SafeContents) a PFX may have; each costs one key derivation.
const MAX_ENCRYPTED_PARTS: usize = 8;

/// Algorithm profile of a PFX written by [`write()`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Pkcs12Profile {
    /// PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for key and certificates, HMAC-SHA256
    /// MAC, 600,000 iterations by default.
    #[default]
    Modern,
    /// pbeWithSHAAnd3-KeyTripleDES-CBC key bag, pbeWithSHAAnd40BitRC2-CBC certificate
    /// bag, HMAC-SHA1 MAC, 2000 iterations: what Windows and `openssl pkcs12 -legacy` write.
    Windows,
}

/// Options for [`write()`].
#[derive(Clone, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Pkcs12WriteOptions {
    /// Algorithm profile.
    pub profile: Pkcs12Profile,
    /// Iteration count for the MAC and both encryptions; `None` = the profile's
    /// default ([`WINDOWS_ITERATIONS`] or [`MODERN_ITERATIONS`]). At most [`MAX_ITERATIONS`].
    pub iterations: Option<u32>,
    /// `friendlyName` attribute put on the key bag and on the key's certificate bag.
    pub friendly_name: Option<String>,
}

impl Pkcs12WriteOptions {
    /// Options for `profile` with its default iteration count and no friendly name.
    pub fn new(profile: Pkcs12Profile) -> Self {
        Pkcs12WriteOptions {
            profile,
            iterations: None,
            friendly_name: None,
        }
    }

    /// Sets the iteration count.
    #[must_use]
    pub fn with_iterations(mut self, iterations: u32) -> Self {
        self.iterations = Some(iterations);
        self
    }

    /// Sets the friendly name.
    #[must_use]
    pub fn with_friendly_name(mut self, name: impl Into<String>) -> Self {
        self.friendly_name = Some(name.into());
        self
    }

    fn effective_iterations(&self) -> u32 {
        self.iterations.unwrap_or(match self.profile {
            Pkcs12Profile::Windows => WINDOWS_ITERATIONS,
            Pkcs12Profile::Modern => MODERN_ITERATIONS,
        })
    }
}

/// What [`read`] returns: one private key and its certificates.
#[non_exhaustive]
pub struct Pkcs12Contents {
    /// The private key, PKCS#8 PrivateKeyInfo DER.
    pub private_key: Zeroizing<Vec<u8>>,
    /// Certificates (DER). Index 0 is the certificate whose public key matches
    /// [`Self::private_key`]; the others follow in file order.
    pub certificates: Vec<Vec<u8>>,
    /// The `friendlyName` of the key bag (else of the key's certificate bag), if any.
    pub friendly_name: Option<String>,
}

impl fmt::Debug for Pkcs12Contents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkcs12Contents")
            .field("private_key", &"[REDACTED]")
            .field("certificates", &self.certificates.len())
            .field("friendly_name", &self.friendly_name)
            .finish()
    }
}

/// Writes a PFX holding `private_key` (PKCS#8 DER) and `certificates` (DER; the first
/// must be the key's certificate), salts and IVs from the operating system's RNG.
///
/// # Errors
/// [`PkcsError::InvalidArgument`] (no certificate, bad DER, zero iterations),
/// [`PkcsError::IterationCountTooHigh`], [`PkcsError::PfxKeyCertificateMismatch`],
/// [`PkcsError::UnsupportedAlgorithm`] (key neither RSA nor EC P-256),
/// [`PkcsError::DuplicateCertificate`], [`PkcsError::RandomFailure`].
pub fn write(
    certificates: &[Vec<u8>],
    private_key: &[u8],
    password: &str,
    options: &Pkcs12WriteOptions,
) -> Result<Vec<u8>> {
    write_inner(certificates, private_key, password, options, Random::os())
}

/// [`write()`] with salts and IVs drawn from `rng` (seeded for reproducible fixtures).
///
/// # Errors
/// As [`write()`].
pub fn write_with_rng<R: rand_core::CryptoRng + ?Sized>(
    certificates: &[Vec<u8>],
    private_key: &[u8],
    password: &str,
    options: &Pkcs12WriteOptions,
    rng: &mut R,
) -> Result<Vec<u8>> {
    let mut fill = |buf: &mut [u8]| rng.fill_bytes(buf);
    write_inner(
        certificates,
        private_key,
        password,
        options,
        Random::caller(&mut fill),
    )
}

fn write_inner(
    certificates: &[Vec<u8>],
    private_key: &[u8],
    password: &str,
    options: &Pkcs12WriteOptions,
    mut rng: Random<'_>,
) -> Result<Vec<u8>> {
    let iterations = pbe::check_write_iterations(options.effective_iterations())?.get();
    let first = certificates
        .first()
        .ok_or(PkcsError::InvalidArgument("no certificate to export"))?;
    if certificates.len() > MAX_CERTIFICATES {
        return Err(PkcsError::TooManyCertificates {
            count: certificates.len(),
            max: MAX_CERTIFICATES,
        });
    }
    for (i, c) in certificates.iter().enumerate() {
        if !ber::is_well_formed_sequence(c)
            || ber::parse_single(c, "")
                .map(|t| t.indefinite)
                .unwrap_or(true)
        {
            return Err(PkcsError::InvalidArgument(
                "a certificate is not one DER SEQUENCE",
            ));
        }
        if certificates[..i].contains(c) {
            return Err(PkcsError::DuplicateCertificate { index: i });
        }
    }
    if !key_matches_certificate(private_key, first)? {
        return Err(PkcsError::PfxKeyCertificateMismatch);
    }
    let password = Password::new(password);
    let local_key_id = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, first)
        .as_ref()
        .to_vec();
    let mut attrs = vec![asn1::seq(&[
        &asn1::oid(oid::LOCAL_KEY_ID),
        &asn1::set_of(vec![asn1::octets(&local_key_id)]),
    ])];
    if let Some(name) = &options.friendly_name {
        let bmp: Vec<u8> = name.encode_utf16().flat_map(u16::to_be_bytes).collect();
        attrs.push(asn1::seq(&[
            &asn1::oid(oid::FRIENDLY_NAME),
            &asn1::set_of(vec![asn1::tlv(tag::BMP_STRING, &bmp)]),
        ]));
    }
    let attrs = asn1::set_of(attrs);

    let (key_pbe, cert_pbe, mac_hash) = match options.profile {
        Pkcs12Profile::Windows => (
            Pbe::Pkcs12 {
                cipher: Cipher::TripleDes3,
                salt: rng.bytes(8)?,
                iterations,
            },
            Pbe::Pkcs12 {
                cipher: Cipher::Rc2 {
                    effective_bits: 40,
                    key_len: 5,
                },
                salt: rng.bytes(8)?,
                iterations,
            },
            Hash::Sha1,
        ),
        Pkcs12Profile::Modern => (
            Pbe::pbes2_aes256(rng.bytes(16)?, iterations, rng.bytes(16)?),
            Pbe::pbes2_aes256(rng.bytes(16)?, iterations, rng.bytes(16)?),
            Hash::Sha256,
        ),
    };
    let mac_salt = rng.bytes(match mac_hash {
        Hash::Sha1 => 8,
        _ => 16,
    })?;

    // Certificates: one SafeContents, encrypted.
    let mut cert_bags = Vec::new();
    for (i, c) in certificates.iter().enumerate() {
        let cert_bag = asn1::seq(&[
            &asn1::oid(oid::X509_CERTIFICATE),
            &asn1::tlv(tag::CTX0, &asn1::octets(c)),
        ]);
        let mut parts: Vec<&[u8]> = Vec::new();
        let oid = asn1::oid(oid::CERT_BAG);
        let value = asn1::tlv(tag::CTX0, &cert_bag);
        parts.push(&oid);
        parts.push(&value);
        if i == 0 {
            parts.push(&attrs);
        }
        cert_bags.push(asn1::seq(&parts));
    }
    let cert_contents = asn1::seq(&cert_bags.iter().map(Vec::as_slice).collect::<Vec<_>>());
    let cert_ct = cert_pbe.encrypt(&password, &cert_contents)?;
    let encrypted_content_info = asn1::seq(&[
        &asn1::oid(oid::DATA),
        &cert_pbe.encode(),
        &asn1::tlv(tag::CTX0_PRIM, &cert_ct),
    ]);
    let encrypted_data = asn1::seq(&[&asn1::uint(0), &encrypted_content_info]);
    let ci_certs = asn1::seq(&[
        &asn1::oid(oid::ENCRYPTED_DATA),
        &asn1::tlv(tag::CTX0, &encrypted_data),
    ]);

    // Key: a shrouded key bag in a plain SafeContents.
    let key_ct = key_pbe.encrypt(&password, private_key)?;
    let epki = asn1::seq(&[&key_pbe.encode(), &asn1::octets(&key_ct)]);
    let key_bag = asn1::seq(&[
        &asn1::oid(oid::SHROUDED_KEY_BAG),
        &asn1::tlv(tag::CTX0, &epki),
        &attrs,
    ]);
    let key_contents = asn1::seq(&[&key_bag]);
    let ci_key = asn1::seq(&[
        &asn1::oid(oid::DATA),
        &asn1::tlv(tag::CTX0, &asn1::octets(&key_contents)),
    ]);

    let auth_safe = asn1::seq(&[&ci_certs, &ci_key]);
    Ok(assemble(
        &auth_safe, &password, mac_hash, &mac_salt, iterations,
    ))
}

/// PFX { version 3, authSafe = data(auth_safe), macData } with the MAC computed.
fn assemble(
    auth_safe: &[u8],
    password: &Password,
    mac_hash: Hash,
    mac_salt: &[u8],
    iterations: u32,
) -> Vec<u8> {
    let mac = pbe::pkcs12_mac(mac_hash, password, mac_salt, iterations, auth_safe);
    let null = [tag::NULL, 0];
    let digest_info = asn1::seq(&[
        &asn1::seq(&[&asn1::oid(mac_hash.digest_oid()), &null]),
        &asn1::octets(&mac),
    ]);
    let mac_data = asn1::seq(&[
        &digest_info,
        &asn1::octets(mac_salt),
        &asn1::uint(u64::from(iterations)),
    ]);
    let outer = asn1::seq(&[
        &asn1::oid(oid::DATA),
        &asn1::tlv(tag::CTX0, &asn1::octets(auth_safe)),
    ]);
    asn1::seq(&[&asn1::uint(3), &outer, &mac_data])
}

/// A certificate as found: DER, localKeyId, friendlyName.
type FoundCert = (Vec<u8>, Option<Vec<u8>>, Option<String>);

/// One SafeBag as found.
struct Bag {
    kind: BagKind,
    local_key_id: Option<Vec<u8>>,
    friendly_name: Option<String>,
}

enum BagKind {
    Key(Zeroizing<Vec<u8>>),
    ShroudedKey { pbe: Pbe, ciphertext: Vec<u8> },
    Cert(Vec<u8>),
    Other,
}

/// One AuthenticatedSafe element as found.
enum Safe {
    Plain(Vec<Bag>),
    Encrypted { pbe: Pbe, ciphertext: Vec<u8> },
}

/// Reads a PFX: returns its one private key and its certificates.
///
/// Order of work: size cap, full structural parse, every visible iteration count
/// checked against [`MAX_ITERATIONS`] (MAC, encrypted-data bags, shrouded key bags in
/// plain SafeContents); only then the MAC key is derived. Shrouded key bags nested
/// inside an encrypted SafeContents are capped when they become visible, before their
/// own derivation.
///
/// **Wrong password versus tampering.** The MAC fails in both cases. When it fails,
/// each encrypted part (encrypted SafeContents, shrouded key bags) is decrypted with
/// the same password: if any one of them has valid padding *and* is one well-formed
/// DER SEQUENCE, the password is right with overwhelming probability, so the file was
/// altered → [`PkcsError::PfxIntegrityCheckFailed`]. Otherwise → [`PkcsError::InvalidPassword`].
/// Consequence: a file whose every encrypted part was damaged (or that has none) reads
/// as a wrong password. When the MAC verifies but a part does not decrypt, the file
/// uses a different privacy password → [`PkcsError::InvalidPassword`].
///
/// # Errors
/// [`PkcsError::InputTooLarge`], [`PkcsError::Malformed`],
/// [`PkcsError::UnsupportedAlgorithm`], [`PkcsError::IterationCountTooHigh`],
/// [`PkcsError::PfxNoMac`], [`PkcsError::InvalidPassword`], [`PkcsError::PfxIntegrityCheckFailed`],
/// [`PkcsError::PfxNoPrivateKey`], [`PkcsError::PfxMultipleKeys`], [`PkcsError::PfxNoCertificate`],
/// [`PkcsError::TooManyCertificates`], [`PkcsError::PfxKeyCertificateMismatch`].
pub fn read(pfx: &[u8], password: &str) -> Result<Pkcs12Contents> {
    if pfx.len() > MAX_PFX_LEN {
        return Err(PkcsError::InputTooLarge {
            len: pfx.len(),
            max: MAX_PFX_LEN,
        });
    }
    let top = ber::parse_single(pfx, "PFX")?;
    if top.tag != tag::SEQUENCE {
        return Err(PkcsError::Malformed("PFX is not a SEQUENCE"));
    }
    let mut r = top.children()?;
    if r.expect(tag::INTEGER, "PFX version")?.uint()? != Some(3) {
        return Err(PkcsError::Malformed("PFX version is not 3"));
    }
    let auth_ci = r.expect(tag::SEQUENCE, "PFX authSafe")?;
    let mac_data = r.optional(tag::SEQUENCE)?;
    r.finish("PFX trailing data")?;

    let mut a = auth_ci.children()?;
    let ct = a.expect(tag::OID, "authSafe content type")?;
    if ct.body != oid::DATA {
        return Err(pbe::unsupported(
            "authSafe content type (public-key integrity mode)",
            ct.body,
        ));
    }
    let auth_safe = a
        .expect(tag::CTX0, "authSafe content")?
        .children()?
        .read("authSafe octets")?;
    if !auth_safe.is_octet_string() {
        return Err(PkcsError::Malformed(
            "authSafe content is not an OCTET STRING",
        ));
    }
    let auth_safe = auth_safe.octets()?;

    // MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }
    let mac_data = mac_data.ok_or(PkcsError::PfxNoMac)?;
    let mut m = mac_data.children()?;
    let digest_info = m.expect(tag::SEQUENCE, "MAC DigestInfo")?;
    let mac_salt = m
        .expect(tag::OCTET_STRING, "MAC salt")?
        .octets()?
        .into_owned();
    let mac_iterations = match m.optional(tag::INTEGER)? {
        Some(t) => pbe::check_iterations(&t)?,
        None => 1,
    };
    m.finish("MacData")?;
    let mut d = digest_info.children()?;
    let mac_alg = d.expect(tag::SEQUENCE, "MAC algorithm")?;
    let mac_oid = mac_alg.children()?.expect(tag::OID, "MAC algorithm OID")?;
    let mac_hash = Hash::from_digest_oid(mac_oid.body)?;
    let mac_value = d
        .expect(tag::OCTET_STRING, "MAC value")?
        .octets()?
        .into_owned();
    d.finish("DigestInfo")?;

    // Structural parse of everything visible, iteration caps included: no KDF yet.
    let safes = parse_auth_safe(&auth_safe)?;
    // Each encrypted part costs one key derivation of up to MAX_ITERATIONS: bound them.
    let encrypted_parts: usize = safes
        .iter()
        .map(|s| match s {
            Safe::Encrypted { .. } => 1,
            Safe::Plain(bags) => bags
                .iter()
                .filter(|b| matches!(b.kind, BagKind::ShroudedKey { .. }))
                .count(),
        })
        .sum();
    if encrypted_parts > MAX_ENCRYPTED_PARTS {
        return Err(PkcsError::Malformed("too many encrypted parts"));
    }
    // And bound the total work: the sum of every visible count (shrouded keys nested in
    // encrypted SafeContents are added when they become visible, before their derivation).
    let mut total = u64::from(mac_iterations);
    for s in &safes {
        match s {
            Safe::Encrypted { pbe, .. } => total += u64::from(pbe.iterations()),
            Safe::Plain(bags) => {
                for b in bags {
                    if let BagKind::ShroudedKey { pbe, .. } = &b.kind {
                        total += u64::from(pbe.iterations());
                    }
                }
            }
        }
    }
    check_total(total)?;

    let empty = password.is_empty();
    let mut password = Password::new(password);
    let verify = |pw: &Password| {
        pbe::pkcs12_mac_verify(
            mac_hash,
            pw,
            &mac_salt,
            mac_iterations,
            &auth_safe,
            &mac_value,
        )
    };
    let mut mac_ok = verify(&password);
    if !mac_ok && empty {
        // An empty password may have been encoded as no bytes at all (a NULL password)
        // rather than as the 2-byte terminator; OpenSSL and Windows try both.
        let null = Password::null();
        if verify(&null) {
            password = null;
            mac_ok = true;
        }
    }
    if !mac_ok {
        return Err(if password_opens_something(&safes, &password) {
            PkcsError::PfxIntegrityCheckFailed
        } else {
            PkcsError::InvalidPassword
        });
    }

    let mut bags = Vec::new();
    for safe in safes {
        match safe {
            Safe::Plain(b) => bags.extend(b),
            Safe::Encrypted { pbe, ciphertext } => {
                let plain = pbe
                    .decrypt(&password, &ciphertext)?
                    .ok_or(PkcsError::InvalidPassword)?;
                let inner = parse_safe_contents(&plain)?;
                for b in &inner {
                    if let BagKind::ShroudedKey { pbe, .. } = &b.kind {
                        total += u64::from(pbe.iterations());
                    }
                }
                check_total(total)?;
                bags.extend(inner);
            }
        }
        if bags.len() > MAX_BAGS {
            return Err(PkcsError::Malformed("too many bags"));
        }
    }

    // Count keys before decrypting any shrouded one.
    let key_count = bags
        .iter()
        .filter(|b| matches!(b.kind, BagKind::Key(_) | BagKind::ShroudedKey { .. }))
        .count();
    if key_count > 1 {
        return Err(PkcsError::PfxMultipleKeys);
    }
    let mut keys = Vec::new();
    let mut certs: Vec<FoundCert> = Vec::new();
    for bag in bags {
        match bag.kind {
            BagKind::Key(k) => keys.push((k, bag.local_key_id, bag.friendly_name)),
            BagKind::ShroudedKey { pbe, ciphertext } => {
                let k = pbe
                    .decrypt(&password, &ciphertext)?
                    .ok_or(PkcsError::InvalidPassword)?;
                if !ber::is_well_formed_sequence(&k) {
                    return Err(PkcsError::InvalidPassword);
                }
                keys.push((k, bag.local_key_id, bag.friendly_name));
            }
            BagKind::Cert(c) => certs.push((c, bag.local_key_id, bag.friendly_name)),
            BagKind::Other => {}
        }
    }
    let (private_key, key_id, key_name) = keys.pop().ok_or(PkcsError::PfxNoPrivateKey)?;
    if certs.is_empty() {
        return Err(PkcsError::PfxNoCertificate);
    }
    if certs.len() > MAX_CERTIFICATES {
        return Err(PkcsError::TooManyCertificates {
            count: certs.len(),
            max: MAX_CERTIFICATES,
        });
    }
    // Prefer the certificate with the key's localKeyId, but always check the public key.
    let mut order: Vec<usize> = (0..certs.len()).collect();
    order.sort_by_key(|&i| key_id.is_none() || certs[i].1 != key_id);
    let mut matching = None;
    for i in order {
        if key_matches_certificate(&private_key, &certs[i].0)? {
            matching = Some(i);
            break;
        }
    }
    let idx = matching.ok_or(PkcsError::PfxKeyCertificateMismatch)?;
    let (leaf, _, cert_name) = certs.remove(idx);
    let mut certificates = vec![leaf];
    certificates.extend(certs.into_iter().map(|c| c.0));
    Ok(Pkcs12Contents {
        private_key,
        certificates,
        friendly_name: key_name.or(cert_name),
    })
}

/// After a MAC failure: does the password decrypt any encrypted part to well-formed DER?
fn check_total(total: u64) -> Result<()> {
    if total > u64::from(MAX_TOTAL_ITERATIONS) {
        return Err(PkcsError::IterationCountTooHigh {
            iterations: total,
            max: MAX_TOTAL_ITERATIONS,
        });
    }
    Ok(())
}

fn password_opens_something(safes: &[Safe], password: &Password) -> bool {
    let opens = |pbe: &Pbe, ct: &[u8]| matches!(pbe.decrypt(password, ct), Ok(Some(p)) if ber::is_well_formed_sequence(&p));
    for safe in safes {
        match safe {
            Safe::Encrypted { pbe, ciphertext } => {
                if opens(pbe, ciphertext) {
                    return true;
                }
            }
            Safe::Plain(bags) => {
                for bag in bags {
                    if let BagKind::ShroudedKey { pbe, ciphertext } = &bag.kind
                        && opens(pbe, ciphertext)
                    {
                        return true;
                    }
                }
            }
        }
    }
    false
}

fn parse_auth_safe(data: &[u8]) -> Result<Vec<Safe>> {
    let top = ber::parse_single(data, "AuthenticatedSafe")?;
    if top.tag != tag::SEQUENCE {
        return Err(PkcsError::Malformed("AuthenticatedSafe is not a SEQUENCE"));
    }
    let mut r = top.children()?;
    let mut out = Vec::new();
    while let Some(ci) = r.next_tlv()? {
        if out.len() >= MAX_BAGS {
            return Err(PkcsError::Malformed("too many ContentInfos"));
        }
        let mut c = ci.children()?;
        let ct = c.expect(tag::OID, "ContentInfo type")?;
        let content = c.expect(tag::CTX0, "ContentInfo content")?;
        match ct.body {
            oid::DATA => {
                let os = content.children()?.read("data content")?;
                if !os.is_octet_string() {
                    return Err(PkcsError::Malformed("data content is not an OCTET STRING"));
                }
                out.push(Safe::Plain(parse_safe_contents(&os.octets()?)?));
            }
            oid::ENCRYPTED_DATA => {
                // EncryptedData ::= SEQUENCE { version, EncryptedContentInfo }
                let ed = content.children()?.expect(tag::SEQUENCE, "EncryptedData")?;
                let mut e = ed.children()?;
                e.expect(tag::INTEGER, "EncryptedData version")?;
                let eci = e.expect(tag::SEQUENCE, "EncryptedContentInfo")?;
                let mut i = eci.children()?;
                i.expect(tag::OID, "encrypted content type")?;
                let pbe = Pbe::parse(&i.read("content encryption algorithm")?)?;
                let body = i.read("encrypted content")?;
                if body.tag != tag::CTX0_PRIM && body.tag != tag::CTX0 {
                    return Err(PkcsError::Malformed("encrypted content"));
                }
                out.push(Safe::Encrypted {
                    pbe,
                    ciphertext: body.octets()?.into_owned(),
                });
            }
            other => return Err(pbe::unsupported("PKCS#12 content type", other)),
        }
    }
    Ok(out)
}

fn parse_safe_contents(data: &[u8]) -> Result<Vec<Bag>> {
    let top = ber::parse_single(data, "SafeContents")?;
    if top.tag != tag::SEQUENCE {
        return Err(PkcsError::Malformed("SafeContents is not a SEQUENCE"));
    }
    let mut r = top.children()?;
    let mut bags = Vec::new();
    while let Some(bag) = r.next_tlv()? {
        if bags.len() >= MAX_BAGS {
            return Err(PkcsError::Malformed("too many bags"));
        }
        bags.push(parse_bag(&bag)?);
    }
    Ok(bags)
}

fn parse_bag(bag: &Tlv<'_>) -> Result<Bag> {
    if bag.tag != tag::SEQUENCE {
        return Err(PkcsError::Malformed("SafeBag is not a SEQUENCE"));
    }
    let mut b = bag.children()?;
    let id = b.expect(tag::OID, "SafeBag type")?;
    let value = b.expect(tag::CTX0, "SafeBag value")?;
    let attrs = b.optional(tag::SET)?;
    b.finish("SafeBag")?;
    let mut inner = value.children()?;
    let kind = match id.body {
        oid::KEY_BAG => {
            let k = inner.expect(tag::SEQUENCE, "KeyBag")?;
            BagKind::Key(Zeroizing::new(k.raw.to_vec()))
        }
        oid::SHROUDED_KEY_BAG => {
            let epki = inner.expect(tag::SEQUENCE, "EncryptedPrivateKeyInfo")?;
            let mut e = epki.children()?;
            let pbe = Pbe::parse(&e.read("key encryption algorithm")?)?;
            let ct = e.read("encrypted key")?;
            if !ct.is_octet_string() {
                return Err(PkcsError::Malformed("encrypted key is not an OCTET STRING"));
            }
            BagKind::ShroudedKey {
                pbe,
                ciphertext: ct.octets()?.into_owned(),
            }
        }
        oid::CERT_BAG => {
            let cb = inner.expect(tag::SEQUENCE, "CertBag")?;
            let mut c = cb.children()?;
            let cert_type = c.expect(tag::OID, "CertBag type")?;
            if cert_type.body != oid::X509_CERTIFICATE {
                BagKind::Other
            } else {
                let os = c
                    .expect(tag::CTX0, "CertBag value")?
                    .children()?
                    .read("certificate")?;
                if !os.is_octet_string() {
                    return Err(PkcsError::Malformed(
                        "certificate is not in an OCTET STRING",
                    ));
                }
                let der = os.octets()?.into_owned();
                if !ber::is_well_formed_sequence(&der) {
                    return Err(PkcsError::Malformed("certificate is not a SEQUENCE"));
                }
                BagKind::Cert(der)
            }
        }
        _ => BagKind::Other,
    };
    let mut local_key_id = None;
    let mut friendly_name = None;
    if let Some(attrs) = attrs {
        let mut a = attrs.children()?;
        while let Some(attr) = a.next_tlv()? {
            let mut at = attr.children()?;
            let oid = at.expect(tag::OID, "attribute type")?;
            let values = at.expect(tag::SET, "attribute values")?;
            let first = values.children()?.next_tlv()?;
            match (oid.body, first) {
                (oid::LOCAL_KEY_ID, Some(v)) if v.is_octet_string() => {
                    local_key_id = Some(v.octets()?.into_owned());
                }
                (oid::FRIENDLY_NAME, Some(v))
                    if v.tag == tag::BMP_STRING && v.body.len() % 2 == 0 =>
                {
                    let units: Vec<u16> = v
                        .body
                        .chunks_exact(2)
                        .map(|c| u16::from_be_bytes([c[0], c[1]]))
                        .collect();
                    friendly_name = Some(String::from_utf16_lossy(&units));
                }
                _ => {}
            }
        }
    }
    Ok(Bag {
        kind,
        local_key_id,
        friendly_name,
    })
}

/// The SubjectPublicKeyInfo TLV of a certificate.
fn certificate_spki(cert: &[u8]) -> Result<Tlv<'_>> {
    let c = ber::parse_single(cert, "certificate")?;
    let tbs = c.children()?.expect(tag::SEQUENCE, "TBSCertificate")?;
    let mut t = tbs.children()?;
    t.optional(tag::CTX0)?; // version
    t.expect(tag::INTEGER, "serial")?;
    t.expect(tag::SEQUENCE, "signature algorithm")?;
    t.expect(tag::SEQUENCE, "issuer")?;
    t.expect(tag::SEQUENCE, "validity")?;
    t.expect(tag::SEQUENCE, "subject")?;
    t.expect(tag::SEQUENCE, "subjectPublicKeyInfo")
}

/// Whether a PKCS#8 PrivateKeyInfo (RSA or EC P-256) belongs to `cert`.
///
/// RSA: the modulus and exponent of the private key, as an RSAPublicKey, equal the
/// certificate's key. EC P-256: ring rebuilds the key pair from the private scalar and
/// the certificate's point, which fails unless the point is scalar × G.
pub(crate) fn key_matches_certificate(private_key: &[u8], cert: &[u8]) -> Result<bool> {
    let spki = certificate_spki(cert)?;
    let mut s = spki.children()?;
    let spki_alg = s.expect(tag::SEQUENCE, "SPKI algorithm")?;
    let spki_key = s.expect(tag::BIT_STRING, "SPKI key")?;
    let mut sa = spki_alg.children()?;
    let spki_oid = sa.expect(tag::OID, "SPKI algorithm OID")?.body;
    let spki_param = sa.next_tlv()?;
    let cert_key = spki_key
        .body
        .split_first()
        .filter(|(unused, _)| **unused == 0)
        .map(|(_, k)| k)
        .ok_or(PkcsError::Malformed("SPKI BIT STRING"))?;

    let pk = ber::parse_single(private_key, "PrivateKeyInfo")?;
    let mut p = pk.children()?;
    p.expect(tag::INTEGER, "PrivateKeyInfo version")?;
    let alg = p.expect(tag::SEQUENCE, "PrivateKeyInfo algorithm")?;
    let key = p.expect(tag::OCTET_STRING, "PrivateKeyInfo key")?;
    let mut a = alg.children()?;
    let oid = a.expect(tag::OID, "private key algorithm")?.body;
    let param = a.next_tlv()?;
    if oid != spki_oid {
        return Ok(false);
    }
    match oid {
        oid::RSA_ENCRYPTION => {
            let rk = ber::parse_single(key.body, "RSAPrivateKey")?;
            let mut r = rk.children()?;
            r.expect(tag::INTEGER, "RSA version")?;
            let n = r.expect(tag::INTEGER, "RSA modulus")?;
            let e = r.expect(tag::INTEGER, "RSA exponent")?;
            Ok(asn1::seq(&[n.raw, e.raw]) == cert_key)
        }
        oid::EC_PUBLIC_KEY => {
            let curve = param.map(|t| t.body);
            if curve != Some(oid::PRIME256V1) {
                return Err(pbe::unsupported("EC curve", curve.unwrap_or_default()));
            }
            if spki_param.map(|t| t.body) != Some(oid::PRIME256V1) {
                return Ok(false);
            }
            let ek = ber::parse_single(key.body, "ECPrivateKey")?;
            let mut e = ek.children()?;
            e.expect(tag::INTEGER, "ECPrivateKey version")?;
            let scalar = e.expect(tag::OCTET_STRING, "EC private scalar")?;
            let rng = ring::rand::SystemRandom::new();
            Ok(
                ring::signature::EcdsaKeyPair::from_private_key_and_public_key(
                    &ring::signature::ECDSA_P256_SHA256_ASN1_SIGNING,
                    scalar.body,
                    cert_key,
                    &rng,
                )
                .is_ok(),
            )
        }
        other => Err(pbe::unsupported("private key algorithm", other)),
    }
}

#[cfg(test)]
mod tests;
