//! IDC, GRC and GMC certificates ([MS-PPSEC] 2.2.5 Figure 2): a
//! low-level [`CertificateBuilder`], the per-type parameter structs, and the parsed
//! [`Certificate`] that keeps the received bytes (signatures are checked over the TBS exactly
//! as received, never re-encoded).

use std::fmt;
use std::ops::Range;
use std::time::SystemTime;

use rand_core::CryptoRng;

use crate::asn1::{self, Reader};
use crate::error::{ChainError, Error, Result};
use crate::ext::{self, CertType, Extension};
use crate::key::{PrivateKey, SignatureAlgorithm, verify_signature};
use crate::name::PeerName;
use crate::oid;
use crate::role::Role;

/// Years of the "infinite" lifetime Windows uses for GRCs, creator GMCs and IDCs.
pub const INFINITE_YEARS: u16 = 1000;

/// Maximum friendly-name length in UTF-16 code units (S7, I1).
pub const MAX_FRIENDLY_NAME_LEN: usize = 255;

/// A validity period (whole seconds; both ends inclusive, RFC 5280 4.1.2.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Validity {
    /// notBefore.
    pub not_before: SystemTime,
    /// notAfter.
    pub not_after: SystemTime,
}

impl Validity {
    /// A validity period, truncated to whole seconds.
    pub fn new(not_before: SystemTime, not_after: SystemTime) -> Self {
        Validity {
            not_before: asn1::whole_seconds(not_before),
            not_after: asn1::whole_seconds(not_after),
        }
    }

    /// `from` until `from` + 1000 years, Windows' "infinite" (encoded as GeneralizedTime).
    ///
    /// # Errors
    /// [`Error::InvalidParameters`] if the end is not representable.
    pub fn infinite(from: SystemTime) -> Result<Self> {
        let from = asn1::whole_seconds(from);
        Ok(Validity {
            not_before: from,
            not_after: asn1::add_years(from, INFINITE_YEARS)?,
        })
    }

    /// Whether `now` is within the period.
    pub fn contains(&self, now: SystemTime) -> bool {
        self.not_before <= now && now <= self.not_after
    }

    /// Whether this period lies inside `outer` (I4, §7 Q19).
    pub fn within(&self, outer: &Validity) -> bool {
        self.not_before >= outer.not_before && self.not_after <= outer.not_after
    }
}

/// 16 random serial bytes with the top bit clear and a non-zero first byte, so the DER
/// INTEGER content is exactly 16 bytes (S4, §7 Q16).
pub fn serial_from_rng<R: CryptoRng + ?Sized>(rng: &mut R) -> [u8; 16] {
    let mut s = [0u8; 16];
    rng.fill_bytes(&mut s);
    fix_serial(&mut s);
    s
}

fn fix_serial(s: &mut [u8; 16]) {
    s[0] &= 0x7f;
    if s[0] == 0 {
        s[0] = 1;
    }
}

/// A fresh random serial from the operating system's RNG (see [`serial_from_rng`]).
///
/// # Errors
/// [`Error::Key`] if the OS RNG fails.
pub fn random_serial() -> Result<[u8; 16]> {
    let mut s = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut s).map_err(|_| {
        Error::Key {
            reason: "operating system RNG failed".into(),
        }
    })?;
    fix_serial(&mut s);
    Ok(s)
}

fn name_der(friendly: &str) -> Vec<u8> {
    if friendly.is_empty() {
        return asn1::tlv(asn1::SEQUENCE, &[]);
    }
    let atv = asn1::cons(
        asn1::SEQUENCE,
        &[
            &asn1::tlv(asn1::OID, oid::COMMON_NAME),
            &asn1::tlv(asn1::UTF8_STRING, friendly.as_bytes()),
        ],
    );
    asn1::tlv(asn1::SEQUENCE, &asn1::tlv(asn1::SET, &atv))
}

