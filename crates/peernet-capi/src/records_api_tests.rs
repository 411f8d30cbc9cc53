//! The record / member / database / event functions: argument checks and block layouts
//! on the recording mock, then end to end on the real facade backend.

use std::mem::size_of;
use std::ptr::{null, null_mut};
use std::sync::MutexGuard;
use std::time::{Duration, SystemTime};

use peernet::hresult::{
    E_INVALIDARG, PEER_E_INVALID_GROUP, PEER_E_INVALID_RECORD_EXPIRATION, PEER_E_NOT_INITIALIZED,
    PEER_E_RECORD_NOT_FOUND, PEER_S_NO_EVENT_DATA,
};

use super::*;
use crate::alloc::{free, is_live};
use crate::enumeration::{PeerEndEnumeration, PeerGetNextItem};
use crate::facade::{Facade, guid_from_bytes, open_at};
use crate::test_backend::{Mock, MockGroup, W};
use crate::types::{PEER_CREDENTIAL_INFO, PEER_DATA, PEER_MEMBER};
use crate::wide::read_req;

const INVALID: HRESULT = E_INVALIDARG.as_i32();

fn lock() -> MutexGuard<'static, ()> {
    crate::startup::TEST_LOCK
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

/// A started library for the duration of the guard.
struct Started(#[allow(dead_code)] MutexGuard<'static, ()>);

fn started() -> Started {
    let l = lock();
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

fn new_record(ty: u32, expiration: u64, attrs: Option<&W>, data: &mut [u8]) -> PEER_RECORD {
    PEER_RECORD {
        dwSize: size_of::<PEER_RECORD>() as u32,
        r#type: GUID {
            Data1: ty,
            ..GUID::NULL
        },
        id: GUID::NULL,
        dwVersion: 0,
        dwFlags: 0,
        pwzCreatorId: null_mut(),
        pwzModifiedById: null_mut(),
        pwzAttributes: attrs.map_or(null_mut(), |a| a.p().cast_mut()),
        ftCreation: FILETIME::default(),
        ftExpiration: FILETIME::from_u64(expiration),
        ftLastModified: FILETIME::default(),
        securityData: PEER_DATA {
            cbData: 0,
            pbData: null_mut(),
        },
        data: PEER_DATA {
            cbData: data.len() as u32,
            pbData: if data.is_empty() {
                null_mut()
            } else {
                data.as_mut_ptr()
            },
        },
    }
}

/// Read a returned record block into the model and free it.
///
/// # Safety
/// `p` is a live PEER_RECORD block.
unsafe fn read_record(p: *const PEER_RECORD) -> Record {
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
        Record {
            record_type: r.r#type,
            id: r.id,
            version: r.dwVersion,
            flags: r.dwFlags,
            creator_id: read_opt(r.pwzCreatorId).unwrap(),
            modified_by_id: read_opt(r.pwzModifiedById).unwrap(),
            attributes: read_opt(r.pwzAttributes).unwrap(),
            creation: r.ftCreation.as_u64(),
            expiration: r.ftExpiration.as_u64(),
            last_modified: r.ftLastModified.as_u64(),
            security_data: bytes(&r.securityData),
            data: bytes(&r.data),
        }
    }
}

/// Every item of an enumeration of PEER_RECORD, read in batches of `batch`.
fn records_of(h: HPEERENUM, batch: u32) -> Vec<Record> {
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
            out.push(unsafe { read_record((*items.add(i)).cast()) });
        }
        free(items.cast());
    }
    // SAFETY: handle only.
    assert_eq!(unsafe { PeerEndEnumeration(h) }, 0);
    out
}

fn mock_group(m: &Mock) -> HGROUP {
    let _ = m;
    group_handles::insert(Box::new(MockGroup("g".into())))
}

