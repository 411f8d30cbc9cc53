//! The Identity Manager exports on temporary stores: argument checks (nothing reaches
//! the store), defaults, results, and the facade's HRESULTs passed through.

use std::ffi::c_void;
use std::ptr::{null, null_mut};

use peernet::hresult::{
    E_HANDLE, E_INVALIDARG, E_NOTIMPL, ERROR_INVALID_PASSWORD, PEER_E_ALREADY_EXISTS,
    PEER_E_NOT_FOUND,
};

use super::*;
use crate::tests::{INVALID, Store, W, bad_utf16, hr, string, take};
use crate::types::PEER_NAME_PAIR;
use crate::{PeerEndEnumeration, PeerGetItemCount, PeerGetNextItem};

/// A pointer value that must be overwritten with NULL.
fn sentinel() -> PWSTR {
    std::ptr::dangling_mut()
}

fn create(classifier: &str, friendly: &str) -> String {
    let (c, f) = (W::new(classifier), W::new(friendly));
    // SAFETY: valid strings and out-pointer.
    string(|o| unsafe { PeerIdentityCreate(c.p(), f.p(), 0, o) }).unwrap()
}

fn friendly_name(id: &W) -> Result<String, HRESULT> {
    // SAFETY: valid string and out-pointer.
    string(|o| unsafe { PeerIdentityGetFriendlyName(id.p(), o) })
}

#[test]
fn create_defaults_and_result() {
    let s = Store::new();
    s.on(|| {
        let mut out = sentinel();
        // SAFETY: arguments are valid test buffers or NULL.
        unsafe {
            assert_eq!(PeerIdentityCreate(null(), W::new("").p(), 0, &mut out), 0);
            let plain = take(out);
            assert!(plain.ends_with('.'), "no classifier: {plain}");
            assert_eq!(friendly_name(&W::new(&plain)).unwrap(), plain);
            let (c, f) = (W::new("GroupMember"), W::new("Me"));
            assert_eq!(PeerIdentityCreate(c.p(), f.p(), 0, &mut out), 0);
            let named = take(out);
            assert!(named.ends_with(".GroupMember"));
            assert_eq!(friendly_name(&W::new(&named)).unwrap(), "Me");
            assert_eq!(s.identities().len(), 2);
        }
    });
}

#[test]
fn create_rejections() {
    let s = Store::new();
    s.on(|| {
        let mut out = sentinel();
        // SAFETY: test arguments are valid NUL-terminated buffers, writable out-pointers or NULL.
        unsafe {
            assert_eq!(PeerIdentityCreate(null(), null(), 0, null_mut()), INVALID);
            assert_eq!(
                PeerIdentityCreate(bad_utf16().p(), null(), 0, &mut out),
                INVALID
            );
            assert!(out.is_null(), "out-pointer initialised before the failure");
            assert_eq!(
                PeerIdentityCreate(null(), bad_utf16().p(), 0, &mut out),
                INVALID
            );
            assert_eq!(
                PeerIdentityCreate(null(), null(), 0x1234, &mut out),
                E_HANDLE.as_i32()
            );
        }
        assert!(s.identities().is_empty(), "nothing reaches the store");
    });
}

#[test]
fn delete_export_import() {
    let (a, b) = (Store::new(), Store::new());
    let name = a.on(|| create("x", "X"));
    let (id, pw) = (W::new(&name), W::new("pw"));
    let mut out = sentinel();
    let xml = a.on(|| {
        // SAFETY: test arguments are valid NUL-terminated buffers, writable out-pointers or NULL.
        unsafe {
            assert_eq!(PeerIdentityExport(null(), pw.p(), &mut out), INVALID);
            assert_eq!(PeerIdentityExport(id.p(), null(), &mut out), INVALID);
            assert_eq!(PeerIdentityExport(id.p(), pw.p(), null_mut()), INVALID);
            assert_eq!(PeerIdentityExport(id.p(), pw.p(), &mut out), 0);
            let xml = take(out);
            assert!(xml.contains("PEERIDENTITYEXPORT"));
            assert_eq!(PeerIdentityDelete(null()), INVALID);
            assert_eq!(PeerIdentityDelete(bad_utf16().p()), INVALID);
            assert_eq!(PeerIdentityDelete(id.p()), 0);
            xml
        }
    });
    assert!(a.identities().is_empty());
    let xml = W::new(&xml);
    b.on(|| {
        // SAFETY: as above.
        unsafe {
            assert_eq!(PeerIdentityImport(null(), pw.p(), &mut out), INVALID);
            assert_eq!(PeerIdentityImport(xml.p(), null(), &mut out), INVALID);
            assert_eq!(PeerIdentityImport(xml.p(), pw.p(), null_mut()), INVALID);
            assert_eq!(PeerIdentityImport(xml.p(), pw.p(), &mut out), 0);
            assert_eq!(take(out), name);
        }
    });
    assert_eq!(b.identities(), [name]);
}

