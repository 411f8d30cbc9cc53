//! End-to-end stories across separate stores ("computers").

mod common;

use common::Machine;
use peernet::lower::crypto;
use peernet::{GroupProperties, JoinOutcome, MembershipStatus, Profile, Role, Scope};

#[test]
fn identity_moves_between_computers() {
    let a = Machine::new();
    let b = Machine::new();
    let alice = a.identity("alice");
    let xml =
        a.pn.identity_export(&alice, &"correct horse".into())
            .unwrap();
    assert!(xml.contains("<PEERIDENTITYEXPORT"));
    let imported = b.pn.identity_import(&xml, &"correct horse".into()).unwrap();
    assert_eq!(imported, alice);
    assert_eq!(b.pn.identity_get_friendly_name(&alice).unwrap(), "alice");
    // The identity stays on A.
    assert_eq!(a.pn.enum_identities().unwrap().len(), 1);
    // B's key signs what A's IDC verifies.
    let key = b.pn.identity_get_crypt_key(&alice).unwrap();
    let sig = key.sign(b"hello").unwrap();
    let info = a.pn.identity_get_xml(Some(&alice)).unwrap();
    let info = peernet::lower::protocol::IdentityInfo::parse_str(&info).unwrap();
    let idc = crypto::Certificate::from_der(&crypto::pkcs7::decode(&info.idc).unwrap()[0]).unwrap();
    crypto::key::verify_signature(
        idc.public_key_der(),
        &key.private_key().signature_algorithm(),
        b"hello",
        &sig,
    )
    .unwrap();
    assert!(format!("{key:?}").contains(&alice));
}

#[test]
fn modern_identity_round_trip_at_real_iterations() {
    let dir = tempfile::tempdir().unwrap();
    let pn = peernet::Peernet::open(dir.path()).unwrap();
    assert_eq!(pn.options().iterations_for(Profile::Modern), 600_000);
    let me = pn.identity_create(Some("m"), None, None).unwrap();
    let xml = pn.identity_export(&me, &"pw".into()).unwrap();
    let other = tempfile::tempdir().unwrap();
    let pn2 = peernet::Peernet::open(other.path()).unwrap();
    assert_eq!(pn2.identity_import(&xml, &"pw".into()).unwrap(), me);
    assert_eq!(
        pn2.identity_get_crypt_key(&me).unwrap().profile(),
        Profile::Modern
    );
    assert_eq!(pn2.identity_get_friendly_name(&me).unwrap(), me);
}

