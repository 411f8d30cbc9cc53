//! The Grouping exports on temporary stores: startup, argument checks (nothing reaches
//! the store), NULL identities, conversions, and the facade's HRESULTs passed through.

use std::mem::size_of;
use std::ptr::{null, null_mut};

use peernet::hresult::{
    ERROR_INVALID_PASSWORD, PEER_E_ALREADY_EXISTS, PEER_E_GROUP_NOT_READY, PEER_E_GROUPS_EXIST,
    PEER_E_IDENTITY_NOT_FOUND, PEER_E_INVALID_GROUP_PROPERTIES, PEER_E_INVITATION_NOT_TRUSTED,
    PEER_E_NO_CLOUD, PEER_E_NOT_AUTHORIZED, PEER_E_NOT_FOUND, PEER_E_NOT_INITIALIZED,
    PEER_S_ALREADY_A_MEMBER,
};

use super::*;
use crate::convert::public_key_info;
use crate::tests::{
    INVALID, Store, W, bad_utf16, group_properties, hr, lock, started, string, take,
};
use crate::types::{
    CERT_PUBLIC_KEY_INFO, CRYPT_ALGORITHM_IDENTIFIER, CRYPT_BIT_BLOB, CRYPT_DATA_BLOB, HPEERENUM,
    PEER_GROUP_ROLE_INVITING_MEMBER, PEER_GROUP_ROLE_MEMBER, PEER_GROUP_STORE_CREDENTIALS,
    PEER_NAME_PAIR,
};
use crate::{PeerEndEnumeration, PeerEnumGroups, PeerGetNextItem, PeerIdentityCreate};

const BAD_GROUP: HRESULT = PEER_E_INVALID_GROUP.as_i32();

fn create_identity(classifier: &str, friendly: &str) -> String {
    let (c, f) = (W::new(classifier), W::new(friendly));
    // SAFETY: valid strings and out-pointer.
    string(|o| unsafe { PeerIdentityCreate(c.p(), f.p(), 0, o) }).unwrap()
}

fn create_group(p: &PEER_GROUP_PROPERTIES) -> HGROUP {
    let mut h: HGROUP = null_mut();
    let mut p = *p;
    // SAFETY: valid structure and out-pointer.
    assert_eq!(unsafe { PeerGroupCreate(&mut p, &mut h) }, 0);
    assert!(!h.is_null());
    h
}

fn close(h: HGROUP) {
    // SAFETY: handle lookup only.
    assert_eq!(unsafe { PeerGroupClose(h) }, 0);
}

fn group_name(h: HGROUP) -> String {
    let mut p: *mut PEER_GROUP_PROPERTIES = null_mut();
    // SAFETY: valid out-pointer; the block is read then freed.
    unsafe {
        assert_eq!(PeerGroupGetProperties(h, &mut p), 0);
        let name = read_req((*p).pwzGroupPeerName).unwrap();
        crate::memory::free(p.cast());
        name
    }
}

/// How many groups the store holds (every identity's).
fn group_count(s: &Store) -> usize {
    s.pn.store().all_groups().unwrap().len()
}

/// The identity an open group handle acts as.
fn identity_of(h: HGROUP) -> String {
    with_group(h, |g| Ok(g.identity().to_owned())).unwrap()
}

/// A store with one identity and one group it created.
fn store_with_group() -> (Store, String, HGROUP) {
    let s = Store::new();
    let (me, h) = s.on(|| {
        let me = create_identity("me", "Me");
        let (c, f) = (W::new("chat"), W::new("Chat"));
        let h = create_group(&group_properties(Some(&W::new(&me)), &c, &f));
        (me, h)
    });
    (s, me, h)
}

#[test]
fn group_properties_round_trip_through_a_block() {
    let mut v = peernet::GroupProperties::new("chat", "Friends");
    v.flags = 1;
    v.cloud = Some("Global_".into());
    v.creator_peer_name = Some("abc.def".into());
    v.comment = "c".into();
    v.member_data_lifetime = 2_419_200;
    v.presence_lifetime = 300;
    v.authentication_schemes = 3;
    v.group_password_role = Role::ADMIN;
    v.group_password = Some(Secret::from("pw".to_owned()));
    let p = properties_block(&v).unwrap();
    // SAFETY: `p` is a block holding a full-size structure with valid strings.
    let back = unsafe { read_properties(p) }.unwrap().props;
    // SAFETY: as above.
    assert!(unsafe { (*p).pwzGroupPassword.is_null() }, "never returned");
    v.group_password = None;
    assert_eq!(back, v);
    crate::memory::free(p.cast());
}

#[test]
fn group_properties_sizes() {
    let (cloud, c) = (W::new("c"), W::new("k"));
    let mut raw = group_properties(None, &c, &c);
    raw.dwSize = PEER_GROUP_PROPERTIES_V1_SIZE as u32;
    raw.pwzCloud = cloud.m();
    raw.dwAuthenticationSchemes = 99;
    raw.pwzGroupPassword = std::ptr::dangling_mut();
    raw.groupPasswordRole = PEER_GROUP_ROLE_MEMBER;
    // SAFETY: a valid structure; the Vista fields are not read for the XP size.
    let v = unsafe { read_properties(&raw) }.unwrap().props;
    assert_eq!(v.cloud.as_deref(), Some("c"));
    assert_eq!(
        (v.authentication_schemes, v.group_password.is_none()),
        (0, true)
    );
    assert_eq!(v.presence_lifetime, 300, "0 = the documented default");
    raw.dwSize = 12;
    // SAFETY: as above.
    let r = unsafe { read_properties(&raw) };
    assert_eq!(r.map(|r| r.props), Err(E_INVALIDARG));
}

