//! The Microsoft peer-to-peer certificate extensions ([MS-PNRP] 2.2.3.5, [MS-PPSEC] 2.2.5):
//! encoders and lenient decoders (the chain validator turns decoding failures into rule errors).
//!
//! Encodings chosen where the specifications are silent are listed in `docs/FORMATS.md`:
//! DWORD values (type, flags) are `OCTET STRING (SIZE(4))` little-endian inside `extnValue`;
//! peer names and classifiers are `otherName` with a UniversalString value.

use crate::asn1::{self, Reader};
use crate::name::PeerName;
use crate::oid;
use crate::role::Role;

/// The certificate kinds of PPSEC 2.2.5 (value of the certificate type extension).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CertType {
    /// GMC, group membership certificate (certTypeMember = 1).
    Membership,
    /// GRC, group root certificate (certTypeRoot = 2).
    Root,
    /// IDC, identity certificate (certTypeIdentity = 3).
    Identity,
}

impl CertType {
    /// The 32-bit wire value.
    pub fn value(self) -> u32 {
        match self {
            CertType::Membership => 1,
            CertType::Root => 2,
            CertType::Identity => 3,
        }
    }

    /// From the wire value.
    pub fn from_value(v: u32) -> Option<Self> {
        match v {
            1 => Some(CertType::Membership),
            2 => Some(CertType::Root),
            3 => Some(CertType::Identity),
            _ => None,
        }
    }
}

/// One X.509 extension: OID as DER content bytes, criticality, and the DER inside `extnValue`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extension {
    /// OID (DER content bytes, see [`crate::oid`]).
    pub oid: Vec<u8>,
    /// The critical flag.
    pub critical: bool,
    /// The bytes inside the `extnValue` OCTET STRING.
    pub value: Vec<u8>,
}

fn other_name(type_id: &[u8], text: &str) -> Vec<u8> {
    let inner = asn1::tlv(asn1::UNIVERSAL_STRING, &asn1::ucs4(text));
    asn1::cons(
        0xa0,
        &[&asn1::tlv(asn1::OID, type_id), &asn1::tlv(0xa0, &inner)],
    )
}

fn dword(v: u32) -> Vec<u8> {
    asn1::tlv(asn1::OCTET_STRING, &v.to_le_bytes())
}

impl Extension {
    fn new(oid: &[u8], critical: bool, value: Vec<u8>) -> Self {
        Extension {
            oid: oid.to_vec(),
            critical,
            value,
        }
    }

    /// Dotted OID text.
    pub fn dotted_oid(&self) -> String {
        oid::dotted(&self.oid)
    }

    /// PnrpCertificateType (critical): `04 04 <u32 LE>`.
    pub fn cert_type(t: CertType) -> Self {
        Self::new(oid::CERT_TYPE, true, dword(t.value()))
    }

    /// PnrpCertificateVersion (critical): `04 04 01 00 02 00`.
    pub fn cert_version() -> Self {
        Self::new(
            oid::CERT_VERSION,
            true,
            asn1::tlv(asn1::OCTET_STRING, &[1, 0, 2, 0]),
        )
    }

    /// Group peer name .44.3.1 (critical): one otherName .44.0.2 with a UniversalString.
    pub fn group_peer_name(name: &PeerName) -> Self {
        Self::new(
            oid::GROUPING_PEERNAME,
            true,
            asn1::tlv(
                asn1::SEQUENCE,
                &other_name(oid::PEERNAME_OTHERNAME, name.as_str()),
            ),
        )
    }

    /// Roles .44.3.3 (critical): SEQUENCE OF OCTET STRING (16).
    pub fn roles(roles: &[Role]) -> Self {
        let parts: Vec<Vec<u8>> = roles
            .iter()
            .map(|r| asn1::tlv(asn1::OCTET_STRING, &r.to_bytes()))
            .collect();
        Self::new(
            oid::GROUPING_ROLES,
            true,
            asn1::tlv(asn1::SEQUENCE, &parts.concat()),
        )
    }

    /// Classifier list .44.3.5 (critical): GeneralNames of otherName .44.0.3; an empty list is `30 00`.
    pub fn classifiers(list: &[String]) -> Self {
        let parts: Vec<Vec<u8>> = list
            .iter()
            .map(|c| other_name(oid::CLASSIFIER_OTHERNAME, c))
            .collect();
        Self::new(
            oid::GROUPING_CLASSIFIERS,
            true,
            asn1::tlv(asn1::SEQUENCE, &parts.concat()),
        )
    }

    /// Subject peer name, legacy SubjectAltName 2.5.29.7 (not critical).
    pub fn subject_alt_name(name: &PeerName) -> Self {
        Self::new(
            oid::SUBJECT_ALT_NAME_LEGACY,
            false,
            asn1::tlv(
                asn1::SEQUENCE,
                &other_name(oid::PEERNAME_OTHERNAME, name.as_str()),
            ),
        )
    }