/// Low-level certificate builder: every field explicit. The typed parameter structs
/// ([`IdcParams`], [`GrcParams`], [`GmcParams`]) fill it in; tests use it to build
/// certificates that break one rule.
#[derive(Clone, Debug)]
pub struct CertificateBuilder {
    /// X.509 version number as encoded (2 = v3; 0 omits the field, v1).
    pub version: u8,
    /// Serial INTEGER content bytes, written as given.
    pub serial: Vec<u8>,
    /// Issuer friendly name (one CN, UTF8String; empty → empty Name).
    pub issuer_name: String,
    /// Subject friendly name.
    pub subject_name: String,
    /// Validity.
    pub validity: Validity,
    /// Subject public key, DER SubjectPublicKeyInfo.
    pub subject_public_key: Vec<u8>,
    /// issuerUniqueID bits (must be `None` for valid certificates, S5).
    pub issuer_unique_id: Option<Vec<u8>>,
    /// subjectUniqueID bits (must be `None`, S5).
    pub subject_unique_id: Option<Vec<u8>>,
    /// Extensions, in order.
    pub extensions: Vec<Extension>,
    /// Signature algorithm to label the certificate with; `None` = the signing key's.
    pub signature_algorithm: Option<SignatureAlgorithm>,
}

impl CertificateBuilder {
    /// Replace the extension with the same OID (or append it).
    pub fn set_extension(&mut self, e: Extension) {
        match self.extensions.iter_mut().find(|x| x.oid == e.oid) {
            Some(x) => *x = e,
            None => self.extensions.push(e),
        }
    }

    /// Remove the extension with this OID (DER content bytes).
    pub fn remove_extension(&mut self, oid: &[u8]) {
        self.extensions.retain(|x| x.oid != oid);
    }

    /// The DER TBSCertificate.
    ///
    /// # Errors
    /// [`Error::InvalidParameters`] for an empty serial or unrepresentable time.
    pub fn tbs_der(&self, algorithm: &SignatureAlgorithm) -> Result<Vec<u8>> {
        if self.serial.is_empty() {
            return Err(Error::InvalidParameters {
                reason: "empty serial number".into(),
            });
        }
        let mut parts: Vec<Vec<u8>> = Vec::new();
        if self.version != 0 {
            parts.push(asn1::tlv(0xa0, &asn1::tlv(asn1::INTEGER, &[self.version])));
        }
        parts.push(asn1::tlv(asn1::INTEGER, &self.serial));
        parts.push(algorithm.algorithm_identifier());
        parts.push(name_der(&self.issuer_name));
        parts.push(asn1::cons(
            asn1::SEQUENCE,
            &[
                &asn1::encode_time(self.validity.not_before)?,
                &asn1::encode_time(self.validity.not_after)?,
            ],
        ));
        parts.push(name_der(&self.subject_name));
        parts.push(self.subject_public_key.clone());
        if let Some(u) = &self.issuer_unique_id {
            parts.push(asn1::tlv(0x81, &[&[0u8][..], u].concat()));
        }
        if let Some(u) = &self.subject_unique_id {
            parts.push(asn1::tlv(0x82, &[&[0u8][..], u].concat()));
        }
        if !self.extensions.is_empty() {
            let exts: Vec<Vec<u8>> = self
                .extensions
                .iter()
                .map(|e| {
                    let o = asn1::tlv(asn1::OID, &e.oid);
                    let v = asn1::tlv(asn1::OCTET_STRING, &e.value);
                    if e.critical {
                        asn1::cons(asn1::SEQUENCE, &[&o, &[asn1::BOOLEAN, 1, 0xff], &v])
                    } else {
                        asn1::cons(asn1::SEQUENCE, &[&o, &v])
                    }
                })
                .collect();
            parts.push(asn1::tlv(0xa3, &asn1::tlv(asn1::SEQUENCE, &exts.concat())));
        }
        Ok(asn1::tlv(asn1::SEQUENCE, &parts.concat()))
    }

