use std::mem::size_of;
use std::ptr::{null, null_mut};
use std::sync::MutexGuard;

use peernet::hresult::{
    E_INVALIDARG, E_NOTIMPL, PEER_E_INVALID_GROUP, PEER_E_NOT_AUTHORIZED, PEER_E_NOT_INITIALIZED,
    PEER_S_ALREADY_A_MEMBER,
};

use super::*;
use crate::backend::Unwired;
use crate::test_backend::{Mock, W, bad_utf16, take};
use crate::types::{PEER_GROUP_PROPERTIES_V1_SIZE, PEER_GROUP_ROLE_MEMBER};
use crate::wide::encode;

const INVALID: HRESULT = E_INVALIDARG.as_i32();
const BAD_GROUP: HRESULT = PEER_E_INVALID_GROUP.as_i32();

/// The group table is process-wide and the last PeerGroupShutdown clears it: keep the
/// startup tests out while these run.
fn lock() -> MutexGuard<'static, ()> {
    crate::startup::TEST_LOCK
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

/// Run `f` between a real PeerGroupStartup and PeerGroupShutdown (for [`Unwired`],
/// which asks the process-wide startup state). Call with the lock held.
fn started<R>(f: impl FnOnce() -> R) -> R {
    let mut v = crate::types::PEER_VERSION_DATA::default();
    // SAFETY: valid out-pointer.
    assert_eq!(
        // SAFETY: test arguments are valid NUL-terminated buffers, writable out-pointers or NULL.
        unsafe { crate::startup::PeerGroupStartup(crate::types::PEER_GROUP_VERSION, &mut v) },
        0
    );
    let r = f();
    // SAFETY: no arguments.
    assert_eq!(unsafe { crate::startup::PeerGroupShutdown() }, 0);
    r
}

fn open(m: &Mock, name: &str) -> HGROUP {
    let mut h: HGROUP = null_mut();
    // SAFETY: valid NUL-terminated strings and out-pointer.
    let hr = unsafe { group_open(m, W::new("abc.me").p(), W::new(name).p(), null(), &mut h) };
    assert_eq!(hr, 0);
    assert!(!h.is_null());
    h
}

fn props(creator: Option<&[u16]>) -> PEER_GROUP_PROPERTIES {
    PEER_GROUP_PROPERTIES {
        dwSize: size_of::<PEER_GROUP_PROPERTIES>() as u32,
        dwFlags: 0,
        pwzCloud: null_mut(),
        pwzClassifier: null_mut(),
        pwzGroupPeerName: null_mut(),
        pwzCreatorPeerName: creator.map_or(null_mut(), |c| c.as_ptr().cast_mut()),
        pwzFriendlyName: null_mut(),
        pwzComment: null_mut(),
        ulMemberDataLifetime: 0,
        ulPresenceLifetime: 300,
        dwAuthenticationSchemes: 0,
        pwzGroupPassword: null_mut(),
        groupPasswordRole: GUID::NULL,
    }
}

#[test]
fn everything_needs_startup() {
    let _l = lock();
    let m = Mock::stopped();
    let nope = PEER_E_NOT_INITIALIZED.as_i32();
    let mut h: HGROUP = std::ptr::dangling_mut();
    let mut s: PWSTR = null_mut();
    let mut ft = FILETIME::default();
    // SAFETY: the startup check fails before any pointer is used.
    unsafe {
        assert_eq!(group_create(&m, &props(None), &mut h), nope);
        assert_eq!(group_open(&m, null(), null(), null(), &mut h), nope);
        assert_eq!(group_join(&m, null(), null(), null(), &mut h), nope);
        assert_eq!(
            group_password_join(&m, null(), null(), null(), null(), &mut h),
            nope
        );
        assert_eq!(group_connect(&m, h), nope);
        assert_eq!(group_close(&m, h), nope);
        assert_eq!(group_delete(&m, null(), null()), nope);
        assert_eq!(
            group_create_invitation(&m, h, null(), null(), 0, null(), &mut s),
            nope
        );
        assert_eq!(group_create_password_invitation(&m, h, &mut s), nope);
        assert_eq!(group_parse_invitation(&m, null(), null_mut()), nope);
        assert_eq!(
            group_issue_credentials(&m, h, null(), null(), 0, &mut s),
            nope
        );
        assert_eq!(group_export_config(&m, h, null(), &mut s), nope);
        assert_eq!(
            group_import_config(&m, null(), null(), 0, &mut s, &mut s),
            nope
        );
        assert_eq!(group_get_properties(&m, h, null_mut()), nope);
        assert_eq!(group_set_properties(&m, h, null()), nope);
        assert_eq!(group_get_status(&m, h, null_mut()), nope);
        assert_eq!(group_universal_time_to_peer_time(&m, h, &ft, &mut ft), nope);
        assert_eq!(group_peer_time_to_universal_time(&m, h, &ft, &mut ft), nope);
    }
    assert!(m.calls().is_empty());
}

