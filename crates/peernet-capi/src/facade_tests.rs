//! The argument layer on the real facade backend: main paths, conversions and the
//! HRESULT pass-through. Each test uses its own temporary stores through
//! [`Facade::with_context`], so `PEERNET_HOME` and the process-wide context are untouched.

use std::mem::size_of;
use std::ptr::{null, null_mut};
use std::sync::MutexGuard;

use peernet::hresult::{
    E_HANDLE, E_INVALIDARG, E_NOTIMPL, ERROR_INVALID_PASSWORD, PEER_E_ALREADY_EXISTS,
    PEER_E_GROUP_NOT_READY, PEER_E_GROUPS_EXIST, PEER_E_INVALID_GROUP,
    PEER_E_INVALID_GROUP_PROPERTIES, PEER_E_INVITATION_NOT_TRUSTED, PEER_E_NOT_AUTHORIZED,
    PEER_E_NOT_FOUND, PEER_S_ALREADY_A_MEMBER,
};

use super::*;
use crate::enumeration::{PeerEndEnumeration, PeerGetNextItem};
use crate::group_api as g;
use crate::identity_api as i;
use crate::model::MAX_LIST;
use crate::test_backend::{W, take};
use crate::types::{
    CERT_PUBLIC_KEY_INFO, FILETIME, HGROUP, HPEERENUM, HRESULT, PEER_CREDENTIAL_INFO,
    PEER_GROUP_PROPERTIES, PEER_GROUP_PROPERTIES_V1_SIZE, PEER_GROUP_ROLE_ADMIN,
    PEER_GROUP_ROLE_INVITING_MEMBER, PEER_GROUP_ROLE_MEMBER, PEER_INVITATION_INFO, PEER_NAME_PAIR,
    PWSTR,
};
use crate::wide::read_req;

fn hr(h: HResult) -> HRESULT {
    h.as_i32()
}

/// A facade backend on a fresh store (windows profile, as the exports use).
fn store() -> (tempfile::TempDir, Facade) {
    let dir = tempfile::tempdir().unwrap();
    let pn = open_at(dir.path()).unwrap();
    (dir, Facade::with_context(pn))
}

