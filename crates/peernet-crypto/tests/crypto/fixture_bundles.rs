//! The PKCS#7 and PFX bundles of the certificate fixtures (`fixtures/p7b/<profile>-*.p7b`,
//! `fixtures/pfx/<profile>-idc.pfx`, made by `cargo xtask fixtures`): every chain bundle
//! decodes to exactly the certificates of `fixtures/der/<profile>/chain-N/`, `order_chain`
//! restores root→leaf order from the DER-sorted set, chains of 1, 2 and 25 validate and 26
//! fails with S1 (PEER_E_CHAIN_TOO_LONG); each IDC bundle holds the IDC; each PFX reads
//! back with the fixture password and its key matches the IDC.

use std::time::{Duration, SystemTime};

use peernet_crypto::chain::{ChainPolicy, order_chain, validate_chain, validate_idc};
use peernet_crypto::{Certificate, ChainError, PkcsError, PrivateKey, Profile, pkcs7, pkcs12};

const PASSWORD: &str = "peernet fixture pässword";
const PROFILES: [Profile; 2] = [Profile::Windows, Profile::Modern];

use crate::cert_support::{fixture_chain as chain_ders, fixtures_dir as fixtures};

fn read(rel: &str) -> Vec<u8> {
    let p = fixtures().join(rel);
    std::fs::read(&p)
        .unwrap_or_else(|e| panic!("{}: {e} (run `cargo xtask fixtures`)", p.display()))
}

fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_767_225_600 + 3600)
}

#[test]
fn chain_bundles_decode_order_and_validate() {
    for profile in PROFILES {
        for len in [1usize, 2, 25, 26] {
            let what = format!("{profile}-chain-{len}.p7b");
            let bundle = read(&format!("p7b/{what}"));
            let decoded = pkcs7::decode(&bundle).unwrap_or_else(|e| panic!("{what}: {e}"));
            let expected = chain_ders(profile, len);
            assert_eq!(decoded.len(), len, "{what}");
            let mut a = decoded.clone();
            let mut b = expected.clone();
            a.sort();
            b.sort();
            assert_eq!(a, b, "{what}: not the certificates of der/");
            // DER sorting loses the order; order_chain restores root → leaf.
            let chain = order_chain(&decoded).unwrap_or_else(|e| panic!("{what}: {e}"));
            let ordered: Vec<&[u8]> = chain.iter().map(Certificate::der).collect();
            let want: Vec<&[u8]> = expected.iter().map(Vec::as_slice).collect();
            assert_eq!(ordered, want, "{what}: order not restored");
            let leaf = chain[len - 1].public_key_der().to_vec();
            let group = chain[0]
                .group_peer_name()
                .expect("GRC carries the group name");
            let policy = ChainPolicy::new(profile, now())
                .group(&group)
                .leaf_public_key(&leaf)
                .classifier("participant");
            let r = validate_chain(&chain, &policy);
            if len == 26 {
                assert!(
                    matches!(r, Err(ChainError::ChainTooLong { len: 26 })),
                    "{what}: {r:?}"
                );
                assert_eq!(r.unwrap_err().rule(), Some("S1"));
            } else {
                r.unwrap_or_else(|e| panic!("{what}: {e}"));
            }
        }
    }
}

#[test]
fn chain_bundles_are_what_pkcs7_encode_writes() {
    for profile in PROFILES {
        for len in [1usize, 2, 25, 26] {
            let bundle = read(&format!("p7b/{profile}-chain-{len}.p7b"));
            assert_eq!(pkcs7::encode(&chain_ders(profile, len)).unwrap(), bundle);
        }
    }
}

#[test]
fn idc_bundles_hold_the_idc() {
    for profile in PROFILES {
        let idc_der = read(&format!("der/{profile}/idc.der"));
        let bundle = read(&format!("p7b/{profile}-idc.p7b"));
        assert_eq!(pkcs7::decode(&bundle).unwrap(), vec![idc_der.clone()]);
        // PEERIDENTITYINFO readers accept the PKCS#7 and the bare certificate alike.
        assert_eq!(
            pkcs7::decode_or_bare_certificate(&bundle).unwrap(),
            vec![idc_der.clone()]
        );
        assert_eq!(
            pkcs7::decode_or_bare_certificate(&idc_der).unwrap(),
            vec![idc_der.clone()]
        );
        let idc = Certificate::from_der(&idc_der).unwrap();
        validate_idc(&idc, profile, now()).unwrap();
    }
}

#[test]
fn idc_pfx_reads_back_and_key_matches() {
    for profile in PROFILES {
        let what = format!("{profile}-idc.pfx");
        let pfx = read(&format!("pfx/{what}"));
        let contents = pkcs12::read(&pfx, PASSWORD).unwrap_or_else(|e| panic!("{what}: {e}"));
        let idc_der = read(&format!("der/{profile}/idc.der"));
        assert_eq!(contents.certificates, vec![idc_der.clone()], "{what}");
        assert_eq!(contents.friendly_name.as_deref(), Some("Fixture Identity"));
        let key = PrivateKey::from_pkcs8_der(&contents.private_key).unwrap();
        assert_eq!(key.profile(), profile, "{what}");
        let idc = Certificate::from_der(&idc_der).unwrap();
        assert_eq!(
            key.public_key_der(),
            idc.public_key_der(),
            "{what}: key is not the IDC's"
        );
        // The key really is the IDC's: it signs, the IDC's key verifies.
        let msg = b"fixture pfx key check";
        let sig = key.sign(msg).unwrap();
        peernet_crypto::key::verify_signature(
            idc.public_key_der(),
            &key.signature_algorithm(),
            msg,
            &sig,
        )
        .unwrap();
        // The identity's peer name comes from that key.
        let name = idc.subject_peer_name().unwrap();
        assert!(name.matches_key(key.public_key_der()));
        // A wrong password is refused.
        assert!(matches!(
            pkcs12::read(&pfx, "not the password"),
            Err(PkcsError::InvalidPassword)
        ));
    }
}