#[test]
fn create_validation_and_defaults() {
    let _l = lock();
    let m = Mock::new();
    let creator = encode("abc.creator");
    let mut h: HGROUP = std::ptr::dangling_mut();
    // SAFETY: test structures and buffers are valid for the calls.
    unsafe {
        assert_eq!(group_create(&m, null(), &mut h), INVALID);
        assert_eq!(group_create(&m, &props(None), null_mut()), INVALID);
        let mut bad_size = props(None);
        bad_size.dwSize = 8;
        assert_eq!(group_create(&m, &bad_size, &mut h), INVALID);
        assert!(h.is_null());
        let mut with_name = props(None);
        let name = encode("x.y");
        with_name.pwzGroupPeerName = name.as_ptr().cast_mut();
        assert_eq!(
            group_create(&m, &with_name, &mut h),
            PEER_E_INVALID_GROUP_PROPERTIES.as_i32()
        );
        let mut bad_text = props(None);
        let bad = bad_utf16();
        bad_text.pwzFriendlyName = bad.p().cast_mut();
        assert_eq!(group_create(&m, &bad_text, &mut h), INVALID);
        assert!(m.calls().is_empty());

        assert_eq!(group_create(&m, &props(None), &mut h), 0);
        assert_eq!(group_close(&m, h), 0);
        let mut xp = props(Some(&creator));
        xp.dwSize = PEER_GROUP_PROPERTIES_V1_SIZE as u32;
        assert_eq!(
            group_create(&m, &xp, &mut h),
            0,
            "XP-sized structure accepted"
        );
        assert_eq!(group_close(&m, h), 0);
    }
    assert_eq!(
        m.calls(),
        [
            "identity_default",
            "group_create Some(\"abc.default\") None",
            "group_close created",
            "group_create Some(\"abc.creator\") None",
            "group_close created",
        ]
    );
}

#[test]
fn open_join_password_join() {
    let _l = lock();
    let m = Mock::new();
    let (id, g, inv, pw, cloud) = (
        W::new("abc.me"),
        W::new("def.g"),
        W::new("<inv/>"),
        W::new("pw"),
        W::new("C"),
    );
    let mut h: HGROUP = std::ptr::dangling_mut();
    // SAFETY: test buffers are valid for the calls.
    unsafe {
        assert_eq!(group_open(&m, null(), g.p(), null(), &mut h), INVALID);
        assert!(h.is_null());
        assert_eq!(group_open(&m, id.p(), null(), null(), &mut h), INVALID);
        assert_eq!(group_open(&m, id.p(), g.p(), null(), null_mut()), INVALID);
        assert_eq!(group_open(&m, id.p(), g.p(), cloud.p(), &mut h), 0);
        assert_eq!(group_close(&m, h), 0);

        assert_eq!(group_join(&m, id.p(), null(), null(), &mut h), INVALID);
        assert_eq!(group_join(&m, id.p(), inv.p(), null(), null_mut()), INVALID);
        assert_eq!(
            group_join(&m, null(), inv.p(), null(), &mut h),
            0,
            "NULL identity = default"
        );
        assert_eq!(group_close(&m, h), 0);

        assert_eq!(
            group_password_join(&m, id.p(), inv.p(), null(), null(), &mut h),
            INVALID
        );
        assert_eq!(
            group_password_join(&m, id.p(), null(), pw.p(), null(), &mut h),
            INVALID
        );
        assert_eq!(
            group_password_join(&m, id.p(), inv.p(), pw.p(), null(), &mut h),
            PEER_S_ALREADY_A_MEMBER.as_i32(),
            "success codes pass through"
        );
        assert_eq!(group_close(&m, h), 0);
    }
    assert_eq!(
        m.calls(),
        [
            "group_open abc.me def.g Some(\"C\")",
            "group_close def.g",
            "identity_default",
            "group_join abc.default <inv/> None",
            "group_close joined",
            "group_password_join abc.me <inv/> pw None",
            "group_close pwjoined",
        ]
    );
}