#[test]
fn group_invite_join_config_move_and_third_store() {
    let a = Machine::new();
    let b = Machine::new();
    let c = Machine::new();
    let alice = a.identity("alice");
    let bob = b.identity("bob");
    let g = a.group(&alice, "chat", "Chat room");
    assert_eq!(g.roles(), vec![Role::ADMIN]);
    assert_eq!(g.membership(), MembershipStatus::Valid);
    assert_eq!(g.cloud().name, "Global_");

    // Invite B's identity.
    let bob_info = b.pn.identity_get_xml(Some(&bob)).unwrap();
    let inv = g
        .create_invitation(&bob_info, None, &[Role::MEMBER])
        .unwrap();
    assert!(inv.contains("VERSION=\"1.0\""));
    let info = b.pn.group_parse_invitation(&inv).unwrap();
    assert_eq!(info.group_peer_name, g.peer_name());
    assert_eq!(info.subject_peer_name.as_deref(), Some(bob.as_str()));
    assert_eq!(info.issuer_peer_name.as_deref(), Some(g.peer_name()));
    assert_eq!(info.group_friendly_name, "Chat room");
    assert_eq!(info.subject_friendly_name.as_deref(), Some("bob"));
    assert_eq!(info.roles, vec![Role::MEMBER]);
    assert_eq!(info.cloud_name, "Global_");
    assert_eq!(info.scope, Scope::Global);
    assert_eq!(info.cloud_flags, 0);
    assert_eq!(
        info.auth_scheme,
        peernet::flags::PEER_GROUP_GMC_AUTHENTICATION
    );
    assert!(info.time_valid);
    let bob_key = b.pn.identity_get_crypt_key(&bob).unwrap();
    assert_eq!(
        info.subject_public_key.as_deref(),
        Some(bob_key.public_key_der())
    );
    assert!(info.validity_end.unwrap() > info.validity_start.unwrap());

    let joined = b.pn.group_join(Some(&bob), &inv, None).unwrap();
    assert_eq!(joined.roles(), vec![Role::MEMBER]);
    assert_eq!(b.pn.enum_groups(&bob).unwrap()[0].peer_name, g.peer_name());
    assert_eq!(
        b.pn.enum_groups(&bob).unwrap()[0].friendly_name,
        "Chat room"
    );
    b.pn.group_open(&bob, g.peer_name(), None).unwrap();

    // Owner's configuration with GROUPKEY moves A → B (identity first).
    b.pn.identity_import(
        &a.pn.identity_export(&alice, &"pw1".into()).unwrap(),
        &"pw1".into(),
    )
    .unwrap();
    let cfg = g.export_config(&"cfgpw".into()).unwrap();
    assert!(cfg.contains("<GROUPKEY"));
    let imp =
        b.pn.group_import_config(&cfg, &"cfgpw".into(), false)
            .unwrap();
    assert_eq!(imp.identity, alice);
    assert_eq!(imp.group_peer_name, g.peer_name());
    let on_b = b.pn.group_open(&alice, g.peer_name(), None).unwrap();
    assert_eq!(on_b.roles(), vec![Role::ADMIN]);
    // The imported owner can invite (it holds the group key).
    let carol = c.identity("carol");
    let inv_c = on_b
        .create_invitation(&c.pn.identity_get_xml(Some(&carol)).unwrap(), None, &[])
        .unwrap();
    c.pn.group_join(Some(&carol), &inv_c, None).unwrap();

    // B's own (member) configuration to a third store.
    let d = Machine::new();
    d.pn.identity_import(
        &b.pn.identity_export(&bob, &"x".into()).unwrap(),
        &"x".into(),
    )
    .unwrap();
    let bob_cfg = joined.export_config(&"".into()).unwrap();
    assert!(!bob_cfg.contains("GROUPKEY"));
    let imp =
        d.pn.group_import_config(&bob_cfg, &"".into(), false)
            .unwrap();
    let on_d =
        d.pn.group_open(&imp.identity, &imp.group_peer_name, None)
            .unwrap();
    assert_eq!(on_d.roles(), vec![Role::MEMBER]);
    assert_eq!(on_d.chain_der(), joined.chain_der());
    // Overwrite replaces.
    d.pn.group_import_config(&bob_cfg, &"".into(), true)
        .unwrap();
}

#[test]
fn delegation_admin_and_inviting_member() {
    let a = Machine::new();
    let b = Machine::new();
    let alice = a.identity("alice");
    let g = a.group(&alice, "deleg", "D");
    let bob = b.identity("bob");
    let inv = g
        .create_invitation(
            &b.pn.identity_get_xml(Some(&bob)).unwrap(),
            None,
            &[Role::INVITING_MEMBER],
        )
        .unwrap();
    let bg = b.pn.group_join(Some(&bob), &inv, None).unwrap();
    let carol = b.identity("carol");
    // An inviting member may invite members but not admins.
    let carol_info = b.pn.identity_get_xml(Some(&carol)).unwrap();
    assert_eq!(
        common::code(bg.create_invitation(&carol_info, None, &[Role::ADMIN])),
        peernet::hresult::PEER_E_NOT_AUTHORIZED
    );
    let inv2 = bg
        .create_invitation(&carol_info, None, &[Role::MEMBER])
        .unwrap();
    let cg = b.pn.group_join(Some(&carol), &inv2, None).unwrap();
    assert_eq!(cg.chain_der().len(), 3);
    assert_eq!(
        b.pn.group_parse_invitation(&inv2)
            .unwrap()
            .issuer_peer_name
            .as_deref(),
        Some(bob.as_str())
    );
}

