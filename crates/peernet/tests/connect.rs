//! Groups connect: stores on one machine, each with its own node (on a thread of this
//! test process), find each other by same-machine discovery on loopback and prove their
//! membership. Every wait is bounded.

use std::net::SocketAddr;
use std::time::Duration;

use peernet::event::{
    PEER_GROUP_EVENT_CONNECTION_FAILED, PEER_GROUP_EVENT_DIRECT_CONNECTION,
    PEER_GROUP_EVENT_INCOMING_DATA, PEER_GROUP_EVENT_NEIGHBOR_CONNECTION,
    PEER_GROUP_EVENT_STATUS_CHANGED,
};
use peernet::flags::{PEER_GROUP_STATUS_HAS_CONNECTIONS, PEER_GROUP_STATUS_LISTENING};
use peernet::{
    ConnectionStatus, EventRegistration, Group, GroupEvent, GroupProperties, Guid, NodeLaunch,
    Options, Peernet, Profile, Role, hresult as hr,
};

const WAIT: Duration = Duration::from_secs(20);
const BOTH: u32 = PEER_GROUP_STATUS_LISTENING | PEER_GROUP_STATUS_HAS_CONNECTIONS;

/// One machine's runtime directory, shared by its stores.
struct Machine {
    runtime: tempfile::TempDir,
}

/// A store with its node on a thread of this process, listening on loopback only.
struct Store {
    _dir: tempfile::TempDir,
    pn: Peernet,
    identity: String,
}

impl Machine {
    fn new() -> Machine {
        Machine {
            runtime: tempfile::tempdir().unwrap(),
        }
    }

    fn store(&self, name: &str, profile: Profile) -> Store {
        let dir = tempfile::tempdir().unwrap();
        let pn = Peernet::open_with(
            dir.path(),
            Options::default()
                .with_pfx_iterations(1000)
                .with_node_launch(NodeLaunch::InProcess)
                .with_runtime_dir(self.runtime.path())
                .with_connect_timeout(Duration::from_secs(2)),
        )
        .unwrap();
        pn.set_node_listen(Some(&["127.0.0.1:0".parse().unwrap()]))
            .unwrap();
        let identity = pn
            .identity_create(Some(name), Some(name), Some(profile))
            .unwrap();
        Store {
            _dir: dir,
            pn,
            identity,
        }
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        let _ = peernet::node::stop_node(&self.pn);
    }
}

/// `owner` creates a group of `profile`; every other store joins it by invitation.
fn group(owner: &Store, others: &[&Store], profile: Profile) -> (Group, Vec<Group>) {
    let g = owner
        .pn
        .group_create(
            &GroupProperties::new("chat", "Chat")
                .with_creator(&owner.identity)
                .with_profile(profile),
        )
        .unwrap();
    let joined = others
        .iter()
        .map(|s| {
            let info = s.pn.identity_get_xml(Some(&s.identity)).unwrap();
            let inv = g.create_invitation(&info, None, &[Role::MEMBER]).unwrap();
            s.pn.group_join(Some(&s.identity), &inv, None).unwrap()
        })
        .collect();
    (g, joined)
}

fn wait_connected(g: &Group) {
    let flags = g.wait_for_status(BOTH, WAIT).unwrap();
    assert_eq!(flags & BOTH, BOTH, "{} flags {flags:#x}", g.identity());
}

/// The next event matching `pred`, within [`WAIT`].
fn next_event(
    h: &peernet::EventHandle,
    what: &str,
    pred: impl Fn(&GroupEvent) -> bool,
) -> GroupEvent {
    let deadline = std::time::Instant::now() + WAIT;
    while std::time::Instant::now() < deadline {
        if let Some(e) = h.next_event(Duration::from_millis(100))
            && pred(&e.event)
        {
            return e.event;
        }
    }
    panic!("no {what} within {WAIT:?}");
}