#[test]
fn everything_needs_startup() {
    let _l = lock();
    let s = Store::new();
    let nope = PEER_E_NOT_INITIALIZED.as_i32();
    let mut h: HGROUP = std::ptr::dangling_mut();
    let mut out: PWSTR = null_mut();
    let mut ft = FILETIME::default();
    let ftp: *mut FILETIME = &mut ft;
    let (c, f) = (W::new("c"), W::new("F"));
    let mut p = group_properties(None, &c, &f);
    s.on(|| {
        // SAFETY: the startup check fails before any pointer is used.
        unsafe {
            assert_eq!(PeerGroupCreate(&mut p, &mut h), nope);
            assert_eq!(PeerGroupOpen(null(), null(), null(), &mut h), nope);
            assert_eq!(PeerGroupJoin(null(), null(), null(), &mut h), nope);
            assert_eq!(
                PeerGroupPasswordJoin(null(), null(), null(), null(), &mut h),
                nope
            );
            assert_eq!(PeerGroupConnect(h), nope);
            assert_eq!(PeerGroupClose(h), nope);
            assert_eq!(PeerGroupDelete(null(), null()), nope);
            assert_eq!(
                PeerGroupCreateInvitation(h, null(), null_mut(), 0, null(), &mut out),
                nope
            );
            assert_eq!(PeerGroupCreatePasswordInvitation(h, &mut out), nope);
            assert_eq!(PeerGroupParseInvitation(null(), null_mut()), nope);
            assert_eq!(
                PeerGroupIssueCredentials(h, null(), null_mut(), 0, &mut out),
                nope
            );
            assert_eq!(PeerGroupExportConfig(h, null(), &mut out), nope);
            assert_eq!(
                PeerGroupImportConfig(null(), null(), 0, &mut out, &mut out),
                nope
            );
            assert_eq!(PeerGroupGetProperties(h, null_mut()), nope);
            assert_eq!(PeerGroupSetProperties(h, null_mut()), nope);
            assert_eq!(PeerGroupGetStatus(h, null_mut()), nope);
            assert_eq!(PeerGroupUniversalTimeToPeerTime(h, ftp, ftp), nope);
            assert_eq!(PeerGroupPeerTimeToUniversalTime(h, ftp, ftp), nope);
        }
    });
    assert!(s.identities().is_empty(), "nothing reaches the store");
}

#[test]
fn outputs_are_cleared_before_the_startup_check() {
    let _l = lock();
    let nope = PEER_E_NOT_INITIALIZED.as_i32();
    let h: HGROUP = std::ptr::without_provenance_mut(0x19);
    let mut g: HGROUP = std::ptr::dangling_mut();
    let mut s1: PWSTR = std::ptr::dangling_mut();
    let mut s2: PWSTR = std::ptr::dangling_mut();
    let mut info: *mut PEER_INVITATION_INFO = std::ptr::dangling_mut();
    let mut p: *mut PEER_GROUP_PROPERTIES = std::ptr::dangling_mut();
    let mut status: DWORD = 9;
    let mut ft = FILETIME::from_u64(5);
    let input = FILETIME::from_u64(7);
    let inp: *mut FILETIME = (&raw const input).cast_mut();
    // SAFETY: the out-pointers are valid; nothing else is read before the startup check.
    unsafe {
        assert_eq!(PeerGroupCreate(null_mut(), &mut g), nope);
        assert!(g.is_null());
        for f in [PeerGroupOpen, PeerGroupJoin] {
            g = std::ptr::dangling_mut();
            assert_eq!(f(null(), null(), null(), &mut g), nope);
            assert!(g.is_null());
        }
        g = std::ptr::dangling_mut();
        assert_eq!(
            PeerGroupPasswordJoin(null(), null(), null(), null(), &mut g),
            nope
        );
        assert!(g.is_null());
        assert_eq!(
            PeerGroupCreateInvitation(h, null(), null_mut(), 0, null(), &mut s1),
            nope
        );
        assert!(s1.is_null());
        for f in [
            |s: *mut PWSTR| PeerGroupCreatePasswordInvitation(std::ptr::null_mut(), s),
            |s: *mut PWSTR| PeerGroupIssueCredentials(null_mut(), null(), null_mut(), 0, s),
            |s: *mut PWSTR| PeerGroupExportConfig(null_mut(), null(), s),
        ] {
            s1 = std::ptr::dangling_mut();
            assert_eq!(f(&mut s1), nope);
            assert!(s1.is_null());
        }
        s1 = std::ptr::dangling_mut();
        assert_eq!(
            PeerGroupImportConfig(null(), null(), 0, &mut s1, &mut s2),
            nope
        );
        assert!(s1.is_null() && s2.is_null());
        assert_eq!(PeerGroupParseInvitation(null(), &mut info), nope);
        assert!(info.is_null());
        assert_eq!(PeerGroupGetProperties(h, &mut p), nope);
        assert!(p.is_null());
        assert_eq!(PeerGroupGetStatus(h, &mut status), nope);
        assert_eq!(status, 0);
        assert_eq!(PeerGroupUniversalTimeToPeerTime(h, inp, &mut ft), nope);
        assert_eq!(ft.as_u64(), 0);
        ft = FILETIME::from_u64(5);
        assert_eq!(PeerGroupPeerTimeToUniversalTime(h, inp, &mut ft), nope);
        assert_eq!(ft.as_u64(), 0);
        assert_eq!(input.as_u64(), 7, "input untouched");
    }
}

#[test]
fn create_validation_and_defaults() {
    let _s = started();
    let s = Store::new();
    let (c, f) = (W::new("chat"), W::new("Chat"));
    let mut h: HGROUP = std::ptr::dangling_mut();
    s.on(|| {
        // SAFETY: test structures and buffers are valid for the calls.
        unsafe {
            assert_eq!(PeerGroupCreate(null_mut(), &mut h), INVALID);
            assert!(h.is_null(), "cleared before pProperties is checked");
            h = std::ptr::dangling_mut();
            assert_eq!(
                PeerGroupCreate(&mut group_properties(None, &c, &f), null_mut()),
                INVALID
            );
            let mut bad_size = group_properties(None, &c, &f);
            bad_size.dwSize = 8;
            assert_eq!(PeerGroupCreate(&mut bad_size, &mut h), INVALID);
            assert!(h.is_null());
            let mut with_name = group_properties(None, &c, &f);
            let name = W::new("x.y");
            with_name.pwzGroupPeerName = name.m();
            assert_eq!(
                PeerGroupCreate(&mut with_name, &mut h),
                PEER_E_INVALID_GROUP_PROPERTIES.as_i32()
            );
            let bad = bad_utf16();
            let mut bad_text = group_properties(None, &c, &bad);
            assert_eq!(PeerGroupCreate(&mut bad_text, &mut h), INVALID);
            assert!(s.identities().is_empty(), "nothing reaches the store");

            // NULL creator: the default identity, made now.
            assert_eq!(
                PeerGroupCreate(&mut group_properties(None, &c, &f), &mut h),
                0
            );
            let ids = s.identities();
            assert_eq!(ids.len(), 1);
            let mut p: *mut PEER_GROUP_PROPERTIES = null_mut();
            assert_eq!(PeerGroupGetProperties(h, &mut p), 0);
            assert_eq!(read_req((*p).pwzCreatorPeerName).unwrap(), ids[0]);
            crate::memory::free(p.cast());
            close(h);
            // An XP-sized structure is accepted.
            let creator = W::new(&ids[0]);
            let other = W::new("other");
            let mut xp = group_properties(Some(&creator), &other, &f);
            xp.dwSize = PEER_GROUP_PROPERTIES_V1_SIZE as u32;
            assert_eq!(
                PeerGroupCreate(&mut xp, &mut h),
                0,
                "XP-sized structure accepted"
            );
            close(h);
        }
    });
}

