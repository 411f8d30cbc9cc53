//! The crate's one table of object identifiers: peer-to-peer certificate OIDs
//! ([MS-PNRP], [MS-PPSEC]), the X.509 and algorithm OIDs they use, and the
//! PKCS#7 / PKCS#9 / PKCS#12 / PKCS#5 OIDs of the PKCS modules.
//!
//! Each constant is the DER *content* of the OBJECT IDENTIFIER (no tag, no length), which is
//! what [`crate::ext::Extension::oid`] holds and what the readers match on; it is spelled
//! in dotted form and encoded at compile time by `const-oid` (through `der::oid`), so a
//! typo in an arc is a build error rather than a wrong byte. [`dotted`] turns content
//! bytes back into text.

/// The DER content bytes of a dotted OID, computed at compile time.
macro_rules! oid {
    ($dotted:literal) => {
        const { der::oid::ObjectIdentifier::new_unwrap($dotted) }.as_bytes()
    };
}

// ---- peer-to-peer certificates and X.509 ----
/// szOID_PEERNET_CERT_TYPE — certificate type extension (PNRP 2.2.3.5.1.1).
pub const CERT_TYPE: &[u8] = oid!("1.3.6.1.4.1.311.44.0.1");
/// szOID_PEERNET_PEERNAME — otherName type-id of a peer name.
pub const PEERNAME_OTHERNAME: &[u8] = oid!("1.3.6.1.4.1.311.44.0.2");
/// szOID_PEERNET_CLASSIFIER — otherName type-id of a classifier.
pub const CLASSIFIER_OTHERNAME: &[u8] = oid!("1.3.6.1.4.1.311.44.0.3");
/// szOID_PEERNET_CERT_VERSION — certificate version extension (PNRP 2.2.3.5.1.2).
pub const CERT_VERSION: &[u8] = oid!("1.3.6.1.4.1.311.44.0.4");
/// szOID_PEERNET_IDENTITY_FLAGS (IDC, must be 0).
pub const IDENTITY_FLAGS: &[u8] = oid!("1.3.6.1.4.1.311.44.2.2");
/// szOID_PEERNET_GROUPING_PEERNAME — group peer name extension.
pub const GROUPING_PEERNAME: &[u8] = oid!("1.3.6.1.4.1.311.44.3.1");
/// szOID_PEERNET_GROUPING_FLAGS (GRC/GMC, must be 0).
pub const GROUPING_FLAGS: &[u8] = oid!("1.3.6.1.4.1.311.44.3.2");
/// szOID_PEERNET_GROUPING_ROLES — roles extension.
pub const GROUPING_ROLES: &[u8] = oid!("1.3.6.1.4.1.311.44.3.3");
/// "PKI Peer Auth" extended key usage.
pub const KP_PEER_AUTH: &[u8] = oid!("1.3.6.1.4.1.311.44.3.4");
/// szOID_PEERNET_GROUPING_CLASSIFIERS — classifier list extension.
pub const GROUPING_CLASSIFIERS: &[u8] = oid!("1.3.6.1.4.1.311.44.3.5");
/// szOID_SUBJECT_ALT_NAME (legacy) — subject peer name.
pub const SUBJECT_ALT_NAME_LEGACY: &[u8] = oid!("2.5.29.7");
/// szOID_ISSUER_ALT_NAME (legacy) — issuer peer name.
pub const ISSUER_ALT_NAME_LEGACY: &[u8] = oid!("2.5.29.8");
/// subjectAltName — IDC peer name in DNS form.
pub const SUBJECT_ALT_NAME: &[u8] = oid!("2.5.29.17");
/// basicConstraints (understood, never emitted).
pub const BASIC_CONSTRAINTS: &[u8] = oid!("2.5.29.19");
/// keyUsage (understood, never emitted).
pub const KEY_USAGE: &[u8] = oid!("2.5.29.15");
/// subjectKeyIdentifier (understood, never emitted).
pub const SUBJECT_KEY_IDENTIFIER: &[u8] = oid!("2.5.29.14");
/// authorityKeyIdentifier — on GMCs.
pub const AUTHORITY_KEY_IDENTIFIER: &[u8] = oid!("2.5.29.35");
/// extKeyUsage.
pub const EXT_KEY_USAGE: &[u8] = oid!("2.5.29.37");
/// id-kp-serverAuth.
pub const KP_SERVER_AUTH: &[u8] = oid!("1.3.6.1.5.5.7.3.1");
/// commonName — the one attribute of our subject/issuer names.
pub const COMMON_NAME: &[u8] = oid!("2.5.4.3");
/// rsaEncryption.
pub const RSA_ENCRYPTION: &[u8] = oid!("1.2.840.113549.1.1.1");
/// sha1WithRSAEncryption — windows profile signature.
pub const SHA1_WITH_RSA: &[u8] = oid!("1.2.840.113549.1.1.5");
/// id-ecPublicKey.
pub const EC_PUBLIC_KEY: &[u8] = oid!("1.2.840.10045.2.1");
/// prime256v1 / secp256r1.
pub const PRIME256V1: &[u8] = oid!("1.2.840.10045.3.1.7");
/// ecdsa-with-SHA256 — modern profile signature.
pub const ECDSA_WITH_SHA256: &[u8] = oid!("1.2.840.10045.4.3.2");