#[test]
fn two_stores_connect_both_profiles() {
    for profile in [Profile::Modern, Profile::Windows] {
        let m = Machine::new();
        let a = m.store("alice", profile);
        let b = m.store("bob", profile);
        let (ga, gb) = group(&a, &[&b], profile);
        let gb = &gb[0];
        assert_eq!(ga.get_status().unwrap().flags, 0, "no node yet");
        let ha = ga
            .register_event(&[
                EventRegistration::new(PEER_GROUP_EVENT_NEIGHBOR_CONNECTION),
                EventRegistration::new(PEER_GROUP_EVENT_STATUS_CHANGED),
            ])
            .unwrap();
        ga.connect().unwrap();
        // The creator listens at once ([MS-PPGRH] 1.3.2).
        assert_eq!(
            ga.wait_for_status(PEER_GROUP_STATUS_LISTENING, WAIT)
                .unwrap(),
            PEER_GROUP_STATUS_LISTENING
        );
        gb.connect().unwrap();
        wait_connected(gb);
        wait_connected(&ga);
        let on_a = ga.enum_connections().unwrap();
        let on_b = gb.enum_connections().unwrap();
        assert_eq!(on_a.len(), 1, "{on_a:?}");
        assert_eq!(on_b.len(), 1, "{on_b:?}");
        assert_eq!(on_a[0].member, b.identity);
        assert_eq!(on_b[0].member, a.identity);
        assert_eq!(on_b[0].node_id, peernet::node::node_id(&on_b[0].peer_id));
        assert!(on_b[0].address.unwrap().ip().is_loopback());
        let ev = next_event(&ha, "PEER_CONNECTED", |e| {
            matches!(
                e,
                GroupEvent::NeighborConnection {
                    status: ConnectionStatus::Connected,
                    ..
                }
            )
        });
        let GroupEvent::NeighborConnection {
            member,
            connection_id,
            ..
        } = ev
        else {
            unreachable!()
        };
        assert_eq!(member, b.identity);
        assert_eq!(connection_id, on_a[0].connection_id);
        next_event(
            &ha,
            "STATUS_CHANGED with HAS_CONNECTIONS",
            |e| matches!(e, GroupEvent::StatusChanged { status } if *status == BOTH),
        );
        // Bob's handle closes: his node leaves the group, alice sees the disconnect and
        // keeps listening.
        gb.clone().close().unwrap();
        next_event(&ha, "PEER_DISCONNECTED", |e| {
            matches!(
                e,
                GroupEvent::NeighborConnection {
                    status: ConnectionStatus::Disconnected,
                    ..
                }
            )
        });
        assert_eq!(
            ga.wait_for_status(BOTH, Duration::from_millis(200))
                .unwrap(),
            PEER_GROUP_STATUS_LISTENING
        );
        assert_eq!(gb.get_status().unwrap().flags, 0);
        assert!(ga.enum_connections().unwrap().is_empty());
    }
}

#[test]
fn three_and_ten_stores_connect() {
    for n in [3usize, 10] {
        let m = Machine::new();
        let stores: Vec<Store> = (0..n)
            .map(|i| m.store(&format!("member{i}"), Profile::Modern))
            .collect();
        let others: Vec<&Store> = stores[1..].iter().collect();
        let (owner, members) = group(&stores[0], &others, Profile::Modern);
        owner.connect().unwrap();
        for g in &members {
            g.connect().unwrap();
            wait_connected(g);
        }
        wait_connected(&owner);
        // Every member reaches every other through the neighbor graph.
        let mut graph: Vec<Vec<String>> = Vec::new();
        for g in std::iter::once(&owner).chain(&members) {
            graph.push(
                g.enum_connections()
                    .unwrap()
                    .into_iter()
                    .map(|c| c.member)
                    .collect(),
            );
        }
        let names: Vec<&str> = stores.iter().map(|s| s.identity.as_str()).collect();
        let mut seen = vec![false; n];
        let mut todo = vec![0usize];
        seen[0] = true;
        while let Some(i) = todo.pop() {
            for m in &graph[i] {
                let j = names.iter().position(|x| x == m).expect("a known member");
                if !seen[j] {
                    seen[j] = true;
                    todo.push(j);
                }
            }
        }
        assert!(seen.iter().all(|s| *s), "{n} nodes: {graph:?}");
    }
}

#[test]
fn connect_by_address_and_v4_mapped() {
    let m = Machine::new();
    let a = m.store("alice", Profile::Modern);
    let b = m.store("bob", Profile::Modern);
    let (ga, gb) = group(&a, &[&b], Profile::Modern);
    ga.connect().unwrap();
    let info = peernet::node::node_status(&a.pn)
        .unwrap()
        .expect("a node runs");
    let port = info.listen[0].port();
    let mapped: std::net::SocketAddrV6 = format!("[::ffff:127.0.0.1]:{port}").parse().unwrap();
    gb[0].connect_by_address(&[SocketAddr::V6(mapped)]).unwrap();
    wait_connected(&gb[0]);
    let e = gb[0].connect_by_address(&[]).unwrap_err();
    assert_eq!(e.hresult(), hr::E_INVALIDARG);
}

