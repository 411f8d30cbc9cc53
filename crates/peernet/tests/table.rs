//! Each function × each HRESULT that can arise locally (the p2p.h pages of the Identity Manager
//! and Grouping functions): at least one
//! case per pair, each checking the exact code and that both stores are unchanged.

mod common;

use std::time::Duration;

use common::{Machine, code, flip_base64};
use peernet::hresult::{self as hr, HResult};
use peernet::lower::{crypto, protocol};
use peernet::{CredentialInfo, GroupProperties, IssueFlags, Profile, Role};

fn long(n: usize) -> String {
    "x".repeat(n)
}

#[test]
fn function_by_hresult_table() {
    let a = Machine::new();
    let b = Machine::new();
    let alice = a.identity("alice");
    let modern =
        a.pn.identity_create(Some("modern"), None, Some(Profile::Modern))
            .unwrap();
    let g =
        a.pn.group_create(
            &GroupProperties::new("g", "G")
                .with_creator(&alice)
                .with_password("secret", Role::MEMBER),
        )
        .unwrap();
    let g2 = a.group(&alice, "g2", "G2");
    let bob = b.identity("bob");
    let carol = b.identity("carol");
    let eve = b.identity("eve");
    let pat = b.identity("pat");
    b.add_private_link_locals(&["LinkLocal_{1}", "LinkLocal_{2}"]);
    let info = |m: &Machine, id: &str| m.pn.identity_get_xml(Some(id)).unwrap();
    let bob_inv = g.create_invitation(&info(&b, &bob), None, &[]).unwrap();
    let bg = b.pn.group_join(Some(&bob), &bob_inv, None).unwrap();
    let carol_inv = g.create_invitation(&info(&b, &carol), None, &[]).unwrap();
    let carol_inv_g2 = g2.create_invitation(&info(&b, &carol), None, &[]).unwrap();
    let exp = a.clock.now() + Duration::from_secs(60);
    let carol_inv_exp = g
        .create_invitation(&info(&b, &carol), Some(exp), &[])
        .unwrap();
    let pw_inv = g.create_password_invitation().unwrap();
    let (pending, _) =
        b.pn.group_password_join(Some(&pat), &pw_inv, &"secret".into(), None)
            .unwrap();
    // eve's membership of g2, recorded with a private cloud name from "another machine".
    let eve_inv = g2.create_invitation(&info(&b, &eve), None, &[]).unwrap();
    let eg = b.pn.group_join(Some(&eve), &eve_inv, None).unwrap();
    let eve_cfg = eg
        .export_config(&"".into())
        .unwrap()
        .replace(
            "<CLOUDNAME>Global_</CLOUDNAME>",
            "<CLOUDNAME>LinkLocal_{remote}</CLOUDNAME>",
        )
        .replace("<SCOPE>GLOBAL</SCOPE>", "<SCOPE>LINKLOCAL</SCOPE>")
        .replace("<CLOUDFLAGS>0</CLOUDFLAGS>", "<CLOUDFLAGS>1</CLOUDFLAGS>");
    b.pn.group_import_config(&eve_cfg, &"".into(), true)
        .unwrap();
    let private_cloud_inv = carol_inv
        .replace(
            "<CLOUDNAME>Global_</CLOUDNAME>",
            "<CLOUDNAME>LinkLocal_{remote}</CLOUDNAME>",
        )
        .replace("<SCOPE>GLOBAL</SCOPE>", "<SCOPE>LINKLOCAL</SCOPE>")
        .replace("<CLOUDFLAGS>0</CLOUDFLAGS>", "<CLOUDFLAGS>1</CLOUDFLAGS>");
    assert_ne!(private_cloud_inv, carol_inv);
    let unknown_cloud_inv = carol_inv.replace(
        "<CLOUDNAME>Global_</CLOUDNAME>",
        "<CLOUDNAME>Nowhere_</CLOUDNAME>",
    );
    // A chain mixing two groups' certificates.
    let gmc_of = |inv: &str| match protocol::Invitation::parse_str(inv).unwrap() {
        protocol::Invitation::Gmc(g) => g,
        _ => unreachable!(),
    };
    let mut mixed = gmc_of(&carol_inv);
    let ders_g = crypto::pkcs7::decode(&mixed.gmc).unwrap();
    let ders_g2 = crypto::pkcs7::decode(&gmc_of(&carol_inv_g2).gmc).unwrap();
    let ordered_g = crypto::chain::order_chain(&ders_g).unwrap();
    let ordered_g2 = crypto::chain::order_chain(&ders_g2).unwrap();
    mixed.gmc = crypto::pkcs7::encode(&[
        ordered_g2[0].der().to_vec(),
        ordered_g.last().unwrap().der().to_vec(),
    ])
    .unwrap();
    let foreign_inv = protocol::Invitation::Gmc(mixed).to_xml_string().unwrap();
    let alice_export = a.pn.identity_export(&alice, &"pw".into()).unwrap();
    let owner_cfg = g.export_config(&"cfgpw".into()).unwrap();
    let bob_cfg = bg.export_config(&"".into()).unwrap();
    // bob's chain under carol's name: a chain ending in another key.
    let other_key_cfg = bob_cfg.replace(
        &format!("<IDENTITYPEERNAME>{bob}</IDENTITYPEERNAME>"),
        &format!("<IDENTITYPEERNAME>{carol}</IDENTITYPEERNAME>"),
    );
    assert_ne!(other_key_cfg, bob_cfg);
    // bob's g-chain labelled as g2: a chain of another group.
    let other_group_cfg = bob_cfg.replace(
        &format!("<GROUPPEERNAME>{}</GROUPPEERNAME>", g.peer_name()),
        &format!("<GROUPPEERNAME>{}</GROUPPEERNAME>", g2.peer_name()),
    );
    let b_later = peernet::Peernet::open_with(
        b.dir.path(),
        peernet::Options::default()
            .with_clock(|| std::time::SystemTime::now() + Duration::from_secs(120)),
    )
    .unwrap();
    let unknown = "0123456789abcdef0123456789abcdef01234567.nobody";

    type Case<'a> = (&'static str, HResult, Box<dyn Fn() -> HResult + 'a>);
    let cases: Vec<Case<'_>> = vec![
        // ---- Identity Manager (§1) ----
        (
            "PeerIdentityCreate",
            hr::E_INVALIDARG,
            Box::new(|| code(a.pn.identity_create(Some("c"), Some(&long(256)), None))),
        ),
        (
            "PeerIdentityCreate",
            hr::PEER_E_CLASSIFIER_TOO_LONG,
            Box::new(|| code(a.pn.identity_create(Some(&long(150)), None, None))),
        ),
        (
            "PeerIdentityCreate",
            hr::PEER_E_INVALID_CLASSIFIER,
            Box::new(|| code(a.pn.identity_create(Some("a\0b"), None, None))),
        ),
        (
            "PeerIdentityDelete",
            hr::PEER_E_GROUPS_EXIST,
            Box::new(|| code(a.pn.identity_delete(&alice))),
        ),
        (
            "PeerIdentityDelete",
            hr::PEER_E_NOT_FOUND,
            Box::new(|| code(a.pn.identity_delete(unknown))),
        ),
        (
            "PeerIdentityExport",
            hr::E_INVALIDARG,
            Box::new(|| code(a.pn.identity_export(&alice, &"".into()))),
        ),
        (
            "PeerIdentityExport",
            hr::PEER_E_NOT_FOUND,
            Box::new(|| code(a.pn.identity_export(unknown, &"pw".into()))),
        ),
        (
            "PeerIdentityImport",
            hr::ERROR_INVALID_PASSWORD,
            Box::new(|| code(b.pn.identity_import(&alice_export, &"wrong".into()))),
        ),
        (
            "PeerIdentityImport",
            hr::E_INVALIDARG,
            Box::new(|| {
                code(b.pn.identity_import(
                    &flip_base64(&alice_export, "DATA", alice_export.len() / 3),
                    &"pw".into(),
                ))
            }),
        ),
        (
            "PeerIdentityImport",
            hr::E_INVALIDARG,
            Box::new(|| {
                code(
                    b.pn.identity_import(&alice_export.replace(".alice<", ".alicf<"), &"pw".into()),
                )
            }),
        ),
        (
            "PeerIdentityImport",
            hr::E_INVALIDARG,
            Box::new(|| code(b.pn.identity_import("<PEERIDENTITYEXPORT", &"pw".into()))),
        ),
        (
            "PeerIdentityImport",
            hr::PEER_E_ALREADY_EXISTS,
            Box::new(|| code(a.pn.identity_import(&alice_export, &"pw".into()))),
        ),
        (
            "PeerIdentityGetXML",
            hr::PEER_E_NOT_FOUND,
            Box::new(|| code(a.pn.identity_get_xml(Some(unknown)))),
        ),
        (
            "PeerIdentityGetFriendlyName",
            hr::PEER_E_NOT_FOUND,
            Box::new(|| code(a.pn.identity_get_friendly_name(unknown))),
        ),
        (
            "PeerIdentitySetFriendlyName",
            hr::PEER_E_NOT_FOUND,
            Box::new(|| code(a.pn.identity_set_friendly_name(unknown, Some("x")))),
        ),
        (
            "PeerIdentitySetFriendlyName",
            hr::E_INVALIDARG,
            Box::new(|| code(a.pn.identity_set_friendly_name(&alice, Some(&long(256))))),
        ),
        (
            "PeerIdentityGetCryptKey",
            hr::PEER_E_NOT_FOUND,
            Box::new(|| code(a.pn.identity_get_crypt_key(unknown))),
        ),
        (
            "PeerEnumGroups",
            hr::PEER_E_NOT_FOUND,
            Box::new(|| code(a.pn.enum_groups(unknown))),
        ),
        (
            "PeerCreatePeerName",
            hr::E_INVALIDARG,
            Box::new(|| code(a.pn.create_peer_name(None, None))),
        ),
        (
            "PeerCreatePeerName",
            hr::E_INVALIDARG,
            Box::new(|| code(a.pn.create_peer_name(Some("0.x"), Some("y")))),
        ),
        (
            "PeerCreatePeerName",
            hr::E_INVALIDARG,
            Box::new(|| code(a.pn.create_peer_name(Some("junk"), Some("y")))),
        ),
        (
            "PeerCreatePeerName",
            hr::E_INVALIDARG,
            Box::new(|| code(a.pn.create_peer_name(None, Some(&long(150))))),
        ),
        // ---- Grouping (§3) ----
        (
            "PeerGroupStartup",
            hr::PEER_E_UNSUPPORTED_VERSION,
            Box::new(|| code(peernet::startup(0x0100))),
        ),
        (
            "PeerGroupCreate",
            hr::PEER_E_INVALID_GROUP_PROPERTIES,
            Box::new(|| {
                let mut p = GroupProperties::new("x", "X").with_creator(&alice);
                p.group_peer_name = Some("0.x".into());
                code(a.pn.group_create(&p))
            }),
        ),
        (
            "PeerGroupCreate",
            hr::PEER_E_INVALID_GROUP_PROPERTIES,
            Box::new(|| {
                let mut p = GroupProperties::new("x", "X").with_creator(&alice);
                p.presence_lifetime = 100;
                code(a.pn.group_create(&p))
            }),
        ),
        (
            "PeerGroupCreate",
            hr::PEER_E_INVALID_GROUP_PROPERTIES,
            Box::new(|| {
                code(
                    a.pn.group_create(
                        &GroupProperties::new("x", "X")
                            .with_creator(&alice)
                            .with_profile(Profile::Modern),
                    ),
                )
            }),
        ),
        (
            "PeerGroupCreate",
            hr::PEER_E_INVALID_CLASSIFIER,
            Box::new(|| {
                code(a.pn.group_create(&GroupProperties::new("a\0", "X").with_creator(&alice)))
            }),
        ),
        (
            "PeerGroupCreate",
            hr::PEER_E_CLASSIFIER_TOO_LONG,
            Box::new(|| {
                code(a.pn.group_create(&GroupProperties::new(long(150), "X").with_creator(&alice)))
            }),
        ),
        (
            "PeerGroupCreate",
            hr::PEER_E_INVALID_FRIENDLY_NAME,
            Box::new(|| {
                code(a.pn.group_create(&GroupProperties::new("x", long(256)).with_creator(&alice)))
            }),
        ),
        (
            "PeerGroupCreate",
            hr::PEER_E_PASSWORD_DOES_NOT_MEET_POLICY,
            Box::new(|| {
                code(
                    a.pn.group_create(
                        &GroupProperties::new("x", "X")
                            .with_creator(&alice)
                            .with_password("", Role::MEMBER),
                    ),
                )
            }),
        ),
        (
            "PeerGroupCreate",
            hr::PEER_E_INVALID_ROLE_PROPERTY,
            Box::new(|| {
                code(
                    a.pn.group_create(
                        &GroupProperties::new("x", "X")
                            .with_creator(&alice)
                            .with_password("p", Role::INVITING_MEMBER),
                    ),
                )
            }),
        ),
        (
            "PeerGroupCreate",
            hr::PEER_E_NOT_FOUND,
            Box::new(|| {
                code(a.pn.group_create(&GroupProperties::new("x", "X").with_creator(unknown)))
            }),
        ),
        (
            "PeerGroupCreate",
            hr::PEER_E_NO_CLOUD,
            Box::new(|| {
                code(
                    a.pn.group_create(
                        &GroupProperties::new("x", "X")
                            .with_creator(&alice)
                            .with_cloud("Nowhere_"),
                    ),
                )
            }),
        ),
        (
            "PeerGroupOpen",
            hr::PEER_E_NOT_FOUND,
            Box::new(|| code(a.pn.group_open(unknown, g.peer_name(), None))),
        ),
        (
            "PeerGroupOpen",
            hr::PEER_E_NOT_FOUND,
            Box::new(|| code(a.pn.group_open(&modern, g.peer_name(), None))),
        ),
        (
            "PeerGroupOpen",
            hr::PEER_E_NO_CLOUD,
            Box::new(|| code(a.pn.group_open(&alice, g.peer_name(), Some("Nowhere_")))),
        ),
        (
            "PeerGroupOpen",
            hr::PEER_E_CLOUD_NAME_AMBIGUOUS,
            Box::new(|| code(b.pn.group_open(&eve, g2.peer_name(), None))),
        ),
        (
            "PeerGroupJoin",
            hr::PEER_E_INVITATION_NOT_TRUSTED,
            Box::new(|| {
                code(b.pn.group_join(Some(&carol), &flip_base64(&carol_inv, "GMC", 400), None))
            }),
        ),
        (
            "PeerGroupJoin",
            hr::PEER_E_INVITATION_NOT_TRUSTED,
            Box::new(|| code(b.pn.group_join(Some(&carol), &foreign_inv, None))),
        ),
        (
            "PeerGroupJoin",
            hr::PEER_E_INVITATION_NOT_TRUSTED,
            Box::new(|| code(b.pn.group_join(Some(&carol), "<PEERINVITATION/>", None))),
        ),
        (
            "PeerGroupJoin",
            hr::PEER_E_UNSUPPORTED_VERSION,
            Box::new(|| {
                code(b.pn.group_join(
                    Some(&carol),
                    &carol_inv.replace("VERSION=\"1.1\"", "VERSION=\"2.0\""),
                    None,
                ))
            }),
        ),
        (
            "PeerGroupJoin",
            hr::PEER_E_INVALID_TIME_PERIOD,
            Box::new(|| code(b_later.group_join(Some(&carol), &carol_inv_exp, None))),
        ),
        (
            "PeerGroupJoin",
            hr::PEER_E_INVALID_CREDENTIAL,
            Box::new(|| code(b.pn.group_join(Some(&carol), &bob_inv, None))),
        ),
        (
            "PeerGroupJoin",
            hr::PEER_E_ALREADY_EXISTS,
            Box::new(|| code(b.pn.group_join(Some(&bob), &bob_inv, None))),
        ),
        (
            "PeerGroupJoin",
            hr::PEER_E_NO_CLOUD,
            Box::new(|| code(b.pn.group_join(Some(&carol), &unknown_cloud_inv, None))),
        ),
        (
            "PeerGroupJoin",
            hr::PEER_E_NO_CLOUD,
            Box::new(|| code(b.pn.group_join(Some(&carol), &carol_inv, Some("Nowhere_")))),
        ),
        (
            "PeerGroupJoin",
            hr::PEER_E_CLOUD_NAME_AMBIGUOUS,
            Box::new(|| code(b.pn.group_join(Some(&carol), &private_cloud_inv, None))),
        ),
        (
            "PeerGroupJoin",
            hr::E_INVALIDARG,
            Box::new(|| code(b.pn.group_join(Some(&carol), &pw_inv, None))),
        ),
        (
            "PeerGroupJoin",
            hr::PEER_E_NOT_FOUND,
            Box::new(|| code(b.pn.group_join(Some(unknown), &carol_inv, None))),
        ),
        (
            "PeerGroupJoin",
            hr::PEER_E_INVALID_PEER_NAME,
            Box::new(|| code(b.pn.group_join(Some("junk"), &carol_inv, None))),
        ),
        (
            "PeerGroupPasswordJoin",
            hr::E_INVALIDARG,
            Box::new(|| {
                code(b.pn.group_password_join(Some(&carol), &carol_inv, &"secret".into(), None))
            }),
        ),
        (
            "PeerGroupPasswordJoin",
            hr::E_INVALIDARG,
            Box::new(|| code(b.pn.group_password_join(Some(&carol), &pw_inv, &"".into(), None))),
        ),
        (
            "PeerGroupPasswordJoin",
            hr::ERROR_INVALID_PASSWORD,
            Box::new(|| {
                code(a.pn.group_password_join(Some(&modern), &pw_inv, &"wrong".into(), None))
            }),
        ),
        (
            "PeerGroupPasswordJoin",
            hr::PEER_E_INVITATION_NOT_TRUSTED,
            Box::new(|| {
                code(b.pn.group_password_join(
                    Some(&carol),
                    &pw_inv.replace(g.peer_name(), "0.g"),
                    &"secret".into(),
                    None,
                ))
            }),
        ),
        (
            "PeerGroupPasswordJoin",
            hr::PEER_E_UNSUPPORTED_VERSION,
            Box::new(|| {
                code(b.pn.group_password_join(
                    Some(&carol),
                    &pw_inv.replace("VERSION=\"1.1\"", "VERSION=\"3.0\""),
                    &"secret".into(),
                    None,
                ))
            }),
        ),
        (
            "PeerGroupPasswordJoin",
            hr::PEER_E_NOT_FOUND,
            Box::new(|| {
                code(b.pn.group_password_join(Some(unknown), &pw_inv, &"secret".into(), None))
            }),
        ),
        (
            "PeerGroupPasswordJoin",
            hr::PEER_E_NO_CLOUD,
            Box::new(|| {
                code(b.pn.group_password_join(
                    Some(&carol),
                    &pw_inv,
                    &"secret".into(),
                    Some("Nowhere_"),
                ))
            }),
        ),
        (
            "PeerGroupParseInvitation",
            hr::PEER_E_INVITATION_NOT_TRUSTED,
            Box::new(|| code(b.pn.group_parse_invitation(&flip_base64(&carol_inv, "GMC", 400)))),
        ),
        (
            "PeerGroupParseInvitation",
            hr::PEER_E_INVITATION_NOT_TRUSTED,
            Box::new(|| code(b.pn.group_parse_invitation(&foreign_inv))),
        ),
        (
            "PeerGroupParseInvitation",
            hr::PEER_E_UNSUPPORTED_VERSION,
            Box::new(|| {
                code(b.pn.group_parse_invitation(
                    &carol_inv.replace("VERSION=\"1.1\"", "VERSION=\"9.9\""),
                ))
            }),
        ),
        (
            "PeerGroupCreateInvitation",
            hr::PEER_E_NOT_AUTHORIZED,
            Box::new(|| code(bg.create_invitation(&info(&b, &carol), None, &[Role::MEMBER]))),
        ),
        (
            "PeerGroupCreateInvitation",
            hr::E_INVALIDARG,
            Box::new(|| code(g.create_invitation("<PEERIDENTITYINFO/>", None, &[]))),
        ),
        (
            "PeerGroupCreateInvitation",
            hr::E_INVALIDARG,
            Box::new(|| {
                code(g.create_invitation(
                    &info(&b, &carol),
                    Some(std::time::SystemTime::now() - Duration::from_secs(10)),
                    &[],
                ))
            }),
        ),
        (
            "PeerGroupCreateInvitation",
            hr::PEER_E_INVALID_ROLE_PROPERTY,
            Box::new(|| {
                code(g.create_invitation(&info(&b, &carol), None, &[Role::from_bytes([7; 16])]))
            }),
        ),
        (
            "PeerGroupCreateInvitation",
            hr::PEER_E_INVALID_CREDENTIAL_INFO,
            Box::new(|| code(g.create_invitation(&info(&a, &modern), None, &[]))),
        ),
        (
            "PeerGroupCreateInvitation",
            hr::PEER_E_GROUP_NOT_READY,
            Box::new(|| code(pending.create_invitation(&info(&b, &carol), None, &[]))),
        ),
        (
            "PeerGroupCreatePasswordInvitation",
            hr::PEER_E_NOT_AUTHORIZED,
            Box::new(|| code(bg.create_password_invitation())),
        ),
        (
            "PeerGroupCreatePasswordInvitation",
            hr::PEER_E_NOT_AUTHORIZED,
            Box::new(|| code(g2.create_password_invitation())),
        ),
        (
            "PeerGroupCreatePasswordInvitation",
            hr::PEER_E_GROUP_NOT_READY,
            Box::new(|| code(pending.create_password_invitation())),
        ),
        (
            "PeerGroupIssueCredentials",
            hr::PEER_E_IDENTITY_NOT_FOUND,
            Box::new(|| code(g.issue_credentials(&carol, None, IssueFlags::default()))),
        ),
        (
            "PeerGroupIssueCredentials",
            hr::PEER_E_INVALID_CREDENTIAL_INFO,
            Box::new(|| {
                let (_, ci) =
                    CredentialInfo::from_identity_info(&info(&b, &carol), &[Role::MEMBER]).unwrap();
                code(g.issue_credentials(&bob, Some(&ci), IssueFlags::default()))
            }),
        ),
        (
            "PeerGroupIssueCredentials",
            hr::PEER_E_NOT_AUTHORIZED,
            Box::new(|| {
                let (who, ci) =
                    CredentialInfo::from_identity_info(&info(&b, &carol), &[Role::ADMIN]).unwrap();
                code(bg.issue_credentials(
                    &who,
                    Some(&ci),
                    IssueFlags {
                        store_credentials: true,
                    },
                ))
            }),
        ),
        (
            "PeerGroupIssueCredentials",
            hr::E_INVALIDARG,
            Box::new(|| code(g.issue_credentials("junk", None, IssueFlags::default()))),
        ),
        (
            "PeerGroupExportConfig",
            hr::PEER_E_GROUP_NOT_READY,
            Box::new(|| code(pending.export_config(&"x".into()))),
        ),
        (
            "PeerGroupExportConfig",
            hr::E_INVALIDARG,
            Box::new(|| code(g.export_config(&"".into()))),
        ),
        (
            "PeerGroupImportConfig",
            hr::PEER_E_NOT_FOUND,
            Box::new(|| code(b.pn.group_import_config(&owner_cfg, &"cfgpw".into(), false))),
        ),
        (
            "PeerGroupImportConfig",
            hr::ERROR_INVALID_PASSWORD,
            Box::new(|| code(a.pn.group_import_config(&owner_cfg, &"wrong".into(), true))),
        ),
        (
            "PeerGroupImportConfig",
            hr::PEER_E_ALREADY_EXISTS,
            Box::new(|| code(a.pn.group_import_config(&owner_cfg, &"cfgpw".into(), false))),
        ),
        (
            "PeerGroupImportConfig",
            hr::PEER_E_ALREADY_EXISTS,
            Box::new(|| code(b.pn.group_import_config(&bob_cfg, &"".into(), false))),
        ),
        (
            "PeerGroupImportConfig",
            hr::E_INVALIDARG,
            Box::new(|| code(b.pn.group_import_config(&other_key_cfg, &"".into(), true))),
        ),
        (
            "PeerGroupImportConfig",
            hr::E_INVALIDARG,
            Box::new(|| code(b.pn.group_import_config(&other_group_cfg, &"".into(), true))),
        ),
        (
            "PeerGroupImportConfig",
            hr::E_INVALIDARG,
            Box::new(|| {
                code(b.pn.group_import_config(&flip_base64(&bob_cfg, "GMC", 300), &"".into(), true))
            }),
        ),
        (
            "PeerGroupImportConfig",
            hr::E_INVALIDARG,
            Box::new(|| code(b.pn.group_import_config("not xml", &"".into(), true))),
        ),
        (
            "PeerGroupImportConfig",
            hr::PEER_E_UNSUPPORTED_VERSION,
            Box::new(|| {
                code(b.pn.group_import_config(
                    &bob_cfg.replace("VERSION=\"1.0\"", "VERSION=\"7.0\""),
                    &"".into(),
                    true,
                ))
            }),
        ),
        (
            "PeerGroupSetProperties",
            hr::PEER_E_NOT_AUTHORIZED,
            Box::new(|| code(bg.set_properties(&bg.get_properties().unwrap()))),
        ),
        (
            "PeerGroupSetProperties",
            hr::PEER_E_INVALID_GROUP_PROPERTIES,
            Box::new(|| {
                let mut p = g.get_properties().unwrap();
                p.classifier = "other".into();
                code(g.set_properties(&p))
            }),
        ),
        (
            "PeerGroupSetProperties",
            hr::PEER_E_INVALID_GROUP_PROPERTIES,
            Box::new(|| {
                let mut p = g.get_properties().unwrap();
                p.cloud = Some("Elsewhere_".into());
                code(g.set_properties(&p))
            }),
        ),
        (
            "PeerGroupSetProperties",
            hr::PEER_E_PASSWORD_DOES_NOT_MEET_POLICY,
            Box::new(|| {
                let mut p = g.get_properties().unwrap();
                p.group_password = Some("".into());
                code(g.set_properties(&p))
            }),
        ),
        (
            "PeerGroupConnectByAddress",
            hr::E_INVALIDARG,
            Box::new(|| code(g.connect_by_address(&[]))),
        ),
        (
            "PeerGroupDelete",
            hr::PEER_E_NOT_FOUND,
            Box::new(|| {
                code(a.pn.group_delete(
                    Some(&alice),
                    "0123456789abcdef0123456789abcdef01234567.none",
                ))
            }),
        ),
        (
            "PeerGroupDelete",
            hr::PEER_E_NOT_FOUND,
            Box::new(|| code(a.pn.group_delete(Some(unknown), g.peer_name()))),
        ),
    ];
    let mut pairs = std::collections::BTreeSet::new();
    for (i, (function, expected, case)) in cases.iter().enumerate() {
        let (sa, sb) = (a.snapshot(), b.snapshot());
        let got = case();
        assert_eq!(
            got, *expected,
            "case {i}: {function} expected {expected}, got {got}"
        );
        assert_eq!(sa, a.snapshot(), "case {i}: {function} changed store A");
        assert_eq!(sb, b.snapshot(), "case {i}: {function} changed store B");
        pairs.insert((*function, expected.0));
    }
    eprintln!(
        "{} cases, {} distinct (function, HRESULT) pairs",
        cases.len(),
        pairs.len()
    );
    assert!(
        pairs.len() >= 70,
        "{} distinct (function, code) pairs",
        pairs.len()
    );
}