#[test]
fn xml_friendly_names_default() {
    let s = Store::new();
    s.on(|| {
        let id = W::new(&create("x", "X"));
        let mut out = sentinel();
        // SAFETY: test arguments are valid NUL-terminated buffers, writable out-pointers or NULL.
        unsafe {
            assert_eq!(PeerIdentityGetXML(id.p(), null_mut()), INVALID);
            assert_eq!(
                PeerIdentityGetXML(null(), &mut out),
                0,
                "NULL identity = the default identity, created"
            );
            let default_xml = take(out);
            assert_eq!(s.identities().len(), 2);
            assert_eq!(PeerIdentityGetDefault(null_mut()), INVALID);
            assert_eq!(PeerIdentityGetDefault(&mut out), 0);
            let default = W::new(&take(out));
            assert_eq!(PeerIdentityGetXML(default.p(), &mut out), 0);
            assert_eq!(take(out), default_xml);
            assert_eq!(s.identities().len(), 2, "the default is made once");

            assert_eq!(PeerIdentityGetFriendlyName(null(), &mut out), INVALID);
            assert_eq!(PeerIdentityGetFriendlyName(id.p(), null_mut()), INVALID);
            assert_eq!(friendly_name(&id).unwrap(), "X");

            assert_eq!(
                PeerIdentitySetFriendlyName(null(), W::new("F").p()),
                INVALID
            );
            assert_eq!(PeerIdentitySetFriendlyName(id.p(), W::new("F").p()), 0);
            assert_eq!(friendly_name(&id).unwrap(), "F");
            assert_eq!(
                PeerIdentitySetFriendlyName(id.p(), null()),
                0,
                "NULL resets"
            );
            assert_eq!(friendly_name(&id).unwrap(), read_req(id.p()).unwrap());
            assert_eq!(PeerIdentitySetFriendlyName(id.p(), W::new("F").p()), 0);
            assert_eq!(
                PeerIdentitySetFriendlyName(id.p(), W::new("").p()),
                0,
                "empty resets"
            );
            assert_eq!(friendly_name(&id).unwrap(), read_req(id.p()).unwrap());
        }
    });
}

#[test]
fn crypt_key_is_not_implemented() {
    let s = Store::new();
    s.on(|| {
        let id = W::new(&create("k", "K"));
        let mut prov: HCRYPTPROV = 77;
        // SAFETY: test arguments are valid NUL-terminated buffers, writable out-pointers or NULL.
        unsafe {
            assert_eq!(PeerIdentityGetCryptKey(id.p(), null_mut()), INVALID);
            assert_eq!(PeerIdentityGetCryptKey(null(), &mut prov), INVALID);
            assert_eq!(prov, 0, "zeroed before failing");
            prov = 7;
            assert_eq!(
                PeerIdentityGetCryptKey(id.p(), &mut prov),
                E_NOTIMPL.as_i32()
            );
            assert_eq!(prov, 0);
        }
    });
}

#[test]
fn create_peer_name_rules() {
    // Needs no store: no context is set for this thread, and the process-wide one is
    // never opened by unit tests.
    let (id, c) = (W::new(&format!("{}.x", "a".repeat(40))), W::new("chat"));
    let mut out: PWSTR = null_mut();
    // SAFETY: test arguments are valid NUL-terminated buffers, writable out-pointers or NULL.
    unsafe {
        assert_eq!(PeerCreatePeerName(id.p(), c.p(), null_mut()), INVALID);
        assert_eq!(
            PeerCreatePeerName(null(), null(), &mut out),
            INVALID,
            "one of the two is required"
        );
        let mut not_null = sentinel();
        assert_eq!(
            PeerCreatePeerName(id.p(), c.p(), &mut not_null),
            INVALID,
            "*ppwzPeerName must be NULL"
        );
        assert_eq!(PeerCreatePeerName(null(), c.p(), &mut out), 0);
        assert_eq!(take(out), "0.chat");
        out = null_mut();
        assert_eq!(PeerCreatePeerName(id.p(), null(), &mut out), 0);
        assert_eq!(take(out), read_req(id.p()).unwrap());
        out = null_mut();
        assert_eq!(PeerCreatePeerName(id.p(), c.p(), &mut out), 0);
        assert_eq!(take(out), format!("{}.chat", "a".repeat(40)));
    }
}