#[test]
fn record_arguments_on_the_mock() {
    let _s = started();
    let m = Mock::new();
    let g = mock_group(&m);
    let attrs = W::new("<attributes/>");
    let mut data = *b"hi";
    let rec = new_record(0xAA, 99, Some(&attrs), &mut data);
    let mut id = GUID {
        Data1: 0xdead,
        ..GUID::NULL
    };
    // SAFETY: valid record and out-pointer.
    assert_eq!(unsafe { add_record(&m, g, &rec, &mut id) }, 0);
    assert_eq!(id.Data1, 7);
    // Required pointers; wrong dwSize; data pointer missing; bad handle.
    // SAFETY: NULLs are checked before use.
    unsafe {
        assert_eq!(add_record(&m, g, null(), &mut id), INVALID);
        assert_eq!(add_record(&m, g, &rec, null_mut()), INVALID);
        let mut small = rec;
        small.dwSize -= 4;
        assert_eq!(add_record(&m, g, &small, &mut id), INVALID);
        assert_eq!(id, GUID::NULL, "out GUID cleared");
        let mut nodata = rec;
        nodata.data.pbData = null_mut();
        assert_eq!(add_record(&m, g, &nodata, &mut id), INVALID);
        assert_eq!(
            add_record(&m, 0x1234 as HGROUP, &rec, &mut id),
            PEER_E_INVALID_GROUP.as_i32()
        );
        assert_eq!(update_record(&m, g, null()), INVALID);
        assert_eq!(update_record(&m, g, &rec), 0);
        assert_eq!(delete_record(&m, g, null()), INVALID);
        assert_eq!(delete_record(&m, g, &id), 0);
        let mut out: *mut PEER_RECORD = std::ptr::dangling_mut();
        assert_eq!(get_record(&m, g, null(), &mut out), INVALID);
        assert!(out.is_null());
        assert_eq!(get_record(&m, g, &id, null_mut()), INVALID);
        assert_eq!(
            get_record(
                &m,
                g,
                &GUID {
                    Data1: 5,
                    ..GUID::NULL
                },
                &mut out
            ),
            0
        );
        assert!(is_live(out.cast()));
        let r = read_record(out);
        free(out.cast());
        assert_eq!(r, crate::test_backend::mock_record(5));
        assert_eq!(export_database(&m, g, W::new("").p()), INVALID);
        assert_eq!(export_database(&m, g, null()), INVALID);
        assert_eq!(export_database(&m, g, W::new("/tmp/x.db").p()), 0);
        assert_eq!(import_database(&m, g, W::new("/tmp/x.db").p()), 0);
    }
    assert_eq!(
        m.calls(),
        vec![
            "add_record g aa 0 Some(\"<attributes/>\") [104, 105] 99",
            "update_record g 0 [104, 105]",
            "delete_record g 0",
            "get_record g 5",
            "export_database g /tmp/x.db",
            "import_database g /tmp/x.db",
        ]
    );
    // Backend failures pass through with outputs cleared.
    let f = Mock::failing(PEER_E_RECORD_NOT_FOUND);
    let mut out: *mut PEER_RECORD = std::ptr::dangling_mut();
    // SAFETY: valid pointers.
    unsafe {
        assert_eq!(
            get_record(&f, g, &id, &mut out),
            PEER_E_RECORD_NOT_FOUND.as_i32()
        );
    }
    assert!(out.is_null());
    // Not started.
    let stopped = Mock::stopped();
    // SAFETY: valid pointers.
    unsafe {
        assert_eq!(
            add_record(&stopped, g, &rec, &mut id),
            PEER_E_NOT_INITIALIZED.as_i32()
        );
    }
    assert_eq!(crate::group_api::group_close(&m, g), 0);
}