#[test]
fn handles_connect_close_delete() {
    let _l = lock();
    let m = Mock::new();
    let h = open(&m, "def.g");
    assert_eq!(group_connect(&m, h), 0);
    assert_eq!(group_connect(&m, null_mut()), BAD_GROUP);
    assert_eq!(
        group_connect(&m, 0x1234_5679 as HGROUP),
        BAD_GROUP,
        "garbage handle"
    );
    assert_eq!(group_close(&m, h), 0);
    assert_eq!(group_close(&m, h), BAD_GROUP, "closed handle");
    assert_eq!(group_connect(&m, h), BAD_GROUP, "stale handle");
    assert_eq!(started(|| group_close(&Unwired, null_mut())), BAD_GROUP);
    assert_eq!(
        group_close(&Unwired, null_mut()),
        PEER_E_NOT_INITIALIZED.as_i32()
    );
    // SAFETY: test buffers are valid for the calls.
    unsafe {
        assert_eq!(group_delete(&m, W::new("abc.me").p(), null()), INVALID);
        assert_eq!(
            group_delete(&m, bad_utf16().p(), W::new("def.g").p()),
            INVALID
        );
        assert_eq!(group_delete(&m, null(), W::new("def.g").p()), 0);
    }
    assert_eq!(
        m.calls(),
        [
            "group_open abc.me def.g None",
            "group_connect def.g",
            "group_close def.g",
            "identity_default",
            "group_delete abc.default def.g"
        ]
    );
}

#[test]
fn invitations() {
    let _l = lock();
    let m = Mock::new();
    let h = open(&m, "def.g");
    let info = W::new("<PEERIDENTITYINFO/>");
    let roles = [PEER_GROUP_ROLE_MEMBER];
    let ft = FILETIME::from_u64(99);
    let mut s: PWSTR = std::ptr::dangling_mut();
    // SAFETY: test buffers are valid for the calls.
    unsafe {
        assert_eq!(
            group_create_invitation(&m, h, info.p(), null(), 1, null(), &mut s),
            INVALID,
            "cRoles without pRoles"
        );
        assert!(s.is_null());
        assert_eq!(
            group_create_invitation(&m, h, null(), null(), 0, null(), &mut s),
            INVALID
        );
        assert_eq!(
            group_create_invitation(&m, h, info.p(), null(), 0, null(), null_mut()),
            INVALID
        );
        assert_eq!(
            group_create_invitation(&m, null_mut(), info.p(), null(), 0, null(), &mut s),
            BAD_GROUP
        );
        assert_eq!(
            group_create_invitation(&m, h, info.p(), &ft, 1, roles.as_ptr(), &mut s),
            0
        );
        assert_eq!(take(s), "<PEERINVITATION/>");
        assert_eq!(
            group_create_invitation(&m, h, info.p(), null(), 0, null(), &mut s),
            0
        );
        take(s);

        assert_eq!(group_create_password_invitation(&m, h, null_mut()), INVALID);
        assert_eq!(
            group_create_password_invitation(&m, null_mut(), &mut s),
            BAD_GROUP
        );
        assert!(s.is_null());
        assert_eq!(group_create_password_invitation(&m, h, &mut s), 0);
        take(s);

        let mut p: *mut PEER_INVITATION_INFO = std::ptr::dangling_mut();
        assert_eq!(group_parse_invitation(&m, null(), &mut p), INVALID);
        assert!(p.is_null());
        assert_eq!(group_parse_invitation(&m, info.p(), null_mut()), INVALID);
        assert_eq!(group_parse_invitation(&m, W::new("<inv/>").p(), &mut p), 0);
        assert!(crate::alloc::is_live(p.cast()));
        assert_eq!((*p).dwScope, 1);
        assert_eq!(read_req((*p).pwzCloudName).unwrap(), "Global_");
        crate::alloc::free(p.cast());
    }
    assert_eq!(group_close(&m, h), 0);
    assert_eq!(
        m.calls()[1..5],
        [
            "group_create_invitation def.g <PEERIDENTITYINFO/> Some(99) 1",
            "group_create_invitation def.g <PEERIDENTITYINFO/> None 0",
            "group_create_password_invitation def.g",
            "group_parse_invitation <inv/>",
        ]
    );
}