#[test]
fn null_identity_resolves_as_the_facade_does() {
    let _s = started();
    let s = Store::new();
    let (c, f) = (W::new("chat"), W::new("Chat"));
    let group = W::new(&format!("{}.chat", "a".repeat(40)));
    let mut h: HGROUP = std::ptr::dangling_mut();
    s.on(|| {
        // SAFETY: test structures and buffers are valid for the calls.
        unsafe {
            // Delete with NULL identity on a store without identities: not found, and no
            // default identity is made for it.
            assert_eq!(PeerGroupDelete(null(), group.p()), hr(PEER_E_NOT_FOUND));
            assert!(s.identities().is_empty());
            // A refused join makes no default identity.
            let junk = W::new("<PEERINVITATION/>");
            assert_eq!(
                PeerGroupJoin(null(), junk.p(), null(), &mut h),
                hr(PEER_E_INVITATION_NOT_TRUSTED)
            );
            assert!(h.is_null());
            assert_eq!(
                PeerGroupPasswordJoin(null(), junk.p(), W::new("pw").p(), null(), &mut h),
                hr(PEER_E_INVITATION_NOT_TRUSTED)
            );
            assert!(s.identities().is_empty());
            // A refused create makes none either (a password without password
            // authentication).
            let mut p = group_properties(None, &c, &f);
            let pw = W::new("pw");
            p.pwzGroupPassword = pw.m();
            assert_eq!(
                PeerGroupCreate(&mut p, &mut h),
                hr(PEER_E_INVALID_GROUP_PROPERTIES)
            );
            assert!(s.identities().is_empty());
        }
    });
}

#[test]
fn open_join_password_join_arguments() {
    let _s = started();
    let (s, me, h0) = store_with_group();
    let gpn = group_name(h0);
    let (id, g, inv, pw, cloud) = (
        W::new(&me),
        W::new(&gpn),
        W::new("<inv/>"),
        W::new("pw"),
        W::new("Global_"),
    );
    let mut h: HGROUP = std::ptr::dangling_mut();
    let groups = group_count(&s);
    s.on(|| {
        // SAFETY: test buffers are valid for the calls.
        unsafe {
            assert_eq!(PeerGroupOpen(null(), g.p(), null(), &mut h), INVALID);
            assert!(h.is_null());
            assert_eq!(PeerGroupOpen(id.p(), null(), null(), &mut h), INVALID);
            assert_eq!(PeerGroupOpen(id.p(), g.p(), null(), null_mut()), INVALID);
            assert_eq!(PeerGroupOpen(id.p(), g.p(), cloud.p(), &mut h), 0);
            assert_eq!(group_name(h), gpn);
            close(h);
            assert_eq!(PeerGroupJoin(id.p(), null(), null(), &mut h), INVALID);
            assert_eq!(PeerGroupJoin(id.p(), inv.p(), null(), null_mut()), INVALID);
            assert_eq!(
                PeerGroupPasswordJoin(id.p(), inv.p(), null(), null(), &mut h),
                INVALID
            );
            assert_eq!(
                PeerGroupPasswordJoin(id.p(), null(), pw.p(), null(), &mut h),
                INVALID
            );
            assert!(h.is_null());
            assert_eq!(
                PeerGroupJoin(bad_utf16().p(), inv.p(), null(), &mut h),
                INVALID
            );
            assert_eq!(
                PeerGroupPasswordJoin(id.p(), inv.p(), pw.p(), bad_utf16().p(), &mut h),
                INVALID
            );
        }
    });
    assert_eq!(group_count(&s), groups, "no group added by a rejected call");
    close(h0);
}

/// Owner alice's store with a group of GMC and password authentication (password
/// role Member, password "s3cret"): (store, alice, handle).
fn password_group() -> (Store, W, HGROUP) {
    let a = Store::new();
    let alice = W::new(&a.on(|| create_identity("alice", "Alice")));
    let (c, f, password) = (W::new("chat"), W::new("Chat"), W::new("s3cret"));
    let mut p = group_properties(Some(&alice), &c, &f);
    p.dwAuthenticationSchemes = 0x1 | 0x2;
    p.pwzGroupPassword = password.m();
    p.groupPasswordRole = PEER_GROUP_ROLE_MEMBER;
    let h = a.on(|| create_group(&p));
    (a, alice, h)
}

#[test]
fn invitation_info_blocks_from_real_invitations() {
    let _s = started();
    let (_a, _, h) = password_group();
    let b = Store::new();
    b.pn.identity_create(Some("bob"), Some("Bob"), None)
        .unwrap();
    let bob = b.pn.enum_identities().unwrap()[0].peer_name.clone();
    let info = W::new(&b.pn.identity_get_xml(Some(&bob)).unwrap());
    let mut p: *mut PEER_INVITATION_INFO = null_mut();
    // SAFETY: valid strings and out-pointers; blocks are read, then freed.
    unsafe {
        // A GMC invitation for a Member: the leaf's classifier is "participant".
        let inv = W::new(
            &string(|o| PeerGroupCreateInvitation(h, info.p(), null_mut(), 0, null(), o)).unwrap(),
        );
        assert_eq!(PeerGroupParseInvitation(inv.p(), &mut p), 0);
        assert_eq!((*p).dwSize as usize, size_of::<PEER_INVITATION_INFO>());
        assert_eq!((*p).cClassifiers, 1);
        assert_eq!(read_req(*(*p).ppwzClassifiers).unwrap(), "participant");
        assert!(!(*p).pwzIssuerPeerName.is_null());
        assert_eq!(read_req((*p).pwzSubjectPeerName).unwrap(), bob);
        crate::memory::free(p.cast());
        // A password invitation has no issuer (nor subject, key, roles or classifiers).
        let pinv = W::new(&string(|o| PeerGroupCreatePasswordInvitation(h, o)).unwrap());
        assert_eq!(PeerGroupParseInvitation(pinv.p(), &mut p), 0);
        let i = &*p;
        assert!(i.pwzIssuerPeerName.is_null() && i.pwzIssuerFriendlyName.is_null());
        assert!(i.pwzSubjectPeerName.is_null() && i.pSubjectPublicKey.is_null());
        assert_eq!((i.cRoles, i.cClassifiers), (0, 0));
        assert!(i.pRoles.is_null() && i.ppwzClassifiers.is_null());
        assert_eq!(i.authScheme, 2);
        assert_eq!(read_req(i.pwzGroupPeerName).unwrap(), group_name(h));
        crate::memory::free(p.cast());
    }
    close(h);
}