#[test]
fn password_group_flow() {
    let a = Machine::new();
    let b = Machine::new();
    let alice = a.identity("alice");
    let g =
        a.pn.group_create(
            &GroupProperties::new("pw", "Password group")
                .with_creator(&alice)
                .with_password("secret", Role::MEMBER),
        )
        .unwrap();
    let inv = g.create_password_invitation().unwrap();
    assert!(inv.contains("VERSION=\"1.1\""));
    let info = b.pn.group_parse_invitation(&inv).unwrap();
    assert_eq!(
        info.auth_scheme,
        peernet::flags::PEER_GROUP_PASSWORD_AUTHENTICATION
    );
    assert_eq!(info.group_peer_name, g.peer_name());
    assert_eq!(info.group_friendly_name, "Password group");
    // GMC invitations of a password group are 1.1 too.
    let bob = b.identity("bob");
    let gmc_inv = g
        .create_invitation(&b.pn.identity_get_xml(Some(&bob)).unwrap(), None, &[])
        .unwrap();
    assert!(gmc_inv.contains("VERSION=\"1.1\""));

    let carol = b.identity("carol");
    let (cg, outcome) =
        b.pn.group_password_join(Some(&carol), &inv, &"secret".into(), None)
            .unwrap();
    assert_eq!(outcome, JoinOutcome::Joined);
    assert_eq!(outcome.hresult(), peernet::hresult::S_OK);
    assert_eq!(cg.membership(), MembershipStatus::CredentialsPending);
    assert!(cg.roles().is_empty());
    let (_, again) =
        b.pn.group_password_join(Some(&carol), &inv, &"secret".into(), None)
            .unwrap();
    assert_eq!(again, JoinOutcome::AlreadyMember);
    assert_eq!(again.hresult(), peernet::hresult::PEER_S_ALREADY_A_MEMBER);
    assert!(again.hresult().is_success());
    // On A the verifier is known: a wrong password is refused at once.
    let dave = a.identity("dave");
    let before = a.snapshot();
    assert_eq!(
        common::code(a.pn.group_password_join(Some(&dave), &inv, &"wrong".into(), None)),
        peernet::hresult::ERROR_INVALID_PASSWORD
    );
    assert_eq!(before, a.snapshot());
    a.pn.group_password_join(Some(&dave), &inv, &"secret".into(), None)
        .unwrap();
    assert_eq!(
        peernet::password_hash_string(&"password".into()).as_str(),
        "ekpckgmohmldapihpfphiebdkkcaheipipcjcpai"
    );
}

#[test]
fn properties_status_and_default_identity() {
    let a = Machine::new();
    let def = a.pn.identity_get_default().unwrap();
    assert_eq!(a.pn.identity_get_default().unwrap(), def);
    let g = a.pn.group_create(&GroupProperties::new("p", "P")).unwrap();
    assert_eq!(g.identity(), def);
    let mut p = g.get_properties().unwrap();
    assert_eq!(p.creator_peer_name.as_deref(), Some(def.as_str()));
    assert_eq!(
        p.member_data_lifetime,
        peernet::limits::DEFAULT_MEMBER_DATA_LIFETIME
    );
    p.friendly_name = "Renamed".into();
    p.comment = "a comment".into();
    p.presence_lifetime = 600;
    g.set_properties(&p).unwrap();
    let q = g.get_properties().unwrap();
    assert_eq!(
        (
            q.friendly_name.as_str(),
            q.comment.as_str(),
            q.presence_lifetime
        ),
        ("Renamed", "a comment", 600)
    );
    let st = g.get_status().unwrap();
    assert_eq!(st.flags, 0);
    assert_eq!(st.membership, MembershipStatus::Valid);
    assert_eq!(a.pn.enum_groups(&def).unwrap()[0].friendly_name, "Renamed");
    a.pn.identity_set_friendly_name(&def, Some("Me")).unwrap();
    assert_eq!(a.pn.identity_get_friendly_name(&def).unwrap(), "Me");
    a.pn.identity_set_friendly_name(&def, None).unwrap();
    assert_eq!(a.pn.identity_get_friendly_name(&def).unwrap(), def);
    assert_eq!(
        a.pn.create_peer_name(Some(&def), Some("x")).unwrap(),
        format!("{}.x", &def[..40])
    );
    assert_eq!(a.pn.create_peer_name(Some(&def), None).unwrap(), def);
    // Delete order: groups first, then the identity.
    a.pn.group_delete(None, g.peer_name()).unwrap();
    a.pn.identity_delete(&def).unwrap();
    assert!(a.pn.enum_identities().unwrap().is_empty());
}

