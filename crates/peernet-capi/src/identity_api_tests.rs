use std::ptr::{null, null_mut};

use peernet::hresult::{E_HANDLE, E_INVALIDARG, E_NOTIMPL, PEER_E_NOT_FOUND};

use super::*;
use crate::backend::Unwired;
use crate::test_backend::{Mock, W, bad_utf16, take};
use crate::types::PEER_NAME_PAIR;

const INVALID: HRESULT = E_INVALIDARG.as_i32();

/// A pointer value that must be overwritten with NULL.
fn sentinel() -> PWSTR {
    std::ptr::dangling_mut()
}

#[test]
fn create_defaults_and_result() {
    let m = Mock::new();
    let mut out = sentinel();
    // SAFETY (all calls in these tests): arguments are valid test buffers or NULL.
    // SAFETY: test arguments are valid NUL-terminated buffers, writable out-pointers or NULL.
    unsafe {
        assert_eq!(identity_create(&m, null(), W::new("").p(), 0, &mut out), 0);
        assert_eq!(take(out), "abc.new");
        let (c, f) = (W::new("GroupMember"), W::new("Me"));
        assert_eq!(identity_create(&m, c.p(), f.p(), 0, &mut out), 0);
        take(out);
    }
    assert_eq!(
        m.calls(),
        [
            "identity_create None None",
            "identity_create Some(\"GroupMember\") Some(\"Me\")"
        ]
    );
}

#[test]
fn create_rejections() {
    let m = Mock::new();
    let mut out = sentinel();
    // SAFETY: test arguments are valid NUL-terminated buffers, writable out-pointers or NULL.
    unsafe {
        assert_eq!(identity_create(&m, null(), null(), 0, null_mut()), INVALID);
        assert_eq!(
            identity_create(&m, bad_utf16().p(), null(), 0, &mut out),
            INVALID
        );
        assert!(out.is_null(), "out-pointer initialised before the failure");
        assert_eq!(
            identity_create(&m, null(), bad_utf16().p(), 0, &mut out),
            INVALID
        );
        assert_eq!(
            identity_create(&m, null(), null(), 0x1234, &mut out),
            E_HANDLE.as_i32()
        );
    }
    assert!(m.calls().is_empty(), "nothing reaches the backend");
}

#[test]
fn unwired_is_not_implemented_and_errors_pass_through() {
    let mut out = sentinel();
    // SAFETY: test arguments are valid NUL-terminated buffers, writable out-pointers or NULL.
    unsafe {
        assert_eq!(
            identity_create(&Unwired, null(), null(), 0, &mut out),
            E_NOTIMPL.as_i32()
        );
        assert!(out.is_null());
        let m = Mock::failing(PEER_E_NOT_FOUND);
        assert_eq!(
            identity_delete(&m, W::new("abc.x").p()),
            PEER_E_NOT_FOUND.as_i32()
        );
        assert_eq!(
            identity_export(&m, W::new("abc.x").p(), W::new("pw").p(), &mut out),
            PEER_E_NOT_FOUND.as_i32()
        );
        assert!(out.is_null());
    }
}

#[test]
fn delete_export_import() {
    let m = Mock::new();
    let (id, pw, xml) = (W::new("abc.x"), W::new("pw"), W::new("<x/>"));
    let mut out = sentinel();
    // SAFETY: test arguments are valid NUL-terminated buffers, writable out-pointers or NULL.
    unsafe {
        assert_eq!(identity_delete(&m, null()), INVALID);
        assert_eq!(identity_delete(&m, bad_utf16().p()), INVALID);
        assert_eq!(identity_delete(&m, id.p()), 0);

        assert_eq!(identity_export(&m, null(), pw.p(), &mut out), INVALID);
        assert_eq!(identity_export(&m, id.p(), null(), &mut out), INVALID);
        assert_eq!(identity_export(&m, id.p(), pw.p(), null_mut()), INVALID);
        assert_eq!(identity_export(&m, id.p(), pw.p(), &mut out), 0);
        assert_eq!(take(out), "<PEERIDENTITYEXPORT/>");

        assert_eq!(identity_import(&m, null(), pw.p(), &mut out), INVALID);
        assert_eq!(identity_import(&m, xml.p(), null(), &mut out), INVALID);
        assert_eq!(identity_import(&m, xml.p(), pw.p(), null_mut()), INVALID);
        assert_eq!(identity_import(&m, xml.p(), pw.p(), &mut out), 0);
        assert_eq!(take(out), "abc.imported");
    }
    assert_eq!(
        m.calls(),
        [
            "identity_delete abc.x",
            "identity_export abc.x pw",
            "identity_import <x/> pw"
        ]
    );
}

