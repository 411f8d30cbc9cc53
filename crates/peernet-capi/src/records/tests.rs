//! The record, member and database exports on temporary stores: argument checks, block
//! layouts, and the facade's HRESULTs passed through.

use std::ffi::c_void;
use std::ptr::{null, null_mut};

use peernet::hresult::{
    PEER_E_INVALID_GROUP, PEER_E_INVALID_RECORD_EXPIRATION, PEER_E_INVALID_SEARCH,
    PEER_E_NOT_INITIALIZED, PEER_E_RECORD_NOT_FOUND,
};
use peernet_storage::MemberRow;

use super::*;
use crate::convert::guid_of;
use crate::memory::{free, is_live};
use crate::tests::{INVALID, Store, W, hr, later, lock, new_record, started};
use crate::{PeerEndEnumeration, PeerGetNextItem, PeerGroupClose};

/// A returned `PEER_RECORD` read back as the facade's record.
///
/// # Safety
/// `p` is a live PEER_RECORD (in a block).
unsafe fn read_back(p: *const PEER_RECORD) -> peernet::Record {
    // SAFETY: per the contract.
    unsafe {
        let r = &*p;
        assert_eq!(r.dwSize as usize, size_of::<PEER_RECORD>());
        let bytes = |d: &PEER_DATA| {
            if d.cbData == 0 {
                assert!(d.pbData.is_null());
                Vec::new()
            } else {
                std::slice::from_raw_parts(d.pbData, d.cbData as usize).to_vec()
            }
        };
        peernet::Record {
            record_type: guid_bytes(&r.r#type),
            id: guid_bytes(&r.id),
            version: r.dwVersion,
            flags: r.dwFlags,
            creator_id: read_req(r.pwzCreatorId).unwrap(),
            modified_by_id: read_req(r.pwzModifiedById).unwrap(),
            attributes: read_opt(r.pwzAttributes).unwrap(),
            creation: peernet::from_filetime(r.ftCreation.as_u64()),
            expiration: peernet::from_filetime(r.ftExpiration.as_u64()),
            last_modified: peernet::from_filetime(r.ftLastModified.as_u64()),
            security_data: bytes(&r.securityData),
            data: bytes(&r.data),
        }
    }
}

/// Every item of an enumeration of PEER_RECORD, read in batches of `batch`.
fn records_of(h: HPEERENUM, batch: u32) -> Vec<peernet::Record> {
    let mut out = Vec::new();
    loop {
        let mut n = batch;
        let mut items: *mut *mut c_void = null_mut();
        // SAFETY: valid pointers.
        assert_eq!(unsafe { PeerGetNextItem(h, &mut n, &mut items) }, 0);
        if n == 0 {
            break;
        }
        for i in 0..n as usize {
            // SAFETY: `items` holds `n` record pointers in one block.
            out.push(unsafe { read_back((*items.add(i)).cast()) });
        }
        free(items.cast());
    }
    // SAFETY: handle only.
    assert_eq!(unsafe { PeerEndEnumeration(h) }, 0);
    out
}

/// A store with one identity and a group it created (handle open).
fn group() -> (Store, String, HGROUP) {
    let s = Store::new();
    let (me, g) = s.identity_with_group("r", "R");
    (s, me, g)
}

/// Every record of the group behind `g`, read through the facade (not the exports).
fn stored_records(g: HGROUP) -> Vec<peernet::Record> {
    with_group(g, |grp| h(grp.enum_records(None))).unwrap()
}

#[test]
fn record_arguments() {
    let _s = started();
    let (_s, me, g) = group();
    let attrs = W::new("<attributes/>");
    let mut data = *b"hi";
    let mut rec = new_record(0xAA, later(3600), Some(&attrs), &mut data);
    let mut id = GUID {
        Data1: 0xdead,
        ..GUID::NULL
    };
    // SAFETY: valid pointers; NULLs are checked before use.
    unsafe {
        assert_eq!(PeerGroupAddRecord(g, &mut rec, &mut id), 0);
        assert_ne!(id, GUID::NULL);
        let added = id;
        let stored = stored_records(g);
        assert_eq!(stored.len(), 1);
        // Required pointers; wrong dwSize; data pointer missing; bad handle.
        assert_eq!(PeerGroupAddRecord(g, null_mut(), &mut id), INVALID);
        assert_eq!(id, GUID::NULL, "out GUID cleared before pRecord is checked");
        assert_eq!(PeerGroupAddRecord(g, &mut rec, null_mut()), INVALID);
        let mut small = rec;
        small.dwSize -= 4;
        assert_eq!(PeerGroupAddRecord(g, &mut small, &mut id), INVALID);
        assert_eq!(id, GUID::NULL, "out GUID cleared");
        let mut nodata = rec;
        nodata.data.pbData = null_mut();
        assert_eq!(PeerGroupAddRecord(g, &mut nodata, &mut id), INVALID);
        assert_eq!(
            PeerGroupAddRecord(std::ptr::without_provenance_mut(0x1234), &mut rec, &mut id),
            hr(PEER_E_INVALID_GROUP)
        );
        assert_eq!(PeerGroupUpdateRecord(g, null_mut()), INVALID);
        rec.id = added;
        let mut changed = *b"no";
        for mut bad in [small, nodata] {
            bad.id = added;
            bad.data.cbData = 2;
            if !bad.data.pbData.is_null() {
                bad.data.pbData = changed.as_mut_ptr();
            }
            assert_eq!(PeerGroupUpdateRecord(g, &mut bad), INVALID);
        }
        let mut other = rec;
        other.data.pbData = changed.as_mut_ptr();
        assert_eq!(
            PeerGroupUpdateRecord(std::ptr::without_provenance_mut(0x1234), &mut other),
            hr(PEER_E_INVALID_GROUP)
        );
        assert_eq!(PeerGroupDeleteRecord(g, null()), INVALID);
        assert_eq!(
            PeerGroupDeleteRecord(std::ptr::without_provenance_mut(0x1234), &added),
            hr(PEER_E_INVALID_GROUP)
        );
        assert_eq!(
            stored_records(g),
            stored,
            "rejected add / update / delete leave the records unchanged"
        );
        assert_eq!(PeerGroupUpdateRecord(g, &mut rec), 0);
        let mut out: *mut PEER_RECORD = std::ptr::dangling_mut();
        assert_eq!(PeerGroupGetRecord(g, null(), &mut out), INVALID);
        assert!(out.is_null());
        assert_eq!(PeerGroupGetRecord(g, &added, null_mut()), INVALID);
        assert_eq!(PeerGroupGetRecord(g, &added, &mut out), 0);
        assert!(is_live(out.cast()));
        let r = read_back(out);
        free(out.cast());
        assert_eq!(
            (r.record_type, r.id, r.version, r.data.as_slice()),
            (guid_bytes(&rec.r#type), guid_bytes(&added), 2, &b"hi"[..])
        );
        assert_eq!(
            (r.creator_id.as_str(), r.modified_by_id.as_str()),
            (me.as_str(), me.as_str())
        );
        assert_eq!(r.attributes.as_deref(), Some("<attributes/>"));
        assert!(!r.security_data.is_empty());
        assert_eq!(PeerGroupDeleteRecord(g, null()), INVALID);
        assert_eq!(PeerGroupDeleteRecord(g, &added), 0);
        // Facade failures pass through with outputs cleared.
        out = std::ptr::dangling_mut();
        assert_eq!(
            PeerGroupGetRecord(g, &added, &mut out),
            hr(PEER_E_RECORD_NOT_FOUND)
        );
        assert!(out.is_null());
        assert_eq!(PeerGroupExportDatabase(g, W::new("").p()), INVALID);
        assert_eq!(PeerGroupExportDatabase(g, null()), INVALID);
        assert_eq!(PeerGroupImportDatabase(g, W::new("").p()), INVALID);
        assert_eq!(PeerGroupImportDatabase(g, null()), INVALID);
    }
    // SAFETY: handle lookup only.
    assert_eq!(unsafe { PeerGroupClose(g) }, 0);
}

#[test]
fn records_need_startup() {
    let _l = lock();
    let mut rec = new_record(1, 0, None, &mut []);
    let mut id = GUID {
        Data1: 5,
        ..GUID::NULL
    };
    let mut h: HPEERENUM = std::ptr::dangling_mut();
    let g: HGROUP = std::ptr::without_provenance_mut(0x19);
    let nope = PEER_E_NOT_INITIALIZED.as_i32();
    // SAFETY: the startup check fails before any pointer is used.
    unsafe {
        assert_eq!(PeerGroupAddRecord(g, &mut rec, &mut id), nope);
        assert_eq!(
            id,
            GUID::NULL,
            "outputs are cleared before the startup check"
        );
        assert_eq!(PeerGroupAddRecord(g, null_mut(), &mut id), nope);
        assert_eq!(PeerGroupUpdateRecord(g, &mut rec), nope);
        assert_eq!(PeerGroupDeleteRecord(g, &id), nope);
        assert_eq!(PeerGroupGetRecord(g, &id, null_mut()), nope);
        assert_eq!(PeerGroupEnumRecords(g, null(), &mut h), nope);
        assert!(h.is_null());
        h = std::ptr::dangling_mut();
        assert_eq!(PeerGroupSearchRecords(g, null(), &mut h), nope);
        assert!(h.is_null());
        h = std::ptr::dangling_mut();
        assert_eq!(PeerGroupEnumMembers(g, 0, null(), &mut h), nope);
        assert!(h.is_null());
        let mut r: *mut PEER_RECORD = std::ptr::dangling_mut();
        assert_eq!(PeerGroupGetRecord(g, &id, &mut r), nope);
        assert!(r.is_null());
        assert_eq!(PeerGroupExportDatabase(g, null()), nope);
        assert_eq!(PeerGroupImportDatabase(g, null()), nope);
    }
}

#[test]
fn records_end_to_end() {
    let _s = started();
    let (s, me, g) = group();
    let attrs = W::new(r#"<attributes><attribute name="n" type="int">3</attribute></attributes>"#);
    let mut data = *b"payload";
    let mut rec = new_record(0x10, later(3600), Some(&attrs), &mut data);
    let mut id = GUID::NULL;
    // SAFETY: valid pointers throughout.
    unsafe {
        assert_eq!(PeerGroupAddRecord(g, &mut rec, &mut id), 0);
        // Update: Get → modify → Update.
        rec.id = id;
        let mut d2 = *b"second!";
        rec.data.pbData = d2.as_mut_ptr();
        assert_eq!(PeerGroupUpdateRecord(g, &mut rec), 0);
        let mut hh: HPEERENUM = std::ptr::dangling_mut();
        assert_eq!(PeerGroupEnumRecords(g, null(), null_mut()), INVALID);
        assert_eq!(PeerGroupEnumRecords(g, &rec.r#type, &mut hh), 0);
        let all = records_of(hh, 1);
        assert_eq!(
            (all.len(), all[0].version, all[0].data.as_slice()),
            (1, 2, &b"second!"[..])
        );
        let other = GUID {
            Data1: 9,
            ..GUID::NULL
        };
        assert_eq!(PeerGroupEnumRecords(g, &other, &mut hh), 0);
        assert_eq!(records_of(hh, 10).len(), 0);
        assert_eq!(PeerGroupEnumRecords(g, null(), &mut hh), 0);
        assert_eq!(records_of(hh, 10).len(), 1);
        assert_eq!(PeerGroupSearchRecords(g, null(), &mut hh), INVALID);
        assert!(hh.is_null());
        let q = W::new(
            r#"<peersearch><clause attrib="n" type="int" compare="equal">3</clause></peersearch>"#,
        );
        assert_eq!(PeerGroupSearchRecords(g, q.p(), &mut hh), 0);
        assert_eq!(records_of(hh, 5).len(), 1);
        assert_eq!(
            PeerGroupSearchRecords(g, W::new("<peersearch/>").p(), &mut hh),
            hr(PEER_E_INVALID_SEARCH)
        );
        // Export, delete, import back.
        let file = s.dir.path().join("db.pndb");
        let path = W::new(file.to_str().unwrap());
        assert_eq!(PeerGroupExportDatabase(g, path.p()), 0);
        assert_eq!(PeerGroupDeleteRecord(g, &id), 0);
        let mut out: *mut PEER_RECORD = null_mut();
        assert_eq!(
            PeerGroupGetRecord(g, &id, &mut out),
            hr(PEER_E_RECORD_NOT_FOUND)
        );
        assert_eq!(PeerGroupImportDatabase(g, path.p()), 0);
        assert_eq!(PeerGroupGetRecord(g, &id, &mut out), 0);
        free(out.cast());
        // Expiration in the past.
        let mut past = rec;
        past.ftExpiration = FILETIME::from_u64(1);
        assert_eq!(
            PeerGroupAddRecord(g, &mut past, &mut id),
            hr(PEER_E_INVALID_RECORD_EXPIRATION)
        );
        // Members: me, from my first record, with my Admin credentials.
        assert_eq!(PeerGroupEnumMembers(g, 2, null(), &mut hh), INVALID);
        assert_eq!(PeerGroupEnumMembers(g, 0, null(), &mut hh), 0);
        let mut n = 10;
        let mut items: *mut *mut c_void = null_mut();
        assert_eq!(PeerGetNextItem(hh, &mut n, &mut items), 0);
        assert_eq!(n, 1);
        let m0 = &*(*items).cast::<PEER_MEMBER>();
        assert_eq!(m0.dwSize as usize, size_of::<PEER_MEMBER>());
        assert_eq!(read_req(m0.pwzIdentity).unwrap(), me);
        assert_eq!((m0.cAddresses, m0.pAddresses), (0, null_mut()));
        let ci = &*m0.pCredentialInfo;
        assert_eq!(ci.dwSize as usize, size_of::<PEER_CREDENTIAL_INFO>());
        assert_eq!(read_req(ci.pwzFriendlyName).unwrap(), "Me");
        assert!(!ci.pwzIssuerPeerName.is_null());
        assert_eq!((ci.cRoles, *ci.pRoles), (1, guid_of(peernet::Role::ADMIN)));
        assert!(ci.ftValidityEnd.as_u64() > ci.ftValidityStart.as_u64());
        assert!((*ci.pPublicKey).PublicKey.cbData > 100);
        free(items.cast());
        assert_eq!(PeerEndEnumeration(hh), 0);
        assert_eq!(
            PeerGroupEnumMembers(g, 0, W::new("nobody.x").p(), &mut hh),
            0
        );
        n = 10;
        assert_eq!(PeerGetNextItem(hh, &mut n, &mut items), 0);
        assert_eq!((n, items), (0, null_mut()));
        assert_eq!(PeerEndEnumeration(hh), 0);
        assert_eq!(PeerGroupClose(g), 0);
    }
}

#[test]
fn members_without_known_credentials_still_have_credential_info() {
    // GroupChat reads PEER_MEMBER.pCredentialInfo->pwzFriendlyName without a check.
    let _s = started();
    let (s, me, g) = group();
    let gpn = s.pn.enum_groups(&me).unwrap()[0].peer_name.clone();
    let stranger = format!("{}.stranger", "c".repeat(40));
    // A member row without a chain, as a database import from another member can leave.
    s.pn.store()
        .upsert_member(
            &me,
            &gpn,
            &MemberRow {
                peer_name: stranger.clone(),
                flags: 0,
                attributes: Some("<a/>".into()),
                node_id: Some(7),
                gmc_chain: None,
            },
        )
        .unwrap();
    let mut hh: HPEERENUM = null_mut();
    let who = W::new(&stranger);
    // SAFETY: valid pointers; the items live in one block.
    unsafe {
        assert_eq!(PeerGroupEnumMembers(g, 0, who.p(), &mut hh), 0);
        let mut n = 10;
        let mut items: *mut *mut c_void = null_mut();
        assert_eq!(PeerGetNextItem(hh, &mut n, &mut items), 0);
        assert_eq!(n, 1);
        let m = &*(*items).cast::<PEER_MEMBER>();
        assert_eq!(read_req(m.pwzIdentity).unwrap(), stranger);
        assert_eq!(read_opt(m.pwzAttributes).unwrap().as_deref(), Some("<a/>"));
        assert_eq!(m.ullNodeId, 7);
        assert!(!m.pCredentialInfo.is_null());
        let ci = &*m.pCredentialInfo;
        assert_eq!(ci.dwSize as usize, size_of::<PEER_CREDENTIAL_INFO>());
        assert_eq!(read_req(ci.pwzFriendlyName).unwrap(), stranger);
        assert!(ci.pPublicKey.is_null() && ci.pRoles.is_null());
        assert_eq!(ci.cRoles, 0);
        free(items.cast());
        assert_eq!(PeerEndEnumeration(hh), 0);
        assert_eq!(PeerGroupClose(g), 0);
    }
}

#[test]
fn a_member_key_that_does_not_convert_fails_the_enumeration() {
    let _s = started();
    let (_s, _, g) = group();
    let mut data = *b"x";
    let mut rec = new_record(0x10, later(3600), None, &mut data);
    let mut id = GUID::NULL;
    // SAFETY: valid record and out-pointer.
    assert_eq!(unsafe { PeerGroupAddRecord(g, &mut rec, &mut id) }, 0);
    let members = with_group(g, |grp| h(grp.enum_members(0, None))).unwrap();
    let mut m = members
        .into_iter()
        .next()
        .expect("the creator, after its first record");
    assert!(MemberItem::new(m.clone()).is_ok_and(|i| i.key.is_some()));
    m.credentials.as_mut().unwrap().public_key = b"not a SubjectPublicKeyInfo".to_vec();
    assert_eq!(
        MemberItem::new(m.clone()).err(),
        Some(peernet::hresult::E_FAIL),
        "E_FAIL, not an item without pPublicKey"
    );
    m.credentials = None;
    assert!(MemberItem::new(m).is_ok_and(|i| i.key.is_none()));
    // SAFETY: handle lookup only.
    assert_eq!(unsafe { PeerGroupClose(g) }, 0);
}
