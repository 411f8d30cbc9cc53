//! One positive and one negative test per chain rule (S1–S15, P1–P12, G1–G12), both
//! profiles where the rule is profile-independent. `docs/CONFORMANCE.md` maps rules to these
//! test names.

use std::time::Duration;

use crate::cert_support::{Pki, assert_rule, now, other_names, t0, tlv};
use peernet_crypto::cert::{CertificateBuilder, Validity};
use peernet_crypto::chain::{ChainPolicy, validate_chain, validate_idc};
use peernet_crypto::{CertType, ChainError, Extension, Profile, Role, oid};

fn ok(chain: &[peernet_crypto::Certificate], pki: &Pki) {
    validate_chain(chain, &pki.policy()).unwrap_or_else(|e| panic!("{}: {e}", pki.profile));
}

/// `chain` fails `rule` under `pki`'s policy.
fn rejects(rule: &str, pki: &Pki, chain: &[peernet_crypto::Certificate]) {
    assert_rule(validate_chain(chain, &pki.policy()), rule);
}

/// `pki`'s usual three-certificate chain, its leaf changed by `edit`, fails `rule`.
fn rejects_leaf(rule: &str, pki: &Pki, edit: impl FnOnce(&mut CertificateBuilder)) {
    rejects(rule, pki, &pki.bad_leaf(edit));
}

/// An IDC of `pki`'s first member key, changed by `edit` before signing, fails `rule`.
fn idc_rejects(rule: &str, pki: &Pki, edit: impl FnOnce(&mut CertificateBuilder)) {
    let mut b = pki.idc_params(1).builder(pki.key(1));
    edit(&mut b);
    assert_rule(
        validate_idc(&b.sign(pki.key(1)).unwrap(), pki.profile, now()),
        rule,
    );
}

/// A two-certificate chain whose GRC is signed by a stranger's key.
fn stranger_signed_root(pki: &Pki) -> Vec<peernet_crypto::Certificate> {
    let mut chain = pki.chain(2, Role::MEMBER);
    chain[0] = pki
        .grc_params()
        .builder(&pki.group_key)
        .sign(&pki.stranger)
        .unwrap();
    chain
}

/// `root` and a member leaf issued under it with the first member key.
fn with_member_leaf(
    pki: &Pki,
    root: peernet_crypto::Certificate,
) -> Vec<peernet_crypto::Certificate> {
    let leaf = pki.sign_at(
        1,
        &pki.gmc_builder(1, &root, &[Role::MEMBER], &["participant"]),
    );
    vec![root, leaf]
}

/// An extension with these raw parts.
fn raw_extension(oid: &[u8], critical: bool, value: Vec<u8>) -> Extension {
    Extension {
        oid: oid.to_vec(),
        critical,
        value,
    }
}

#[test]
fn valid_chains_pass_all_rules() {
    for pki in Pki::both() {
        for len in [1, 2, 3, 5] {
            for role in [Role::ADMIN, Role::INVITING_MEMBER, Role::MEMBER] {
                ok(&pki.chain(len, role), pki);
            }
        }
    }
}

#[test]
fn s1_chain_of_25_passes_26_fails() {
    let pki = Pki::get(Profile::Modern);
    let mut chain = pki.chain(25, Role::MEMBER);
    ok(&chain, pki);
    let b = pki.gmc_builder(25, &chain[24], &[Role::MEMBER], &["participant"]);
    chain[24] = pki.sign_at(24, &pki.gmc_builder(24, &chain[23], &[Role::ADMIN], &[]));
    let leaf = b.sign(pki.key(24)).unwrap();
    chain.push(leaf);
    rejects("S1", pki, &chain);
}

#[test]
fn p1_empty_chain_fails() {
    assert_rule(
        validate_chain(&[], &Pki::get(Profile::Modern).policy()),
        "P1",
    );
}

#[test]
fn s2_v1_certificate_fails() {
    for pki in Pki::both() {
        rejects_leaf("S2", pki, |b| b.version = 0);
    }
}

