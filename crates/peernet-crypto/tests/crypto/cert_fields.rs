//! Building and parsing IDC, GRC and GMC certificates: every field of PPSEC Figure 2 as
//! written, re-read by our parser and by x509-parser.

use crate::cert_support::{Pki, serial, t0};
use peernet_crypto::cert::{Certificate, random_serial};
use peernet_crypto::{CertType, Error, Profile, Role, SignatureAlgorithm, oid};
use x509_parser::prelude::FromDer;

#[test]
fn grc_fields() {
    for pki in Pki::both() {
        let grc = pki.grc();
        assert_eq!(grc.cert_type(), Some(CertType::Root));
        assert_eq!(grc.version(), 2);
        assert_eq!(grc.serial(), serial(0));
        assert_eq!(grc.serial16(), Some(serial(0)));
        assert_eq!(grc.subject_friendly_name(), "Test Group");
        assert_eq!(grc.issuer_friendly_name(), "Test Group");
        assert_eq!(grc.group_peer_name().as_ref(), Some(&pki.group));
        assert_eq!(grc.subject_peer_name().as_ref(), Some(&pki.group));
        assert_eq!(grc.issuer_peer_name(), None);
        assert_eq!(grc.roles(), None);
        assert_eq!(grc.classifiers(), None);
        assert_eq!(grc.grouping_flags(), Some(0));
        assert_eq!(grc.cert_version(), Some([1, 0, 2, 0]));
        assert_eq!(grc.public_key_der(), pki.group_key.public_key_der());
        assert_eq!(grc.validity(), pki.validity());
        assert!(grc.is_self_signed());
        let expected = match pki.profile {
            Profile::Windows => SignatureAlgorithm::Sha1WithRsa,
            _ => SignatureAlgorithm::EcdsaWithSha256,
        };
        assert_eq!(grc.signature_algorithm(), &expected);
        assert_eq!(
            grc.extended_key_usages().unwrap(),
            vec![
                "1.3.6.1.4.1.311.44.3.4".to_string(),
                "1.3.6.1.5.5.7.3.1".to_string()
            ]
        );
    }
}

#[test]
fn gmc_fields_and_criticality() {
    for pki in Pki::both() {
        let chain = pki.chain(3, Role::MEMBER);
        let gmc = &chain[2];
        assert_eq!(gmc.cert_type(), Some(CertType::Membership));
        assert_eq!(gmc.subject_peer_name(), Some(pki.member_name(2)));
        assert_eq!(gmc.issuer_peer_name(), Some(pki.member_name(1)));
        assert_eq!(gmc.group_peer_name().as_ref(), Some(&pki.group));
        assert_eq!(gmc.roles(), Some(vec![Role::MEMBER]));
        assert_eq!(gmc.classifiers(), Some(vec!["participant".to_string()]));
        assert_eq!(gmc.issuer_friendly_name(), "Member 1");
        assert_eq!(gmc.subject_friendly_name(), "Member 2");
        assert_eq!(chain[1].classifiers(), Some(vec![]));
        assert!(gmc.verify_signed_by(chain[1].public_key_der()).is_ok());
        assert!(gmc.verify_signed_by(chain[0].public_key_der()).is_err());
        // PNRP 2.2.3.5.1: PNRP-defined extensions are critical, the others are not.
        for e in gmc.extensions() {
            let pnrp = [
                oid::CERT_TYPE,
                oid::CERT_VERSION,
                oid::GROUPING_PEERNAME,
                oid::GROUPING_ROLES,
                oid::GROUPING_CLASSIFIERS,
            ]
            .contains(&e.oid.as_slice());
            assert_eq!(e.critical, pnrp, "{}", e.dotted_oid());
        }
        assert!(gmc.extension(oid::AUTHORITY_KEY_IDENTIFIER).is_some());
        // Parse once, verify over the received TBS: the DER round-trips exactly.
        let again = Certificate::from_der(gmc.der()).unwrap();
        assert_eq!(&again, gmc);
        assert!(
            gmc.der().starts_with(&[0x30])
                && gmc
                    .der()
                    .windows(gmc.tbs_der().len())
                    .any(|w| w == gmc.tbs_der())
        );
    }
}