/// Group handles are process-wide and the last PeerGroupShutdown closes them all: hold
/// the startup lock and a startup while a test uses handles.
struct Started(#[allow(dead_code)] MutexGuard<'static, ()>);

fn started() -> Started {
    let l = crate::startup::TEST_LOCK
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let mut v = crate::types::PEER_VERSION_DATA::default();
    // SAFETY: valid out-pointer.
    let r = unsafe { crate::startup::PeerGroupStartup(crate::types::PEER_GROUP_VERSION, &mut v) };
    assert_eq!(r, 0);
    Started(l)
}

impl Drop for Started {
    fn drop(&mut self) {
        // SAFETY: no arguments.
        let r = unsafe { crate::startup::PeerGroupShutdown() };
        assert_eq!(r, 0);
    }
}

/// Call a function returning one string; `Ok(string)` (block freed) or `Err(HRESULT)`
/// with the out-pointer checked to be NULL.
fn string(f: impl FnOnce(*mut PWSTR) -> HRESULT) -> Result<String, HRESULT> {
    let mut out: PWSTR = std::ptr::dangling_mut();
    let r = f(&mut out);
    if r < 0 {
        assert!(out.is_null(), "out-pointer NULL on failure");
        return Err(r);
    }
    // SAFETY: a successful call returned a block.
    Ok(unsafe { take(out) })
}

fn create_identity(b: &Facade, classifier: &str, friendly: &str) -> String {
    let (c, f) = (W::new(classifier), W::new(friendly));
    // SAFETY: valid strings and out-pointer.
    string(|o| unsafe { i::identity_create(b, c.p(), f.p(), 0, o) }).unwrap()
}

fn vista_props(creator: &W, classifier: &W, friendly: &W) -> PEER_GROUP_PROPERTIES {
    PEER_GROUP_PROPERTIES {
        dwSize: size_of::<PEER_GROUP_PROPERTIES>() as u32,
        dwFlags: 0,
        pwzCloud: null_mut(),
        pwzClassifier: classifier.p().cast_mut(),
        pwzGroupPeerName: null_mut(),
        pwzCreatorPeerName: creator.p().cast_mut(),
        pwzFriendlyName: friendly.p().cast_mut(),
        pwzComment: null_mut(),
        ulMemberDataLifetime: 0,
        ulPresenceLifetime: 0,
        dwAuthenticationSchemes: 0,
        pwzGroupPassword: null_mut(),
        groupPasswordRole: GUID::NULL,
    }
}

fn create_group(b: &Facade, props: &PEER_GROUP_PROPERTIES) -> HGROUP {
    let mut h: HGROUP = null_mut();
    // SAFETY: valid structure and out-pointer.
    assert_eq!(unsafe { g::group_create(b, props, &mut h) }, 0);
    assert!(!h.is_null());
    h
}

fn close(b: &Facade, h: HGROUP) {
    assert_eq!(g::group_close(b, h), 0);
}

fn group_name(b: &Facade, h: HGROUP) -> String {
    let mut p: *mut PEER_GROUP_PROPERTIES = null_mut();
    // SAFETY: valid out-pointer; the block is read then freed.
    unsafe {
        assert_eq!(g::group_get_properties(b, h, &mut p), 0);
        let name = read_req((*p).pwzGroupPeerName).unwrap();
        crate::alloc::free(p.cast());
        name
    }
}

#[test]
fn roles_and_guids() {
    assert_eq!(role_of(&PEER_GROUP_ROLE_ADMIN), Role::ADMIN);
    assert_eq!(role_of(&PEER_GROUP_ROLE_MEMBER), Role::MEMBER);
    assert_eq!(
        role_of(&PEER_GROUP_ROLE_INVITING_MEMBER),
        Role::INVITING_MEMBER
    );
    for r in [Role::ADMIN, Role::MEMBER, Role::INVITING_MEMBER] {
        assert_eq!(role_of(&guid_of(r)), r);
    }
}

#[test]
fn filetimes() {
    assert_eq!(filetime(UNIX_EPOCH), 116_444_736_000_000_000);
    assert_eq!(system_time(116_444_736_000_000_000), UNIX_EPOCH);
    let t = UNIX_EPOCH + Duration::new(1_700_000_000, 123_456_700);
    assert_eq!(system_time(filetime(t)), t);
    let before = UNIX_EPOCH - Duration::from_secs(86_400);
    assert_eq!(system_time(filetime(before)), before);
    assert_eq!(filetime(system_time(0)), 0);
}

#[test]
fn public_keys_round_trip_and_bad_ones_are_invalid_args() {
    // RSA SubjectPublicKeyInfo with NULL parameters, as Windows identities have.
    let (_d, b) = store();
    let me = create_identity(&b, "k", "K");
    let pn = b.context().unwrap();
    let xml = pn.identity_get_xml(Some(&me)).unwrap();
    let (_, info) = peernet::CredentialInfo::from_identity_info(&xml, &[]).unwrap();
    let k = public_key_info(&info.public_key).unwrap();
    assert_eq!(k.algorithm_oid, "1.2.840.113549.1.1.1");
    assert_eq!(k.parameters, vec![5, 0]);
    assert_eq!(k.unused_bits, 0);
    assert_eq!(spki_der(&k).unwrap(), info.public_key);

    let bad_oid = PublicKeyInfo {
        algorithm_oid: "not an oid".into(),
        ..k.clone()
    };
    assert_eq!(spki_der(&bad_oid), Err(E_INVALIDARG));
    let bad_params = PublicKeyInfo {
        parameters: vec![5],
        ..k.clone()
    };
    assert_eq!(spki_der(&bad_params), Err(E_INVALIDARG));
    let bad_bits = PublicKeyInfo {
        unused_bits: 8,
        ..k
    };
    assert_eq!(spki_der(&bad_bits), Err(E_INVALIDARG));
    assert_eq!(public_key_info(b"junk"), Err(hr::E_FAIL));
}

#[test]
fn identities_end_to_end() {
    let (_a, a) = store();
    let (_b, b) = store();
    let alice = create_identity(&a, "alice", "Alice");
    assert!(alice.ends_with(".alice"));
    let id = W::new(&alice);
    // SAFETY: valid strings and out-pointers throughout.
    unsafe {
        assert_eq!(
            string(|o| i::identity_get_friendly_name(&a, id.p(), o)).unwrap(),
            "Alice"
        );
        assert_eq!(
            i::identity_set_friendly_name(&a, id.p(), W::new("Alice A.").p()),
            0
        );
        assert_eq!(
            string(|o| i::identity_get_friendly_name(&a, id.p(), o)).unwrap(),
            "Alice A."
        );
        assert_eq!(i::identity_set_friendly_name(&a, id.p(), null()), 0);
        assert_eq!(
            string(|o| i::identity_get_friendly_name(&a, id.p(), o)).unwrap(),
            alice
        );
        let xml = string(|o| i::identity_get_xml(&a, id.p(), o)).unwrap();
        assert!(xml.contains("PEERIDENTITYINFO"));

        // Export, then import into the second store: wrong password passes through.
        let pw = W::new("pässwörd");
        let export = W::new(&string(|o| i::identity_export(&a, id.p(), pw.p(), o)).unwrap());
        assert_eq!(
            string(|o| i::identity_import(&b, export.p(), W::new("wrong").p(), o)),
            Err(hr(ERROR_INVALID_PASSWORD))
        );
        assert_eq!(hr(ERROR_INVALID_PASSWORD) as u32, 0x8007_0056);
        assert_eq!(
            string(|o| i::identity_import(&b, export.p(), pw.p(), o)).unwrap(),
            alice
        );
        assert_eq!(
            string(|o| i::identity_import(&b, export.p(), pw.p(), o)),
            Err(hr(PEER_E_ALREADY_EXISTS))
        );
        // Empty export password: the facade's E_INVALIDARG.
        assert_eq!(
            string(|o| i::identity_export(&a, id.p(), W::new("").p(), o)),
            Err(hr(E_INVALIDARG))
        );

        // Default identity: created once, then stable.
        let d1 = string(|o| i::identity_get_default(&b, o)).unwrap();
        let d2 = string(|o| i::identity_get_default(&b, o)).unwrap();
        assert_eq!(d1, d2);
        assert_ne!(d1, alice);
        assert!(
            string(|o| i::identity_get_xml(&b, null(), o))
                .unwrap()
                .contains("PEERIDENTITYINFO")
        );

        // Enumeration of the second store: alice and the default identity.
        let mut e: HPEERENUM = null_mut();
        assert_eq!(i::enum_identities(&b, &mut e), 0);
        let mut n: u32 = 10;
        let mut items: *mut *mut std::ffi::c_void = null_mut();
        assert_eq!(PeerGetNextItem(e, &mut n, &mut items), 0);
        assert_eq!(n, 2);
        let mut names: Vec<String> = (0..n as usize)
            .map(|k| {
                let p = (*items.add(k)).cast::<PEER_NAME_PAIR>();
                read_req((*p).pwzPeerName).unwrap()
            })
            .collect();
        names.sort();
        let mut want = vec![alice.clone(), d1.clone()];
        want.sort();
        assert_eq!(names, want);
        crate::alloc::free(items.cast());
        assert_eq!(PeerEndEnumeration(e), 0);

        // Peer names need no store.
        assert_eq!(
            string(|o| {
                *o = null_mut();
                i::create_peer_name(&a, id.p(), W::new("chat").p(), o)
            })
            .unwrap(),
            format!("{}.chat", alice.split('.').next().unwrap())
        );
        assert_eq!(
            string(|o| {
                *o = null_mut();
                i::create_peer_name(&a, null(), W::new("chat").p(), o)
            })
            .unwrap(),
            "0.chat"
        );

        // No CSP: E_NOTIMPL, handle 0; a CSP handle in is E_HANDLE.
        let mut prov: usize = 7;
        assert_eq!(
            i::identity_get_crypt_key(&a, id.p(), &mut prov),
            hr(E_NOTIMPL)
        );
        assert_eq!(prov, 0);
        assert_eq!(
            string(|o| i::identity_create(&a, null(), null(), 1, o)),
            Err(hr(E_HANDLE))
        );

        // Pass-through of the facade's errors.
        let nobody = W::new("0123456789abcdef0123456789abcdef01234567.nobody");
        assert_eq!(i::identity_delete(&a, nobody.p()), hr(PEER_E_NOT_FOUND));
        assert_eq!(
            string(|o| i::identity_get_friendly_name(&a, nobody.p(), o)),
            Err(hr(PEER_E_NOT_FOUND))
        );
        let mut e: HPEERENUM = std::ptr::dangling_mut();
        assert_eq!(i::enum_groups(&a, nobody.p(), &mut e), hr(PEER_E_NOT_FOUND));
        assert!(e.is_null());
        assert_eq!(i::identity_delete(&b, id.p()), 0);
        assert_eq!(i::identity_delete(&b, id.p()), hr(PEER_E_NOT_FOUND));
    }
}

#[test]
fn groups_end_to_end() {
    let _s = started();
    let (_a, a) = store();
    let (_b, b) = store();
    let alice = W::new(&create_identity(&a, "alice", "Alice"));
    let bob_name = create_identity(&b, "bob", "Bob");
    let bob = W::new(&bob_name);
    let (classifier, friendly, password) = (W::new("chat"), W::new("Chat"), W::new("s3cret"));
    let mut props = vista_props(&alice, &classifier, &friendly);
    props.dwAuthenticationSchemes = 0x1 | 0x2;
    props.pwzGroupPassword = password.p().cast_mut();
    props.groupPasswordRole = PEER_GROUP_ROLE_MEMBER;
    let h = create_group(&a, &props);
    let gpn = group_name(&a, h);
    assert!(gpn.ends_with(".chat"));

    // SAFETY: valid strings, structures and out-pointers throughout.
    unsafe {
        // Properties: Vista fields, never the password; presence lifetime 0 → 300.
        let mut p: *mut PEER_GROUP_PROPERTIES = null_mut();
        assert_eq!(g::group_get_properties(&a, h, &mut p), 0);
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
        (*p).pwzComment = comment.p().cast_mut();
        assert_eq!(g::group_set_properties(&a, h, p), 0);
        crate::alloc::free(p.cast());
        // An XP-sized structure with NULL immutable fields changes the friendly name only.
        let renamed = W::new("Renamed");
        let mut xp = vista_props(&W::new(""), &W::new(""), &renamed);
        xp.dwSize = PEER_GROUP_PROPERTIES_V1_SIZE as u32;
        xp.pwzClassifier = null_mut();
        xp.pwzCreatorPeerName = null_mut();
        assert_eq!(g::group_set_properties(&a, h, &xp), 0);
        assert_eq!(g::group_get_properties(&a, h, &mut p), 0);
        assert_eq!(read_req((*p).pwzFriendlyName).unwrap(), "Renamed");
        assert_eq!(read_req((*p).pwzComment).unwrap(), "");
        crate::alloc::free(p.cast());
        // Changing an immutable field passes the facade's error through.
        let other = W::new("other");
        xp.pwzClassifier = other.p().cast_mut();
        assert_eq!(
            g::group_set_properties(&a, h, &xp),
            hr(PEER_E_INVALID_GROUP_PROPERTIES)
        );

        // Status, connect, peer time.
        let mut status: u32 = 9;
        assert_eq!(g::group_get_status(&a, h, &mut status), 0);
        assert_eq!(status, 0);
        assert_eq!(g::group_connect(&a, h), hr(E_NOTIMPL));
        let now = FILETIME::from_u64(filetime(SystemTime::now()));
        let mut out = FILETIME::from_u64(5);
        assert_eq!(
            g::group_universal_time_to_peer_time(&a, h, &now, &mut out),
            hr(PEER_E_GROUP_NOT_READY)
        );
        assert_eq!(out.as_u64(), 0);
        assert_eq!(
            g::group_peer_time_to_universal_time(&a, h, &now, &mut out),
            hr(PEER_E_GROUP_NOT_READY)
        );

        // Invitation for bob (his PEERIDENTITYINFO from the other store).
        let bob_info = W::new(&string(|o| i::identity_get_xml(&b, bob.p(), o)).unwrap());
        let roles = [PEER_GROUP_ROLE_MEMBER];
        let inv = W::new(
            &string(|o| {
                g::group_create_invitation(&a, h, bob_info.p(), null(), 1, roles.as_ptr(), o)
            })
            .unwrap(),
        );
        let mut info: *mut PEER_INVITATION_INFO = null_mut();
        assert_eq!(g::group_parse_invitation(&b, inv.p(), &mut info), 0);
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
            let now = filetime(SystemTime::now());
            assert!(inf.ftValidityStart.as_u64() <= now && now < inf.ftValidityEnd.as_u64());
            let k: &CERT_PUBLIC_KEY_INFO = &*inf.pSubjectPublicKey;
            let oid = std::ffi::CStr::from_ptr(k.Algorithm.pszObjId);
            assert_eq!(oid.to_str().unwrap(), "1.2.840.113549.1.1.1");
            assert!(k.PublicKey.cbData > 100);
        }
        crate::alloc::free(info.cast());
        // A damaged invitation passes the facade's error through.
        assert_eq!(
            g::group_parse_invitation(&b, W::new("<PEERINVITATION/>").p(), &mut info),
            hr(PEER_E_INVITATION_NOT_TRUSTED)
        );
        assert!(info.is_null());

        // Bob joins in his store, exports his configuration.
        let mut hb: HGROUP = null_mut();
        assert_eq!(g::group_join(&b, bob.p(), inv.p(), null(), &mut hb), 0);
        assert_eq!(group_name(&b, hb), gpn);
        // A Member cannot invite.
        assert_eq!(
            string(|o| g::group_create_invitation(&b, hb, bob_info.p(), null(), 0, null(), o)),
            Err(hr(PEER_E_NOT_AUTHORIZED))
        );
        let cfg_pw = W::new("cfg");
        let cfg = W::new(&string(|o| g::group_export_config(&b, hb, cfg_pw.p(), o)).unwrap());
        close(&b, hb);
        // Joining again with the same invitation: already exists.
        assert_eq!(
            g::group_join(&b, bob.p(), inv.p(), null(), &mut hb),
            hr(PEER_E_ALREADY_EXISTS)
        );
        assert!(hb.is_null());

        // The configuration, imported into a third store without bob: not found; with bob
        // imported first: works, and overwrite decides about a second import.
        let (_c, c) = store();
        let mut id: PWSTR = std::ptr::dangling_mut();
        let mut grp: PWSTR = std::ptr::dangling_mut();
        assert_eq!(
            g::group_import_config(&c, cfg.p(), cfg_pw.p(), 0, &mut id, &mut grp),
            hr(PEER_E_NOT_FOUND)
        );
        assert!(id.is_null() && grp.is_null());
        let bob_export =
            W::new(&string(|o| i::identity_export(&b, bob.p(), W::new("pw").p(), o)).unwrap());
        string(|o| i::identity_import(&c, bob_export.p(), W::new("pw").p(), o)).unwrap();
        assert_eq!(
            g::group_import_config(&c, cfg.p(), cfg_pw.p(), 0, &mut id, &mut grp),
            0
        );
        assert_eq!(take(id), bob_name);
        assert_eq!(take(grp), gpn);
        assert_eq!(
            g::group_import_config(&c, cfg.p(), cfg_pw.p(), 0, &mut id, &mut grp),
            hr(PEER_E_ALREADY_EXISTS)
        );
        assert_eq!(
            g::group_import_config(&c, cfg.p(), cfg_pw.p(), 1, &mut id, &mut grp),
            0
        );
        take(id);
        take(grp);
        let gw = W::new(&gpn);
        let mut hc: HGROUP = null_mut();
        assert_eq!(g::group_open(&c, bob.p(), gw.p(), null(), &mut hc), 0);
        assert_eq!(group_name(&c, hc), gpn);

        // Enumerating bob's groups in the third store.
        let mut e: HPEERENUM = null_mut();
        assert_eq!(i::enum_groups(&c, bob.p(), &mut e), 0);
        let mut n: u32 = 5;
        let mut items: *mut *mut std::ffi::c_void = null_mut();
        assert_eq!(PeerGetNextItem(e, &mut n, &mut items), 0);
        assert_eq!(n, 1);
        let pair = (*items).cast::<PEER_NAME_PAIR>();
        assert_eq!(read_req((*pair).pwzPeerName).unwrap(), gpn);
        crate::alloc::free(items.cast());
        assert_eq!(PeerEndEnumeration(e), 0);

        // Delete order: groups first.
        assert_eq!(i::identity_delete(&c, bob.p()), hr(PEER_E_GROUPS_EXIST));
        assert_eq!(g::group_delete(&c, bob.p(), gw.p()), 0);
        // The open handle is now invalid (the facade re-checks the store).
        assert_eq!(
            g::group_get_status(&c, hc, &mut status),
            hr(PEER_E_INVALID_GROUP)
        );
        assert_eq!(
            g::group_universal_time_to_peer_time(&c, hc, &now, &mut out),
            hr(PEER_E_INVALID_GROUP)
        );
        close(&c, hc);
        assert_eq!(g::group_delete(&c, bob.p(), gw.p()), hr(PEER_E_NOT_FOUND));
        assert_eq!(
            g::group_open(&c, bob.p(), gw.p(), null(), &mut hc),
            hr(PEER_E_NOT_FOUND)
        );
        assert_eq!(i::identity_delete(&c, bob.p()), 0);

        // The owner exports the configuration (with GROUPKEY) and issues credentials.
        let cfg_a = W::new(&string(|o| g::group_export_config(&a, h, cfg_pw.p(), o)).unwrap());
        assert!(read_req(cfg_a.p()).unwrap().contains("GROUPKEY"));
        let pn = a.context().unwrap();
        let (_, cred) =
            peernet::CredentialInfo::from_identity_info(&read_req(bob_info.p()).unwrap(), &[])
                .unwrap();
        let k = public_key_info(&cred.public_key).unwrap();
        let oid = std::ffi::CString::new(k.algorithm_oid.clone()).unwrap();
        let (mut params, mut key) = (k.parameters.clone(), k.public_key.clone());
        let mut spki = CERT_PUBLIC_KEY_INFO {
            Algorithm: crate::types::CRYPT_ALGORITHM_IDENTIFIER {
                pszObjId: oid.as_ptr().cast_mut(),
                Parameters: crate::types::CRYPT_DATA_BLOB {
                    cbData: params.len() as u32,
                    pbData: params.as_mut_ptr(),
                },
            },
            PublicKey: crate::types::CRYPT_BIT_BLOB {
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
            pwzFriendlyName: bob_friendly.p().cast_mut(),
            pPublicKey: &mut spki,
            pwzIssuerPeerName: null_mut(),
            pwzIssuerFriendlyName: null_mut(),
            ftValidityStart: FILETIME::default(),
            ftValidityEnd: FILETIME::default(),
            cRoles: 1,
            pRoles: inviting.as_ptr().cast_mut(),
        };
        let gmc =
            W::new(&string(|o| g::group_issue_credentials(&a, h, bob.p(), &ci, 1, o)).unwrap());
        let parsed = pn
            .group_parse_invitation(&read_req(gmc.p()).unwrap())
            .unwrap();
        assert_eq!(parsed.roles, vec![Role::INVITING_MEMBER]);
        assert_eq!(parsed.subject_peer_name.as_deref(), Some(bob_name.as_str()));
        // NULL credential info: the subject's GMC stored by PEER_GROUP_STORE_CREDENTIALS
        // (flag 1 above) is found in the group database; an unknown subject is
        // PEER_E_IDENTITY_NOT_FOUND.
        assert!(string(|o| g::group_issue_credentials(&a, h, bob.p(), null(), 0, o)).is_ok());
        let nobody = W::new(&format!("{}.nobody", "a".repeat(40)));
        assert_eq!(
            string(|o| g::group_issue_credentials(&a, h, nobody.p(), null(), 0, o)),
            Err(hr(hr::PEER_E_IDENTITY_NOT_FOUND))
        );
        // NULL public key: E_INVALIDARG.
        ci.pPublicKey = null_mut();
        assert_eq!(
            string(|o| g::group_issue_credentials(&a, h, bob.p(), &ci, 0, o)),
            Err(hr(E_INVALIDARG))
        );

        // Password invitation and join in the owner's store (the verifier is known there).
        let pinv = W::new(&string(|o| g::group_create_password_invitation(&a, h, o)).unwrap());
        let carol = W::new(&create_identity(&a, "carol", "Carol"));
        let mut hp: HGROUP = null_mut();
        assert_eq!(
            g::group_password_join(&a, carol.p(), pinv.p(), W::new("nope").p(), null(), &mut hp),
            hr(ERROR_INVALID_PASSWORD)
        );
        assert!(hp.is_null());
        assert_eq!(
            g::group_password_join(&a, carol.p(), pinv.p(), password.p(), null(), &mut hp),
            0
        );
        close(&a, hp);
        assert_eq!(
            g::group_password_join(&a, carol.p(), pinv.p(), password.p(), null(), &mut hp),
            hr(PEER_S_ALREADY_A_MEMBER)
        );
        // Credentials are pending until connect: exports are not ready.
        assert_eq!(
            string(|o| g::group_export_config(&a, hp, cfg_pw.p(), o)),
            Err(hr(PEER_E_GROUP_NOT_READY))
        );
        close(&a, hp);

        // Roles: the list bound of the argument layer still applies.
        assert_eq!(
            string(|o| g::group_create_invitation(
                &a,
                h,
                bob_info.p(),
                null(),
                MAX_LIST as u32 + 1,
                roles.as_ptr(),
                o
            )),
            Err(hr(E_INVALIDARG))
        );
        close(&a, h);
        assert_eq!(g::group_close(&a, h), hr(PEER_E_INVALID_GROUP));
    }
}

#[test]
fn unopenable_store_is_the_facade_hresult() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-directory");
    std::fs::write(&file, b"x").unwrap();
    assert_eq!(open_at(&file).err(), Some(hr::PEER_E_NO_KEY_ACCESS));
    let ok = open_at(dir.path()).unwrap();
    assert_eq!(ok.options().default_profile, Profile::Windows);
}

#[test]
fn facade_group_objects_only() {
    let mut foreign: GroupObject = Box::new(());
    assert!(matches!(group(&mut foreign), Err(hr::PEER_E_INVALID_GROUP)));
    assert_eq!(GLOBAL.group_close(Box::new(())), Ok(()));
}
