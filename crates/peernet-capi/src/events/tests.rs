//! The event exports: argument checks, the `hEvent` descriptor, event blocks, and
//! delivery across two contexts on one store in commit order.

use std::ptr::{null, null_mut};

use peernet::hresult::{PEER_E_INVALID_GROUP, PEER_E_NOT_INITIALIZED};
use peernet::{MemberChangeType, RecordChangeType};

use super::*;
use crate::memory::free;
use crate::tests::{INVALID, Store, W, later, lock, new_record, started};
use crate::types::{GUID, PEER_DATA, PEER_GROUP_PROPERTIES, PEER_RECORD};
use crate::wide::read_req;
use crate::{
    PeerGroupAddRecord, PeerGroupClose, PeerGroupDeleteRecord, PeerGroupGetRecord, PeerGroupOpen,
};

/// Dequeue one event (or `None` with PEER_S_NO_EVENT_DATA), checking its block.
fn next_event(h: HPEEREVENT) -> Option<GroupEvent> {
    let mut p: *mut PEER_GROUP_EVENT_DATA = std::ptr::dangling_mut();
    // SAFETY: valid out-pointer.
    let r = unsafe { PeerGroupGetEventData(h, &mut p) };
    if r == PEER_S_NO_EVENT_DATA.as_i32() {
        assert!(p.is_null());
        return None;
    }
    assert_eq!(r, 0);
    // SAFETY: a live PEER_GROUP_EVENT_DATA block.
    let e = unsafe { event_of(p) };
    free(p.cast());
    Some(e)
}

/// The facade event a block describes.
///
/// # Safety
/// `p` is a live PEER_GROUP_EVENT_DATA block.
unsafe fn event_of(p: *const PEER_GROUP_EVENT_DATA) -> GroupEvent {
    // SAFETY: per the contract; the union arm follows the event type.
    unsafe {
        let d = &*p;
        match d.eventType {
            1 => GroupEvent::StatusChanged {
                status: d.u.dwStatus,
            },
            2 => GroupEvent::PropertyChanged,
            3 => {
                let c = d.u.recordChangeData;
                assert_eq!(
                    c.dwSize as usize,
                    size_of::<PEER_EVENT_RECORD_CHANGE_DATA>()
                );
                let change = [
                    RecordChangeType::Added,
                    RecordChangeType::Updated,
                    RecordChangeType::Deleted,
                    RecordChangeType::Expired,
                ]
                .into_iter()
                .find(|t| t.to_u32() == c.changeType)
                .unwrap();
                GroupEvent::RecordChanged {
                    change,
                    record_id: guid_bytes(&c.recordId),
                    record_type: guid_bytes(&c.recordType),
                }
            }
            8 => {
                let c = d.u.memberChangeData;
                assert_eq!(
                    c.dwSize as usize,
                    size_of::<PEER_EVENT_MEMBER_CHANGE_DATA>()
                );
                let change = [
                    MemberChangeType::Connected,
                    MemberChangeType::Disconnected,
                    MemberChangeType::Updated,
                    MemberChangeType::Joined,
                    MemberChangeType::Left,
                ]
                .into_iter()
                .find(|t| t.to_u32() == c.changeType)
                .unwrap();
                GroupEvent::MemberChanged {
                    change,
                    identity: read_req(c.pwzIdentity).unwrap(),
                }
            }
            t => panic!("event type {t}"),
        }
    }
}

#[test]
fn event_blocks() {
    let events = [
        GroupEvent::StatusChanged { status: 2 },
        GroupEvent::PropertyChanged,
        GroupEvent::RecordChanged {
            change: RecordChangeType::Added,
            record_id: [5; 16].into(),
            record_type: [6; 16].into(),
        },
        GroupEvent::MemberChanged {
            change: MemberChangeType::Joined,
            identity: "abc.you".into(),
        },
    ];
    for e in events {
        let p = event_data_block(&e).unwrap();
        assert!(crate::memory::is_live(p.cast()));
        // SAFETY: a fresh block.
        assert_eq!(unsafe { event_of(p) }, e);
        free(p.cast());
    }
}

#[cfg(unix)]
fn pipe() -> (std::fs::File, i32) {
    use std::os::fd::{FromRawFd, IntoRawFd};
    let (r, w) = std::io::pipe().unwrap();
    // SAFETY: a fresh descriptor we own.
    let r = unsafe { std::fs::File::from_raw_fd(r.into_raw_fd()) };
    (r, w.into_raw_fd())
}