#[test]
fn expired_membership_opens_with_status() {
    let a = Machine::new();
    let b = Machine::new();
    let alice = a.identity("alice");
    let bob = b.identity("bob");
    let g = a.group(&alice, "e", "E");
    let exp = a.clock.now() + std::time::Duration::from_secs(3600);
    let inv = g
        .create_invitation(&b.pn.identity_get_xml(Some(&bob)).unwrap(), Some(exp), &[])
        .unwrap();
    let bg = b.pn.group_join(Some(&bob), &inv, None).unwrap();
    assert_eq!(bg.membership(), MembershipStatus::Valid);
    b.clock.advance(7200);
    let reopened = b.pn.group_open(&bob, g.peer_name(), None).unwrap();
    assert_eq!(reopened.membership(), MembershipStatus::Expired);
    assert_eq!(
        bg.get_status().unwrap().membership,
        MembershipStatus::Expired
    );
    // A fresh process (no cache) agrees.
    let other = peernet::Peernet::open_with(
        b.dir.path(),
        peernet::Options::default().with_clock({
            let c = b.clock.clone();
            move || c.now()
        }),
    )
    .unwrap();
    assert_eq!(
        other
            .group_open(&bob, g.peer_name(), None)
            .unwrap()
            .membership(),
        MembershipStatus::Expired
    );
    assert!(!b.pn.group_parse_invitation(&inv).unwrap().time_valid);
}

#[test]
fn join_with_private_cloud_override_records_the_local_cloud() {
    let a = Machine::new();
    let b = Machine::new();
    let alice = a.identity("alice");
    let bob = b.identity("bob");
    b.add_private_link_locals(&["LinkLocal_{1}", "LinkLocal_{2}"]);
    a.add_private_link_local("LinkLocal_{a}", 9);
    let g =
        a.pn.group_create(
            &GroupProperties::new("l", "L")
                .with_creator(&alice)
                .with_cloud("LinkLocal_{a}"),
        )
        .unwrap();
    let inv = g
        .create_invitation(&b.pn.identity_get_xml(Some(&bob)).unwrap(), None, &[])
        .unwrap();
    let info = b.pn.group_parse_invitation(&inv).unwrap();
    assert_eq!((info.scope, info.cloud_flags), (Scope::LinkLocal, 1));
    assert_eq!(
        b.pn.group_join(Some(&bob), &inv, None)
            .unwrap_err()
            .hresult(),
        peernet::hresult::PEER_E_CLOUD_NAME_AMBIGUOUS
    );
    let joined =
        b.pn.group_join(Some(&bob), &inv, Some("LinkLocal_{2}"))
            .unwrap();
    assert_eq!(joined.cloud().name, "LinkLocal_{2}");
    assert_eq!(
        b.pn.group_open(&bob, g.peer_name(), None)
            .unwrap()
            .cloud()
            .name,
        "LinkLocal_{2}"
    );
}

/// Two private link-local clouds on `m`, named in the private form of [MS-PPSEC] 2.2.1.1.3.
fn two_private_link_clouds(m: &Machine) -> [&'static str; 2] {
    let names = [
        "LinkLocal_{00000000-0000-0000-0000-000000000001}",
        "LinkLocal_{00000000-0000-0000-0000-000000000002}",
    ];
    m.add_private_link_locals(&names);
    names
}

/// A private cloud name no machine here has.
const FOREIGN_PRIVATE: &str = "LinkLocal_{99999999-9999-9999-9999-999999999999}";