#[test]
fn s3_profile_decides_signature_algorithm() {
    let win = Pki::get(Profile::Windows);
    let modern = Pki::get(Profile::Modern);
    // A modern chain in a windows group, and the reverse.
    rejects("S3", win, &modern.chain(2, Role::MEMBER));
    rejects("S3", modern, &win.chain(2, Role::MEMBER));
    // A leaf labelled with another algorithm than the one it is signed with.
    rejects_leaf("S3", win, |b| {
        b.signature_algorithm = Some(peernet_crypto::SignatureAlgorithm::EcdsaWithSha256)
    });
}

#[test]
fn s4_serial_must_be_16_bytes() {
    for pki in Pki::both() {
        rejects_leaf("S4", pki, |b| b.serial = vec![1; 8]);
        rejects_leaf("S4", pki, |b| b.serial = vec![1; 17]);
        // 17 content bytes with a DER sign byte are accepted (§7 Q16).
        let mut s = vec![0u8];
        s.extend([0x80; 16]);
        ok(&pki.bad_leaf(|b| b.serial = s), pki);
    }
}

#[test]
fn s5_unique_ids_rejected() {
    for pki in Pki::both() {
        rejects_leaf("S5", pki, |b| b.subject_unique_id = Some(vec![1, 2]));
        rejects_leaf("S5", pki, |b| b.issuer_unique_id = Some(vec![3]));
    }
}

#[test]
fn s6_subject_key_must_match_profile() {
    let win = Pki::get(Profile::Windows);
    let modern = Pki::get(Profile::Modern);
    let p256 = modern.keys[0].public_key_der().to_vec();
    let rsa = win.keys[0].public_key_der().to_vec();
    rejects_leaf("S6", win, |b| b.subject_public_key = p256);
    rejects_leaf("S6", modern, |b| b.subject_public_key = rsa);
}

#[test]
fn s7_names_at_most_255() {
    for pki in Pki::both() {
        ok(&pki.bad_leaf(|b| b.subject_name = "n".repeat(255)), pki);
        rejects_leaf("S7", pki, |b| b.subject_name = "n".repeat(256));
    }
}

#[test]
fn s8_alt_names_are_peer_names() {
    for pki in Pki::both() {
        let upper = format!("{}.x", pki.group.authority().to_uppercase());
        let v = other_names(oid::PEERNAME_OTHERNAME, &[&upper]);
        rejects_leaf("S8", pki, |b| {
            b.set_extension(raw_extension(oid::SUBJECT_ALT_NAME_LEGACY, false, v))
        });
        let long = format!("0.{}", "x".repeat(254));
        let v = other_names(oid::PEERNAME_OTHERNAME, &[&long]);
        rejects_leaf("S8", pki, |b| {
            b.set_extension(raw_extension(oid::SUBJECT_ALT_NAME_LEGACY, false, v))
        });
        rejects_leaf("S8", pki, |b| {
            b.remove_extension(oid::SUBJECT_ALT_NAME_LEGACY)
        });
    }
}

#[test]
fn s9_unknown_critical_extension_rejected() {
    for pki in Pki::both() {
        let unknown = vec![0x2a, 0x03, 0x04]; // 1.2.3.4
        let e = |critical| Extension {
            oid: unknown.clone(),
            critical,
            value: vec![5, 0],
        };
        ok(&pki.bad_leaf(|b| b.extensions.push(e(false))), pki);
        rejects_leaf("S9", pki, |b| b.extensions.push(e(true)));
    }
}

#[test]
fn s10_cert_type_extension_required() {
    for pki in Pki::both() {
        rejects_leaf("S10", pki, |b| b.remove_extension(oid::CERT_TYPE));
        rejects_leaf("S10", pki, |b| {
            b.set_extension(raw_extension(oid::CERT_TYPE, true, vec![4, 2, 1, 0]))
        });
    }
}

#[test]
fn s11_cert_version_extension_required() {
    for pki in Pki::both() {
        rejects_leaf("S11", pki, |b| b.remove_extension(oid::CERT_VERSION));
        rejects_leaf("S11", pki, |b| {
            b.set_extension(raw_extension(
                oid::CERT_VERSION,
                true,
                vec![4, 4, 1, 0, 1, 0],
            ))
        });
    }
}