/// The `pwzPeerName` of every item, in batches of 10.
fn names(e: HPEERENUM) -> Vec<String> {
    let mut n: u32 = 10;
    let mut items: *mut *mut c_void = null_mut();
    // SAFETY: valid pointers; `items` holds `n` PEER_NAME_PAIR pointers in one block.
    unsafe {
        assert_eq!(PeerGetNextItem(e, &mut n, &mut items), 0);
        let mut v: Vec<String> = (0..n as usize)
            .map(|k| {
                let p = (*items.add(k)).cast::<PEER_NAME_PAIR>();
                read_req((*p).pwzPeerName).unwrap()
            })
            .collect();
        crate::memory::free(items.cast());
        assert_eq!(PeerEndEnumeration(e), 0);
        v.sort();
        v
    }
}

#[test]
fn enumerations() {
    let s = Store::new();
    s.on(|| {
        let mut h: HPEERENUM = std::ptr::dangling_mut();
        // SAFETY: test arguments are valid NUL-terminated buffers, writable out-pointers or NULL.
        unsafe {
            assert_eq!(PeerEnumIdentities(null_mut()), INVALID);
            assert_eq!(PeerEnumGroups(bad_utf16().p(), &mut h), INVALID);
            assert!(h.is_null());
            let a = create("a", "A");
            let wa = W::new(&a);
            assert_eq!(PeerEnumGroups(wa.p(), null_mut()), INVALID);

            assert_eq!(PeerEnumIdentities(&mut h), 0);
            let mut count = 9;
            assert_eq!(PeerGetItemCount(h, &mut count), 0);
            assert_eq!(count, 1);
            let mut n = 10;
            let mut items = null_mut();
            assert_eq!(PeerGetNextItem(h, &mut n, &mut items), 0);
            assert_eq!(n, 1);
            let pair = *(*items).cast::<PEER_NAME_PAIR>();
            assert_eq!(read_req(pair.pwzPeerName).unwrap(), a);
            assert_eq!(read_req(pair.pwzFriendlyName).unwrap(), "A");
            crate::memory::free(items.cast());
            assert_eq!(PeerEndEnumeration(h), 0);

            assert_eq!(PeerEnumGroups(wa.p(), &mut h), 0);
            assert_eq!(PeerGetItemCount(h, &mut count), 0);
            assert_eq!(count, 0);
            assert_eq!(PeerEndEnumeration(h), 0);
        }
    });
}

/// The peer names of an enumeration of PEER_NAME_PAIR (handle ended).
fn names_of(e: HPEERENUM) -> Vec<String> {
    let mut n = 100;
    let mut items: *mut *mut c_void = null_mut();
    // SAFETY: valid out-pointers; the items live in one block, freed after reading.
    unsafe {
        assert_eq!(PeerGetNextItem(e, &mut n, &mut items), 0);
        let v = (0..n as usize)
            .map(|k| read_req((*(*items.add(k)).cast::<PEER_NAME_PAIR>()).pwzPeerName).unwrap())
            .collect();
        crate::memory::free(items.cast());
        assert_eq!(PeerEndEnumeration(e), 0);
        v
    }
}

#[test]
fn enum_groups_with_a_null_identity_lists_the_default_identitys() {
    // GroupChat passes NULL: the default identity's groups, and none is created for it.
    let s = Store::new();
    let mut e: HPEERENUM = std::ptr::dangling_mut();
    s.on(|| {
        // SAFETY: valid out-pointer.
        assert_eq!(unsafe { PeerEnumGroups(null(), &mut e) }, 0);
        assert_eq!(names_of(e), Vec::<String>::new());
        // SAFETY: as above; an empty identity is NULL.
        assert_eq!(unsafe { PeerEnumGroups(W::new("").p(), &mut e) }, 0);
        assert_eq!(names_of(e), Vec::<String>::new());
    });
    assert!(s.identities().is_empty(), "no default identity made");
    // Two identities with a group each; only the default one's are listed.
    let other = s.pn.identity_create(Some("o"), Some("O"), None).unwrap();
    let mine = s.pn.identity_get_default().unwrap();
    let group = |creator: &str, classifier: &str| {
        let p = peernet::GroupProperties::new(classifier, "G").with_creator(creator);
        s.pn.group_create(&p).unwrap().peer_name().to_owned()
    };
    let (g_mine, _) = (group(&mine, "mine"), group(&other, "theirs"));
    s.on(|| {
        // SAFETY: valid out-pointer.
        assert_eq!(unsafe { PeerEnumGroups(null(), &mut e) }, 0);
        assert_eq!(names_of(e), vec![g_mine.clone()]);
    });
    assert_eq!(s.identities().len(), 2);
}