/// A store with an identity and a group; returns (store, identity, group peer name,
/// handle).
fn group() -> (Store, String, String, HGROUP) {
    let s = Store::new();
    let (me, g) = s.identity_with_group("ev", "Ev");
    let gpn = s.pn.enum_groups(&me).unwrap()[0].peer_name.clone();
    (s, me, gpn, g)
}

fn add_record(g: HGROUP, ty: u32, data: &mut [u8]) -> GUID {
    let mut rec = new_record(ty, later(3600), None, data);
    let mut id = GUID::NULL;
    // SAFETY: valid record and out-pointer.
    assert_eq!(unsafe { PeerGroupAddRecord(g, &mut rec, &mut id) }, 0);
    id
}

#[test]
fn registration_arguments_and_the_event_descriptor() {
    let _s = started();
    let (_s, me, _, g) = group();
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
            PeerGroupRegisterEvent(g, null_mut(), 0, regs.as_mut_ptr(), &mut h),
            INVALID
        );
        assert!(h.is_null());
        assert_eq!(
            PeerGroupRegisterEvent(g, null_mut(), 2, null_mut(), &mut h),
            INVALID
        );
        assert_eq!(
            PeerGroupRegisterEvent(g, null_mut(), 65, regs.as_mut_ptr(), &mut h),
            INVALID
        );
        assert_eq!(
            PeerGroupRegisterEvent(g, null_mut(), 2, regs.as_mut_ptr(), null_mut()),
            INVALID
        );
        assert_eq!(
            PeerGroupRegisterEvent(null_mut(), null_mut(), 2, regs.as_mut_ptr(), &mut h),
            PEER_E_INVALID_GROUP.as_i32()
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
            PeerGroupRegisterEvent(g, hevent, 2, regs.as_mut_ptr(), &mut h),
            0
        );
    }
    assert_eq!(EVENTS.len(), 1);
    // SAFETY: handle lookups only.
    let r = unsafe { PeernetWaitForGroupEvent(h, 0) };
    assert_eq!(r, PEER_S_NO_EVENT_DATA.as_i32());
    // A record of another type: filtered out; one of the registered type: delivered.
    add_record(g, 0x44, &mut [1]);
    let id = add_record(g, 0x33, &mut [2]);
    #[cfg(unix)]
    {
        use std::io::Read;
        let mut buf = [0u8; 8];
        reader.read_exact(&mut buf).unwrap();
        assert_eq!(u64::from_ne_bytes(buf), 1);
    }
    let added = GroupEvent::RecordChanged {
        change: RecordChangeType::Added,
        record_id: guid_bytes(&id),
        record_type: guid_bytes(&t),
    };
    let mut got = Vec::new();
    while !got.contains(&added) {
        // SAFETY: handle lookup only.
        let r = unsafe { PeernetWaitForGroupEvent(h, 5000) };
        assert_eq!(r, 0, "after {got:?}");
        while let Some(e) = next_event(h) {
            got.push(e);
        }
    }
    // Only the registered record type; member events (my JOINED, when my first record
    // publishes my member data) come before it.
    assert_eq!(got.last(), Some(&added), "{got:?}");
    for e in &got[..got.len() - 1] {
        assert!(
            matches!(e, GroupEvent::MemberChanged { identity, .. } if *identity == me),
            "{got:?}"
        );
    }
    // SAFETY: NULL out-pointer is checked; handles are looked up only.
    unsafe {
        assert_eq!(PeerGroupGetEventData(h, null_mut()), INVALID);
        assert_eq!(PeerGroupUnregisterEvent(h), 0);
        assert_eq!(PeerGroupUnregisterEvent(h), INVALID);
        assert_eq!(PeernetWaitForGroupEvent(h, 0), INVALID);
        let mut p: *mut PEER_GROUP_EVENT_DATA = null_mut();
        assert_eq!(PeerGroupGetEventData(h, &mut p), INVALID);
        assert_eq!(PeerGroupClose(g), 0);
    }
    #[cfg(unix)]
    // SAFETY: our descriptor, closed once.
    drop(unsafe { <std::fs::File as std::os::fd::FromRawFd>::from_raw_fd(fd) });
}