    /// Sign with `key` and return the parsed certificate.
    ///
    /// # Errors
    /// Encoding or signing errors.
    pub fn sign(&self, key: &PrivateKey) -> Result<Certificate> {
        let alg = self
            .signature_algorithm
            .clone()
            .unwrap_or_else(|| key.signature_algorithm());
        let tbs = self.tbs_der(&alg)?;
        let sig = key.sign(&tbs)?;
        let bits = [&[0u8][..], &sig].concat();
        let der = asn1::cons(
            asn1::SEQUENCE,
            &[
                &tbs,
                &alg.algorithm_identifier(),
                &asn1::tlv(asn1::BIT_STRING, &bits),
            ],
        );
        Certificate::from_der(&der)
    }
}

fn check_friendly(name: &str) -> Result<()> {
    let len = name.encode_utf16().count();
    if len > MAX_FRIENDLY_NAME_LEN || name.contains('\0') {
        return Err(ChainError::FriendlyNameTooLong { len }.into());
    }
    Ok(())
}

/// Parameters of an identity certificate (IDC, type 3, self-signed).
#[derive(Clone, Debug)]
pub struct IdcParams {
    /// The identity's peer name (its authority must be the key's).
    pub peer_name: PeerName,
    /// Friendly name (subject and issuer), ≤ 255 characters.
    pub friendly_name: String,
    /// Validity.
    pub validity: Validity,
    /// Serial number.
    pub serial: [u8; 16],
}

impl IdcParams {
    /// Defaults: 1000-year validity from `now`, random serial.
    ///
    /// # Errors
    /// RNG or time errors.
    pub fn new(peer_name: PeerName, friendly_name: &str, now: SystemTime) -> Result<Self> {
        Ok(IdcParams {
            peer_name,
            friendly_name: friendly_name.into(),
            validity: Validity::infinite(now)?,
            serial: random_serial()?,
        })
    }

    /// The builder for this IDC with `key`'s public key.
    pub fn builder(&self, key: &PrivateKey) -> CertificateBuilder {
        self_signed_builder(
            &self.friendly_name,
            self.validity,
            &self.serial,
            key,
            vec![
                Extension::cert_type(CertType::Identity),
                Extension::cert_version(),
                Extension::subject_alt_name(&self.peer_name),
                Extension::dns_alt_name(&self.peer_name),
                Extension::identity_flags(0),
                Extension::extended_key_usage(),
            ],
        )
    }

    /// Build and self-sign the IDC.
    ///
    /// # Errors
    /// [`Error::InvalidParameters`] if the peer name is not the key's; I1 friendly-name length.
    pub fn issue(&self, key: &PrivateKey) -> Result<Certificate> {
        issue_self_signed(
            &self.friendly_name,
            &self.peer_name,
            key,
            "the peer name's authority is not the key's",
            || self.builder(key),
        )
    }
}

/// Parameters of a group root certificate (GRC, type 2, self-signed with the group key).
#[derive(Clone, Debug)]
pub struct GrcParams {
    /// The Group Peer Name (authority = group key).
    pub group_peer_name: PeerName,
    /// The group's friendly name.
    pub friendly_name: String,
    /// Validity.
    pub validity: Validity,
    /// Serial number.
    pub serial: [u8; 16],
}

impl GrcParams {
    /// Defaults: 1000-year validity from `now`, random serial.
    ///
    /// # Errors
    /// RNG or time errors.
    pub fn new(group_peer_name: PeerName, friendly_name: &str, now: SystemTime) -> Result<Self> {
        Ok(GrcParams {
            group_peer_name,
            friendly_name: friendly_name.into(),
            validity: Validity::infinite(now)?,
            serial: random_serial()?,
        })
    }