#[test]
fn enumerations_on_the_mock() {
    let _s = started();
    let m = Mock::new();
    let g = mock_group(&m);
    let mut h: HPEERENUM = std::ptr::dangling_mut();
    // SAFETY: valid pointers; NULL checks.
    unsafe {
        assert_eq!(enum_records(&m, g, null(), null_mut()), INVALID);
        assert_eq!(enum_records(&m, g, null(), &mut h), 0);
        let all = records_of(h, 1);
        assert_eq!(
            all,
            vec![
                crate::test_backend::mock_record(1),
                crate::test_backend::mock_record(2)
            ]
        );
        let t = GUID {
            Data1: 9,
            ..GUID::NULL
        };
        assert_eq!(enum_records(&m, g, &t, &mut h), 0);
        assert_eq!(records_of(h, 10).len(), 2);
        assert_eq!(search_records(&m, g, null(), &mut h), INVALID);
        assert!(h.is_null());
        assert_eq!(
            search_records(&m, g, W::new("<peersearch/>").p(), &mut h),
            0
        );
        assert_eq!(records_of(h, 10).len(), 1);
        assert_eq!(enum_members(&m, g, 2, null(), &mut h), INVALID);
        assert_eq!(enum_members(&m, g, 0, W::new("abc.me").p(), &mut h), 0);
        let mut n = 10;
        let mut items: *mut *mut c_void = null_mut();
        assert_eq!(PeerGetNextItem(h, &mut n, &mut items), 0);
        assert_eq!(n, 2);
        let m0 = &*(*items).cast::<PEER_MEMBER>();
        assert_eq!(m0.dwSize as usize, size_of::<PEER_MEMBER>());
        assert_eq!(read_req(m0.pwzIdentity).unwrap(), "abc.me");
        assert_eq!(m0.ullNodeId, 9);
        assert_eq!((m0.cAddresses, m0.pAddresses), (0, null_mut()));
        let ci = &*m0.pCredentialInfo;
        assert_eq!(ci.dwSize as usize, size_of::<PEER_CREDENTIAL_INFO>());
        assert_eq!(read_req(ci.pwzFriendlyName).unwrap(), "Me");
        assert_eq!(read_req(ci.pwzIssuerPeerName).unwrap(), "abc.grp");
        assert_eq!((ci.cRoles, (*ci.pRoles).Data1), (1, 4));
        assert_eq!(ci.ftValidityEnd.as_u64(), 2);
        assert_eq!((*ci.pPublicKey).PublicKey.cbData, 3);
        let m1 = &*(*items.add(1)).cast::<PEER_MEMBER>();
        assert!(m1.pCredentialInfo.is_null());
        assert_eq!(read_opt(m1.pwzAttributes).unwrap().as_deref(), Some("a"));
        free(items.cast());
        assert_eq!(PeerEndEnumeration(h), 0);
    }
    assert_eq!(
        m.calls(),
        vec![
            "enum_records g None",
            "enum_records g Some(9)",
            "search_records g <peersearch/>",
            "enum_members g 0 Some(\"abc.me\")",
        ]
    );
    assert_eq!(crate::group_api::group_close(&m, g), 0);
}

/// Dequeue one event block (or `None` with PEER_S_NO_EVENT_DATA).
fn next_event(b: &(impl Backend + ?Sized), h: HPEEREVENT) -> Option<EventData> {
    let mut p: *mut PEER_GROUP_EVENT_DATA = std::ptr::dangling_mut();
    // SAFETY: valid out-pointer.
    let r = unsafe { get_event_data(b, h, &mut p) };
    if r == PEER_S_NO_EVENT_DATA.as_i32() {
        assert!(p.is_null());
        return None;
    }
    assert_eq!(r, 0);
    // SAFETY: a live PEER_GROUP_EVENT_DATA block.
    let e = unsafe {
        let d = &*p;
        match d.eventType {
            1 => EventData::Status(d.u.dwStatus),
            2 => EventData::Property,
            3 => {
                let c = d.u.recordChangeData;
                assert_eq!(
                    c.dwSize as usize,
                    size_of::<PEER_EVENT_RECORD_CHANGE_DATA>()
                );
                EventData::Record(c.changeType, c.recordId, c.recordType)
            }
            8 => {
                let c = d.u.memberChangeData;
                assert_eq!(
                    c.dwSize as usize,
                    size_of::<PEER_EVENT_MEMBER_CHANGE_DATA>()
                );
                EventData::Member(c.changeType, read_req(c.pwzIdentity).unwrap())
            }
            t => panic!("event type {t}"),
        }
    };
    free(p.cast());
    Some(e)
}

#[cfg(unix)]
fn pipe() -> (std::fs::File, i32) {
    use std::os::fd::{FromRawFd, IntoRawFd};
    let (r, w) = std::io::pipe().unwrap();
    // SAFETY: a fresh descriptor we own.
    let r = unsafe { std::fs::File::from_raw_fd(r.into_raw_fd()) };
    (r, w.into_raw_fd())
}

