//! Issuance checks I1–I8 (PPSEC 3.1.4.5, 3.3.5.2.5), one positive and one negative each.

use std::time::Duration;

use crate::cert_support::{Pki, assert_rule, now, t0};
use peernet_crypto::cert::{GmcParams, Validity};
use peernet_crypto::chain::{
    IssuanceContext, check_issuance, check_password_issuer, check_password_role,
    password_join_params, validate_chain,
};
use peernet_crypto::{ChainError, Profile, Role};

fn ctx(pki: &Pki) -> IssuanceContext<'_> {
    IssuanceContext {
        profile: pki.profile,
        group: &pki.group,
        cached_public_key: None,
    }
}

fn params(pki: &Pki, i: usize, role: Role) -> GmcParams {
    pki.gmc_params(i, &[role], &[])
}

#[test]
fn i1_group_identity_and_friendly_name() {
    for pki in Pki::both() {
        let chain = pki.chain(2, Role::ADMIN);
        check_issuance(&chain, &params(pki, 2, Role::MEMBER), &ctx(pki)).unwrap();
        let other = pki.group.with_classifier("other").unwrap();
        let c = IssuanceContext {
            group: &other,
            ..ctx(pki)
        };
        assert_rule(
            check_issuance(&chain, &params(pki, 2, Role::MEMBER), &c),
            "I1",
        );
        let mut p = params(pki, 2, Role::MEMBER);
        p.subject_public_key.clear();
        assert_rule(check_issuance(&chain, &p, &ctx(pki)), "I1");
        let mut p = params(pki, 2, Role::MEMBER);
        p.subject_friendly_name = "f".repeat(255);
        check_issuance(&chain, &p, &ctx(pki)).unwrap();
        p.subject_friendly_name = "f".repeat(256);
        assert_rule(check_issuance(&chain, &p, &ctx(pki)), "I1");
    }
}

#[test]
fn i2_subject_key_profile_and_cache() {
    let win = Pki::get(Profile::Windows);
    let modern = Pki::get(Profile::Modern);
    let wchain = win.chain(2, Role::ADMIN);
    let mut p = params(win, 2, Role::MEMBER);
    p.subject_public_key = modern.keys[0].public_key_der().to_vec();
    assert_rule(check_issuance(&wchain, &p, &ctx(win)), "I2");
    let mchain = modern.chain(2, Role::ADMIN);
    let mut p = params(modern, 2, Role::MEMBER);
    p.subject_public_key = win.keys[0].public_key_der().to_vec();
    assert_rule(check_issuance(&mchain, &p, &ctx(modern)), "I2");
    for pki in [win, modern] {
        let chain = pki.chain(2, Role::ADMIN);
        let p = params(pki, 2, Role::MEMBER);
        let same = IssuanceContext {
            cached_public_key: Some(pki.key(2).public_key_der()),
            ..ctx(pki)
        };
        check_issuance(&chain, &p, &same).unwrap();
        let other = IssuanceContext {
            cached_public_key: Some(pki.stranger.public_key_der()),
            ..ctx(pki)
        };
        assert_rule(check_issuance(&chain, &p, &other), "I2");
    }
}

#[test]
fn i3_roles_issuable_by_issuer() {
    for pki in Pki::both() {
        let member = pki.chain(2, Role::MEMBER);
        assert_rule(
            check_issuance(&member, &params(pki, 2, Role::MEMBER), &ctx(pki)),
            "I3",
        );
        let inviting = pki.chain(2, Role::INVITING_MEMBER);
        check_issuance(&inviting, &params(pki, 2, Role::MEMBER), &ctx(pki)).unwrap();
        assert_rule(
            check_issuance(&inviting, &params(pki, 2, Role::ADMIN), &ctx(pki)),
            "I3",
        );
        let grc_only = pki.chain(1, Role::ADMIN);
        check_issuance(&grc_only, &params(pki, 1, Role::ADMIN), &ctx(pki)).unwrap();
        let odd = Role::from_guid_str("dd15f41f-fc4e-4922-b035-4c06a754d01d").unwrap();
        assert_rule(
            check_issuance(&grc_only, &params(pki, 1, odd), &ctx(pki)),
            "I3",
        );
        let mut none = params(pki, 1, Role::ADMIN);
        none.roles.clear();
        assert_rule(check_issuance(&grc_only, &none, &ctx(pki)), "I3");
    }
}

