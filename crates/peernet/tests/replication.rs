//! Group database replication between stores on one machine (each with its own node on
//! a thread of this test process, listening on loopback only): sync on connect, floods,
//! conflicts after a partition, catch-up, deletes. Every wait is bounded.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime};

use peernet::event::PEER_GROUP_EVENT_RECORD_CHANGED;
use peernet::flags::PEER_GROUP_STATUS_LISTENING;
use peernet::{
    EventRegistration, Group, GroupEvent, GroupProperties, Guid, NodeLaunch, Options, Peernet,
    Profile, Record, RecordChangeType, Role, hresult as hr,
};

const WAIT: Duration = Duration::from_secs(60);
const TYPE: Guid = Guid::from_fields(
    0x4d5b_2f11,
    0x6522,
    0x433b,
    [0x84, 0xef, 0xa2, 0x98, 0xe6, 0x07, 0x57, 0xb0],
);

/// A store with its own runtime directory (no same-machine discovery between stores
/// unless they share one) and its node on a thread of this process.
struct Store {
    _dir: tempfile::TempDir,
    pn: Peernet,
    identity: String,
}

impl Drop for Store {
    fn drop(&mut self) {
        let _ = peernet::node::stop_node(&self.pn);
    }
}

fn store(name: &str, runtime: &std::path::Path) -> Store {
    let dir = tempfile::tempdir().unwrap();
    let pn = Peernet::open_with(
        dir.path(),
        Options::default()
            .with_pfx_iterations(1000)
            .with_node_launch(NodeLaunch::InProcess)
            .with_runtime_dir(runtime)
            .with_connect_timeout(Duration::from_secs(5)),
    )
    .unwrap();
    pn.set_node_listen(Some(&["127.0.0.1:0".parse().unwrap()]))
        .unwrap();
    let identity = pn
        .identity_create(Some(name), Some(name), Some(Profile::Modern))
        .unwrap();
    Store {
        _dir: dir,
        pn,
        identity,
    }
}

/// `stores[0]` creates a group; the others join (those in `admins` as administrators).
fn group(stores: &[Store], admins: &[usize]) -> Vec<Group> {
    let owner = &stores[0];
    let g = owner
        .pn
        .group_create(
            &GroupProperties::new("chat", "Chat")
                .with_creator(&owner.identity)
                .with_profile(Profile::Modern),
        )
        .unwrap();
    let mut out = vec![g.clone()];
    for (i, s) in stores.iter().enumerate().skip(1) {
        let info = s.pn.identity_get_xml(Some(&s.identity)).unwrap();
        let roles: &[Role] = if admins.contains(&i) {
            &[Role::ADMIN]
        } else {
            &[Role::MEMBER]
        };
        let inv = g.create_invitation(&info, None, roles).unwrap();
        out.push(s.pn.group_join(Some(&s.identity), &inv, None).unwrap());
    }
    out
}

fn listen_addr(s: &Store) -> SocketAddr {
    let info = peernet::node::node_status(&s.pn)
        .unwrap()
        .expect("a node runs");
    let port = info.listen[0].port();
    format!("127.0.0.1:{port}").parse().unwrap()
}

fn in_a_minute() -> SystemTime {
    SystemTime::now() + Duration::from_secs(3600)
}

fn record(text: &str) -> Record {
    Record::new(TYPE, in_a_minute()).with_data(text.as_bytes().to_vec())
}

/// Every live record: id → (version, data).
fn contents(g: &Group) -> BTreeMap<Guid, (u32, Vec<u8>)> {
    g.enum_records(None)
        .unwrap()
        .into_iter()
        .map(|r| (r.id, (r.version, r.data)))
        .collect()
}

fn wait_until(what: &str, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        if ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("not within {WAIT:?}: {what}");
}

fn wait_same(groups: &[&Group], what: &str) {
    wait_until(what, || {
        let first = contents(groups[0]);
        groups[1..].iter().all(|g| contents(g) == first)
    });
}