#[test]
fn events_reach_another_context_in_commit_order() {
    let _s = started();
    let (s, me, gpn, g) = group();
    // Another process's view: a second context on the same store.
    let other = Store {
        pn: crate::context::open_at(s.dir.path()).unwrap(),
        dir: tempfile::tempdir().unwrap(),
    };
    let mut og: HGROUP = null_mut();
    let (mw, gw) = (W::new(&me), W::new(&gpn));
    // SAFETY: valid strings and out-pointer.
    other.on(|| assert_eq!(unsafe { PeerGroupOpen(mw.p(), gw.p(), null(), &mut og) }, 0));
    let mut regs = [
        PEER_GROUP_EVENT_REGISTRATION {
            eventType: 3,
            pType: null_mut(),
        },
        PEER_GROUP_EVENT_REGISTRATION {
            eventType: 2,
            pType: null_mut(),
        },
    ];
    let mut h: HPEEREVENT = null_mut();
    // SAFETY: valid pointers.
    unsafe {
        assert_eq!(
            PeerGroupRegisterEvent(og, null_mut(), 2, regs.as_mut_ptr(), &mut h),
            0
        );
    }
    let id = add_record(g, 0x10, &mut [1, 2, 3]);
    let mut p: *mut PEER_GROUP_PROPERTIES = null_mut();
    let file = s.dir.path().join("db.pndb");
    let path = W::new(file.to_str().unwrap());
    // SAFETY: valid pointers; blocks are freed after use.
    unsafe {
        // The record, read through the second context.
        let mut r: *mut PEER_RECORD = null_mut();
        assert_eq!(PeerGroupGetRecord(og, &id, &mut r), 0);
        assert_eq!((*r).id, id);
        assert_eq!((*r).dwVersion, 1);
        assert_eq!(read_req((*r).pwzCreatorId).unwrap(), me);
        let data = std::slice::from_raw_parts((*r).data.pbData, (*r).data.cbData as usize);
        assert_eq!(data, [1, 2, 3]);
        // Get → modify → Update (in the first context).
        let mut d2 = [4u8, 5];
        (*r).data = PEER_DATA {
            cbData: 2,
            pbData: d2.as_mut_ptr(),
        };
        assert_eq!(crate::PeerGroupUpdateRecord(g, r), 0);
        free(r.cast());
        assert_eq!(crate::PeerGroupGetProperties(g, &mut p), 0);
        let renamed = W::new("Renamed");
        (*p).pwzFriendlyName = renamed.m();
        assert_eq!(crate::PeerGroupSetProperties(g, p), 0);
        free(p.cast());
        // Export, delete, import back: the import adds the record again.
        assert_eq!(crate::PeerGroupExportDatabase(g, path.p()), 0);
        assert_eq!(PeerGroupDeleteRecord(g, &id), 0);
        assert_eq!(crate::PeerGroupImportDatabase(g, path.p()), 0);
        assert_eq!(PeerGroupGetRecord(og, &id, &mut r), 0);
        assert_eq!((*r).dwVersion, 2);
        free(r.cast());
    }
    let ty = [0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    let record = |change| GroupEvent::RecordChanged {
        change,
        record_id: guid_bytes(&id),
        record_type: ty.into(),
    };
    let mut got = Vec::new();
    while got.len() < 5 {
        // SAFETY: handle lookup only.
        let r = unsafe { PeernetWaitForGroupEvent(h, 5000) };
        assert_eq!(r, 0, "after {got:?}");
        while let Some(e) = next_event(h) {
            got.push(e);
        }
    }
    assert_eq!(
        got,
        vec![
            record(RecordChangeType::Added),
            record(RecordChangeType::Updated),
            GroupEvent::PropertyChanged,
            record(RecordChangeType::Deleted),
            record(RecordChangeType::Added),
        ]
    );
    // SAFETY: handle lookups only.
    unsafe {
        assert_eq!(PeerGroupUnregisterEvent(h), 0);
        assert_eq!(PeerGroupClose(g), 0);
        assert_eq!(PeerGroupClose(og), 0);
    }
}

#[test]
fn events_need_startup_except_delivery() {
    let _l = lock();
    let mut regs = [PEER_GROUP_EVENT_REGISTRATION {
        eventType: 3,
        pType: null_mut(),
    }];
    let mut h: HPEEREVENT = std::ptr::dangling_mut();
    // SAFETY: the startup check fails before any pointer is used; handles are looked up.
    unsafe {
        assert_eq!(
            PeerGroupRegisterEvent(null_mut(), null_mut(), 1, regs.as_mut_ptr(), &mut h),
            PEER_E_NOT_INITIALIZED.as_i32()
        );
        assert!(h.is_null(), "cleared before the startup check");
        // Delivery functions look the handle up only (an unknown one is E_INVALIDARG).
        assert_eq!(PeerGroupUnregisterEvent(null_mut()), INVALID);
        assert_eq!(PeernetWaitForGroupEvent(null_mut(), 0), INVALID);
        let mut p: *mut PEER_GROUP_EVENT_DATA = std::ptr::dangling_mut();
        assert_eq!(PeerGroupGetEventData(null_mut(), &mut p), INVALID);
        assert!(p.is_null());
    }
}