#[test]
fn deleted_group_invalidates_every_handle() {
    let a = Machine::new();
    let alice = a.identity("alice");
    let g = a.group(&alice, "d", "D");
    let other_process = a.another_process();
    let h2 = other_process
        .group_open(&alice, g.peer_name(), None)
        .unwrap();
    let h3 = h2.clone();
    a.pn.group_delete(Some(&alice), g.peer_name()).unwrap();
    for h in [&g, &h2, &h3] {
        assert_eq!(code(h.get_status()), hr::PEER_E_INVALID_GROUP);
        assert_eq!(code(h.get_properties()), hr::PEER_E_INVALID_GROUP);
        assert_eq!(
            code(h.set_properties(&GroupProperties::new("d", "x"))),
            hr::PEER_E_INVALID_GROUP
        );
        assert_eq!(
            code(h.export_config(&"pw".into())),
            hr::PEER_E_INVALID_GROUP
        );
        assert_eq!(
            code(h.create_password_invitation()),
            hr::PEER_E_INVALID_GROUP
        );
        assert_eq!(code(h.connect()), hr::PEER_E_INVALID_GROUP);
        assert_eq!(
            code(h.create_invitation(&a.pn.identity_get_xml(Some(&alice)).unwrap(), None, &[])),
            hr::PEER_E_INVALID_GROUP
        );
        assert_eq!(
            code(h.issue_credentials(&alice, None, IssueFlags::default())),
            hr::PEER_E_INVALID_GROUP
        );
    }
    assert_eq!(
        code(other_process.group_open(&alice, g.peer_name(), None)),
        hr::PEER_E_NOT_FOUND
    );
    g.close().unwrap();
    // With its groups gone the identity can be deleted.
    a.pn.identity_delete(&alice).unwrap();
}