#[test]
fn events_on_the_mock() {
    let _s = started();
    let m = Mock::new();
    let g = mock_group(&m);
    let t = GUID {
        Data1: 0x33,
        ..GUID::NULL
    };
    let mut regs = [
        PEER_GROUP_EVENT_REGISTRATION {
            eventType: 3,
            pType: (&raw const t).cast_mut(),
        },
        PEER_GROUP_EVENT_REGISTRATION {
            eventType: 8,
            pType: null_mut(),
        },
    ];
    let mut h: HPEEREVENT = std::ptr::dangling_mut();
    // SAFETY: valid pointers; NULL / count checks.
    unsafe {
        assert_eq!(
            register_event(&m, g, null_mut(), 0, regs.as_mut_ptr(), &mut h),
            INVALID
        );
        assert!(h.is_null());
        assert_eq!(
            register_event(&m, g, null_mut(), 2, null(), &mut h),
            INVALID
        );
        assert_eq!(
            register_event(&m, g, null_mut(), 65, regs.as_mut_ptr(), &mut h),
            INVALID
        );
        assert_eq!(
            register_event(&m, g, null_mut(), 2, regs.as_mut_ptr(), null_mut()),
            INVALID
        );
    }
    #[cfg(unix)]
    let (mut reader, fd) = pipe();
    #[cfg(unix)]
    let hevent = fd as usize as HANDLE;
    #[cfg(not(unix))]
    let hevent: HANDLE = null_mut();
    // SAFETY: valid pointers.
    unsafe {
        assert_eq!(
            register_event(&m, g, hevent, 2, regs.as_mut_ptr(), &mut h),
            0
        );
    }
    assert_eq!(open_event_count(), 1);
    #[cfg(unix)]
    {
        use std::io::Read;
        let mut buf = [0u8; 8];
        reader.read_exact(&mut buf).unwrap();
        assert_eq!(u64::from_ne_bytes(buf), 1);
    }
    assert_eq!(wait_for_event(&m, h, 0), 0);
    let g5 = GUID {
        Data1: 5,
        ..GUID::NULL
    };
    let g6 = GUID {
        Data1: 6,
        ..GUID::NULL
    };
    assert_eq!(next_event(&m, h), Some(EventData::Record(1, g5, g6)));
    assert_eq!(
        next_event(&m, h),
        Some(EventData::Member(4, "abc.you".into()))
    );
    assert_eq!(next_event(&m, h), Some(EventData::Status(2)));
    assert_eq!(next_event(&m, h), None);
    assert_eq!(wait_for_event(&m, h, 0), PEER_S_NO_EVENT_DATA.as_i32());
    // SAFETY: NULL out-pointer is checked.
    assert_eq!(unsafe { get_event_data(&m, h, null_mut()) }, INVALID);
    assert_eq!(unregister_event(h), 0);
    assert_eq!(unregister_event(h), INVALID);
    assert_eq!(wait_for_event(&m, h, 0), INVALID);
    let mut p: *mut PEER_GROUP_EVENT_DATA = null_mut();
    // SAFETY: valid out-pointer; unknown handle.
    assert_eq!(unsafe { get_event_data(&m, h, &mut p) }, INVALID);
    assert_eq!(
        m.calls(),
        vec![format!(
            "register_event g [(3, Some(51)), (8, None)] notify={}",
            cfg!(unix)
        )]
    );
    #[cfg(unix)]
    // SAFETY: our descriptor, closed once.
    drop(unsafe { <std::fs::File as std::os::fd::FromRawFd>::from_raw_fd(fd) });
    assert_eq!(crate::group_api::group_close(&m, g), 0);
}

fn later(secs: u64) -> u64 {
    peernet::to_filetime(SystemTime::now() + Duration::from_secs(secs))
}

