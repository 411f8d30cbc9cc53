//! Object identifiers used by peer-to-peer certificates (`spec/certificates.md` §2).
//!
//! Each constant is the DER *content* of the OBJECT IDENTIFIER (no tag, no length), which is
//! what [`crate::ext::Extension::oid`] holds. [`dotted`] turns one into text.

/// `1.3.6.1.4.1.311.44.0.1` szOID_PEERNET_CERT_TYPE — certificate type extension (PNRP 2.2.3.5.1.1).
pub const CERT_TYPE: &[u8] = &[0x2b, 6, 1, 4, 1, 0x82, 0x37, 0x2c, 0, 1];
/// `1.3.6.1.4.1.311.44.0.2` szOID_PEERNET_PEERNAME — otherName type-id of a peer name.
pub const PEERNAME_OTHERNAME: &[u8] = &[0x2b, 6, 1, 4, 1, 0x82, 0x37, 0x2c, 0, 2];
/// `1.3.6.1.4.1.311.44.0.3` szOID_PEERNET_CLASSIFIER — otherName type-id of a classifier.
pub const CLASSIFIER_OTHERNAME: &[u8] = &[0x2b, 6, 1, 4, 1, 0x82, 0x37, 0x2c, 0, 3];
/// `1.3.6.1.4.1.311.44.0.4` szOID_PEERNET_CERT_VERSION — certificate version extension (PNRP 2.2.3.5.1.2).
pub const CERT_VERSION: &[u8] = &[0x2b, 6, 1, 4, 1, 0x82, 0x37, 0x2c, 0, 4];
/// `1.3.6.1.4.1.311.44.2.2` szOID_PEERNET_IDENTITY_FLAGS (IDC, must be 0).
pub const IDENTITY_FLAGS: &[u8] = &[0x2b, 6, 1, 4, 1, 0x82, 0x37, 0x2c, 2, 2];
/// `1.3.6.1.4.1.311.44.3.1` szOID_PEERNET_GROUPING_PEERNAME — group peer name extension.
pub const GROUPING_PEERNAME: &[u8] = &[0x2b, 6, 1, 4, 1, 0x82, 0x37, 0x2c, 3, 1];
/// `1.3.6.1.4.1.311.44.3.2` szOID_PEERNET_GROUPING_FLAGS (GRC/GMC, must be 0).
pub const GROUPING_FLAGS: &[u8] = &[0x2b, 6, 1, 4, 1, 0x82, 0x37, 0x2c, 3, 2];
/// `1.3.6.1.4.1.311.44.3.3` szOID_PEERNET_GROUPING_ROLES — roles extension.
pub const GROUPING_ROLES: &[u8] = &[0x2b, 6, 1, 4, 1, 0x82, 0x37, 0x2c, 3, 3];
/// `1.3.6.1.4.1.311.44.3.4` "PKI Peer Auth" extended key usage.
pub const KP_PEER_AUTH: &[u8] = &[0x2b, 6, 1, 4, 1, 0x82, 0x37, 0x2c, 3, 4];
/// `1.3.6.1.4.1.311.44.3.5` szOID_PEERNET_GROUPING_CLASSIFIERS — classifier list extension.
pub const GROUPING_CLASSIFIERS: &[u8] = &[0x2b, 6, 1, 4, 1, 0x82, 0x37, 0x2c, 3, 5];
/// `2.5.29.7` szOID_SUBJECT_ALT_NAME (legacy) — subject peer name.
pub const SUBJECT_ALT_NAME_LEGACY: &[u8] = &[0x55, 0x1d, 0x07];
/// `2.5.29.8` szOID_ISSUER_ALT_NAME (legacy) — issuer peer name.
pub const ISSUER_ALT_NAME_LEGACY: &[u8] = &[0x55, 0x1d, 0x08];
/// `2.5.29.17` subjectAltName — IDC peer name in DNS form.
pub const SUBJECT_ALT_NAME: &[u8] = &[0x55, 0x1d, 0x11];
/// `2.5.29.19` basicConstraints (understood, never emitted).
pub const BASIC_CONSTRAINTS: &[u8] = &[0x55, 0x1d, 0x13];
/// `2.5.29.15` keyUsage (understood, never emitted).
pub const KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x0f];
/// `2.5.29.14` subjectKeyIdentifier (understood, never emitted).
pub const SUBJECT_KEY_IDENTIFIER: &[u8] = &[0x55, 0x1d, 0x0e];
/// `2.5.29.35` authorityKeyIdentifier — on GMCs.
pub const AUTHORITY_KEY_IDENTIFIER: &[u8] = &[0x55, 0x1d, 0x23];
/// `2.5.29.37` extKeyUsage.
pub const EXT_KEY_USAGE: &[u8] = &[0x55, 0x1d, 0x25];
/// `1.3.6.1.5.5.7.3.1` id-kp-serverAuth.
pub const KP_SERVER_AUTH: &[u8] = &[0x2b, 6, 1, 5, 5, 7, 3, 1];
/// `2.5.4.3` commonName — the one attribute of our subject/issuer names.
pub const COMMON_NAME: &[u8] = &[0x55, 4, 3];
/// `1.2.840.113549.1.1.1` rsaEncryption.
pub const RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 1];
/// `1.2.840.113549.1.1.5` sha1WithRSAEncryption — windows profile signature.
pub const SHA1_WITH_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 1, 1, 5];
/// `1.2.840.10045.2.1` id-ecPublicKey.
pub const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 2, 1];
/// `1.2.840.10045.3.1.7` prime256v1 / secp256r1.
pub const PRIME256V1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 3, 1, 7];
/// `1.2.840.10045.4.3.2` ecdsa-with-SHA256 — modern profile signature.
pub const ECDSA_WITH_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 4, 3, 2];

/// Dotted text of an OID given as DER content bytes (`"?"` parts for malformed arcs).
pub fn dotted(content: &[u8]) -> String {
    let mut arcs: Vec<String> = Vec::new();
    let mut acc: u128 = 0;
    let mut first = true;
    for &b in content {
        acc = (acc << 7) | u128::from(b & 0x7f);
        if b & 0x80 == 0 {
            if first {
                let (a, rest) = if acc < 40 {
                    (0, acc)
                } else if acc < 80 {
                    (1, acc - 40)
                } else {
                    (2, acc - 80)
                };
                arcs.push(a.to_string());
                arcs.push(rest.to_string());
                first = false;
            } else {
                arcs.push(acc.to_string());
            }
            acc = 0;
        }
    }
    arcs.join(".")
}

#[cfg(test)]
mod tests {
    #[test]
    fn dotted_forms() {
        assert_eq!(
            super::dotted(super::GROUPING_CLASSIFIERS),
            "1.3.6.1.4.1.311.44.3.5"
        );
        assert_eq!(super::dotted(super::ISSUER_ALT_NAME_LEGACY), "2.5.29.8");
        assert_eq!(
            super::dotted(super::ECDSA_WITH_SHA256),
            "1.2.840.10045.4.3.2"
        );
    }
}