#[test]
fn chain_too_long() {
    let a = Machine::new();
    let b = Machine::new();
    let owner = a.identity("owner");
    let g = a.group(&owner, "deep", "Deep");
    // owner (GRC) → m1 → m2 → … each an Admin issuing to the next: chain length k+1.
    let mut issuer = g.clone();
    let mut len = 2;
    let mut k = 0;
    loop {
        k += 1;
        let next = b.identity(&format!("m{k}"));
        let info = b.pn.identity_get_xml(Some(&next)).unwrap();
        let r = issuer.create_invitation(&info, None, &[Role::ADMIN]);
        if len > 25 {
            assert_eq!(code(r), hr::PEER_E_CHAIN_TOO_LONG);
            break;
        }
        let inv = r.unwrap();
        issuer = b.pn.group_join(Some(&next), &inv, None).unwrap();
        assert_eq!(issuer.chain_der().len(), len);
        len += 1;
    }
    assert_eq!(issuer.chain_der().len(), 25);
}

#[test]
fn failures_with_no_identity_do_not_make_a_default_identity() {
    let m = Machine::new();
    let before = m.snapshot();
    assert_eq!(
        code(m.pn.group_join(None, "<PEERINVITATION/>", None)),
        hr::PEER_E_INVITATION_NOT_TRUSTED
    );
    assert_eq!(
        code(m.pn.group_password_join(None, "junk", &"pw".into(), None)),
        hr::PEER_E_INVITATION_NOT_TRUSTED
    );
    assert_eq!(code(m.pn.group_delete(None, "0.x")), hr::PEER_E_NOT_FOUND);
    assert_eq!(
        code(m.pn.group_create(&GroupProperties::new("x", "X").with_cloud("Nowhere_"))),
        hr::PEER_E_NO_CLOUD
    );
    assert_eq!(
        code(m.pn.group_create(&GroupProperties::new("a\0", "X"))),
        hr::PEER_E_INVALID_CLASSIFIER
    );
    assert_eq!(before, m.snapshot());
    assert!(m.pn.enum_identities().unwrap().is_empty());
}