#[test]
fn identities_end_to_end() {
    let (a, b) = (Store::new(), Store::new());
    let alice = a.on(|| create("alice", "Alice"));
    assert!(alice.ends_with(".alice"));
    let id = W::new(&alice);
    let pw = W::new("pässwörd");
    // SAFETY: valid strings and out-pointers throughout.
    let export = a.on(|| unsafe {
        assert_eq!(friendly_name(&id).unwrap(), "Alice");
        assert_eq!(
            PeerIdentitySetFriendlyName(id.p(), W::new("Alice A.").p()),
            0
        );
        assert_eq!(friendly_name(&id).unwrap(), "Alice A.");
        let xml = string(|o| PeerIdentityGetXML(id.p(), o)).unwrap();
        assert!(xml.contains("PEERIDENTITYINFO"));
        // Empty export password: the facade's E_INVALIDARG.
        assert_eq!(
            string(|o| PeerIdentityExport(id.p(), W::new("").p(), o)),
            Err(hr(E_INVALIDARG))
        );
        W::new(&string(|o| PeerIdentityExport(id.p(), pw.p(), o)).unwrap())
    });
    // SAFETY: as above.
    b.on(|| unsafe {
        // Import into the second store: a wrong password passes through.
        assert_eq!(
            string(|o| PeerIdentityImport(export.p(), W::new("wrong").p(), o)),
            Err(hr(ERROR_INVALID_PASSWORD))
        );
        assert_eq!(hr(ERROR_INVALID_PASSWORD) as u32, 0x8007_0056);
        assert_eq!(
            string(|o| PeerIdentityImport(export.p(), pw.p(), o)).unwrap(),
            alice
        );
        assert_eq!(
            string(|o| PeerIdentityImport(export.p(), pw.p(), o)),
            Err(hr(PEER_E_ALREADY_EXISTS))
        );
        // Default identity: created once, then stable.
        let d1 = string(|o| PeerIdentityGetDefault(o)).unwrap();
        let d2 = string(|o| PeerIdentityGetDefault(o)).unwrap();
        assert_eq!(d1, d2);
        assert_ne!(d1, alice);
        // Enumeration of the second store: alice and the default identity.
        let mut e: HPEERENUM = null_mut();
        assert_eq!(PeerEnumIdentities(&mut e), 0);
        let mut want = vec![alice.clone(), d1];
        want.sort();
        assert_eq!(names(e), want);
        // Deleting twice: the facade's PEER_E_NOT_FOUND.
        assert_eq!(PeerIdentityDelete(id.p()), 0);
        assert_eq!(PeerIdentityDelete(id.p()), hr(PEER_E_NOT_FOUND));
    });
    // SAFETY: as above.
    a.on(|| unsafe {
        let nobody = W::new("0123456789abcdef0123456789abcdef01234567.nobody");
        assert_eq!(PeerIdentityDelete(nobody.p()), hr(PEER_E_NOT_FOUND));
        assert_eq!(friendly_name(&nobody), Err(hr(PEER_E_NOT_FOUND)));
        assert_eq!(
            string(|o| PeerIdentityExport(nobody.p(), pw.p(), o)),
            Err(hr(PEER_E_NOT_FOUND))
        );
        let mut e: HPEERENUM = std::ptr::dangling_mut();
        assert_eq!(PeerEnumGroups(nobody.p(), &mut e), hr(PEER_E_NOT_FOUND));
        assert!(e.is_null());
    });
}

#[test]
fn a_damaged_store_is_the_facade_hresult() {
    // Fault injection: another key file, so the sealed private keys no longer open.
    let s = Store::new();
    let id = W::new(&s.on(|| create("x", "X")));
    let s = s.with_damaged_key();
    let pw = W::new("pw");
    s.on(|| {
        // SAFETY: valid strings and out-pointers; `string` checks the out-pointer is NULL.
        let r = string(|o| unsafe { PeerIdentityExport(id.p(), pw.p(), o) });
        assert!(r.as_ref().is_err_and(|e| *e < 0), "{r:?}");
        // What needs no private key still works.
        assert_eq!(friendly_name(&id).unwrap(), "X");
    });
}