#[test]
fn nobody_to_reach_is_connection_failed() {
    let m = Machine::new();
    let a = m.store("alice", Profile::Modern);
    let b = m.store("bob", Profile::Modern);
    let (_ga, gb) = group(&a, &[&b], Profile::Modern);
    let h = gb[0]
        .register_event(&[
            EventRegistration::new(PEER_GROUP_EVENT_NEIGHBOR_CONNECTION),
            EventRegistration::new(PEER_GROUP_EVENT_CONNECTION_FAILED),
        ])
        .unwrap();
    // A port nobody listens on: bind one and close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    gb[0]
        .connect_by_address(&[format!("127.0.0.1:{port}").parse().unwrap()])
        .unwrap();
    let ev = next_event(&h, "PEER_CONNECTION_FAILED", |e| {
        matches!(
            e,
            GroupEvent::NeighborConnection {
                status: ConnectionStatus::Failed,
                ..
            }
        )
    });
    assert!(
        matches!(ev, GroupEvent::NeighborConnection { hresult, .. } if hresult == hr::PEER_E_CONNECTION_FAILED.as_i32())
    );
    let ev = next_event(&h, "CONNECTION_FAILED", |e| {
        matches!(e, GroupEvent::ConnectionFailed { .. })
    });
    assert_eq!(
        ev,
        GroupEvent::ConnectionFailed {
            hresult: hr::PEER_E_CONNECTION_FAILED.as_i32()
        }
    );
    // A joiner without a connection does not listen.
    assert_eq!(gb[0].get_status().unwrap().flags, 0);
}

#[test]
fn handles_and_processes_share_one_node() {
    let m = Machine::new();
    let a = m.store("alice", Profile::Modern);
    let b = m.store("bob", Profile::Modern);
    let (ga, gb) = group(&a, &[&b], Profile::Modern);
    ga.connect().unwrap();
    gb[0].connect().unwrap();
    wait_connected(&gb[0]);
    // A second context on bob's store ("another process") sees the same connection
    // without connecting, and its own connect reuses the node.
    let other = Peernet::open_with(
        b.pn.store().dir(),
        Options::default().with_node_launch(NodeLaunch::Never),
    )
    .unwrap();
    let g2 = other
        .group_open(&b.identity, gb[0].peer_name(), None)
        .unwrap();
    assert_eq!(g2.get_status().unwrap().flags & BOTH, BOTH);
    let pid_before = peernet::node::node_status(&other).unwrap().unwrap();
    g2.connect().unwrap();
    let after = peernet::node::node_status(&other).unwrap().unwrap();
    assert_eq!(pid_before.peer_id, after.peer_id);
    assert_eq!(after.groups.len(), 1);
    assert_eq!(after.groups[0].handles, 2, "{after:?}");
    // The first handle closes: the second still holds the group.
    gb[0].clone().close().unwrap();
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(g2.get_status().unwrap().flags & BOTH, BOTH);
    g2.close().unwrap();
    let deadline = std::time::Instant::now() + WAIT;
    while std::time::Instant::now() < deadline
        && !peernet::node::node_status(&other)
            .unwrap()
            .unwrap()
            .groups
            .is_empty()
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        peernet::node::node_status(&other)
            .unwrap()
            .unwrap()
            .groups
            .is_empty()
    );
}

/// `owner` creates a password group (`role` for password joiners) and connects.
fn password_group(owner: &Store, profile: Profile, role: Role) -> (Group, String) {
    let g = owner
        .pn
        .group_create(
            &GroupProperties::new("pw", "Password group")
                .with_creator(&owner.identity)
                .with_profile(profile)
                .with_password("s3cret pass", role),
        )
        .unwrap();
    let inv = g.create_password_invitation().unwrap();
    g.connect().unwrap();
    (g, inv)
}