#[test]
fn records_and_events_on_the_facade() {
    let _s = started();
    let dir = tempfile::tempdir().unwrap();
    let pn = open_at(dir.path()).unwrap();
    let b = Facade::with_context(pn.clone());
    let alice = pn
        .identity_create(Some("alice"), Some("Alice"), None)
        .unwrap();
    let group = pn
        .group_create(&peernet::GroupProperties::new("r", "R").with_creator(&alice))
        .unwrap();
    let g = group_handles::insert(Box::new(group.clone()));
    // Another process's view: a second context on the same store.
    let other = Facade::with_context(open_at(dir.path()).unwrap());
    let og = group_handles::insert(Box::new(
        other
            .context()
            .unwrap()
            .group_open(&alice, group.peer_name(), None)
            .unwrap(),
    ));
    let mut regs = [PEER_GROUP_EVENT_REGISTRATION {
        eventType: 3,
        pType: null_mut(),
    }];
    let mut h: HPEEREVENT = null_mut();
    // SAFETY: valid pointers.
    unsafe {
        assert_eq!(
            register_event(&other, og, null_mut(), 1, regs.as_mut_ptr(), &mut h),
            0
        );
    }
    let attrs = W::new(r#"<attributes><attribute name="n" type="int">3</attribute></attributes>"#);
    let mut data = *b"payload";
    let mut rec = new_record(0x10, later(3600), Some(&attrs), &mut data);
    let mut id = GUID::NULL;
    // SAFETY: valid pointers throughout.
    unsafe {
        assert_eq!(add_record(&b, g, &rec, &mut id), 0);
        assert_ne!(id, GUID::NULL);
        let mut out: *mut PEER_RECORD = null_mut();
        assert_eq!(get_record(&other, og, &id, &mut out), 0);
        let got = read_record(out);
        free(out.cast());
        assert_eq!(got.id, id);
        assert_eq!(got.version, 1);
        assert_eq!(got.data, b"payload");
        assert_eq!(got.creator_id.as_deref(), Some(alice.as_str()));
        assert_eq!(
            got.attributes.as_deref(),
            Some(r#"<attributes><attribute name="n" type="int">3</attribute></attributes>"#)
        );
        assert!(got.security_data.len() > 17);
        // Update: Get → modify → Update.
        rec.id = id;
        let mut d2 = *b"second!";
        rec.data.pbData = d2.as_mut_ptr();
        assert_eq!(update_record(&b, g, &rec), 0);
        let mut hh: HPEERENUM = null_mut();
        assert_eq!(enum_records(&b, g, &rec.r#type, &mut hh), 0);
        let all = records_of(hh, 5);
        assert_eq!(
            (all.len(), all[0].version, all[0].data.as_slice()),
            (1, 2, &b"second!"[..])
        );
        assert_eq!(
            search_records(
                &b,
                g,
                W::new(r#"<peersearch><clause attrib="n" type="int" compare="equal">3</clause></peersearch>"#).p(),
                &mut hh
            ),
            0
        );
        assert_eq!(records_of(hh, 5).len(), 1);
        assert_eq!(
            search_records(&b, g, W::new("<peersearch/>").p(), &mut hh),
            peernet::hresult::PEER_E_INVALID_SEARCH.as_i32()
        );
        // Export, delete, import back.
        let file = dir.path().join("db.pndb");
        let path = W::new(file.to_str().unwrap());
        assert_eq!(export_database(&b, g, path.p()), 0);
        assert_eq!(delete_record(&b, g, &id), 0);
        assert_eq!(
            get_record(&b, g, &id, &mut out),
            PEER_E_RECORD_NOT_FOUND.as_i32()
        );
        assert_eq!(import_database(&b, g, path.p()), 0);
        assert_eq!(get_record(&b, g, &id, &mut out), 0);
        free(out.cast());
        // Expiration in the past.
        let mut past = rec;
        past.ftExpiration = FILETIME::from_u64(1);
        assert_eq!(
            add_record(&b, g, &past, &mut id),
            PEER_E_INVALID_RECORD_EXPIRATION.as_i32()
        );
        // Members: alice, from her first record.
        assert_eq!(enum_members(&b, g, 0, null(), &mut hh), 0);
        let mut n = 10;
        let mut items: *mut *mut c_void = null_mut();
        assert_eq!(PeerGetNextItem(hh, &mut n, &mut items), 0);
        assert_eq!(n, 1);
        let m0 = &*(*items).cast::<PEER_MEMBER>();
        assert_eq!(read_req(m0.pwzIdentity).unwrap(), alice);
        assert_eq!(
            (*(*m0.pCredentialInfo).pRoles),
            crate::facade::guid_of(peernet::Role::ADMIN)
        );
        free(items.cast());
        assert_eq!(PeerEndEnumeration(hh), 0);
    }
    // The other context received ADDED, UPDATED, DELETED, ADDED (import) in order.
    let rid = id_of_first(&b, g);
    let ty = guid_from_bytes(&[0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let mut got = Vec::new();
    while got.len() < 4 {
        assert_eq!(wait_for_event(&other, h, 5000), 0, "after {got:?}");
        while let Some(e) = next_event(&other, h) {
            got.push(e);
        }
    }
    assert_eq!(
        got,
        vec![
            EventData::Record(1, rid, ty),
            EventData::Record(2, rid, ty),
            EventData::Record(3, rid, ty),
            EventData::Record(1, rid, ty),
        ]
    );
    assert_eq!(unregister_event(h), 0);
    assert_eq!(crate::group_api::group_close(&b, g), 0);
    assert_eq!(crate::group_api::group_close(&other, og), 0);
}

fn id_of_first(b: &Facade, g: HGROUP) -> GUID {
    let mut hh: HPEERENUM = null_mut();
    // SAFETY: valid pointers.
    assert_eq!(unsafe { enum_records(b, g, null(), &mut hh) }, 0);
    records_of(hh, 1)[0].id
}