#[test]
fn null_identity_joins_as_the_default_identity_and_the_cloud_passes_through() {
    let _s = started();
    let (a, alice, h) = password_group();
    let password = W::new("s3cret");
    let gpn = group_name(h);
    // Bob's store has a default identity; the invitation is for it.
    let b = Store::new();
    let bob = b.pn.identity_get_default().unwrap();
    let info = W::new(&b.pn.identity_get_xml(None).unwrap());
    let (nowhere, global) = (W::new("NoSuchCloud_"), W::new("Global_"));
    // SAFETY: valid strings, structures and out-pointers throughout.
    unsafe {
        let inv = W::new(
            &string(|o| PeerGroupCreateInvitation(h, info.p(), null_mut(), 0, null(), o)).unwrap(),
        );
        let mut hb: HGROUP = std::ptr::dangling_mut();
        b.on(|| {
            // The cloud given is the one used: an unknown one is the facade's error.
            assert_eq!(
                PeerGroupJoin(null(), inv.p(), nowhere.p(), &mut hb),
                hr(PEER_E_NO_CLOUD)
            );
            assert!(hb.is_null());
            assert_eq!(group_count(&b), 0);
            assert_eq!(PeerGroupJoin(null(), inv.p(), global.p(), &mut hb), 0);
        });
        assert_eq!(identity_of(hb), bob, "joined as the default identity");
        assert_eq!(group_name(hb), gpn);
        let mut pp: *mut PEER_GROUP_PROPERTIES = null_mut();
        assert_eq!(PeerGroupGetProperties(hb, &mut pp), 0);
        assert_eq!(read_req((*pp).pwzCloud).unwrap(), "Global_");
        crate::memory::free(pp.cast());
        close(hb);
        assert_eq!(b.identities(), vec![bob.clone()], "no identity made");

        // A password join with NULL identity in the owner's store, where alice is not
        // the default identity: the default identity is made and joins.
        let pinv = W::new(&string(|o| PeerGroupCreatePasswordInvitation(h, o)).unwrap());
        let mut hp: HGROUP = std::ptr::dangling_mut();
        a.on(|| {
            assert_eq!(
                PeerGroupPasswordJoin(null(), pinv.p(), password.p(), nowhere.p(), &mut hp),
                hr(PEER_E_NO_CLOUD)
            );
            assert!(hp.is_null());
            assert_eq!(
                PeerGroupPasswordJoin(null(), pinv.p(), password.p(), global.p(), &mut hp),
                0
            );
        });
        let default = a.pn.identity_get_default().unwrap();
        assert_ne!(default, read_req(alice.p()).unwrap());
        assert_eq!(identity_of(hp), default, "joined as the default identity");
        assert_eq!(group_name(hp), gpn);
        close(hp);
    }
    close(h);
}

#[test]
fn handles_connect_close_delete() {
    let _s = started();
    let (s, me, h) = store_with_group();
    let gpn = W::new(&group_name(h));
    // SAFETY: handle lookups; test buffers are valid for the calls.
    unsafe {
        // Connecting for real is tested on loopback in tests/c/connect.c; here only the
        // argument checks, which never start a node.
        assert_eq!(
            crate::connection::PeerGroupConnectByAddress(h, 0, std::ptr::null()),
            E_INVALIDARG.as_i32()
        );
        assert_eq!(PeerGroupConnect(null_mut()), BAD_GROUP);
        assert_eq!(
            PeerGroupConnect(std::ptr::without_provenance_mut(0x1234_5679)),
            BAD_GROUP,
            "garbage handle"
        );
        assert_eq!(PeerGroupClose(null_mut()), BAD_GROUP);
        assert_eq!(
            PeerGroupClose(std::ptr::without_provenance_mut(0x1234_5679)),
            BAD_GROUP,
            "garbage handle"
        );
        close(h);
        assert_eq!(PeerGroupClose(h), BAD_GROUP, "closed handle");
        assert_eq!(PeerGroupConnect(h), BAD_GROUP, "stale handle");
        s.on(|| {
            assert_eq!(PeerGroupDelete(W::new(&me).p(), null()), INVALID);
            assert_eq!(PeerGroupDelete(bad_utf16().p(), gpn.p()), INVALID);
            // NULL identity: the default identity, which `me` is not yet.
            assert_eq!(PeerGroupDelete(null(), gpn.p()), hr(PEER_E_NOT_FOUND));
            s.pn.identity_set_default(&me).unwrap();
            assert_eq!(PeerGroupDelete(null(), gpn.p()), 0);
            assert_eq!(s.pn.enum_groups(&me).unwrap(), vec![]);
        });
    }
}

#[test]
fn invitation_arguments() {
    let _s = started();
    let (s, _, h) = store_with_group();
    let other = Store::new();
    let info = W::new(&other.on(|| {
        let bob = create_identity("bob", "Bob");
        other.pn.identity_get_xml(Some(&bob)).unwrap()
    }));
    let roles = [PEER_GROUP_ROLE_MEMBER];
    let mut ft = FILETIME::from_u64(peernet::to_filetime(SystemTime::now()) + 36_000_000_000);
    let mut out: PWSTR = std::ptr::dangling_mut();
    s.on(|| {
        // SAFETY: test buffers are valid for the calls.
        unsafe {
            assert_eq!(
                PeerGroupCreateInvitation(h, info.p(), null_mut(), 1, null(), &mut out),
                INVALID,
                "cRoles without pRoles"
            );
            assert!(out.is_null());
            assert_eq!(
                PeerGroupCreateInvitation(h, null(), null_mut(), 0, null(), &mut out),
                INVALID
            );
            assert_eq!(
                PeerGroupCreateInvitation(h, info.p(), null_mut(), 0, null(), null_mut()),
                INVALID
            );
            assert_eq!(
                PeerGroupCreateInvitation(null_mut(), info.p(), null_mut(), 0, null(), &mut out),
                BAD_GROUP
            );
            assert_eq!(
                PeerGroupCreateInvitation(h, info.p(), &mut ft, 1, roles.as_ptr(), &mut out),
                0
            );
            let inv = W::new(&take(out));
            assert_eq!(
                PeerGroupCreateInvitation(h, info.p(), null_mut(), 0, null(), &mut out),
                0
            );
            take(out);
            assert_eq!(
                PeerGroupCreateInvitation(
                    h,
                    info.p(),
                    null_mut(),
                    MAX_LIST as u32 + 1,
                    roles.as_ptr(),
                    &mut out
                ),
                INVALID
            );

            assert_eq!(PeerGroupCreatePasswordInvitation(h, null_mut()), INVALID);
            // A facade error (no password authentication) leaves the output NULL.
            out = std::ptr::dangling_mut();
            assert_eq!(
                PeerGroupCreatePasswordInvitation(h, &mut out),
                hr(PEER_E_NOT_AUTHORIZED)
            );
            assert!(out.is_null());
            assert_eq!(
                PeerGroupCreatePasswordInvitation(null_mut(), &mut out),
                BAD_GROUP
            );
            assert!(out.is_null());

            let mut p: *mut PEER_INVITATION_INFO = std::ptr::dangling_mut();
            assert_eq!(PeerGroupParseInvitation(null(), &mut p), INVALID);
            assert!(p.is_null());
            assert_eq!(PeerGroupParseInvitation(inv.p(), null_mut()), INVALID);
            assert_eq!(PeerGroupParseInvitation(inv.p(), &mut p), 0);
            assert!(crate::memory::is_live(p.cast()));
            assert_eq!((*p).dwScope, 1);
            assert_eq!(read_req((*p).pwzCloudName).unwrap(), "Global_");
            assert_eq!((*p).cRoles, 1);
            assert_eq!(*(*p).pRoles, PEER_GROUP_ROLE_MEMBER);
            for k in 0..(*p).cClassifiers as usize {
                read_req(*(*p).ppwzClassifiers.add(k)).unwrap();
            }
            assert_eq!(
                (*p).ftValidityEnd.as_u64() / 10_000_000,
                ft.as_u64() / 10_000_000,
                "the expiration given"
            );
            crate::memory::free(p.cast());
        }
    });
    close(h);
}