#[test]
fn s12_group_peer_name_extension_required() {
    for pki in Pki::both() {
        rejects_leaf("S12", pki, |b| b.remove_extension(oid::GROUPING_PEERNAME));
        let g = pki.group.to_string();
        let two = other_names(oid::PEERNAME_OTHERNAME, &[&g, &g]);
        let bad =
            pki.bad_leaf(|b| b.set_extension(raw_extension(oid::GROUPING_PEERNAME, true, two)));
        rejects("S12", pki, &bad);
        let wrong_type = other_names(oid::CLASSIFIER_OTHERNAME, &[&g]);
        rejects_leaf("S12", pki, |b| {
            b.set_extension(raw_extension(oid::GROUPING_PEERNAME, true, wrong_type))
        });
    }
}

#[test]
fn s13_roles_required_and_defined() {
    for pki in Pki::both() {
        rejects_leaf("S13", pki, |b| b.remove_extension(oid::GROUPING_ROLES));
        // PNRP's misprinted roleInvitingMember value (§7 Q5) is not a defined role.
        let odd = Role::from_guid_str("dd15f41f-fc4e-4922-b035-4c06a754d01d").unwrap();
        rejects_leaf("S13", pki, |b| b.set_extension(Extension::roles(&[odd])));
        rejects_leaf("S13", pki, |b| b.set_extension(Extension::roles(&[])));
    }
}

#[test]
fn s14_classifier_list_required() {
    for pki in Pki::both() {
        rejects_leaf("S14", pki, |b| {
            b.remove_extension(oid::GROUPING_CLASSIFIERS)
        });
        let v = other_names(oid::PEERNAME_OTHERNAME, &["participant"]);
        let bad =
            pki.bad_leaf(|b| b.set_extension(raw_extension(oid::GROUPING_CLASSIFIERS, true, v)));
        rejects("S14", pki, &bad);
    }
}

/// GRC → Admin(parent_list) → leaf(role, list).
fn delegated(
    pki: &Pki,
    parent_list: &[&str],
    role: Role,
    list: &[&str],
) -> Vec<peernet_crypto::Certificate> {
    let grc = pki.grc();
    let admin = pki.sign_at(1, &pki.gmc_builder(1, &grc, &[Role::ADMIN], parent_list));
    let leaf = pki.sign_at(2, &pki.gmc_builder(2, &admin, &[role], list));
    vec![grc, admin, leaf]
}

#[test]
fn s15_empty_classifier_list_needs_empty_delegator_entry() {
    for pki in Pki::both() {
        ok(&delegated(pki, &["", "fish"], Role::ADMIN, &[]), pki);
        ok(&delegated(pki, &[], Role::MEMBER, &[]), pki);
        rejects(
            "S15",
            pki,
            &delegated(pki, &["fish", "cheese"], Role::ADMIN, &[]),
        );
        rejects(
            "S15",
            pki,
            &delegated(pki, &["", "fish"], Role::MEMBER, &[]),
        );
    }
}

#[test]
fn p3_san_of_parent_equals_ian_of_child() {
    for pki in Pki::both() {
        let other = pki.stranger.peer_name("x").unwrap();
        rejects_leaf("P3", pki, |b| {
            b.set_extension(Extension::issuer_alt_name(&other))
        });
        rejects_leaf("P3", pki, |b| {
            b.remove_extension(oid::ISSUER_ALT_NAME_LEGACY)
        });
    }
}