#[test]
fn sync_on_connect_then_floods_updates_and_deletes() {
    let runtime = tempfile::tempdir().unwrap();
    let stores = vec![store("alice", runtime.path()), store("bob", runtime.path())];
    let g = group(&stores, &[]);
    let (ga, gb) = (&g[0], &g[1]);
    // No peer time before a neighbour's clock arrived ([MS-PPGRH] 1.3.6).
    assert_eq!(
        ga.universal_time_to_peer_time(1).unwrap_err().hresult(),
        hr::PEER_E_GROUP_NOT_READY
    );
    // Each side has records of its own before they ever meet.
    let a_ids: Vec<Guid> = (0..5)
        .map(|i| ga.add_record(&record(&format!("a{i}"))).unwrap())
        .collect();
    let b_id = gb.add_record(&record("b0")).unwrap();
    // Bob's record names him as author: alice learns his membership from the sync.
    ga.connect().unwrap();
    let hm = ga
        .register_event(&[EventRegistration::new(
            peernet::event::PEER_GROUP_EVENT_MEMBER_CHANGED,
        )])
        .unwrap();
    let hb = gb
        .register_event(&[EventRegistration::new(PEER_GROUP_EVENT_RECORD_CHANGED)])
        .unwrap();
    gb.connect().unwrap();
    wait_same(&[ga, gb], "both hold all six records");
    assert_eq!(contents(ga).len(), 6);
    assert!(contents(ga).contains_key(&b_id));
    // The joiner listens once its first synchronization is done.
    assert_ne!(
        gb.wait_for_status(PEER_GROUP_STATUS_LISTENING, WAIT)
            .unwrap()
            & PEER_GROUP_STATUS_LISTENING,
        0
    );
    // Alice's processes saw bob join (his membership arrived) and connect.
    let (mut joined, mut connected) = (false, false);
    let deadline = Instant::now() + WAIT;
    while !(joined && connected) && Instant::now() < deadline {
        if let Some(e) = hm.next_event(Duration::from_millis(100))
            && let GroupEvent::MemberChanged { change, identity } = e.event
            && identity == gb.identity()
        {
            joined |= change == peernet::MemberChangeType::Joined;
            connected |= change == peernet::MemberChangeType::Connected;
        }
    }
    assert!(
        joined && connected,
        "joined {joined}, connected {connected}"
    );
    // Presence: each side sees itself and its neighbour online.
    for (g, other) in [(ga, gb), (gb, ga)] {
        let present: Vec<String> = g
            .enum_members(peernet::flags::PEER_MEMBER_PRESENT, None)
            .unwrap()
            .into_iter()
            .map(|m| m.identity)
            .collect();
        assert!(present.contains(&g.identity().to_string()), "{present:?}");
        assert!(
            present.contains(&other.identity().to_string()),
            "{present:?}"
        );
    }
    // Peer time: both clocks averaged (one machine: within a second of UTC), and the
    // two conversions are inverse.
    let now = peernet::to_filetime(SystemTime::now());
    for g in [ga, gb] {
        wait_until("a peer time", || g.universal_time_to_peer_time(now).is_ok());
        let p = g.universal_time_to_peer_time(now).unwrap();
        assert!(p.abs_diff(now) < 10_000_000, "{p} vs {now}");
        assert_eq!(g.peer_time_to_universal_time(p).unwrap(), now);
    }
    // Remote changes raise RECORD_CHANGED in the other store's processes.
    let mut added = 0;
    let deadline = Instant::now() + WAIT;
    while added < 5 && Instant::now() < deadline {
        if let Some(e) = hb.next_event(Duration::from_millis(100))
            && matches!(
                e.event,
                GroupEvent::RecordChanged {
                    change: RecordChangeType::Added,
                    ..
                }
            )
        {
            added += 1;
        }
    }
    assert_eq!(added, 5, "an ADDED event per record from alice");
    // A flood: a new record, an update, a delete.
    let late = ga.add_record(&record("late")).unwrap();
    let mut upd = ga.get_record(&a_ids[0]).unwrap();
    upd.data = b"a0 edited".to_vec();
    ga.update_record(&upd).unwrap();
    ga.delete_record(&a_ids[1]).unwrap();
    wait_same(&[ga, gb], "the flood reached bob");
    let on_b = contents(gb);
    assert!(on_b.contains_key(&late));
    assert_eq!(on_b[&a_ids[0]], (2, b"a0 edited".to_vec()));
    assert!(!on_b.contains_key(&a_ids[1]));
    assert_eq!(
        gb.get_record(&a_ids[1]).unwrap_err().hresult(),
        hr::PEER_E_RECORD_NOT_FOUND
    );
    let deadline = Instant::now() + WAIT;
    let mut deleted = false;
    while !deleted && Instant::now() < deadline {
        if let Some(e) = hb.next_event(Duration::from_millis(100)) {
            deleted = matches!(
                e.event,
                GroupEvent::RecordChanged { change: RecordChangeType::Deleted, record_id, .. }
                    if record_id == a_ids[1]
            );
        }
    }
    assert!(deleted, "bob's process saw the delete");
    // Bob's own change flows back.
    let mut mine = gb.get_record(&b_id).unwrap();
    mine.data = b"b0 edited".to_vec();
    gb.update_record(&mine).unwrap();
    wait_until("bob's update reached alice", || {
        ga.get_record(&b_id).is_ok_and(|r| r.data == b"b0 edited")
    });
}

#[test]
fn twenty_members_one_database() {
    let runtime = tempfile::tempdir().unwrap();
    let n = 20;
    let stores: Vec<Store> = (0..n)
        .map(|i| store(&format!("member{i}"), runtime.path()))
        .collect();
    let g = group(&stores, &[]);
    // Each member publishes its membership with a record of its own (the sync carries
    // every chain it knows).
    for (i, gi) in g.iter().enumerate() {
        gi.add_record(&record(&format!("hello from {i}"))).unwrap();
    }
    for gi in &g {
        gi.connect().unwrap();
    }
    let all: Vec<&Group> = g.iter().collect();
    wait_until("every member holds every member's record", || {
        all.iter().all(|gi| contents(gi).len() == n)
    });
    // A record added anywhere is everywhere.
    let id = g[n - 1].add_record(&record("from the last")).unwrap();
    wait_until("the last member's record reached all", || {
        all.iter().all(|gi| gi.get_record(&id).is_ok())
    });
    let id = g[0].add_record(&record("from the owner")).unwrap();
    wait_until("the owner's record reached all", || {
        all.iter().all(|gi| gi.get_record(&id).is_ok())
    });
    wait_same(&all, "twenty identical databases");
}