#[test]
fn issue_credentials() {
    let _l = lock();
    let m = Mock::new();
    let h = open(&m, "def.g");
    let subject = W::new("abc.subject");
    let roles = [PEER_GROUP_ROLE_MEMBER];
    let mut cred = PEER_CREDENTIAL_INFO {
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
    let mut s: PWSTR = std::ptr::dangling_mut();
    // SAFETY: test buffers are valid for the calls.
    unsafe {
        assert_eq!(
            group_issue_credentials(&m, h, null(), null(), 0, &mut s),
            INVALID
        );
        assert!(s.is_null());
        assert_eq!(
            group_issue_credentials(&m, h, subject.p(), null(), 2, &mut s),
            INVALID,
            "unknown flag"
        );
        let mut bad = cred;
        bad.dwSize = 4;
        assert_eq!(
            group_issue_credentials(&m, h, subject.p(), &bad, 0, &mut s),
            INVALID
        );
        bad = cred;
        bad.pRoles = null_mut();
        assert_eq!(
            group_issue_credentials(&m, h, subject.p(), &bad, 0, &mut s),
            INVALID
        );
        assert_eq!(
            group_issue_credentials(&m, h, subject.p(), &cred, 0, &mut s),
            0
        );
        take(s);
        assert_eq!(
            group_issue_credentials(
                &m,
                h,
                subject.p(),
                null(),
                PEER_GROUP_STORE_CREDENTIALS,
                null_mut()
            ),
            0
        );
        cred.cRoles = 0;
        assert_eq!(
            group_issue_credentials(&m, null_mut(), subject.p(), &cred, 0, &mut s),
            BAD_GROUP
        );
    }
    assert_eq!(group_close(&m, h), 0);
    assert_eq!(
        m.calls()[1..3],
        [
            "group_issue_credentials def.g abc.subject Some(1) 0",
            "group_issue_credentials def.g abc.subject None 1"
        ]
    );
}

#[test]
fn config_export_import() {
    let _l = lock();
    let m = Mock::new();
    let h = open(&m, "def.g");
    let (pw, xml) = (W::new("pw"), W::new("<PEERGROUPCONFIG/>"));
    let mut s: PWSTR = std::ptr::dangling_mut();
    let mut t: PWSTR = std::ptr::dangling_mut();
    // SAFETY: test buffers are valid for the calls.
    unsafe {
        assert_eq!(group_export_config(&m, h, null(), &mut s), INVALID);
        assert!(s.is_null());
        assert_eq!(group_export_config(&m, h, pw.p(), null_mut()), INVALID);
        assert_eq!(
            group_export_config(&m, null_mut(), pw.p(), &mut s),
            BAD_GROUP
        );
        assert_eq!(group_export_config(&m, h, pw.p(), &mut s), 0);
        assert_eq!(take(s), "<PEERGROUPCONFIG/>");

        assert_eq!(
            group_import_config(&m, null(), pw.p(), 0, &mut s, &mut t),
            INVALID
        );
        assert_eq!(
            group_import_config(&m, xml.p(), null(), 0, &mut s, &mut t),
            INVALID
        );
        assert_eq!(
            group_import_config(&m, xml.p(), pw.p(), 0, null_mut(), &mut t),
            INVALID
        );
        assert_eq!(
            group_import_config(&m, xml.p(), pw.p(), 0, &mut s, null_mut()),
            INVALID
        );
        assert_eq!(
            group_import_config(&m, xml.p(), pw.p(), 7, &mut s, &mut t),
            0
        );
        assert_eq!((take(s), take(t)), ("abc.id".into(), "def.grp".into()));
    }
    assert_eq!(group_close(&m, h), 0);
    assert_eq!(
        m.calls()[1..3],
        [
            "group_export_config def.g pw",
            "group_import_config <PEERGROUPCONFIG/> pw true"
        ]
    );
}

#[test]
fn properties_status_and_time() {
    let _l = lock();
    let m = Mock::new();
    let h = open(&m, "def.g");
    let mut p: *mut PEER_GROUP_PROPERTIES = std::ptr::dangling_mut();
    let mut status: DWORD = 9;
    let mut out = FILETIME::from_u64(5);
    let input = FILETIME::from_u64(1000);
    // SAFETY: test buffers are valid for the calls.
    unsafe {
        assert_eq!(group_get_properties(&m, h, null_mut()), INVALID);
        assert_eq!(group_get_properties(&m, null_mut(), &mut p), BAD_GROUP);
        assert!(p.is_null());
        assert_eq!(group_get_properties(&m, h, &mut p), 0);
        assert_eq!((*p).dwSize as usize, size_of::<PEER_GROUP_PROPERTIES>());
        assert_eq!(read_req((*p).pwzFriendlyName).unwrap(), "G");
        assert_eq!(group_set_properties(&m, h, p), 0, "Get, modify, Set");
        crate::alloc::free(p.cast());
        assert_eq!(group_set_properties(&m, h, null()), INVALID);
        assert_eq!(
            group_set_properties(&m, null_mut(), &props(None)),
            BAD_GROUP
        );

        assert_eq!(group_get_status(&m, h, null_mut()), INVALID);
        assert_eq!(group_get_status(&m, null_mut(), &mut status), BAD_GROUP);
        assert_eq!(status, 0);
        assert_eq!(group_get_status(&m, h, &mut status), 0);
        assert_eq!(status, 3);

        assert_eq!(
            group_universal_time_to_peer_time(&m, h, null(), &mut out),
            INVALID
        );
        assert_eq!(out, FILETIME::default(), "output zeroed on failure");
        assert_eq!(
            group_universal_time_to_peer_time(&m, h, &input, null_mut()),
            INVALID
        );
        assert_eq!(
            group_universal_time_to_peer_time(&m, null_mut(), &input, &mut out),
            BAD_GROUP
        );
        assert_eq!(
            group_universal_time_to_peer_time(&m, h, &input, &mut out),
            0
        );
        assert_eq!(out.as_u64(), 1010);
        assert_eq!(
            group_peer_time_to_universal_time(&m, h, &input, &mut out),
            0
        );
        assert_eq!(out.as_u64(), 990);
    }
    assert_eq!(group_close(&m, h), 0);
}

#[test]
fn backend_errors_leave_outputs_null() {
    let _l = lock();
    let ok = Mock::new();
    let h = open(&ok, "def.g");
    let m = Mock::failing(PEER_E_NOT_AUTHORIZED);
    let mut s: PWSTR = std::ptr::dangling_mut();
    let mut g: HGROUP = std::ptr::dangling_mut();
    // SAFETY: test buffers are valid for the calls.
    unsafe {
        assert_eq!(
            group_create_password_invitation(&m, h, &mut s),
            PEER_E_NOT_AUTHORIZED.as_i32()
        );
        assert!(s.is_null());
        assert_eq!(
            group_open(&m, W::new("a.b").p(), W::new("c.d").p(), null(), &mut g),
            PEER_E_NOT_AUTHORIZED.as_i32()
        );
        assert!(g.is_null());
    }
    assert_eq!(group_close(&ok, h), 0);
    let creator = encode("a.b");
    // SAFETY: test buffers are valid for the call.
    let hr = started(|| unsafe { group_create(&Unwired, &props(Some(&creator)), &mut g) });
    assert_eq!(hr, E_NOTIMPL.as_i32());
}
