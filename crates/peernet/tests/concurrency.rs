//! Several "processes" (contexts) and threads on one store.

mod common;

use std::sync::Arc;

use common::Machine;
use peernet::{MembershipStatus, Role};

#[test]
fn threads_and_processes_open_the_same_group() {
    let a = Machine::new();
    let alice = a.identity("alice");
    let g = a.group(&alice, "c", "C");
    let gpn: Arc<str> = g.peer_name().into();
    let p2 = a.another_process();
    let mut threads = Vec::new();
    for i in 0..8 {
        let pn = if i % 2 == 0 { a.pn.clone() } else { p2.clone() };
        let (alice, gpn) = (alice.clone(), gpn.clone());
        threads.push(std::thread::spawn(move || {
            for _ in 0..20 {
                let h = pn.group_open(&alice, &gpn, None).unwrap();
                assert_eq!(h.membership(), MembershipStatus::Valid);
                assert_eq!(h.roles(), vec![Role::ADMIN]);
                h.get_status().unwrap();
            }
        }));
    }
    // Meanwhile another process changes properties.
    let h = p2.group_open(&alice, &gpn, None).unwrap();
    let mut p = h.get_properties().unwrap();
    p.comment = "changed".into();
    h.set_properties(&p).unwrap();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(g.get_properties().unwrap().comment, "changed");
}

#[test]
fn handles_are_send_sync_and_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<peernet::Peernet>();
    assert_send_sync::<peernet::Group>();
    assert_send_sync::<peernet::Error>();
    let a = Machine::new();
    let alice = a.identity("alice");
    let g = a.group(&alice, "s", "S");
    let b = Machine::new();
    let infos: Vec<String> = (0..4)
        .map(|i| {
            let id = b.identity(&format!("m{i}"));
            b.pn.identity_get_xml(Some(&id)).unwrap()
        })
        .collect();
    let handles: Vec<_> = infos
        .into_iter()
        .map(|info| {
            let g = g.clone();
            std::thread::spawn(move || g.create_invitation(&info, None, &[]).unwrap())
        })
        .collect();
    for h in handles {
        let inv = h.join().unwrap();
        b.pn.group_join(None, &inv, None)
            .map(|_| ())
            .unwrap_or_else(|e| {
                // The default identity of b is not the invitee: a clear refusal.
                assert_eq!(e.hresult(), peernet::hresult::PEER_E_INVALID_CREDENTIAL);
            });
    }
}

#[test]
fn delete_in_one_process_invalidates_handles_in_another() {
    let a = Machine::new();
    let alice = a.identity("alice");
    let g = a.group(&alice, "x", "X");
    let p2 = a.another_process();
    let h = p2.group_open(&alice, g.peer_name(), None).unwrap();
    let t = {
        let h = h.clone();
        std::thread::spawn(move || h.get_status().map(|s| s.flags))
    };
    t.join().unwrap().unwrap();
    a.pn.group_delete(Some(&alice), g.peer_name()).unwrap();
    assert_eq!(
        h.get_status().unwrap_err().hresult(),
        peernet::hresult::PEER_E_INVALID_GROUP
    );
}