#[test]
fn i4_validity_within_issuer() {
    for pki in Pki::both() {
        let chain = pki.chain(2, Role::ADMIN);
        let issuer = chain[1].validity();
        let mut p = params(pki, 2, Role::MEMBER);
        p.validity = Validity::new(now(), now() + Duration::from_secs(3600));
        check_issuance(&chain, &p, &ctx(pki)).unwrap();
        p.validity = Validity::new(now(), issuer.not_after + Duration::from_secs(1));
        assert_rule(check_issuance(&chain, &p, &ctx(pki)), "I4");
        p.validity = Validity::new(t0() - Duration::from_secs(1), now());
        assert_rule(check_issuance(&chain, &p, &ctx(pki)), "I4");
    }
}

#[test]
fn i5_resulting_chain_at_most_25() {
    let pki = Pki::get(Profile::Modern);
    let c24 = pki.chain(24, Role::ADMIN);
    check_issuance(&c24, &params(pki, 24, Role::MEMBER), &ctx(pki)).unwrap();
    let c25 = pki.chain(25, Role::ADMIN);
    let r = check_issuance(&c25, &params(pki, 25, Role::MEMBER), &ctx(pki));
    assert!(
        matches!(r, Err(ChainError::ChainTooLong { len: 26 })),
        "{r:?}"
    );
}

#[test]
fn i6_password_issuer_role_and_flag() {
    for pki in Pki::both() {
        check_password_issuer(&pki.chain(2, Role::ADMIN)[1], true).unwrap();
        check_password_issuer(&pki.chain(2, Role::INVITING_MEMBER)[1], true).unwrap();
        assert_rule(
            check_password_issuer(&pki.chain(2, Role::MEMBER)[1], true),
            "I6",
        );
        assert_rule(
            check_password_issuer(&pki.chain(2, Role::ADMIN)[1], false),
            "I6",
        );
    }
}

#[test]
fn i7_password_join_gmc() {
    for pki in Pki::both() {
        let chain = pki.chain(2, Role::ADMIN);
        let idc = pki.idc_params(2).issue(pki.key(2)).unwrap();
        let p = password_join_params(&idc, &chain[1], Role::MEMBER, pki.profile, now()).unwrap();
        assert_eq!(p.roles, vec![Role::MEMBER]);
        assert_eq!(p.classifiers, vec!["participant".to_string()]);
        assert_eq!(p.validity.not_before, now());
        assert_eq!(p.validity.not_after, chain[1].validity().not_after);
        assert_eq!(p.subject_public_key, idc.public_key_der());
        assert_eq!(p.subject_friendly_name, idc.subject_friendly_name());
        check_issuance(&chain, &p, &ctx(pki)).unwrap();
        let gmc = p.issue(&chain[1], pki.key(1)).unwrap();
        let full = [chain[0].clone(), chain[1].clone(), gmc];
        validate_chain(
            &full,
            &pki.policy()
                .classifier("participant")
                .leaf_public_key(idc.public_key_der()),
        )
        .unwrap();
        // The joiner's IDC must itself be valid.
        let forged = pki
            .idc_params(2)
            .builder(pki.key(2))
            .sign(&pki.stranger)
            .unwrap();
        assert_rule(
            password_join_params(&forged, &chain[1], Role::MEMBER, pki.profile, now()),
            "P7",
        );
    }
}

#[test]
fn i8_password_role() {
    check_password_role(Role::ADMIN).unwrap();
    check_password_role(Role::MEMBER).unwrap();
    assert_rule(check_password_role(Role::INVITING_MEMBER), "I8");
    assert_rule(check_password_role(Role::from_bytes([0; 16])), "I8");
}

#[test]
fn issue_rejects_wrong_signing_key() {
    for pki in Pki::both() {
        let chain = pki.chain(2, Role::ADMIN);
        let r = params(pki, 2, Role::MEMBER).issue(&chain[1], &pki.stranger);
        assert!(matches!(
            r,
            Err(peernet_crypto::Error::InvalidParameters { .. })
        ));
    }
}