#[test]
fn xml_friendly_names_default() {
    let m = Mock::new();
    let id = W::new("abc.x");
    let mut out = sentinel();
    // SAFETY: test arguments are valid NUL-terminated buffers, writable out-pointers or NULL.
    unsafe {
        assert_eq!(identity_get_xml(&m, id.p(), null_mut()), INVALID);
        assert_eq!(
            identity_get_xml(&m, null(), &mut out),
            0,
            "NULL identity = the default identity"
        );
        assert_eq!(take(out), "<PEERIDENTITYINFO/>");

        assert_eq!(identity_get_friendly_name(&m, null(), &mut out), INVALID);
        assert_eq!(identity_get_friendly_name(&m, id.p(), null_mut()), INVALID);
        assert_eq!(identity_get_friendly_name(&m, id.p(), &mut out), 0);
        assert_eq!(take(out), "Friendly");

        assert_eq!(
            identity_set_friendly_name(&m, null(), W::new("F").p()),
            INVALID
        );
        assert_eq!(
            identity_set_friendly_name(&m, id.p(), null()),
            0,
            "NULL resets"
        );
        assert_eq!(
            identity_set_friendly_name(&m, id.p(), W::new("").p()),
            0,
            "empty resets"
        );
        assert_eq!(identity_set_friendly_name(&m, id.p(), W::new("F").p()), 0);

        assert_eq!(identity_get_default(&m, null_mut()), INVALID);
        assert_eq!(identity_get_default(&m, &mut out), 0);
        assert_eq!(take(out), "abc.default");
    }
    assert_eq!(
        m.calls(),
        [
            "identity_default",
            "identity_xml abc.default",
            "identity_friendly_name abc.x",
            "identity_set_friendly_name abc.x None",
            "identity_set_friendly_name abc.x None",
            "identity_set_friendly_name abc.x Some(\"F\")",
            "identity_default",
        ]
    );
}

#[test]
fn crypt_key() {
    let m = Mock::new();
    let mut prov: HCRYPTPROV = 77;
    // SAFETY: test arguments are valid NUL-terminated buffers, writable out-pointers or NULL.
    unsafe {
        assert_eq!(
            identity_get_crypt_key(&m, W::new("abc.x").p(), null_mut()),
            INVALID
        );
        assert_eq!(identity_get_crypt_key(&m, null(), &mut prov), INVALID);
        assert_eq!(prov, 0, "zeroed before failing");
        assert_eq!(
            identity_get_crypt_key(&Unwired, W::new("abc.x").p(), &mut prov),
            E_NOTIMPL.as_i32()
        );
        assert_eq!(
            identity_get_crypt_key(&m, W::new("abc.x").p(), &mut prov),
            0
        );
    }
    assert_eq!(prov, 42);
}

#[test]
fn create_peer_name_rules() {
    let m = Mock::new();
    let (id, c) = (W::new("abc.x"), W::new("chat"));
    let mut out: PWSTR = null_mut();
    // SAFETY: test arguments are valid NUL-terminated buffers, writable out-pointers or NULL.
    unsafe {
        assert_eq!(create_peer_name(&m, id.p(), c.p(), null_mut()), INVALID);
        assert_eq!(
            create_peer_name(&m, null(), null(), &mut out),
            INVALID,
            "one of the two is required"
        );
        let mut not_null = sentinel();
        assert_eq!(
            create_peer_name(&m, id.p(), c.p(), &mut not_null),
            INVALID,
            "*ppwzPeerName must be NULL"
        );
        assert_eq!(create_peer_name(&m, null(), c.p(), &mut out), 0);
        take(out);
        out = null_mut();
        assert_eq!(create_peer_name(&m, id.p(), null(), &mut out), 0);
        take(out);
    }
    assert_eq!(
        m.calls(),
        [
            "create_peer_name None Some(\"chat\")",
            "create_peer_name Some(\"abc.x\") None"
        ]
    );
}

#[test]
fn enumerations() {
    let m = Mock::new();
    let mut h: HPEERENUM = std::ptr::dangling_mut();
    // SAFETY: test arguments are valid NUL-terminated buffers, writable out-pointers or NULL.
    unsafe {
        assert_eq!(enum_identities(&m, null_mut()), INVALID);
        assert_eq!(enum_groups(&m, null(), &mut h), INVALID);
        assert!(h.is_null());
        assert_eq!(enum_groups(&m, W::new("abc.x").p(), null_mut()), INVALID);

        assert_eq!(enum_identities(&m, &mut h), 0);
        let mut n = 10;
        let mut items = null_mut();
        assert_eq!(
            crate::enumeration::PeerGetNextItem(h, &mut n, &mut items),
            0
        );
        assert_eq!(n, 1);
        let pair = *(*items).cast::<PEER_NAME_PAIR>();
        assert_eq!(read_req(pair.pwzPeerName).unwrap(), "abc.a");
        assert_eq!(read_req(pair.pwzFriendlyName).unwrap(), "A");
        crate::alloc::free(items.cast());
        assert_eq!(crate::enumeration::PeerEndEnumeration(h), 0);

        assert_eq!(enum_groups(&m, W::new("abc.x").p(), &mut h), 0);
        let mut count = 9;
        assert_eq!(crate::enumeration::PeerGetItemCount(h, &mut count), 0);
        assert_eq!(count, 0);
        assert_eq!(crate::enumeration::PeerEndEnumeration(h), 0);
    }
}