    /// The builder for this GRC with the group key's public key.
    pub fn builder(&self, group_key: &PrivateKey) -> CertificateBuilder {
        self_signed_builder(
            &self.friendly_name,
            self.validity,
            &self.serial,
            group_key,
            vec![
                Extension::cert_type(CertType::Root),
                Extension::cert_version(),
                Extension::subject_alt_name(&self.group_peer_name),
                Extension::group_peer_name(&self.group_peer_name),
                Extension::grouping_flags(0),
                Extension::extended_key_usage(),
            ],
        )
    }

    /// Build and self-sign the GRC.
    ///
    /// # Errors
    /// [`Error::InvalidParameters`] if the group name's authority is not the group key's.
    pub fn issue(&self, group_key: &PrivateKey) -> Result<Certificate> {
        issue_self_signed(
            &self.friendly_name,
            &self.group_peer_name,
            group_key,
            "the group peer name's authority is not the group key's",
            || self.builder(group_key),
        )
    }
}

/// The builder of a self-signed certificate (IDC, GRC): v3, the friendly name as subject
/// and issuer, `key`'s public key, the given extensions.
fn self_signed_builder(
    friendly_name: &str,
    validity: Validity,
    serial: &[u8; 16],
    key: &PrivateKey,
    extensions: Vec<Extension>,
) -> CertificateBuilder {
    CertificateBuilder {
        version: 2,
        serial: serial.to_vec(),
        issuer_name: friendly_name.to_owned(),
        subject_name: friendly_name.to_owned(),
        validity,
        subject_public_key: key.public_key_der().to_vec(),
        issuer_unique_id: None,
        subject_unique_id: None,
        extensions,
        signature_algorithm: None,
    }
}

/// Checks a self-signed certificate's friendly name (I1) and that `name` is `key`'s
/// (else [`Error::InvalidParameters`] with `mismatch`), then builds and signs it.
fn issue_self_signed(
    friendly_name: &str,
    name: &PeerName,
    key: &PrivateKey,
    mismatch: &str,
    builder: impl FnOnce() -> CertificateBuilder,
) -> Result<Certificate> {
    check_friendly(friendly_name)?;
    if !name.matches_key(key.public_key_der()) {
        return Err(Error::InvalidParameters {
            reason: mismatch.into(),
        });
    }
    builder().sign(key)
}

/// Parameters of a group membership certificate (GMC, type 1).
#[derive(Clone, Debug)]
pub struct GmcParams {
    /// The member's public key (from its IDC), DER SubjectPublicKeyInfo.
    pub subject_public_key: Vec<u8>,
    /// The member's peer name (SubjectAltName).
    pub subject_peer_name: PeerName,
    /// The member's friendly name.
    pub subject_friendly_name: String,
    /// Roles (at least one).
    pub roles: Vec<Role>,
    /// Delegated classifiers (PPSEC 2.2.5.3: empty for Admin, `participant` otherwise).
    pub classifiers: Vec<String>,
    /// Validity.
    pub validity: Validity,
    /// Serial number.
    pub serial: [u8; 16],
}

impl GmcParams {
    /// Parameters for the member described by `idc` with `roles`; classifiers per PPSEC 2.2.5.3
    /// (empty if Admin is among the roles, else `participant`), validity = the issuer's,
    /// random serial.
    ///
    /// # Errors
    /// [`Error::InvalidParameters`] if the IDC has no subject peer name; RNG errors.
    pub fn for_identity(idc: &Certificate, roles: &[Role], issuer: &Certificate) -> Result<Self> {
        let subject_peer_name =
            idc.subject_peer_name()
                .ok_or_else(|| Error::InvalidParameters {
                    reason: "the identity certificate has no subject peer name".into(),
                })?;
        let classifiers = if roles.contains(&Role::ADMIN) {
            Vec::new()
        } else {
            vec![crate::name::PARTICIPANT.to_string()]
        };
        Ok(GmcParams {
            subject_public_key: idc.public_key_der().to_vec(),
            subject_peer_name,
            subject_friendly_name: idc.subject_friendly_name().to_string(),
            roles: roles.to_vec(),
            classifiers,
            validity: issuer.validity(),
            serial: random_serial()?,
        })
    }