#[test]
fn issue_credentials_and_config_arguments() {
    let _s = started();
    let (s, _, h) = store_with_group();
    let subject = W::new(&format!("{}.subject", "b".repeat(40)));
    let roles = [PEER_GROUP_ROLE_MEMBER];
    let cred = PEER_CREDENTIAL_INFO {
        dwSize: size_of::<PEER_CREDENTIAL_INFO>() as u32,
        dwFlags: 0,
        pwzFriendlyName: null_mut(),
        pPublicKey: null_mut(),
        pwzIssuerPeerName: null_mut(),
        pwzIssuerFriendlyName: null_mut(),
        ftValidityStart: FILETIME::default(),
        ftValidityEnd: FILETIME::default(),
        cRoles: 1,
        pRoles: roles.as_ptr().cast_mut(),
    };
    let (pw, xml) = (W::new("pw"), W::new("<PEERGROUPCONFIG/>"));
    let mut s1: PWSTR = std::ptr::dangling_mut();
    let mut s2: PWSTR = std::ptr::dangling_mut();
    let (me, gpn) = (identity_of(h), group_name(h));
    let members = || s.pn.store().members(&me, &gpn).unwrap();
    let members_before = members();
    let groups_before = group_count(&s);
    s.on(|| {
        // SAFETY: test buffers are valid for the calls.
        unsafe {
            assert_eq!(
                PeerGroupIssueCredentials(h, null(), null_mut(), 0, &mut s1),
                INVALID
            );
            assert!(s1.is_null());
            assert_eq!(
                PeerGroupIssueCredentials(h, subject.p(), null_mut(), 2, &mut s1),
                INVALID,
                "unknown flag"
            );
            let mut bad = cred;
            bad.dwSize = 4;
            assert_eq!(
                PeerGroupIssueCredentials(h, subject.p(), &mut bad, 0, &mut s1),
                INVALID
            );
            bad = cred;
            bad.pRoles = null_mut();
            assert_eq!(
                PeerGroupIssueCredentials(h, subject.p(), &mut bad, 0, &mut s1),
                INVALID
            );
            bad = cred;
            assert_eq!(
                PeerGroupIssueCredentials(h, subject.p(), &mut bad, 0, &mut s1),
                INVALID,
                "no public key"
            );
            // The issuer fields are ignored, but must be valid UTF-16 (checked with a
            // sound public key, so that nothing else is wrong).
            let odd = bad_utf16();
            let key = {
                let k = Store::new();
                let who = k.pn.identity_create(Some("k"), Some("K"), None).unwrap();
                let xml = k.pn.identity_get_xml(Some(&who)).unwrap();
                let (_, ci) = peernet::CredentialInfo::from_identity_info(&xml, &[]).unwrap();
                let mut b = crate::memory::BlockBuilder::new();
                public_key_info(&ci.public_key)
                    .unwrap()
                    .place(&mut b)
                    .unwrap();
                b.finish().unwrap().cast::<CERT_PUBLIC_KEY_INFO>()
            };
            bad = cred;
            bad.pPublicKey = key;
            bad.pwzIssuerPeerName = odd.m();
            assert_eq!(
                PeerGroupIssueCredentials(h, subject.p(), &mut bad, 0, &mut s1),
                INVALID,
                "issuer peer name"
            );
            bad = cred;
            bad.pPublicKey = key;
            bad.pwzIssuerFriendlyName = odd.m();
            assert_eq!(
                PeerGroupIssueCredentials(h, subject.p(), &mut bad, 0, &mut s1),
                INVALID,
                "issuer friendly name"
            );
            bad = cred;
            bad.pPublicKey = key;
            bad.pwzFriendlyName = odd.m();
            assert_eq!(
                PeerGroupIssueCredentials(h, subject.p(), &mut bad, 0, &mut s1),
                INVALID,
                "friendly name"
            );
            crate::memory::free(key.cast());
            assert_eq!(
                PeerGroupIssueCredentials(
                    h,
                    subject.p(),
                    null_mut(),
                    PEER_GROUP_STORE_CREDENTIALS,
                    null_mut()
                ),
                hr(PEER_E_IDENTITY_NOT_FOUND),
                "optional out-pointer; unknown subject"
            );
            assert_eq!(
                PeerGroupIssueCredentials(null_mut(), subject.p(), null_mut(), 0, &mut s1),
                BAD_GROUP
            );
            assert_eq!(members(), members_before, "no member row changed");

            assert_eq!(PeerGroupExportConfig(h, null(), &mut s1), INVALID);
            assert!(s1.is_null());
            assert_eq!(PeerGroupExportConfig(h, pw.p(), null_mut()), INVALID);
            assert_eq!(
                PeerGroupExportConfig(null_mut(), pw.p(), &mut s1),
                BAD_GROUP
            );
            assert_eq!(PeerGroupExportConfig(h, pw.p(), &mut s1), 0);
            let cfg = W::new(&take(s1));

            assert_eq!(
                PeerGroupImportConfig(null(), pw.p(), 0, &mut s1, &mut s2),
                INVALID
            );
            assert_eq!(
                PeerGroupImportConfig(xml.p(), null(), 0, &mut s1, &mut s2),
                INVALID
            );
            assert_eq!(
                PeerGroupImportConfig(xml.p(), pw.p(), 0, null_mut(), &mut s2),
                INVALID
            );
            assert_eq!(
                PeerGroupImportConfig(xml.p(), pw.p(), 0, &mut s1, null_mut()),
                INVALID
            );
            assert_eq!(
                PeerGroupImportConfig(cfg.p(), bad_utf16().p(), 0, &mut s1, &mut s2),
                INVALID
            );
            assert!(s1.is_null() && s2.is_null());
            assert_eq!(group_count(&s), groups_before, "no group added");
            assert_eq!(
                PeerGroupImportConfig(cfg.p(), pw.p(), 7, &mut s1, &mut s2),
                0
            );
            assert_eq!(take(s2), group_name(h));
            take(s1);
            assert_eq!(group_count(&s), groups_before, "overwritten, not added");
        }
    });
    close(h);
}