#[test]
fn a_password_joiner_receives_its_gmc_online_and_connects_both_profiles() {
    for profile in [Profile::Modern, Profile::Windows] {
        let m = Machine::new();
        let a = m.store("alice", profile);
        let b = m.store("bob", profile);
        let (ga, inv) = password_group(&a, profile, Role::MEMBER);
        let (gb, _) =
            b.pn.group_password_join(
                Some(&b.identity),
                &inv,
                &peernet::Secret::from("s3cret pass"),
                None,
            )
            .unwrap();
        assert_eq!(
            gb.membership(),
            peernet::MembershipStatus::CredentialsPending
        );
        // Found by same-machine discovery; connect returns once the GMC is stored.
        gb.connect().unwrap();
        let reopened = b.pn.group_open(&b.identity, gb.peer_name(), None).unwrap();
        assert_eq!(
            reopened.membership(),
            peernet::MembershipStatus::Valid,
            "{profile:?}: a member with a valid chain"
        );
        assert_eq!(
            reopened.roles(),
            vec![Role::MEMBER],
            "the group's password role"
        );
        wait_connected(&gb);
        wait_connected(&ga);
        // The issuer recorded the new member.
        let members = ga.enum_members(0, None).unwrap();
        assert!(
            members.iter().any(|mb| mb.identity == b.identity),
            "{profile:?}: {members:?}"
        );
        // And the new member takes part in the group database.
        let rec = peernet::Record::new(
            peernet::Guid::from_fields(1, 2, 3, [4; 8]),
            std::time::SystemTime::now() + Duration::from_secs(600),
        )
        .with_data(b"hello from a password joiner".to_vec());
        let id = reopened.add_record(&rec).unwrap();
        let deadline = std::time::Instant::now() + WAIT;
        while ga.get_record(&id).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "record not replicated"
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

#[test]
fn a_password_join_with_the_admin_role_gets_administrator_rights() {
    let m = Machine::new();
    let a = m.store("alice", Profile::Modern);
    let b = m.store("bob", Profile::Modern);
    let (ga, inv) = password_group(&a, Profile::Modern, Role::ADMIN);
    let (gb, _) =
        b.pn.group_password_join(
            Some(&b.identity),
            &inv,
            &peernet::Secret::from("s3cret pass"),
            None,
        )
        .unwrap();
    let addr = peernet::node::node_status(&a.pn).unwrap().unwrap().listen[0];
    let addr: SocketAddr = format!("127.0.0.1:{}", addr.port()).parse().unwrap();
    gb.connect_by_address(&[addr]).unwrap();
    let reopened = b.pn.group_open(&b.identity, gb.peer_name(), None).unwrap();
    assert_eq!(reopened.roles(), vec![Role::ADMIN]);
    drop(ga);
}

#[test]
fn a_wrong_password_is_refused_online_on_both_sides_and_nothing_is_stored() {
    let m = Machine::new();
    let a = m.store("alice", Profile::Modern);
    let c = m.store("carol", Profile::Modern);
    let (ga, inv) = password_group(&a, Profile::Modern, Role::MEMBER);
    let h = ga
        .register_event(&[EventRegistration::new(
            peernet::event::PEER_GROUP_EVENT_AUTHENTICATION_FAILED,
        )])
        .unwrap();
    // Carol's store does not know the password: the join is recorded, to be proven online.
    let (gc, _) =
        c.pn.group_password_join(
            Some(&c.identity),
            &inv,
            &peernet::Secret::from("not the password"),
            None,
        )
        .unwrap();
    let before = c.pn.store().group(&c.identity, gc.peer_name()).unwrap();
    let e = gc.connect().unwrap_err();
    assert_eq!(e.hresult(), hr::ERROR_INVALID_PASSWORD, "{e}");
    let ev = next_event(&h, "AUTHENTICATION_FAILED", |e| {
        matches!(e, GroupEvent::AuthenticationFailed { .. })
    });
    let GroupEvent::AuthenticationFailed { hresult, .. } = ev else {
        unreachable!()
    };
    assert_eq!(hresult, hr::ERROR_INVALID_PASSWORD.as_i32());
    // Nothing stored on either side: carol is still pending, alice knows no carol.
    let after = c.pn.store().group(&c.identity, gc.peer_name()).unwrap();
    assert!(after.gmc_chain.is_empty());
    assert_eq!(format!("{before:?}"), format!("{after:?}"));
    assert!(
        !ga.enum_members(0, None)
            .unwrap()
            .iter()
            .any(|mb| mb.identity == c.identity)
    );
    // Trying again gives the same answer (nothing half-done in between).
    let e = gc.connect().unwrap_err();
    assert_eq!(e.hresult(), hr::ERROR_INVALID_PASSWORD, "{e}");
}

#[test]
fn a_password_join_with_no_member_reachable_fails_cleanly() {
    let m = Machine::new();
    let a = m.store("alice", Profile::Modern);
    let b = m.store("bob", Profile::Modern);
    let g =
        a.pn.group_create(
            &GroupProperties::new("pw", "Password group")
                .with_creator(&a.identity)
                .with_password("s3cret pass", Role::MEMBER),
        )
        .unwrap();
    let inv = g.create_password_invitation().unwrap();
    let (gb, _) =
        b.pn.group_password_join(
            Some(&b.identity),
            &inv,
            &peernet::Secret::from("s3cret pass"),
            None,
        )
        .unwrap();
    // Alice never connected: nobody to find, nobody at a closed port.
    let e = gb.connect().unwrap_err();
    assert_eq!(e.hresult(), hr::PEER_E_CONNECTION_FAILED, "{e}");
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let e = gb.connect_by_address(&[closed]).unwrap_err();
    assert_eq!(e.hresult(), hr::PEER_E_CONNECTION_FAILED, "{e}");
    assert_eq!(
        b.pn.group_open(&b.identity, gb.peer_name(), None)
            .unwrap()
            .membership(),
        peernet::MembershipStatus::CredentialsPending
    );
}

#[test]
fn a_gmc_outside_its_validity_is_refused_before_any_dial() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    let m = Machine::new();
    let a = m.store("alice", Profile::Modern);
    let ahead = Arc::new(AtomicU64::new(0));
    let clock = ahead.clone();
    let dir = tempfile::tempdir().unwrap();
    let pn = Peernet::open_with(
        dir.path(),
        Options::default()
            .with_pfx_iterations(1000)
            .with_node_launch(NodeLaunch::InProcess)
            .with_runtime_dir(m.runtime.path())
            .with_clock(move || {
                std::time::SystemTime::now() + Duration::from_secs(clock.load(Ordering::SeqCst))
            }),
    )
    .unwrap();
    pn.set_node_listen(Some(&["127.0.0.1:0".parse().unwrap()]))
        .unwrap();
    let bob = pn
        .identity_create(Some("bob"), Some("bob"), Some(Profile::Modern))
        .unwrap();
    let b = Store {
        _dir: dir,
        pn,
        identity: bob,
    };
    let g =
        a.pn.group_create(&GroupProperties::new("chat", "Chat").with_creator(&a.identity))
            .unwrap();
    let info = b.pn.identity_get_xml(Some(&b.identity)).unwrap();
    let inv = g
        .create_invitation(
            &info,
            Some(std::time::SystemTime::now() + Duration::from_secs(3600)),
            &[Role::MEMBER],
        )
        .unwrap();
    let joined = b.pn.group_join(Some(&b.identity), &inv, None).unwrap();
    // Two hours later bob's GMC has expired: his node refuses to offer it.
    ahead.store(7200, Ordering::SeqCst);
    let e = joined.connect().unwrap_err();
    assert_eq!(e.hresult(), hr::PEER_E_INVALID_CREDENTIAL, "{e}");
    let info = peernet::node::node_status(&b.pn).unwrap();
    assert!(
        info.as_ref().is_none_or(|n| n.groups.is_empty()),
        "the group was not taken: {info:?}"
    );
}

#[test]
fn the_node_socket_survives_malformed_and_oversized_lines() {
    use std::io::{BufRead, BufReader, Write};
    let m = Machine::new();
    let a = m.store("alice", Profile::Modern);
    peernet::node::start_node(&a.pn).unwrap();
    let sock = a.pn.store().dir().join(peernet::node::SOCKET_FILE);
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&sock).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let huge = vec![b'x'; (1 << 20) + 10];
    for line in [
        &b"not json"[..],
        b"{\"op\":\"connect\"}",
        &huge[..],
        b"\xff\xfe",
    ] {
        let mut s = std::os::unix::net::UnixStream::connect(&sock).unwrap();
        s.set_read_timeout(Some(WAIT)).unwrap();
        let _ = s.write_all(line);
        let _ = s.write_all(b"\n");
        let mut answer = String::new();
        let _ = BufReader::new(&s).read_line(&mut answer);
        assert!(
            answer.is_empty() || answer.contains("\"error\""),
            "{answer}"
        );
        assert!(peernet::node::node_status(&a.pn).unwrap().is_some());
    }
    // A connect for an identity the store does not hold is an error answer.
    let mut s = std::os::unix::net::UnixStream::connect(&sock).unwrap();
    s.write_all(b"{\"op\":\"connect\",\"identity\":\"a.b\",\"group\":\"c.d\",\"addresses\":[],\"persistent\":false,\"timeout_ms\":1}\n")
        .unwrap();
    let mut answer = String::new();
    BufReader::new(&s).read_line(&mut answer).unwrap();
    assert!(
        answer.contains("PEER_E_NOT_FOUND") || answer.contains("\"hresult\""),
        "{answer}"
    );
}