    /// The builder for this GMC under `issuer` (the GRC or the issuing member's GMC).
    ///
    /// # Errors
    /// [`Error::InvalidParameters`] if the issuer lacks a subject or group peer name.
    pub fn builder(&self, issuer: &Certificate) -> Result<CertificateBuilder> {
        let bad = |r: &str| Error::InvalidParameters {
            reason: r.to_string(),
        };
        let issuer_peer_name = issuer
            .subject_peer_name()
            .ok_or_else(|| bad("the issuer has no subject peer name"))?;
        let group = issuer
            .group_peer_name()
            .ok_or_else(|| bad("the issuer has no group peer name"))?;
        Ok(CertificateBuilder {
            version: 2,
            serial: self.serial.to_vec(),
            issuer_name: issuer.subject_friendly_name().to_string(),
            subject_name: self.subject_friendly_name.clone(),
            validity: self.validity,
            subject_public_key: self.subject_public_key.clone(),
            issuer_unique_id: None,
            subject_unique_id: None,
            extensions: vec![
                Extension::cert_type(CertType::Membership),
                Extension::cert_version(),
                Extension::subject_alt_name(&self.subject_peer_name),
                Extension::issuer_alt_name(&issuer_peer_name),
                Extension::group_peer_name(&group),
                Extension::roles(&self.roles),
                Extension::classifiers(&self.classifiers),
                Extension::grouping_flags(0),
                Extension::extended_key_usage(),
                Extension::authority_key_identifier(issuer.public_key_der()),
            ],
            signature_algorithm: None,
        })
    }

    /// Build the GMC and sign it with `issuer_key`, which must be `issuer`'s key. Does not run
    /// the issuance checks; call [`crate::chain::check_issuance`] first.
    ///
    /// # Errors
    /// [`Error::InvalidParameters`] if the key is not the issuer's.
    pub fn issue(&self, issuer: &Certificate, issuer_key: &PrivateKey) -> Result<Certificate> {
        if issuer.public_key_der() != issuer_key.public_key_der() {
            return Err(Error::InvalidParameters {
                reason: "the signing key is not the issuer certificate's key".into(),
            });
        }
        check_friendly(&self.subject_friendly_name)?;
        self.builder(issuer)?.sign(issuer_key)
    }
}

/// A parsed X.509 certificate with the peer-to-peer extensions decoded on demand.
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    der: Vec<u8>,
    tbs: Range<usize>,
    spki: Range<usize>,
    signature_algorithm: SignatureAlgorithm,
    inner_algorithm_matches: bool,
    signature: Vec<u8>,
    version: u8,
    serial: Vec<u8>,
    issuer_name: String,
    subject_name: String,
    validity: Validity,
    has_unique_ids: bool,
    extensions: Vec<Extension>,
}

fn bad(reason: &str) -> Error {
    Error::MalformedCertificate {
        reason: reason.to_string(),
    }
}

fn offset(whole: &[u8], part: &[u8]) -> Range<usize> {
    let start = part.as_ptr() as usize - whole.as_ptr() as usize;
    start..start + part.len()
}

fn parse_name(content: &[u8]) -> Result<String> {
    let mut rdns = Reader::new(content);
    let mut cn = None;
    while !rdns.is_empty() {
        let set = rdns.expect(asn1::SET, "RDN")?;
        let mut atvs = Reader::new(set);
        while !atvs.is_empty() {
            let atv = atvs.expect(asn1::SEQUENCE, "AttributeTypeAndValue")?;
            let mut r = Reader::new(atv);
            let t = r.expect(asn1::OID, "attribute type")?;
            let v = r.any()?;
            if t == oid::COMMON_NAME && cn.is_none() {
                let s = match v.tag {
                    asn1::UTF8_STRING | asn1::PRINTABLE_STRING | asn1::IA5_STRING => {
                        String::from_utf8(v.content.to_vec()).ok()
                    }
                    asn1::BMP_STRING => asn1::from_bmp(v.content),
                    asn1::UNIVERSAL_STRING => asn1::from_ucs4(v.content),
                    _ => None,
                };
                let s = s.ok_or_else(|| bad("unsupported common name string"))?;
                cn = Some(s.trim_end_matches('\0').to_string());
            }
        }
    }
    Ok(cn.unwrap_or_default())
}