#[test]
fn properties_status_and_time() {
    let _s = started();
    let (_s, me, h) = store_with_group();
    let mut p: *mut PEER_GROUP_PROPERTIES = std::ptr::dangling_mut();
    let mut status: DWORD = 9;
    let mut out = FILETIME::from_u64(5);
    let mut input = FILETIME::from_u64(1000);
    let (c, f) = (W::new("chat"), W::new("G"));
    // SAFETY: test buffers are valid for the calls.
    unsafe {
        assert_eq!(PeerGroupGetProperties(h, null_mut()), INVALID);
        assert_eq!(PeerGroupGetProperties(null_mut(), &mut p), BAD_GROUP);
        assert!(p.is_null());
        assert_eq!(PeerGroupGetProperties(h, &mut p), 0);
        assert_eq!((*p).dwSize as usize, size_of::<PEER_GROUP_PROPERTIES>());
        assert_eq!(read_req((*p).pwzFriendlyName).unwrap(), "Chat");
        assert_eq!(read_req((*p).pwzCreatorPeerName).unwrap(), me);
        assert_eq!(PeerGroupSetProperties(h, p), 0, "Get, modify, Set");
        crate::memory::free(p.cast());
        assert_eq!(PeerGroupSetProperties(h, null_mut()), INVALID);
        assert_eq!(
            PeerGroupSetProperties(null_mut(), &mut group_properties(None, &c, &f)),
            BAD_GROUP
        );
        // The structure is converted before the handle is looked up.
        let garbage: HGROUP = std::ptr::without_provenance_mut(0x7770);
        let mut bad_size = group_properties(None, &c, &f);
        bad_size.dwSize = 8;
        assert_eq!(PeerGroupSetProperties(null_mut(), &mut bad_size), INVALID);
        assert_eq!(PeerGroupSetProperties(garbage, &mut bad_size), INVALID);
        assert_eq!(PeerGroupSetProperties(h, &mut bad_size), INVALID);
        let odd = bad_utf16();
        let mut bad_text = group_properties(None, &c, &odd);
        assert_eq!(PeerGroupSetProperties(garbage, &mut bad_text), INVALID);
        let mut bad_comment = group_properties(None, &c, &f);
        bad_comment.pwzComment = odd.m();
        assert_eq!(
            PeerGroupSetProperties(null_mut(), &mut bad_comment),
            INVALID
        );

        assert_eq!(PeerGroupGetStatus(h, null_mut()), INVALID);
        assert_eq!(PeerGroupGetStatus(null_mut(), &mut status), BAD_GROUP);
        assert_eq!(status, 0);
        status = 9;
        assert_eq!(PeerGroupGetStatus(h, &mut status), 0);
        assert_eq!(status, 0);

        assert_eq!(
            PeerGroupUniversalTimeToPeerTime(h, null_mut(), &mut out),
            INVALID
        );
        assert_eq!(out, FILETIME::default(), "output zeroed on failure");
        assert_eq!(
            PeerGroupUniversalTimeToPeerTime(h, &mut input, null_mut()),
            INVALID
        );
        assert_eq!(
            PeerGroupUniversalTimeToPeerTime(null_mut(), &mut input, &mut out),
            BAD_GROUP
        );
        out = FILETIME::from_u64(5);
        assert_eq!(
            PeerGroupUniversalTimeToPeerTime(h, &mut input, &mut out),
            hr(PEER_E_GROUP_NOT_READY)
        );
        assert_eq!(out.as_u64(), 0);
        assert_eq!(
            PeerGroupPeerTimeToUniversalTime(h, &mut input, &mut out),
            hr(PEER_E_GROUP_NOT_READY)
        );
        // In place (GroupChat converts a FILETIME onto itself).
        assert_eq!(
            PeerGroupUniversalTimeToPeerTime(h, &mut input, &mut input),
            hr(PEER_E_GROUP_NOT_READY)
        );
        // The shared body reads the input before it clears the output: with a
        // conversion that succeeds, the same structure gets the converted value.
        let mut t = FILETIME::from_u64(1000);
        let tp: *mut FILETIME = &mut t;
        assert_eq!(convert_time(h, tp, tp, |_, v| Ok(v + 10)), 0);
        assert_eq!(t.as_u64(), 1010);
    }
    close(h);
}

#[test]
fn store_errors_leave_outputs_null() {
    let _s = started();
    let s = Store::new();
    let me = s.on(|| create_identity("me", "Me"));
    let s = s.with_damaged_key();
    let (c, f, id) = (W::new("chat"), W::new("Chat"), W::new(&me));
    let mut g: HGROUP = std::ptr::dangling_mut();
    s.on(|| {
        // SAFETY: test buffers are valid for the calls.
        let r = unsafe { PeerGroupCreate(&mut group_properties(Some(&id), &c, &f), &mut g) };
        assert!(r < 0, "the creator's key cannot be opened: {r:#x}");
        assert!(g.is_null());
    });
    assert!(s.pn.enum_groups(&me).unwrap().is_empty());
}