#[test]
fn create_with_a_private_form_cloud_name_uses_the_local_private_cloud() {
    let a = Machine::new();
    let alice = a.identity("alice");
    let [a1, a2] = two_private_link_clouds(&a);
    let props = GroupProperties::new("p", "P")
        .with_creator(&alice)
        .with_cloud(FOREIGN_PRIVATE);
    assert_eq!(
        a.pn.group_create(&props).unwrap_err().hresult(),
        peernet::hresult::PEER_E_CLOUD_NAME_AMBIGUOUS
    );
    a.pn.remove_cloud(a2).unwrap();
    let g = a.pn.group_create(&props).unwrap();
    assert_eq!(g.cloud().name, a1);
    assert_eq!(g.get_properties().unwrap().cloud.as_deref(), Some(a1));
    // A public name is still matched exactly.
    assert_eq!(
        a.pn.group_create(
            &GroupProperties::new("q", "Q")
                .with_creator(&alice)
                .with_cloud("LinkLocal_2001:db8::/64")
        )
        .unwrap_err()
        .hresult(),
        peernet::hresult::PEER_E_NO_CLOUD
    );
}

#[test]
fn open_with_a_private_form_cloud_name_is_ambiguous_among_two_private_clouds() {
    let a = Machine::new();
    let alice = a.identity("alice");
    let g = a.group(&alice, "o", "O");
    let [a1, a2] = two_private_link_clouds(&a);
    assert_eq!(
        a.pn.group_open(&alice, g.peer_name(), Some(FOREIGN_PRIVATE))
            .unwrap_err()
            .hresult(),
        peernet::hresult::PEER_E_CLOUD_NAME_AMBIGUOUS
    );
    a.pn.remove_cloud(a1).unwrap();
    assert_eq!(
        a.pn.group_open(&alice, g.peer_name(), Some(FOREIGN_PRIVATE))
            .unwrap()
            .cloud()
            .name,
        a2
    );
    assert_eq!(
        a.pn.group_open(&alice, g.peer_name(), Some("LinkLocal_2001:db8::/64"))
            .unwrap_err()
            .hresult(),
        peernet::hresult::PEER_E_NO_CLOUD
    );
}

#[test]
fn join_with_a_private_form_cloud_name_is_ambiguous_among_two_private_clouds() {
    let a = Machine::new();
    let b = Machine::new();
    let alice = a.identity("alice");
    let bob = b.identity("bob");
    let g = a.group(&alice, "j", "J");
    let [b1, b2] = two_private_link_clouds(&b);
    let inv = g
        .create_invitation(&b.pn.identity_get_xml(Some(&bob)).unwrap(), None, &[])
        .unwrap();
    assert_eq!(
        b.pn.group_join(Some(&bob), &inv, Some(FOREIGN_PRIVATE))
            .unwrap_err()
            .hresult(),
        peernet::hresult::PEER_E_CLOUD_NAME_AMBIGUOUS
    );
    b.pn.remove_cloud(b2).unwrap();
    let joined =
        b.pn.group_join(Some(&bob), &inv, Some(FOREIGN_PRIVATE))
            .unwrap();
    assert_eq!(joined.cloud().name, b1);
    // The local cloud is what the membership records.
    assert_eq!(
        b.pn.group_open(&bob, g.peer_name(), None)
            .unwrap()
            .cloud()
            .name,
        b1
    );
}

#[test]
fn renewal_and_role_change_by_issue_credentials() {
    let a = Machine::new();
    let b = Machine::new();
    let alice = a.identity("alice");
    let bob = b.identity("bob");
    let g =
        a.pn.group_create(
            &GroupProperties::new("r", "R")
                .with_creator(&alice)
                .with_password("pw", Role::MEMBER),
        )
        .unwrap();
    // bob password-joins (pending), then receives his GMC out of band.
    let (pending, _) =
        b.pn.group_password_join(
            Some(&bob),
            &g.create_password_invitation().unwrap(),
            &"pw".into(),
            None,
        )
        .unwrap();
    assert_eq!(pending.membership(), MembershipStatus::CredentialsPending);
    let (subject, mut ci) = peernet::CredentialInfo::from_identity_info(
        &b.pn.identity_get_xml(Some(&bob)).unwrap(),
        &[Role::MEMBER],
    )
    .unwrap();
    assert_eq!(subject, bob);
    let inv = g
        .issue_credentials(&subject, Some(&ci), peernet::IssueFlags::default())
        .unwrap();
    let bg = b.pn.group_join(Some(&bob), &inv, None).unwrap();
    assert_eq!(bg.membership(), MembershipStatus::Valid);
    assert_eq!(bg.roles(), vec![Role::MEMBER]);
    assert_eq!(
        b.pn.group_join(Some(&bob), &inv, None)
            .unwrap_err()
            .hresult(),
        peernet::hresult::PEER_E_ALREADY_EXISTS
    );
    // Promotion to Inviting Member, a second later.
    a.clock.advance(2);
    b.clock.advance(2);
    ci.roles = vec![Role::INVITING_MEMBER];
    let inv2 = g
        .issue_credentials(&subject, Some(&ci), peernet::IssueFlags::default())
        .unwrap();
    let promoted = b.pn.group_join(Some(&bob), &inv2, None).unwrap();
    assert_eq!(promoted.roles(), vec![Role::INVITING_MEMBER]);
    // The older invitation no longer replaces the newer credentials.
    assert_eq!(
        b.pn.group_join(Some(&bob), &inv, None)
            .unwrap_err()
            .hresult(),
        peernet::hresult::PEER_E_ALREADY_EXISTS
    );
    // Now bob may hand out password invitations.
    promoted.create_password_invitation().unwrap();
}