impl Certificate {
    /// Parse a DER certificate. The X.509 skeleton must be well-formed DER; extension
    /// contents are decoded later and judged by the chain rules.
    ///
    /// # Errors
    /// [`Error::MalformedCertificate`].
    pub fn from_der(der: &[u8]) -> Result<Self> {
        let mut top = Reader::new(der);
        let cert = top.expect(asn1::SEQUENCE, "Certificate")?;
        top.finish("Certificate")?;
        let mut c = Reader::new(cert);
        let tbs_tlv = c.any()?;
        if tbs_tlv.tag != asn1::SEQUENCE {
            return Err(bad("TBSCertificate is not a SEQUENCE"));
        }
        let outer_alg = c.expect(asn1::SEQUENCE, "signatureAlgorithm")?;
        let sig_bits = c.expect(asn1::BIT_STRING, "signatureValue")?;
        c.finish("Certificate")?;
        let (&unused, sig) = sig_bits
            .split_first()
            .ok_or_else(|| bad("empty signature"))?;
        if unused != 0 {
            return Err(bad("signature has unused bits"));
        }
        let alg_oid = |content: &[u8]| -> Result<Vec<u8>> {
            let mut r = Reader::new(content);
            Ok(r.expect(asn1::OID, "algorithm")?.to_vec())
        };
        let outer_oid = alg_oid(outer_alg)?;

        let mut t = Reader::new(tbs_tlv.content);
        let mut version = 0u8;
        if t.peek_tag() == Some(0xa0) {
            let v = t.expect(0xa0, "version")?;
            let mut vr = Reader::new(v);
            let n = vr.expect(asn1::INTEGER, "version")?;
            vr.finish("version")?;
            version = match n {
                [x] => *x,
                _ => return Err(bad("bad version")),
            };
        }
        let serial = t.expect(asn1::INTEGER, "serialNumber")?.to_vec();
        let inner_alg = t.expect(asn1::SEQUENCE, "signature")?;
        let inner_algorithm_matches = inner_alg == outer_alg;
        let issuer = t.expect(asn1::SEQUENCE, "issuer")?;
        let validity = t.expect(asn1::SEQUENCE, "validity")?;
        let subject = t.expect(asn1::SEQUENCE, "subject")?;
        let spki = t.any()?;
        if spki.tag != asn1::SEQUENCE {
            return Err(bad("subjectPublicKeyInfo is not a SEQUENCE"));
        }
        let mut has_unique_ids = false;
        let mut extensions = Vec::new();
        while !t.is_empty() {
            let f = t.any()?;
            match f.tag {
                0x81 | 0x82 | 0xa1 | 0xa2 => has_unique_ids = true,
                0xa3 => {
                    let mut er = Reader::new(f.content);
                    let seq = er.expect(asn1::SEQUENCE, "extensions")?;
                    er.finish("extensions")?;
                    let mut r = Reader::new(seq);
                    while !r.is_empty() {
                        let e = r.expect(asn1::SEQUENCE, "extension")?;
                        let mut x = Reader::new(e);
                        let o = x.expect(asn1::OID, "extnID")?.to_vec();
                        let mut critical = false;
                        if x.peek_tag() == Some(asn1::BOOLEAN) {
                            critical = match x.expect(asn1::BOOLEAN, "critical")? {
                                [0xff] => true,
                                [0x00] => {
                                    return Err(bad("DER forbids an explicit critical FALSE"));
                                }
                                _ => return Err(bad("bad BOOLEAN")),
                            };
                        }
                        let value = x.expect(asn1::OCTET_STRING, "extnValue")?.to_vec();
                        x.finish("extension")?;
                        if extensions.iter().any(|y: &Extension| y.oid == o) {
                            return Err(bad("duplicate extension"));
                        }
                        extensions.push(Extension {
                            oid: o,
                            critical,
                            value,
                        });
                    }
                }
                _ => return Err(bad("unexpected field in TBSCertificate")),
            }
        }
        let mut vr = Reader::new(validity);
        let nb = vr.any()?;
        let na = vr.any()?;
        vr.finish("validity")?;
        Ok(Certificate {
            der: der.to_vec(),
            tbs: offset(der, tbs_tlv.raw),
            spki: offset(der, spki.raw),
            signature_algorithm: SignatureAlgorithm::from_oid(&outer_oid),
            inner_algorithm_matches,
            signature: sig.to_vec(),
            version,
            serial,
            issuer_name: parse_name(issuer)?,
            subject_name: parse_name(subject)?,
            validity: Validity {
                not_before: asn1::decode_time(&nb)?,
                not_after: asn1::decode_time(&na)?,
            },
            has_unique_ids,
            extensions,
        })
    }