#[test]
fn p4_validity_at_now() {
    for pki in Pki::both() {
        let chain = pki.chain(3, Role::MEMBER);
        let early = ChainPolicy::new(pki.profile, t0() - Duration::from_secs(1));
        assert_rule(validate_chain(&chain, &early), "P4");
        // A short-lived leaf: valid inside its window, expired after it.
        let short = Validity::new(t0(), t0() + Duration::from_secs(3600));
        let bad = pki.bad_leaf(|b| b.validity = short);
        validate_chain(
            &bad,
            &ChainPolicy::new(pki.profile, t0() + Duration::from_secs(3600)),
        )
        .unwrap();
        assert!(matches!(
            validate_chain(&bad, &pki.policy()),
            Err(ChainError::Expired { index: 2 })
        ));
        // The 1000-year lifetime reaches far beyond 2049 (GeneralizedTime).
        let late = ChainPolicy::new(pki.profile, t0() + Duration::from_secs(900 * 366 * 86_400));
        validate_chain(&chain, &late).unwrap();
    }
}

#[test]
fn p5_classifier_syntax() {
    for pki in Pki::both() {
        let c149 = "c".repeat(149);
        ok(&delegated(pki, &[], Role::MEMBER, &[&c149]), pki);
        let c150 = "c".repeat(150);
        rejects("P5", pki, &delegated(pki, &[], Role::MEMBER, &[&c150]));
        rejects("P5", pki, &delegated(pki, &[], Role::MEMBER, &["a\0b"]));
        // More than 150 characters is outside the extension's own syntax (S14).
        let c151 = "c".repeat(151);
        rejects("S14", pki, &delegated(pki, &[], Role::MEMBER, &[&c151]));
    }
}

#[test]
fn p6_classifier_delegation_table() {
    // certificates.md §3.5 table.
    for pki in Pki::both() {
        for (list, role, classifiers) in [
            (&["", "fish"][..], Role::ADMIN, &["anything"][..]),
            (&["", "fish"][..], Role::MEMBER, &["", "fish"][..]),
            (
                &["fish", "cheese"][..],
                Role::ADMIN,
                &["fish", "fish food", "cheese", "cheese-like"][..],
            ),
            (
                &["fish", "cheese"][..],
                Role::INVITING_MEMBER,
                &["cheese"][..],
            ),
            (
                &["fish", "cheese"][..],
                Role::MEMBER,
                &["fish", "cheese"][..],
            ),
        ] {
            ok(&delegated(pki, list, role, classifiers), pki);
        }
        for (list, role, bad) in [
            (&["", "fish"][..], Role::MEMBER, "fish food"),
            (&["fish", "cheese"][..], Role::ADMIN, "ham"),
            (&["fish", "cheese"][..], Role::MEMBER, "fish food"),
            (&["fish", "cheese"][..], Role::MEMBER, "cheese-like"),
        ] {
            let r = validate_chain(&delegated(pki, list, role, &[bad]), &pki.policy());
            assert!(
                matches!(&r, Err(ChainError::ClassifierDelegation { classifier, .. }) if classifier == bad),
                "{r:?}"
            );
            assert_rule(r, "P6");
        }
    }
}

#[test]
fn p7_root_must_be_self_signed() {
    for pki in Pki::both() {
        let chain = stranger_signed_root(pki);
        rejects("P7", pki, &chain);
    }
}

#[test]
fn p8_root_must_be_grc() {
    for pki in Pki::both() {
        let mut b = pki.grc_params().builder(&pki.group_key);
        b.set_extension(Extension::cert_type(CertType::Membership));
        let root = b.sign(&pki.group_key).unwrap();
        rejects("P8", pki, &with_member_leaf(pki, root));
    }
}

#[test]
fn p9_group_authority_is_grc_key() {
    for pki in Pki::both() {
        let mut p = pki.grc_params();
        p.group_peer_name = pki.stranger.peer_name("testgroup").unwrap();
        let root = p.builder(&pki.group_key).sign(&pki.group_key).unwrap();
        rejects("P9", pki, std::slice::from_ref(&root));
        rejects("P9", pki, &with_member_leaf(pki, root));
    }
}

#[test]
fn p10_leaf_key_is_the_expected_key() {
    for pki in Pki::both() {
        let chain = pki.chain(3, Role::MEMBER);
        let right = pki.key(2).public_key_der();
        validate_chain(&chain, &pki.policy().leaf_public_key(right)).unwrap();
        let wrong = pki.stranger.public_key_der();
        assert_rule(
            validate_chain(&chain, &pki.policy().leaf_public_key(wrong)),
            "P10",
        );
    }
}