// ---- PKCS#7, PKCS#9, PKCS#12 ----
/// PKCS#7 `data` content type.
pub const DATA: &[u8] = oid!("1.2.840.113549.1.7.1");
/// PKCS#7 `signedData` content type (certs-only bundles).
pub const SIGNED_DATA: &[u8] = oid!("1.2.840.113549.1.7.2");
/// PKCS#7 `encryptedData` content type (PFX certificate safes).
pub const ENCRYPTED_DATA: &[u8] = oid!("1.2.840.113549.1.7.6");
/// PKCS#9 `friendlyName` attribute.
pub const FRIENDLY_NAME: &[u8] = oid!("1.2.840.113549.1.9.20");
/// PKCS#9 `localKeyId` attribute.
pub const LOCAL_KEY_ID: &[u8] = oid!("1.2.840.113549.1.9.21");
/// PKCS#9 `x509Certificate` certificate type of a CertBag.
pub const X509_CERTIFICATE: &[u8] = oid!("1.2.840.113549.1.9.22.1");
/// PKCS#12 `keyBag`.
pub const KEY_BAG: &[u8] = oid!("1.2.840.113549.1.12.10.1.1");
/// PKCS#12 `pkcs8ShroudedKeyBag`.
pub const SHROUDED_KEY_BAG: &[u8] = oid!("1.2.840.113549.1.12.10.1.2");
/// PKCS#12 `certBag`.
pub const CERT_BAG: &[u8] = oid!("1.2.840.113549.1.12.10.1.3");

// ---- password-based encryption, MACs (PKCS#5, PKCS#12) ----
/// PKCS#12 `pbeWithSHAAnd3-KeyTripleDES-CBC` (windows-profile key bag).
pub const PBE_SHA1_3DES: &[u8] = oid!("1.2.840.113549.1.12.1.3");
/// PKCS#12 `pbeWithSHAAnd2-KeyTripleDES-CBC`.
pub const PBE_SHA1_2DES: &[u8] = oid!("1.2.840.113549.1.12.1.4");
/// PKCS#12 `pbeWithSHAAnd128BitRC2-CBC`.
pub const PBE_SHA1_RC2_128: &[u8] = oid!("1.2.840.113549.1.12.1.5");
/// PKCS#12 `pbewithSHAAnd40BitRC2-CBC` (windows-profile certificate bag).
pub const PBE_SHA1_RC2_40: &[u8] = oid!("1.2.840.113549.1.12.1.6");
/// PKCS#5 `id-PBES2`.
pub const PBES2: &[u8] = oid!("1.2.840.113549.1.5.13");
/// PKCS#5 `id-PBKDF2`.
pub const PBKDF2: &[u8] = oid!("1.2.840.113549.1.5.12");
/// `hmacWithSHA1` (PBKDF2 PRF).
pub const HMAC_SHA1: &[u8] = oid!("1.2.840.113549.2.7");
/// `hmacWithSHA256` (PBKDF2 PRF).
pub const HMAC_SHA256: &[u8] = oid!("1.2.840.113549.2.9");
/// `hmacWithSHA384` (PBKDF2 PRF).
pub const HMAC_SHA384: &[u8] = oid!("1.2.840.113549.2.10");
/// `hmacWithSHA512` (PBKDF2 PRF).
pub const HMAC_SHA512: &[u8] = oid!("1.2.840.113549.2.11");
/// `aes128-CBC-PAD`.
pub const AES128_CBC: &[u8] = oid!("2.16.840.1.101.3.4.1.2");
/// `aes192-CBC-PAD`.
pub const AES192_CBC: &[u8] = oid!("2.16.840.1.101.3.4.1.22");
/// `aes256-CBC-PAD`.
pub const AES256_CBC: &[u8] = oid!("2.16.840.1.101.3.4.1.42");
/// `des-ede3-cbc`.
pub const DES_EDE3_CBC: &[u8] = oid!("1.2.840.113549.3.7");
/// `id-sha1` (MAC digest).
pub const SHA1: &[u8] = oid!("1.3.14.3.2.26");
/// `id-sha256` (MAC digest).
pub const SHA256: &[u8] = oid!("2.16.840.1.101.3.4.2.1");
/// `id-sha384` (MAC digest).
pub const SHA384: &[u8] = oid!("2.16.840.1.101.3.4.2.2");
/// `id-sha512` (MAC digest).
pub const SHA512: &[u8] = oid!("2.16.840.1.101.3.4.2.3");

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
        // Compile-time encoding, checked against hand-encoded bytes.
        assert_eq!(
            super::CERT_TYPE,
            &[0x2b, 6, 1, 4, 1, 0x82, 0x37, 0x2c, 0, 1]
        );
        assert_eq!(
            super::AES256_CBC,
            &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a]
        );
        assert_eq!(super::SHA1, &[0x2b, 0x0e, 0x03, 0x02, 0x1a]);
    }
}