    /// Issuer peer name, legacy IssuerAltName 2.5.29.8 (not critical).
    pub fn issuer_alt_name(name: &PeerName) -> Self {
        Self::new(
            oid::ISSUER_ALT_NAME_LEGACY,
            false,
            asn1::tlv(
                asn1::SEQUENCE,
                &other_name(oid::PEERNAME_OTHERNAME, name.as_str()),
            ),
        )
    }

    /// IDC subjectAltName 2.5.29.17 with the peer name's host-name form as a dNSName (not critical).
    pub fn dns_alt_name(name: &PeerName) -> Self {
        Self::new(
            oid::SUBJECT_ALT_NAME,
            false,
            asn1::tlv(
                asn1::SEQUENCE,
                &asn1::tlv(0x82, peer_host_name(name).as_bytes()),
            ),
        )
    }

    /// Identity flags .44.2.2 (not critical), DWORD.
    pub fn identity_flags(flags: u32) -> Self {
        Self::new(oid::IDENTITY_FLAGS, false, dword(flags))
    }

    /// Grouping flags .44.3.2 (not critical), DWORD.
    pub fn grouping_flags(flags: u32) -> Self {
        Self::new(oid::GROUPING_FLAGS, false, dword(flags))
    }

    /// Extended key usage: Peer Auth (.44.3.4) and Server Auth (not critical).
    pub fn extended_key_usage() -> Self {
        let v = asn1::cons(
            asn1::SEQUENCE,
            &[
                &asn1::tlv(asn1::OID, oid::KP_PEER_AUTH),
                &asn1::tlv(asn1::OID, oid::KP_SERVER_AUTH),
            ],
        );
        Self::new(oid::EXT_KEY_USAGE, false, v)
    }

    /// AuthorityKeyIdentifier with keyIdentifier = SHA-1 of the issuer's subjectPublicKey bits
    /// (RFC 5280 4.2.1.2 method 1) (not critical).
    pub fn authority_key_identifier(issuer_spki: &[u8]) -> Self {
        let bits = crate::key::split_spki(issuer_spki)
            .map(|(_, _, k)| k)
            .unwrap_or(issuer_spki);
        let id = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, bits);
        Self::new(
            oid::AUTHORITY_KEY_IDENTIFIER,
            false,
            asn1::tlv(asn1::SEQUENCE, &asn1::tlv(0x80, id.as_ref())),
        )
    }
}

/// The DNS host-name form of a peer name used in the IDC's subjectAltName:
/// `<classifier>.p<authority>.pnrp.net` when the classifier is a DNS label, else
/// `p<authority>.pnrp.net` (modelled on `PeerNameToPeerHostName`; see `docs/FORMATS.md` Q13).
pub fn peer_host_name(name: &PeerName) -> String {
    let c = name.classifier();
    let label = !c.is_empty()
        && c.len() <= 63
        && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !c.starts_with('-')
        && !c.ends_with('-');
    if label {
        format!("{c}.p{}.pnrp.net", name.authority())
    } else {
        format!("p{}.pnrp.net", name.authority())
    }
}

fn decode_other_names(value: &[u8], type_id: &[u8]) -> Result<Vec<String>, &'static str> {
    let mut outer = Reader::new(value);
    let seq = outer
        .expect(asn1::SEQUENCE, "names")
        .map_err(|_| "not a SEQUENCE")?;
    outer.finish("names").map_err(|_| "trailing data")?;
    let mut r = Reader::new(seq);
    let mut out = Vec::new();
    while !r.is_empty() {
        let gn = r.any().map_err(|_| "bad GeneralName")?;
        if gn.tag != 0xa0 {
            return Err("entry is not an otherName");
        }
        let mut on = Reader::new(gn.content);
        let t = on
            .expect(asn1::OID, "type-id")
            .map_err(|_| "bad otherName type-id")?;
        if t != type_id {
            return Err("otherName has the wrong type-id");
        }
        let explicit = on
            .expect(0xa0, "value")
            .map_err(|_| "bad otherName value")?;
        on.finish("otherName")
            .map_err(|_| "trailing data in otherName")?;
        let mut v = Reader::new(explicit);
        let s = v
            .expect(asn1::UNIVERSAL_STRING, "string")
            .map_err(|_| "value is not a UniversalString")?;
        v.finish("value")
            .map_err(|_| "trailing data in otherName value")?;
        out.push(asn1::from_ucs4(s).ok_or("invalid UniversalString")?);
    }
    Ok(out)
}

/// Decode a peer-name carrying extension (.44.3.1, 2.5.29.7, 2.5.29.8): exactly one
/// otherName .44.0.2 string (syntax not checked here).
pub(crate) fn decode_peer_name_text(value: &[u8]) -> Result<String, &'static str> {
    let mut names = decode_other_names(value, oid::PEERNAME_OTHERNAME)?;
    if names.len() != 1 {
        return Err("must hold exactly one peer name");
    }
    Ok(names.remove(0))
}

/// Decode the classifier list.
pub(crate) fn decode_classifiers(value: &[u8]) -> Result<Vec<String>, &'static str> {
    decode_other_names(value, oid::CLASSIFIER_OTHERNAME)
}