    /// The certificate as received.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The TBSCertificate bytes as received (what the signature covers).
    pub fn tbs_der(&self) -> &[u8] {
        &self.der[self.tbs.clone()]
    }

    /// The signature value.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The outer signatureAlgorithm.
    pub fn signature_algorithm(&self) -> &SignatureAlgorithm {
        &self.signature_algorithm
    }

    /// X.509 version as encoded (2 = v3).
    pub fn version(&self) -> u8 {
        self.version
    }

    /// Serial number INTEGER content bytes.
    pub fn serial(&self) -> &[u8] {
        &self.serial
    }

    /// The serial as the 16 bytes records carry (S4: 16 content bytes, or 17 with a leading 0).
    pub fn serial16(&self) -> Option<[u8; 16]> {
        match self.serial.len() {
            16 => self.serial.as_slice().try_into().ok(),
            17 if self.serial[0] == 0 => self.serial[1..].try_into().ok(),
            _ => None,
        }
    }

    /// Validity period.
    pub fn validity(&self) -> Validity {
        self.validity
    }

    /// Subject friendly name (the first CN; empty if none).
    pub fn subject_friendly_name(&self) -> &str {
        &self.subject_name
    }

    /// Issuer friendly name.
    pub fn issuer_friendly_name(&self) -> &str {
        &self.issuer_name
    }

    /// The DER SubjectPublicKeyInfo.
    pub fn public_key_der(&self) -> &[u8] {
        &self.der[self.spki.clone()]
    }

    /// All extensions in order.
    pub fn extensions(&self) -> &[Extension] {
        &self.extensions
    }

    /// The extension with this OID (DER content bytes).
    pub fn extension(&self, oid: &[u8]) -> Option<&Extension> {
        self.extensions.iter().find(|e| e.oid == oid)
    }

    pub(crate) fn has_unique_ids(&self) -> bool {
        self.has_unique_ids
    }

    pub(crate) fn inner_algorithm_matches(&self) -> bool {
        self.inner_algorithm_matches
    }

    /// The raw certificate-type value (`None` if absent or malformed).
    pub fn cert_type_value(&self) -> Option<u32> {
        self.extension(oid::CERT_TYPE).and_then(|e| {
            let mut r = Reader::new(&e.value);
            let b = r.expect(asn1::OCTET_STRING, "type").ok()?;
            r.finish("type").ok()?;
            let b: [u8; 4] = b.try_into().ok()?;
            Some(u32::from_le_bytes(b))
        })
    }

    /// The certificate type (IDC / GRC / GMC).
    pub fn cert_type(&self) -> Option<CertType> {
        self.cert_type_value().and_then(CertType::from_value)
    }