/// Two connected stores of `profile`: alice created the group, bob joined; both
/// connected and listening.
fn connected_pair(m: &Machine, profile: Profile) -> (Store, Store, Group, Group) {
    let a = m.store("alice", profile);
    let b = m.store("bob", profile);
    let (ga, gb) = group(&a, &[&b], profile);
    let gb = gb.into_iter().next().unwrap();
    ga.connect().unwrap();
    ga.wait_for_status(PEER_GROUP_STATUS_LISTENING, WAIT)
        .unwrap();
    gb.connect().unwrap();
    wait_connected(&gb);
    wait_connected(&ga);
    (a, b, ga, gb)
}

fn data_of(e: &GroupEvent) -> Option<(u64, Guid, Vec<u8>)> {
    match e {
        GroupEvent::IncomingData {
            connection_id,
            data_type,
            data,
        } => Some((*connection_id, *data_type, data.clone())),
        _ => None,
    }
}

const CHAT: Guid = Guid::from_bytes([
    0x4d, 0x5b, 0x2f, 0x11, 0x65, 0x22, 0x43, 0x3b, 0x84, 0xef, 0xa2, 0x98, 0xe6, 0x07, 0xbb, 0xbb,
]);

#[test]
fn direct_connections_carry_data_both_ways_in_order_both_profiles() {
    for profile in [Profile::Modern, Profile::Windows] {
        let m = Machine::new();
        let (a, b, ga, gb) = connected_pair(&m, profile);
        let ha = ga
            .register_event(&[
                EventRegistration::new(PEER_GROUP_EVENT_DIRECT_CONNECTION),
                EventRegistration::new(PEER_GROUP_EVENT_INCOMING_DATA),
            ])
            .unwrap();
        // A second registration of alice's store (another process would do the same):
        // data reaches every one registered for INCOMING_DATA.
        let ha2 = ga
            .register_event(&[EventRegistration::new(PEER_GROUP_EVENT_INCOMING_DATA)])
            .unwrap();
        let hb = gb
            .register_event(&[EventRegistration::new(PEER_GROUP_EVENT_INCOMING_DATA)])
            .unwrap();
        let id = gb.open_direct_connection(&a.identity, None).unwrap();
        let ev = next_event(&ha, "DIRECT_CONNECTION connected", |e| {
            matches!(
                e,
                GroupEvent::DirectConnection {
                    status: ConnectionStatus::Connected,
                    ..
                }
            )
        });
        let GroupEvent::DirectConnection {
            connection_id: a_id,
            member,
            node_id,
            ..
        } = ev
        else {
            unreachable!()
        };
        assert_eq!(member, b.identity);
        assert_ne!(node_id, 0);
        let direct_b = gb
            .enum_connections_of(peernet::PEER_CONNECTION_DIRECT)
            .unwrap();
        assert_eq!(direct_b.len(), 1, "{direct_b:?}");
        assert_eq!(direct_b[0].connection_id, id);
        assert_eq!(direct_b[0].flags, peernet::PEER_CONNECTION_DIRECT);
        assert_eq!(direct_b[0].member, a.identity);
        // Bob is present on alice's side with the address of their neighbour connection.
        let present = ga
            .enum_members(peernet::PEER_MEMBER_PRESENT, Some(&b.identity))
            .unwrap();
        assert_eq!(present.len(), 1);
        assert!(
            present[0].addresses.iter().all(|a| a.ip().is_loopback())
                && !present[0].addresses.is_empty(),
            "{present:?}"
        );
        assert!(
            ga.enum_members(0, Some(&a.identity)).unwrap()[0]
                .addresses
                .is_empty()
        );
        let both = ga.enum_connections_of(3).unwrap();
        assert_eq!(
            both.len(),
            2,
            "a neighbour and a direct connection: {both:?}"
        );

        // Order kept, sizes from empty to 1 MiB (more than one stream frame).
        let big: Vec<u8> = (0..1_048_576u32).map(|i| (i % 251) as u8).collect();
        let payloads: Vec<Vec<u8>> =
            vec![b"hello".to_vec(), Vec::new(), big.clone(), b"last".to_vec()];
        for p in &payloads {
            gb.send_data(id, &CHAT, p).unwrap();
        }
        for h in [&ha, &ha2] {
            for p in &payloads {
                let e = next_event(h, "INCOMING_DATA", |e| data_of(e).is_some());
                let (cid, ty, data) = data_of(&e).unwrap();
                assert_eq!((cid, ty), (a_id, CHAT));
                assert_eq!(data.len(), p.len());
                assert!(data == *p, "payload of {} bytes differs", p.len());
            }
        }
        // The other way on the same connection.
        ga.send_data(a_id, &CHAT, b"whisper back").unwrap();
        let e = next_event(&hb, "INCOMING_DATA on bob", |e| data_of(e).is_some());
        assert_eq!(data_of(&e).unwrap(), (id, CHAT, b"whisper back".to_vec()));

        // SendData on a neighbour connection reaches the other side too.
        let n = gb.enum_connections().unwrap()[0].connection_id;
        gb.send_data(n, &CHAT, b"over the neighbour").unwrap();
        let e = next_event(&ha, "INCOMING_DATA on the neighbour connection", |e| {
            data_of(e).is_some_and(|d| d.2 == b"over the neighbour")
        });
        let a_neighbour = ga.enum_connections().unwrap()[0].connection_id;
        assert_eq!(data_of(&e).unwrap().0, a_neighbour);

        // Errors as Windows gives them.
        let code = |r: peernet::Result<()>| r.unwrap_err().hresult();
        assert_eq!(
            code(gb.send_data(id + 1000, &CHAT, b"x")),
            hr::PEER_E_CONNECTION_NOT_FOUND
        );
        assert_eq!(
            code(gb.send_data(id, &CHAT, &vec![0; peernet::MAX_DATA + 1])),
            hr::E_INVALIDARG
        );
        assert_eq!(
            gb.open_direct_connection(&b.identity, None)
                .unwrap_err()
                .hresult(),
            hr::PEER_E_CONNECT_SELF
        );
        assert_eq!(
            gb.open_direct_connection(&format!("{}.nobody", "0".repeat(40)), None)
                .unwrap_err()
                .hresult(),
            hr::PEER_E_CONNECTION_FAILED
        );
        assert_eq!(
            code(gb.close_direct_connection(id + 1000)),
            hr::PEER_E_CONNECTION_NOT_FOUND
        );

        // Closing ends it on both sides.
        gb.close_direct_connection(id).unwrap();
        next_event(
            &ha,
            "DIRECT_CONNECTION disconnected",
            |e| matches!(e, GroupEvent::DirectConnection { status: ConnectionStatus::Disconnected, connection_id, .. } if *connection_id == a_id),
        );
        assert!(
            gb.enum_connections_of(peernet::PEER_CONNECTION_DIRECT)
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            code(gb.send_data(id, &CHAT, b"x")),
            hr::PEER_E_CONNECTION_NOT_FOUND
        );
        let deadline = std::time::Instant::now() + WAIT;
        while !ga
            .enum_connections_of(peernet::PEER_CONNECTION_DIRECT)
            .unwrap()
            .is_empty()
        {
            assert!(
                std::time::Instant::now() < deadline,
                "alice still lists the direct connection"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        drop((ha, ha2, hb));
    }
}

#[test]
fn a_direct_connection_is_refused_unless_the_member_listens_for_it() {
    let m = Machine::new();
    let (a, _b, ga, gb) = connected_pair(&m, Profile::Modern);
    // Nobody on alice's store registered for DIRECT_CONNECTION (INCOMING_DATA alone is
    // not enough).
    let only_data = ga
        .register_event(&[EventRegistration::new(PEER_GROUP_EVENT_INCOMING_DATA)])
        .unwrap();
    assert_eq!(
        gb.open_direct_connection(&a.identity, None)
            .unwrap_err()
            .hresult(),
        hr::PEER_E_CONNECTION_REFUSED
    );
    drop(only_data);
    let h = ga
        .register_event(&[EventRegistration::new(PEER_GROUP_EVENT_DIRECT_CONNECTION)])
        .unwrap();
    let id = gb.open_direct_connection(&a.identity, None).unwrap();
    next_event(&h, "DIRECT_CONNECTION connected", |e| {
        matches!(e, GroupEvent::DirectConnection { .. })
    });
    // The handle that opened it closes: the connection goes with it.
    gb.clone().close().unwrap();
    next_event(&h, "DIRECT_CONNECTION disconnected", |e| {
        matches!(
            e,
            GroupEvent::DirectConnection {
                status: ConnectionStatus::Disconnected,
                ..
            }
        )
    });
    let _ = id;
}

#[test]
fn a_member_flooding_data_is_bounded_and_the_node_keeps_serving() {
    let m = Machine::new();
    let (a, _b, ga, gb) = connected_pair(&m, Profile::Modern);
    // Alice registers and does not read while bob floods her.
    let h = ga
        .register_event(&[
            EventRegistration::new(PEER_GROUP_EVENT_DIRECT_CONNECTION),
            EventRegistration::new(PEER_GROUP_EVENT_INCOMING_DATA),
        ])
        .unwrap();
    let id = gb.open_direct_connection(&a.identity, None).unwrap();
    let mib: Vec<u8> = (0..1_048_576u32).map(|i| (i % 253) as u8).collect();
    let sent = 40;
    for _ in 0..sent {
        gb.send_data(id, &CHAT, &mib).unwrap();
    }
    let deadline = std::time::Instant::now() + WAIT;
    while h.dropped_data() == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "40 MiB queued without a drop"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut got = 0;
    while let Some(e) = h.get_event_data() {
        if let Some((_, _, data)) = data_of(&e.event) {
            assert!(data == mib, "a kept message is intact");
            got += 1;
        }
    }
    assert!(
        got <= peernet::MAX_QUEUED_DATA / mib.len(),
        "{got} MiB queued"
    );
    assert!(got + h.dropped_data() as usize <= sent);
    // Once read, data flows again, on the same connection.
    gb.send_data(id, &CHAT, b"after the flood").unwrap();
    next_event(&h, "data after the flood", |e| {
        data_of(e).is_some_and(|d| d.2 == b"after the flood")
    });
    assert_eq!(
        ga.enum_connections().unwrap().len(),
        1,
        "the neighbour connection stays"
    );
}

#[test]
fn both_sides_sending_on_a_neighbour_connection_at_once_lose_nothing() {
    for _ in 0..3 {
        let m = Machine::new();
        let (a, b, ga, gb) = connected_pair(&m, Profile::Modern);
        let reg = [
            EventRegistration::new(PEER_GROUP_EVENT_DIRECT_CONNECTION),
            EventRegistration::new(PEER_GROUP_EVENT_INCOMING_DATA),
        ];
        let (ha, hb) = (
            ga.register_event(&reg).unwrap(),
            gb.register_event(&reg).unwrap(),
        );
        let na = ga.enum_connections().unwrap()[0].connection_id;
        let nb = gb.enum_connections().unwrap()[0].connection_id;
        let go = std::sync::Arc::new(std::sync::Barrier::new(2));
        let sender =
            |g: Group, id: u64, text: &'static [u8], go: std::sync::Arc<std::sync::Barrier>| {
                std::thread::spawn(move || {
                    go.wait();
                    g.send_data(id, &CHAT, text).unwrap();
                })
            };
        let t1 = sender(ga.clone(), na, b"from alice", go.clone());
        let t2 = sender(gb.clone(), nb, b"from bob", go);
        t1.join().unwrap();
        t2.join().unwrap();
        next_event(&hb, "alice's message at bob", |e| {
            data_of(e).is_some_and(|d| d.2 == b"from alice")
        });
        next_event(&ha, "bob's message at alice", |e| {
            data_of(e).is_some_and(|d| d.2 == b"from bob")
        });
        // And the opener of a direct connection hears of it, as Windows raises
        // DIRECT_CONNECTION for the id it returned.
        let id = gb.open_direct_connection(&a.identity, None).unwrap();
        next_event(
            &hb,
            "PEER_CONNECTED for bob's own direct connection",
            |e| matches!(e, GroupEvent::DirectConnection { status: ConnectionStatus::Connected, connection_id, .. } if *connection_id == id),
        );
        let _ = b;
    }
}