#[test]
fn idc_fields() {
    for pki in Pki::both() {
        let idc = pki.idc_params(1).issue(pki.key(1)).unwrap();
        assert_eq!(idc.cert_type(), Some(CertType::Identity));
        assert_eq!(idc.subject_peer_name(), Some(pki.member_name(1)));
        assert_eq!(idc.identity_flags(), Some(0));
        assert_eq!(
            idc.dns_name(),
            Some(format!(
                "member1.p{}.pnrp.net",
                pki.key(1).peer_name("").unwrap().authority()
            ))
        );
        assert!(idc.is_self_signed());
        // The peer name must belong to the key.
        assert!(matches!(
            pki.idc_params(2).issue(pki.key(1)),
            Err(Error::InvalidParameters { .. })
        ));
    }
}

#[test]
fn infinite_validity_is_generalized_time() {
    let pki = Pki::get(Profile::Modern);
    let grc = pki.grc();
    // notBefore 2026 → UTCTime "260101000000Z"; notAfter 3026 → GeneralizedTime "30260101000000Z".
    let d = grc.tbs_der();
    assert!(d.windows(15).any(|w| w == b"\x17\x0d260101000000Z"));
    assert!(d.windows(17).any(|w| w == b"\x18\x0f30260101000000Z"));
    let (_, x) = x509_parser::certificate::X509Certificate::from_der(grc.der()).unwrap();
    assert_eq!(x.validity().not_after.to_datetime().year(), 3026);
    let v = grc.validity();
    assert_eq!(v.not_before, t0());
}

#[test]
fn x509_parser_reads_every_kind() {
    for pki in Pki::both() {
        let chain = pki.chain(3, Role::MEMBER);
        let idc = pki.idc_params(1).issue(pki.key(1)).unwrap();
        for c in chain.iter().chain(std::iter::once(&idc)) {
            let (rest, x) = x509_parser::certificate::X509Certificate::from_der(c.der()).unwrap();
            assert!(rest.is_empty());
            assert_eq!(x.version().0, 2);
            assert_eq!(x.raw_serial(), c.serial());
            assert_eq!(x.tbs_certificate.as_ref(), c.tbs_der());
            assert_eq!(x.public_key().raw, c.public_key_der());
            assert_eq!(
                x.signature_algorithm.algorithm.to_id_string(),
                c.signature_algorithm().dotted()
            );
            let cn = x
                .subject()
                .iter_common_name()
                .next()
                .unwrap()
                .as_str()
                .unwrap()
                .to_string();
            assert_eq!(cn, c.subject_friendly_name());
            assert_eq!(x.extensions().len(), c.extensions().len());
            for (a, b) in x.extensions().iter().zip(c.extensions()) {
                assert_eq!(a.oid.as_bytes(), b.oid.as_slice());
                assert_eq!(a.critical, b.critical);
                assert_eq!(a.value, b.value.as_slice());
            }
        }
    }
}

#[test]
fn serials_are_16_bytes_top_bit_clear() {
    for _ in 0..64 {
        let s = random_serial().unwrap();
        assert!(s[0] & 0x80 == 0 && s[0] != 0);
    }
}

#[test]
fn parser_rejects_garbage_without_panicking() {
    let pki = Pki::get(Profile::Windows);
    let der = pki.grc().der().to_vec();
    for cut in [0, 1, 2, 10, der.len() / 2, der.len() - 1] {
        assert!(Certificate::from_der(&der[..cut]).is_err());
    }
    let mut extra = der.clone();
    extra.push(0);
    assert!(Certificate::from_der(&extra).is_err());
    // Flip every byte once: parse may fail or succeed, never panic.
    for i in 0..der.len() {
        let mut d = der.clone();
        d[i] ^= 0xff;
        let _ = Certificate::from_der(&d).map(|c| {
            let _ = (
                c.group_peer_name(),
                c.roles(),
                c.classifiers(),
                c.is_self_signed(),
            );
        });
    }
}
