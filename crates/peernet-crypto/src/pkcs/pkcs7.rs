//! PKCS#7 certs-only `SignedData` (RFC 2315 §9.1): the container of GMC chains
//! (PEERGROUPCONFIG, invitations) and of the IDC in PEERIDENTITYINFO.
//!
//! The encoder writes DER: version 1, no digest algorithms, `data` content type with no
//! content, the certificates as `[0] IMPLICIT SET OF` **sorted as DER requires**, no
//! signerInfos. DER sorting loses the caller's order; chain order is rebuilt from
//! issuer/subject (SAN/IAN) links by the chain module, never from position.
//!
//! The decoder tolerates BER (indefinite lengths, unsorted SET) and returns the
//! certificates in the order found.

use super::{PkcsError, Result};
use crate::asn1::ber_reader as ber;
use crate::asn1::{self, oid, tag};

/// Most certificates in one bundle (a GMC chain has at most 25).
pub const MAX_CERTIFICATES: usize = 64;
/// Largest bundle accepted (1 MiB).
pub const MAX_PKCS7_LEN: usize = 1 << 20;

fn check_certificates(certificates: &[Vec<u8>]) -> Result<()> {
    if certificates.len() > MAX_CERTIFICATES {
        return Err(PkcsError::TooManyCertificates {
            count: certificates.len(),
            max: MAX_CERTIFICATES,
        });
    }
    for (i, c) in certificates.iter().enumerate() {
        if certificates[..i].contains(c) {
            return Err(PkcsError::DuplicateCertificate { index: i });
        }
    }
    Ok(())
}

/// Encodes `certificates` (DER, any order) as a DER certs-only SignedData ContentInfo.
///
/// # Errors
/// [`PkcsError::InvalidArgument`] when a certificate is not one definite-length
/// SEQUENCE, [`PkcsError::DuplicateCertificate`], [`PkcsError::TooManyCertificates`].
pub fn encode(certificates: &[Vec<u8>]) -> Result<Vec<u8>> {
    check_certificates(certificates)?;
    for c in certificates {
        let ok = ber::is_well_formed_sequence(c)
            && ber::parse_single(c, "").is_ok_and(|t| !t.indefinite);
        if !ok {
            return Err(PkcsError::InvalidArgument(
                "a certificate is not one DER SEQUENCE",
            ));
        }
    }
    let mut sorted: Vec<&[u8]> = certificates.iter().map(Vec::as_slice).collect();
    sorted.sort_by(|a, b| asn1::der_set_order(a, b));
    let signed_data = asn1::seq(&[
        &asn1::uint(1),
        &asn1::tlv(tag::SET, &[]),
        &asn1::seq(&[&asn1::oid(oid::DATA)]),
        &asn1::cons(tag::CTX0, &sorted),
        &asn1::tlv(tag::SET, &[]),
    ]);
    Ok(asn1::seq(&[
        &asn1::oid(oid::SIGNED_DATA),
        &asn1::tlv(tag::CTX0, &signed_data),
    ]))
}

/// Decodes a PKCS#7 ContentInfo(SignedData) and returns its certificates (DER), in
/// the order found. CRLs and signerInfos, if present, are ignored.
///
/// # Errors
/// [`PkcsError::InputTooLarge`], [`PkcsError::Malformed`],
/// [`PkcsError::UnsupportedAlgorithm`] (another content type),
/// [`PkcsError::DuplicateCertificate`], [`PkcsError::TooManyCertificates`].
pub fn decode(bundle: &[u8]) -> Result<Vec<Vec<u8>>> {
    if bundle.len() > MAX_PKCS7_LEN {
        return Err(PkcsError::InputTooLarge {
            len: bundle.len(),
            max: MAX_PKCS7_LEN,
        });
    }
    let top = ber::parse_single(bundle, "ContentInfo")?;
    if top.tag != tag::SEQUENCE {
        return Err(PkcsError::Malformed("ContentInfo is not a SEQUENCE"));
    }
    let mut r = top.children()?;
    let ct = r.expect(tag::OID, "ContentInfo type")?;
    if ct.body != oid::SIGNED_DATA {
        return Err(super::pbe::unsupported("PKCS#7 content type", ct.body));
    }
    let sd = r
        .expect(tag::CTX0, "ContentInfo content")?
        .children()?
        .expect(tag::SEQUENCE, "SignedData")?;
    r.finish("ContentInfo")?;
    let mut s = sd.children()?;
    s.expect(tag::INTEGER, "SignedData version")?;
    s.expect(tag::SET, "digestAlgorithms")?;
    s.expect(tag::SEQUENCE, "contentInfo")?;
    let mut out: Vec<Vec<u8>> = Vec::new();
    if let Some(certs) = s.optional(tag::CTX0)? {
        let mut c = certs.children()?;
        while let Some(cert) = c.next_tlv()? {
            if cert.tag != tag::SEQUENCE
                || cert.indefinite
                || !ber::is_well_formed_sequence(cert.raw)
            {
                return Err(PkcsError::Malformed("certificate is not a DER SEQUENCE"));
            }
            if out.len() >= MAX_CERTIFICATES {
                return Err(PkcsError::TooManyCertificates {
                    count: out.len() + 1,
                    max: MAX_CERTIFICATES,
                });
            }
            if out.iter().any(|o| o == cert.raw) {
                return Err(PkcsError::DuplicateCertificate { index: out.len() });
            }
            out.push(cert.raw.to_vec());
        }
    }
    s.optional(tag::CTX1)?; // crls
    s.expect(tag::SET, "signerInfos")?;
    s.finish("SignedData")?;
    Ok(out)
}

/// Like [`decode`], but also accepts a bare DER X.509 certificate (returned as a list
/// of one). A PEERIDENTITYINFO's `IDC` element may carry either form.
///
/// The two are told apart by their first element: a ContentInfo starts with an OBJECT
/// IDENTIFIER, a Certificate with a SEQUENCE (its TBSCertificate).
///
/// # Errors
/// As [`decode`].
pub fn decode_or_bare_certificate(data: &[u8]) -> Result<Vec<Vec<u8>>> {
    if data.len() > MAX_PKCS7_LEN {
        return Err(PkcsError::InputTooLarge {
            len: data.len(),
            max: MAX_PKCS7_LEN,
        });
    }
    let top = ber::parse_single(data, "ContentInfo or Certificate")?;
    if top.tag == tag::SEQUENCE && !top.indefinite {
        let first = top.children()?.next_tlv()?;
        if first.is_some_and(|f| f.tag == tag::SEQUENCE) {
            if !ber::is_well_formed_sequence(data) {
                return Err(PkcsError::Malformed("certificate is not a DER SEQUENCE"));
            }
            return Ok(vec![data.to_vec()]);
        }
    }
    decode(data)
}