#[test]
fn groups_end_to_end() {
    let _s = started();
    let (a, b) = (Store::new(), Store::new());
    let alice = W::new(&a.on(|| create_identity("alice", "Alice")));
    let bob_name = b.on(|| create_identity("bob", "Bob"));
    let bob = W::new(&bob_name);
    let (classifier, friendly, password) = (W::new("chat"), W::new("Chat"), W::new("s3cret"));
    let mut p0 = group_properties(Some(&alice), &classifier, &friendly);
    p0.dwAuthenticationSchemes = 0x1 | 0x2;
    p0.pwzGroupPassword = password.m();
    p0.groupPasswordRole = PEER_GROUP_ROLE_MEMBER;
    let h = a.on(|| create_group(&p0));
    let gpn = group_name(h);
    assert!(gpn.ends_with(".chat"));

    // SAFETY: valid strings, structures and out-pointers throughout.
    unsafe {
        // Properties: Vista fields, never the password; presence lifetime 0 → 300.
        let mut p: *mut PEER_GROUP_PROPERTIES = null_mut();
        assert_eq!(PeerGroupGetProperties(h, &mut p), 0);
        assert_eq!((*p).dwSize as usize, size_of::<PEER_GROUP_PROPERTIES>());
        assert_eq!(read_req((*p).pwzFriendlyName).unwrap(), "Chat");
        assert_eq!(read_req((*p).pwzClassifier).unwrap(), "chat");
        assert_eq!(read_req((*p).pwzCloud).unwrap(), "Global_");
        assert_eq!(
            read_req((*p).pwzCreatorPeerName).unwrap(),
            read_req(alice.p()).unwrap()
        );
        assert!((*p).pwzGroupPassword.is_null());
        assert_eq!((*p).dwAuthenticationSchemes, 3);
        assert_eq!((*p).groupPasswordRole, PEER_GROUP_ROLE_MEMBER);
        assert_eq!((*p).ulPresenceLifetime, 300);
        // Get → modify → Set.
        let comment = W::new("a comment");
        (*p).pwzComment = comment.m();
        assert_eq!(PeerGroupSetProperties(h, p), 0);
        crate::memory::free(p.cast());
        // An XP-sized structure with NULL immutable fields changes the friendly name only.
        let renamed = W::new("Renamed");
        let mut xp = group_properties(Some(&W::new("")), &W::new(""), &renamed);
        xp.dwSize = PEER_GROUP_PROPERTIES_V1_SIZE as u32;
        xp.pwzClassifier = null_mut();
        xp.pwzCreatorPeerName = null_mut();
        assert_eq!(PeerGroupSetProperties(h, &mut xp), 0);
        assert_eq!(PeerGroupGetProperties(h, &mut p), 0);
        assert_eq!(read_req((*p).pwzFriendlyName).unwrap(), "Renamed");
        assert_eq!(read_req((*p).pwzComment).unwrap(), "");
        assert_eq!((*p).dwAuthenticationSchemes, 3, "unchanged");
        crate::memory::free(p.cast());
        // Changing an immutable field passes the facade's error through.
        let other = W::new("other");
        xp.pwzClassifier = other.m();
        assert_eq!(
            PeerGroupSetProperties(h, &mut xp),
            hr(PEER_E_INVALID_GROUP_PROPERTIES)
        );

        // Invitation for bob (his PEERIDENTITYINFO from the other store).
        let bob_info = W::new(&b.pn.identity_get_xml(Some(&bob_name)).unwrap());
        let roles = [PEER_GROUP_ROLE_MEMBER];
        let inv = W::new(
            &string(|o| {
                PeerGroupCreateInvitation(h, bob_info.p(), null_mut(), 1, roles.as_ptr(), o)
            })
            .unwrap(),
        );
        let mut info: *mut PEER_INVITATION_INFO = null_mut();
        assert_eq!(PeerGroupParseInvitation(inv.p(), &mut info), 0);
        {
            let inf = &*info;
            assert_eq!(read_req(inf.pwzGroupPeerName).unwrap(), gpn);
            assert_eq!(read_req(inf.pwzSubjectPeerName).unwrap(), bob_name);
            assert_eq!(read_req(inf.pwzSubjectFriendlyName).unwrap(), "Bob");
            assert_eq!(read_req(inf.pwzGroupFriendlyName).unwrap(), "Chat");
            assert_eq!(read_req(inf.pwzCloudName).unwrap(), "Global_");
            assert_eq!(inf.dwScope, 1);
            assert_eq!(inf.cRoles, 1);
            assert_eq!(*inf.pRoles, PEER_GROUP_ROLE_MEMBER);
            assert_eq!(inf.authScheme, 1);
            let now = peernet::to_filetime(SystemTime::now());
            assert!(inf.ftValidityStart.as_u64() <= now && now < inf.ftValidityEnd.as_u64());
            let k: &CERT_PUBLIC_KEY_INFO = &*inf.pSubjectPublicKey;
            let oid = std::ffi::CStr::from_ptr(k.Algorithm.pszObjId);
            assert_eq!(oid.to_str().unwrap(), "1.2.840.113549.1.1.1");
            assert!(k.PublicKey.cbData > 100);
        }
        crate::memory::free(info.cast());
        // A damaged invitation passes the facade's error through.
        assert_eq!(
            PeerGroupParseInvitation(W::new("<PEERINVITATION/>").p(), &mut info),
            hr(PEER_E_INVITATION_NOT_TRUSTED)
        );
        assert!(info.is_null());

        // Bob joins in his store, exports his configuration.
        let mut hb: HGROUP = null_mut();
        b.on(|| assert_eq!(PeerGroupJoin(bob.p(), inv.p(), null(), &mut hb), 0));
        assert_eq!(group_name(hb), gpn);
        // A Member cannot invite.
        assert_eq!(
            string(|o| PeerGroupCreateInvitation(hb, bob_info.p(), null_mut(), 0, null(), o)),
            Err(hr(PEER_E_NOT_AUTHORIZED))
        );
        let cfg_pw = W::new("cfg");
        let cfg = W::new(&string(|o| PeerGroupExportConfig(hb, cfg_pw.p(), o)).unwrap());
        close(hb);
        // Joining again with the same invitation: already exists.
        b.on(|| {
            assert_eq!(
                PeerGroupJoin(bob.p(), inv.p(), null(), &mut hb),
                hr(PEER_E_ALREADY_EXISTS)
            );
        });
        assert!(hb.is_null());

        // The configuration, imported into a third store without bob: not found; with bob
        // imported first: works, and overwrite decides about a second import.
        let c = Store::new();
        let bob_export = b.pn.identity_export(&bob_name, &"pw".into()).unwrap();
        let gw = W::new(&gpn);
        let mut hc: HGROUP = null_mut();
        c.on(|| {
            let mut id: PWSTR = std::ptr::dangling_mut();
            let mut grp: PWSTR = std::ptr::dangling_mut();
            assert_eq!(
                PeerGroupImportConfig(cfg.p(), cfg_pw.p(), 0, &mut id, &mut grp),
                hr(PEER_E_NOT_FOUND)
            );
            assert!(id.is_null() && grp.is_null());
            c.pn.identity_import(&bob_export, &"pw".into()).unwrap();
            assert_eq!(
                PeerGroupImportConfig(cfg.p(), cfg_pw.p(), 0, &mut id, &mut grp),
                0
            );
            assert_eq!(take(id), bob_name);
            assert_eq!(take(grp), gpn);
            assert_eq!(
                PeerGroupImportConfig(cfg.p(), cfg_pw.p(), 0, &mut id, &mut grp),
                hr(PEER_E_ALREADY_EXISTS)
            );
            assert_eq!(
                PeerGroupImportConfig(cfg.p(), cfg_pw.p(), 1, &mut id, &mut grp),
                0
            );
            take(id);
            take(grp);
            assert_eq!(PeerGroupOpen(bob.p(), gw.p(), null(), &mut hc), 0);
            assert_eq!(group_name(hc), gpn);

            // Enumerating bob's groups in the third store.
            let mut e: HPEERENUM = null_mut();
            assert_eq!(PeerEnumGroups(bob.p(), &mut e), 0);
            let mut n: u32 = 5;
            let mut items: *mut *mut std::ffi::c_void = null_mut();
            assert_eq!(PeerGetNextItem(e, &mut n, &mut items), 0);
            assert_eq!(n, 1);
            let pair = (*items).cast::<PEER_NAME_PAIR>();
            assert_eq!(read_req((*pair).pwzPeerName).unwrap(), gpn);
            crate::memory::free(items.cast());
            assert_eq!(PeerEndEnumeration(e), 0);

            // Delete order: groups first.
            assert_eq!(crate::PeerIdentityDelete(bob.p()), hr(PEER_E_GROUPS_EXIST));
            assert_eq!(PeerGroupDelete(bob.p(), gw.p()), 0);
            // The open handle is now invalid (the facade re-checks the store).
            let mut status = 0;
            assert_eq!(
                PeerGroupGetStatus(hc, &mut status),
                hr(PEER_E_INVALID_GROUP)
            );
            let mut t = FILETIME::from_u64(1);
            assert_eq!(
                PeerGroupUniversalTimeToPeerTime(hc, &mut t, &mut t),
                hr(PEER_E_INVALID_GROUP)
            );
            close(hc);
            assert_eq!(PeerGroupDelete(bob.p(), gw.p()), hr(PEER_E_NOT_FOUND));
            assert_eq!(
                PeerGroupOpen(bob.p(), gw.p(), null(), &mut hc),
                hr(PEER_E_NOT_FOUND)
            );
            assert_eq!(crate::PeerIdentityDelete(bob.p()), 0);
        });

        // The owner exports the configuration (with GROUPKEY) and issues credentials.
        let cfg_a = string(|o| PeerGroupExportConfig(h, cfg_pw.p(), o)).unwrap();
        assert!(cfg_a.contains("GROUPKEY"));
        let (_, cred) =
            peernet::CredentialInfo::from_identity_info(&read_req(bob_info.p()).unwrap(), &[])
                .unwrap();
        let k = public_key_info(&cred.public_key).unwrap();
        let oid = std::ffi::CString::new(k.algorithm_oid.clone()).unwrap();
        let (mut params, mut key) = (k.parameters.clone(), k.public_key.clone());
        let mut spki = CERT_PUBLIC_KEY_INFO {
            Algorithm: CRYPT_ALGORITHM_IDENTIFIER {
                pszObjId: oid.as_ptr().cast_mut(),
                Parameters: CRYPT_DATA_BLOB {
                    cbData: params.len() as u32,
                    pbData: params.as_mut_ptr(),
                },
            },
            PublicKey: CRYPT_BIT_BLOB {
                cbData: key.len() as u32,
                pbData: key.as_mut_ptr(),
                cUnusedBits: 0,
            },
        };
        let inviting = [PEER_GROUP_ROLE_INVITING_MEMBER];
        let bob_friendly = W::new("Bob");
        let mut ci = PEER_CREDENTIAL_INFO {
            dwSize: size_of::<PEER_CREDENTIAL_INFO>() as u32,
            dwFlags: 0,
            pwzFriendlyName: bob_friendly.m(),
            pPublicKey: &mut spki,
            pwzIssuerPeerName: null_mut(),
            pwzIssuerFriendlyName: null_mut(),
            ftValidityStart: FILETIME::default(),
            ftValidityEnd: FILETIME::default(),
            cRoles: 1,
            pRoles: inviting.as_ptr().cast_mut(),
        };
        let gmc = string(|o| PeerGroupIssueCredentials(h, bob.p(), &mut ci, 1, o)).unwrap();
        let parsed = a.pn.group_parse_invitation(&gmc).unwrap();
        assert_eq!(parsed.roles, vec![Role::INVITING_MEMBER]);
        assert_eq!(parsed.subject_peer_name.as_deref(), Some(bob_name.as_str()));
        // NULL credential info: the subject's GMC stored by PEER_GROUP_STORE_CREDENTIALS
        // (flag 1 above) is found in the group database; an unknown subject is
        // PEER_E_IDENTITY_NOT_FOUND.
        assert!(string(|o| PeerGroupIssueCredentials(h, bob.p(), null_mut(), 0, o)).is_ok());
        let nobody = W::new(&format!("{}.nobody", "a".repeat(40)));
        assert_eq!(
            string(|o| PeerGroupIssueCredentials(h, nobody.p(), null_mut(), 0, o)),
            Err(hr(PEER_E_IDENTITY_NOT_FOUND))
        );
        // NULL public key: E_INVALIDARG.
        ci.pPublicKey = null_mut();
        assert_eq!(
            string(|o| PeerGroupIssueCredentials(h, bob.p(), &mut ci, 0, o)),
            Err(hr(E_INVALIDARG))
        );

        // Password invitation and join in the owner's store (the verifier is known there).
        let pinv = W::new(&string(|o| PeerGroupCreatePasswordInvitation(h, o)).unwrap());
        a.on(|| {
            let carol = W::new(&create_identity("carol", "Carol"));
            let mut hp: HGROUP = null_mut();
            assert_eq!(
                PeerGroupPasswordJoin(carol.p(), pinv.p(), W::new("nope").p(), null(), &mut hp),
                hr(ERROR_INVALID_PASSWORD)
            );
            assert!(hp.is_null());
            assert_eq!(
                PeerGroupPasswordJoin(carol.p(), pinv.p(), password.p(), null(), &mut hp),
                0
            );
            close(hp);
            assert_eq!(
                PeerGroupPasswordJoin(carol.p(), pinv.p(), password.p(), null(), &mut hp),
                hr(PEER_S_ALREADY_A_MEMBER),
                "success codes pass through"
            );
            // Credentials are pending until connect: exports are not ready.
            assert_eq!(
                string(|o| PeerGroupExportConfig(hp, cfg_pw.p(), o)),
                Err(hr(PEER_E_GROUP_NOT_READY))
            );
            close(hp);
        });
        close(h);
        assert_eq!(PeerGroupClose(h), hr(PEER_E_INVALID_GROUP));
    }
}