#[test]
fn p11_same_group_peer_name_everywhere() {
    for pki in Pki::both() {
        let other = pki.group.with_classifier("othergroup").unwrap();
        rejects_leaf("P11", pki, |b| {
            b.set_extension(Extension::group_peer_name(&other))
        });
    }
}

#[test]
fn p12_published_classifier_is_delegated() {
    for pki in Pki::both() {
        let member = pki.chain(3, Role::MEMBER);
        validate_chain(&member, &pki.policy().classifier("participant")).unwrap();
        assert_rule(
            validate_chain(&member, &pki.policy().classifier("other")),
            "P12",
        );
        let admin = pki.chain(3, Role::ADMIN);
        validate_chain(&admin, &pki.policy().classifier("other")).unwrap();
        assert_rule(
            validate_chain(&admin, &pki.policy().classifier("a\0")),
            "P12",
        );
    }
}

#[test]
fn g1_idc_self_signed() {
    for pki in Pki::both() {
        let p = pki.idc_params(1);
        let idc = p.issue(pki.key(1)).unwrap();
        validate_idc(&idc, pki.profile, now()).unwrap();
        let forged = p.builder(pki.key(1)).sign(&pki.stranger).unwrap();
        assert_rule(validate_idc(&forged, pki.profile, now()), "P7");
        let chain = stranger_signed_root(pki);
        assert!(matches!(
            validate_chain(&chain, &pki.policy()),
            Err(ChainError::NotSelfSigned { index: 0 })
        ));
    }
}

#[test]
fn g2_root_is_grc_and_verifies() {
    // Covered by the GRC type (P8) and root self-signature (P7) checks; here the positive side
    // and a GRC whose signature was tampered with.
    for pki in Pki::both() {
        let chain = pki.chain(2, Role::MEMBER);
        ok(&chain, pki);
        let mut der = chain[0].der().to_vec();
        let last = der.len() - 1;
        der[last] ^= 1;
        let tampered = peernet_crypto::Certificate::from_der(&der).unwrap();
        rejects("P7", pki, &[tampered, chain[1].clone()]);
    }
}

#[test]
fn g3_every_signature_verified() {
    for pki in Pki::both() {
        let mut chain = pki.chain(4, Role::MEMBER);
        // Sign the leaf with the grandparent's key: SAN/IAN still link.
        let b = pki.gmc_builder(3, &chain[2], &[Role::MEMBER], &["participant"]);
        chain[3] = b.sign(pki.key(1)).unwrap();
        assert!(matches!(
            validate_chain(&chain, &pki.policy()),
            Err(ChainError::Signature { index: 3 })
        ));
        // A middle certificate too.
        let mut chain = pki.chain(4, Role::MEMBER);
        let b = pki.gmc_builder(2, &chain[1], &[Role::ADMIN], &[]);
        chain[2] = b.sign(&pki.stranger).unwrap();
        rejects("G3", pki, &chain);
    }
}

#[test]
fn g4_expected_group() {
    for pki in Pki::both() {
        let chain = pki.chain(2, Role::MEMBER);
        validate_chain(&chain, &pki.policy().group(&pki.group)).unwrap();
        let other = pki.group.with_classifier("other").unwrap();
        assert_rule(validate_chain(&chain, &pki.policy().group(&other)), "G4");
    }
}

#[test]
fn g6_non_root_must_be_gmc() {
    for pki in Pki::both() {
        rejects_leaf("G6", pki, |b| {
            b.set_extension(Extension::cert_type(CertType::Identity))
        });
        rejects_leaf("G6", pki, |b| {
            b.set_extension(Extension::cert_type(CertType::Root))
        });
    }
}

fn roles_chain(pki: &Pki, parent: &[Role], child: &[Role]) -> Vec<peernet_crypto::Certificate> {
    let grc = pki.grc();
    let a = pki.sign_at(1, &pki.gmc_builder(1, &grc, parent, &[]));
    let b = pki.sign_at(2, &pki.gmc_builder(2, &a, child, &[]));
    vec![grc, a, b]
}