#[test]
fn modern_group_config_at_real_iterations() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let pa = peernet::Peernet::open(a.path()).unwrap();
    let pb = peernet::Peernet::open(b.path()).unwrap();
    let me = pa.identity_create(Some("m"), None, None).unwrap();
    let g = pa
        .group_create(&GroupProperties::new("modern", "Modern").with_creator(&me))
        .unwrap();
    assert_eq!(g.profile(), Profile::Modern);
    let cfg = g.export_config(&"pw".into()).unwrap();
    pb.identity_import(
        &pa.identity_export(&me, &"pw".into()).unwrap(),
        &"pw".into(),
    )
    .unwrap();
    assert_eq!(
        pb.group_import_config(&cfg, &"bad".into(), false)
            .unwrap_err()
            .hresult(),
        peernet::hresult::ERROR_INVALID_PASSWORD
    );
    let imp = pb.group_import_config(&cfg, &"pw".into(), false).unwrap();
    assert_eq!(
        pb.group_open(&imp.identity, &imp.group_peer_name, None)
            .unwrap()
            .profile(),
        Profile::Modern
    );
}

#[test]
fn a_joiners_wrong_password_does_not_poison_later_joins() {
    let a = Machine::new();
    let b = Machine::new();
    let alice = a.identity("alice");
    let g =
        a.pn.group_create(
            &GroupProperties::new("pp", "PP")
                .with_creator(&alice)
                .with_password("right", Role::MEMBER),
        )
        .unwrap();
    let inv = g.create_password_invitation().unwrap();
    let (x, y) = (b.identity("x"), b.identity("y"));
    // No owner on B: nothing to check against, both are recorded for connect.
    b.pn.group_password_join(Some(&x), &inv, &"typo".into(), None)
        .unwrap();
    let (_, outcome) =
        b.pn.group_password_join(Some(&y), &inv, &"right".into(), None)
            .unwrap();
    assert_eq!(outcome, JoinOutcome::Joined);
}

#[test]
fn extensions_for_the_command_line() {
    let a = Machine::new();
    let x = a.identity("x");
    let y = a.identity("y");
    a.pn.identity_set_default(&y).unwrap();
    assert_eq!(a.pn.identity_get_default().unwrap(), y);
    let d = a.pn.identity_details(&y).unwrap();
    assert!(d.is_default);
    assert_eq!(d.profile, Profile::Windows);
    assert!(!a.pn.identity_details(&x).unwrap().is_default);
    let g = a.pn.group_create(&GroupProperties::new("g", "G")).unwrap();
    assert_eq!(g.identity(), y);
    g.check().unwrap();
    assert_eq!(g.peernet().store().dir(), a.dir.path());
    let all = a.pn.enum_all_groups().unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].0, y);
    assert_eq!(all[0].1.friendly_name, "G");
    assert_eq!(
        a.pn.identity_set_default("0.none").unwrap_err().hresult(),
        peernet::hresult::PEER_E_NOT_FOUND
    );
}