    /// The 4 bytes of the certificate version extension.
    pub fn cert_version(&self) -> Option<[u8; 4]> {
        self.extension(oid::CERT_VERSION)
            .and_then(|e| ext::decode_version(&e.value))
    }

    /// The group peer name (.44.3.1), if present and valid.
    pub fn group_peer_name(&self) -> Option<PeerName> {
        self.extension(oid::GROUPING_PEERNAME)
            .and_then(|e| ext::decode_peer_name_text(&e.value).ok())
            .and_then(|s| PeerName::parse(&s).ok())
    }

    /// The subject peer name (legacy SubjectAltName 2.5.29.7), if present and valid.
    pub fn subject_peer_name(&self) -> Option<PeerName> {
        self.extension(oid::SUBJECT_ALT_NAME_LEGACY)
            .and_then(|e| ext::decode_peer_name_text(&e.value).ok())
            .and_then(|s| PeerName::parse(&s).ok())
    }

    /// The issuer peer name (legacy IssuerAltName 2.5.29.8), if present and valid.
    pub fn issuer_peer_name(&self) -> Option<PeerName> {
        self.extension(oid::ISSUER_ALT_NAME_LEGACY)
            .and_then(|e| ext::decode_peer_name_text(&e.value).ok())
            .and_then(|s| PeerName::parse(&s).ok())
    }

    /// The IDC's dNSName (2.5.29.17).
    pub fn dns_name(&self) -> Option<String> {
        self.extension(oid::SUBJECT_ALT_NAME)
            .and_then(|e| ext::decode_dns_name(&e.value))
    }

    /// Roles (.44.3.3), if present and well-formed.
    pub fn roles(&self) -> Option<Vec<Role>> {
        self.extension(oid::GROUPING_ROLES)
            .and_then(|e| ext::decode_roles(&e.value).ok())
    }

    /// Classifier list (.44.3.5), if present and well-formed.
    pub fn classifiers(&self) -> Option<Vec<String>> {
        self.extension(oid::GROUPING_CLASSIFIERS)
            .and_then(|e| ext::decode_classifiers(&e.value).ok())
    }

    /// Identity flags (.44.2.2).
    pub fn identity_flags(&self) -> Option<u32> {
        self.extension(oid::IDENTITY_FLAGS)
            .and_then(|e| ext::decode_dword(&e.value))
    }

    /// Grouping flags (.44.3.2).
    pub fn grouping_flags(&self) -> Option<u32> {
        self.extension(oid::GROUPING_FLAGS)
            .and_then(|e| ext::decode_dword(&e.value))
    }

    /// Extended key usages as dotted OIDs.
    pub fn extended_key_usages(&self) -> Option<Vec<String>> {
        self.extension(oid::EXT_KEY_USAGE)
            .and_then(|e| ext::decode_eku(&e.value))
            .map(|v| v.iter().map(|o| oid::dotted(o)).collect())
    }

    /// Verify this certificate's signature (over the received TBS) with `issuer_spki`.
    ///
    /// # Errors
    /// [`Error::BadSignature`].
    pub fn verify_signed_by(&self, issuer_spki: &[u8]) -> Result<()> {
        if !self.inner_algorithm_matches {
            return Err(Error::BadSignature);
        }
        verify_signature(
            issuer_spki,
            &self.signature_algorithm,
            self.tbs_der(),
            &self.signature,
        )
    }

    /// Whether the signature verifies with the certificate's own key.
    pub fn is_self_signed(&self) -> bool {
        self.verify_signed_by(self.public_key_der()).is_ok()
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("type", &self.cert_type())
            .field("serial", &hex::encode(&self.serial))
            .field("subject", &self.subject_name)
            .field("subject_peer_name", &self.subject_peer_name())
            .field("group_peer_name", &self.group_peer_name())
            .finish_non_exhaustive()
    }
}