#[test]
fn g8_role_issuance_matrix() {
    for pki in Pki::both() {
        ok(
            &roles_chain(
                pki,
                &[Role::INVITING_MEMBER],
                &[Role::MEMBER, Role::INVITING_MEMBER],
            ),
            pki,
        );
        ok(
            &roles_chain(pki, &[Role::MEMBER, Role::ADMIN], &[Role::ADMIN]),
            pki,
        );
        rejects(
            "G8",
            pki,
            &roles_chain(pki, &[Role::MEMBER], &[Role::MEMBER]),
        );
        rejects(
            "G8",
            pki,
            &roles_chain(pki, &[Role::INVITING_MEMBER], &[Role::ADMIN]),
        );
    }
}

#[test]
fn g9_grc_issues_any_role() {
    for pki in Pki::both() {
        for role in [Role::ADMIN, Role::INVITING_MEMBER, Role::MEMBER] {
            ok(&pki.chain(2, role), pki);
        }
        let grc = pki.grc();
        let all = pki.sign_at(
            1,
            &pki.gmc_builder(
                1,
                &grc,
                &[Role::ADMIN, Role::INVITING_MEMBER, Role::MEMBER],
                &[],
            ),
        );
        ok(&[grc, all], pki);
    }
}

#[test]
fn g10_extended_key_usage() {
    for pki in Pki::both() {
        let server_only = tlv(0x30, &tlv(0x06, oid::KP_SERVER_AUTH));
        let e = raw_extension(oid::EXT_KEY_USAGE, false, server_only);
        rejects_leaf("G10", pki, |b| b.set_extension(e.clone()));
        // GMCs may omit the EKU (Figure 2 lists none); IDCs must carry it.
        ok(
            &pki.bad_leaf(|b| b.remove_extension(oid::EXT_KEY_USAGE)),
            pki,
        );
        idc_rejects("G10", pki, |b| {
            b.remove_extension(oid::EXT_KEY_USAGE);
        });
    }
}

#[test]
fn g11_flags_are_zero() {
    for pki in Pki::both() {
        rejects_leaf("G11", pki, |b| {
            b.set_extension(Extension::grouping_flags(1))
        });
        ok(
            &pki.bad_leaf(|b| b.remove_extension(oid::GROUPING_FLAGS)),
            pki,
        );
        idc_rejects("G11", pki, |b| {
            b.set_extension(Extension::identity_flags(4));
        });
    }
}

#[test]
fn g12_cert_type_values() {
    for pki in Pki::both() {
        let odd = raw_extension(oid::CERT_TYPE, true, vec![4, 4, 7, 0, 0, 0]);
        rejects_leaf("G12", pki, |b| b.set_extension(odd));
        idc_rejects("G12", pki, |b| {
            b.set_extension(Extension::cert_type(CertType::Membership));
        });
        assert_eq!(pki.grc().cert_type(), Some(CertType::Root));
        assert_eq!(
            pki.idc_params(1).issue(pki.key(1)).unwrap().cert_type(),
            Some(CertType::Identity)
        );
    }
}

#[test]
fn idc_rules() {
    for pki in Pki::both() {
        let p = pki.idc_params(2);
        let idc = p.issue(pki.key(2)).unwrap();
        validate_idc(&idc, pki.profile, now()).unwrap();
        // The version extension is optional on IDCs (§7 Q8) but must be right when present.
        let mut b = p.builder(pki.key(2));
        b.remove_extension(oid::CERT_VERSION);
        validate_idc(&b.sign(pki.key(2)).unwrap(), pki.profile, now()).unwrap();
        // Subject peer name not derived from the key.
        let mut b = p.builder(pki.key(2));
        b.set_extension(Extension::subject_alt_name(&pki.member_name(1)));
        assert_rule(
            validate_idc(&b.sign(pki.key(2)).unwrap(), pki.profile, now()),
            "P9",
        );
        assert_rule(
            validate_idc(&idc, pki.profile, t0() - Duration::from_secs(5)),
            "P4",
        );
    }
}