/// Decode the roles list (raw role ids, definedness not checked).
pub(crate) fn decode_roles(value: &[u8]) -> Result<Vec<Role>, &'static str> {
    let mut outer = Reader::new(value);
    let seq = outer
        .expect(asn1::SEQUENCE, "roles")
        .map_err(|_| "not a SEQUENCE")?;
    outer.finish("roles").map_err(|_| "trailing data")?;
    let mut r = Reader::new(seq);
    let mut out = Vec::new();
    while !r.is_empty() {
        let b = r
            .expect(asn1::OCTET_STRING, "role")
            .map_err(|_| "role is not an OCTET STRING")?;
        let arr: [u8; 16] = b.try_into().map_err(|_| "role id is not 16 bytes")?;
        out.push(Role::from_bytes(arr));
    }
    Ok(out)
}

/// Decode a 4-byte little-endian DWORD in an OCTET STRING (also accepts a DER INTEGER).
pub(crate) fn decode_dword(value: &[u8]) -> Option<u32> {
    let mut r = Reader::new(value);
    let t = r.any().ok()?;
    r.finish("dword").ok()?;
    match t.tag {
        asn1::OCTET_STRING => {
            let b: [u8; 4] = t.content.try_into().ok()?;
            Some(u32::from_le_bytes(b))
        }
        asn1::INTEGER
            if !t.content.is_empty() && t.content.len() <= 5 && t.content[0] & 0x80 == 0 =>
        {
            Some(t.content.iter().fold(0u64, |a, b| (a << 8) | u64::from(*b)) as u32)
        }
        _ => None,
    }
}

/// Decode the 4 bytes of the certificate version extension.
pub(crate) fn decode_version(value: &[u8]) -> Option<[u8; 4]> {
    let mut r = Reader::new(value);
    let b = r.expect(asn1::OCTET_STRING, "version").ok()?;
    r.finish("version").ok()?;
    b.try_into().ok()
}

/// Decode an EKU extension into OIDs (DER content bytes).
pub(crate) fn decode_eku(value: &[u8]) -> Option<Vec<Vec<u8>>> {
    let mut outer = Reader::new(value);
    let seq = outer.expect(asn1::SEQUENCE, "eku").ok()?;
    outer.finish("eku").ok()?;
    let mut r = Reader::new(seq);
    let mut out = Vec::new();
    while !r.is_empty() {
        out.push(r.expect(asn1::OID, "purpose").ok()?.to_vec());
    }
    Some(out)
}

/// Decode the first dNSName of a subjectAltName.
pub(crate) fn decode_dns_name(value: &[u8]) -> Option<String> {
    let mut outer = Reader::new(value);
    let seq = outer.expect(asn1::SEQUENCE, "san").ok()?;
    let mut r = Reader::new(seq);
    while !r.is_empty() {
        let t = r.any().ok()?;
        if t.tag == 0x82 {
            return String::from_utf8(t.content.to_vec()).ok();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn participant_classifier_bytes() {
        // certificates.md §3.5: `participant` is 11 characters → `1c 2c 00000070 00000061 ...`.
        let e = Extension::classifiers(&["participant".to_string()]);
        let needle = [0x1c, 0x2c, 0, 0, 0, 0x70, 0, 0, 0, 0x61];
        assert!(e.value.windows(needle.len()).any(|w| w == needle));
        assert_eq!(
            decode_classifiers(&e.value).unwrap(),
            vec!["participant".to_string()]
        );
        assert_eq!(
            decode_classifiers(&Extension::classifiers(&[]).value).unwrap(),
            Vec::<String>::new()
        );
        assert!(e.critical);
    }

    #[test]
    fn dword_and_version_encodings() {
        assert_eq!(
            Extension::cert_type(CertType::Root).value,
            [4, 4, 2, 0, 0, 0]
        );
        assert_eq!(Extension::cert_version().value, [4, 4, 1, 0, 2, 0]);
        assert_eq!(decode_dword(&[4, 4, 3, 0, 0, 0]), Some(3));
        assert_eq!(decode_dword(&[2, 1, 0]), Some(0));
        assert_eq!(decode_dword(&[4, 3, 3, 0, 0]), None);
    }

    #[test]
    fn peer_name_round_trip() {
        let n = PeerName::parse("0.grüße").unwrap();
        let e = Extension::group_peer_name(&n);
        assert_eq!(decode_peer_name_text(&e.value).unwrap(), "0.grüße");
        assert_eq!(&e.value[..2], &[0x30, e.value.len() as u8 - 2]);
        let r = Extension::roles(&[Role::ADMIN, Role::MEMBER]);
        assert_eq!(
            decode_roles(&r.value).unwrap(),
            vec![Role::ADMIN, Role::MEMBER]
        );
        assert_eq!(
            peer_host_name(&PeerName::parse("0.web-1").unwrap()),
            "web-1.p0.pnrp.net"
        );
        assert_eq!(
            peer_host_name(&PeerName::parse("0.a b").unwrap()),
            "p0.pnrp.net"
        );
    }
}