#[test]
fn messages_are_actionable() {
    let m = Machine::new();
    let alice = m.identity("alice");
    let unknown = "0123456789abcdef0123456789abcdef01234567.nobody";
    let e = m.pn.group_open(unknown, "0.g", None).unwrap_err();
    let text = e.to_string();
    assert!(
        text.starts_with("PEER_E_NOT_FOUND (0x80070490): no identity named '0123"),
        "{text}"
    );
    assert!(text.contains(&m.dir.path().display().to_string()), "{text}");
    let e = m.pn.group_open(&alice, "0.g", None).unwrap_err();
    assert!(e.to_string().contains("has no group '0.g'"), "{e}");
    let xml = m.pn.identity_export(&alice, &"right".into()).unwrap();
    let e = m.pn.identity_import(&xml, &"wrong".into()).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("ERROR_INVALID_PASSWORD (0x80070056): wrong password"),
        "{e}"
    );
    assert!(!e.to_string().contains("wrong\""));
    assert!(std::error::Error::source(&e).is_some());
    let dbg = format!("{e:?}");
    assert!(
        !dbg.contains("right") && !dbg.contains("\"wrong\""),
        "{dbg}"
    );
    let props = GroupProperties::new("x", "X")
        .with_creator(&alice)
        .with_password("hunter2", Role::MEMBER);
    assert!(!format!("{props:?}").contains("hunter2"));
}