#[test]
fn a_partition_heals_to_one_winner_by_the_conflict_order() {
    // Five stores, each with its own runtime directory: they meet only by address.
    let runtimes: Vec<tempfile::TempDir> = (0..5).map(|_| tempfile::tempdir().unwrap()).collect();
    let stores: Vec<Store> = (0..5)
        .map(|i| store(&format!("p{i}"), runtimes[i].path()))
        .collect();
    // p3 is an administrator: it may change the owner's record.
    let g = group(&stores, &[3]);
    let shared = g[0].add_record(&record("before")).unwrap();
    for gi in &g[1..] {
        gi.add_record(&record(&format!("member {}", gi.identity())))
            .unwrap();
    }
    // Everyone together first.
    g[0].connect().unwrap();
    for i in 1..5 {
        let to = listen_addr(&stores[i - 1]);
        g[i].connect_by_address(&[to]).unwrap();
        wait_until("the chain forms", || {
            g[i].get_status()
                .is_ok_and(|s| s.flags & PEER_GROUP_STATUS_LISTENING != 0)
        });
    }
    let all: Vec<&Group> = g.iter().collect();
    wait_same(&all, "one database before the partition");
    // Partition: every node stops; {p0, p1} and {p2, p3, p4} reconnect apart.
    for s in &stores {
        peernet::node::stop_node(&s.pn).unwrap();
    }
    g[0].connect().unwrap();
    g[1].connect_by_address(&[listen_addr(&stores[0])]).unwrap();
    g[2].connect().unwrap();
    g[3].connect_by_address(&[listen_addr(&stores[2])]).unwrap();
    g[4].connect_by_address(&[listen_addr(&stores[3])]).unwrap();
    // Conflicting updates of one record on both sides, and new records.
    let mut r0 = g[0].get_record(&shared).unwrap();
    r0.data = b"side A".to_vec();
    g[0].update_record(&r0).unwrap();
    let mut r3 = g[3].get_record(&shared).unwrap();
    r3.data = b"side B".to_vec();
    g[3].update_record(&r3).unwrap();
    let a_new = g[1].add_record(&record("new on A")).unwrap();
    let b_new = g[4].add_record(&record("new on B")).unwrap();
    wait_same(&[&g[0], &g[1]], "side A agrees");
    wait_same(&[&g[2], &g[3], &g[4]], "side B agrees");
    assert_eq!(g[1].get_record(&shared).unwrap().data, b"side A");
    assert_eq!(g[2].get_record(&shared).unwrap().data, b"side B");
    // Heal.
    g[2].connect_by_address(&[listen_addr(&stores[1])]).unwrap();
    wait_same(&all, "one database after healing");
    // Same version on both sides: the higher modifier wins ([MS-PPGRH] 3.1.7.32).
    let winner = if stores[0].identity > stores[3].identity {
        b"side A".to_vec()
    } else {
        b"side B".to_vec()
    };
    for gi in &all {
        let r = gi.get_record(&shared).unwrap();
        assert_eq!(r.version, 2);
        assert_eq!(r.data, winner, "on {}", gi.identity());
        assert!(gi.get_record(&a_new).is_ok() && gi.get_record(&b_new).is_ok());
    }
}

#[test]
fn a_member_away_during_ten_thousand_changes_catches_up() {
    let runtime = tempfile::tempdir().unwrap();
    let stores = vec![store("alice", runtime.path()), store("bob", runtime.path())];
    let g = group(&stores, &[]);
    let (ga, gb) = (&g[0], &g[1]);
    let base: Vec<Record> = (0..200).map(|i| record(&format!("base {i}"))).collect();
    let base_ids = ga.add_records(&base).unwrap();
    ga.connect().unwrap();
    gb.connect().unwrap();
    wait_same(&[ga, gb], "the base is shared");
    // Bob goes away; alice makes 10,000 changes.
    peernet::node::stop_node(&stores[1].pn).unwrap();
    for chunk in 0..10 {
        let batch: Vec<Record> = (0..980)
            .map(|i| record(&format!("away {chunk}/{i}")))
            .collect();
        ga.add_records(&batch).unwrap();
    }
    for id in &base_ids[..100] {
        let mut r = ga.get_record(id).unwrap();
        r.data = b"changed while away".to_vec();
        ga.update_record(&r).unwrap();
    }
    for id in &base_ids[100..200] {
        ga.delete_record(id).unwrap();
    }
    assert_eq!(contents(ga).len(), 9_900);
    // Bob comes back and catches up.
    gb.connect().unwrap();
    wait_same(&[ga, gb], "bob caught up");
    assert_eq!(contents(gb).len(), 9_900);
    assert_eq!(
        gb.get_record(&base_ids[0]).unwrap().data,
        b"changed while away"
    );
}
