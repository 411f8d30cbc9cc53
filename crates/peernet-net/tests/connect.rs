//! Honest members of one group, 2 and 3 nodes on loopback, both profiles: every
//! connection is authenticated in both directions.

mod support;

use peernet_crypto::Profile;
use peernet_net::{Event, GroupCredentials, Node, NodeConfig, NodeKey};
use support::*;

#[tokio::test]
async fn two_nodes_authenticate_each_other_both_profiles() {
    for profile in [Profile::Windows, Profile::Modern] {
        let group = Group::new(profile, "chat");
        let (a, mut ea, name_a) = member_node(&group, "alice").await;
        let (b, mut eb, name_b) = member_node(&group, "bob").await;
        let conn = b.dial(addr(&a)).await.unwrap();
        assert_eq!(
            authenticated(&mut ea, b.peer_id(), &group.name).await,
            name_b,
            "{profile:?}: alice sees bob's member name"
        );
        let ev = wait_for(&mut eb, "bob's PeerAuthenticated", |e| {
            matches!(e, Event::PeerAuthenticated { .. })
        })
        .await;
        let Event::PeerAuthenticated {
            peer,
            member,
            group: g,
            connection,
            address,
        } = ev
        else {
            unreachable!()
        };
        assert_eq!(
            (peer, member, &g, connection),
            (a.peer_id(), name_a, &group.name, conn)
        );
        let address = address.expect("the dialer knows the remote address");
        assert!(
            address.ip().is_loopback() && address.port() != 0,
            "{address}"
        );
        let on_a = a.connections().await.unwrap();
        assert_eq!(on_a.len(), 1, "{profile:?}");
        assert_eq!((on_a[0].1, &on_a[0].2), (b.peer_id(), &group.name));
        // Closing the connection from bob's side disconnects both; a second close finds
        // nothing.
        assert!(b.close(conn).await.unwrap());
        wait_for(
            &mut eb,
            "Disconnected",
            |e| matches!(e, Event::Disconnected { connection, .. } if *connection == conn),
        )
        .await;
        wait_for(&mut ea, "Disconnected", |e| {
            matches!(e, Event::Disconnected { .. })
        })
        .await;
        assert!(!b.close(conn).await.unwrap());
        b.dial(addr(&a)).await.unwrap();
        authenticated(&mut ea, b.peer_id(), &group.name).await;
        // Dropping bob's node disconnects alice's side.
        drop(b);
        wait_for(&mut ea, "Disconnected", |e| {
            matches!(e, Event::Disconnected { .. })
        })
        .await;
        assert!(a.connections().await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn three_nodes_form_a_triangle_both_profiles() {
    for profile in [Profile::Windows, Profile::Modern] {
        let group = Group::new(profile, "three");
        let (a, mut ea, _) = member_node(&group, "a").await;
        let (b, mut eb, _) = member_node(&group, "b").await;
        let (c, mut ec, _) = member_node(&group, "c").await;
        b.dial(addr(&a)).await.unwrap();
        c.dial(addr(&a)).await.unwrap();
        c.dial(addr(&b)).await.unwrap();
        for (events, peers) in [
            (&mut ea, [b.peer_id(), c.peer_id()]),
            (&mut eb, [a.peer_id(), c.peer_id()]),
            (&mut ec, [a.peer_id(), b.peer_id()]),
        ] {
            let mut seen = Vec::new();
            for _ in 0..2 {
                match wait_for(events, "PeerAuthenticated", |e| {
                    matches!(e, Event::PeerAuthenticated { .. })
                })
                .await
                {
                    Event::PeerAuthenticated { peer, group: g, .. } => {
                        assert_eq!(g, group.name);
                        seen.push(peer);
                    }
                    _ => unreachable!(),
                }
            }
            seen.sort();
            let mut want = peers.to_vec();
            want.sort();
            assert_eq!(seen, want, "{profile:?}");
        }
        for n in [&a, &b, &c] {
            assert_eq!(n.connections().await.unwrap().len(), 2, "{profile:?}");
        }
    }
}

#[tokio::test]
async fn a_node_in_two_groups_proves_both_on_one_connection() {
    let g1 = Group::new(Profile::Modern, "one");
    let g2 = Group::new(Profile::Windows, "two");
    let (a, mut ea) = start().await;
    let (b, mut eb) = start().await;
    for n in [&a, &b] {
        n.join_group(g1.credentials(g1.member("m")));
        n.join_group(g2.credentials(g2.member("m")));
    }
    b.dial(addr(&a)).await.unwrap();
    for events in [&mut ea, &mut eb] {
        let mut groups = Vec::new();
        for _ in 0..2 {
            if let Event::PeerAuthenticated { group, .. } =
                wait_for(events, "PeerAuthenticated", |e| {
                    matches!(e, Event::PeerAuthenticated { .. })
                })
                .await
            {
                groups.push(group);
            }
        }
        groups.sort();
        let mut want = vec![g1.name.clone(), g2.name.clone()];
        want.sort();
        assert_eq!(groups, want);
    }
    let conns = a.connections().await.unwrap();
    assert_eq!(conns.len(), 2);
    assert_eq!(conns[0].0, conns[1].0, "one connection carries both groups");
}

#[tokio::test]
async fn dial_group_proves_only_that_group() {
    let g1 = Group::new(Profile::Modern, "shared");
    let g2 = Group::new(Profile::Modern, "private");
    let (a, mut ea) = start().await;
    let (b, mut eb) = start().await;
    a.join_group(g1.credentials(g1.member("a")));
    b.join_group(g1.credentials(g1.member("b")));
    b.join_group(g2.credentials(g2.member("b")));
    // A dial proving every group is refused by alice, who does not hold "private".
    let first = b.dial(addr(&a)).await.unwrap();
    wait_for(&mut ea, "AuthenticationFailed", |e| {
        matches!(e, Event::AuthenticationFailed { .. })
    })
    .await;
    // A dial naming the shared group authenticates it alone.
    let conn = b.dial_group(addr(&a), &g1.name).await.unwrap();
    assert_ne!(first, conn);
    let ev = wait_for(
        &mut eb,
        "PeerAuthenticated",
        |e| matches!(e, Event::PeerAuthenticated { connection, .. } if *connection == conn),
    )
    .await;
    assert!(
        matches!(&ev, Event::PeerAuthenticated { group, .. } if *group == g1.name),
        "{ev:?}"
    );
    let conns = b.connections().await.unwrap();
    assert_eq!(conns.iter().filter(|c| c.0 == conn).count(), 1, "{conns:?}");
    assert!(conns.iter().all(|c| c.0 != first), "{conns:?}");
}

#[tokio::test]
async fn credentials_that_cannot_prove_are_rejected_at_join() {
    let group = Group::new(Profile::Modern, "chat");
    let other = Group::new(Profile::Modern, "other");
    let now = std::time::SystemTime::now();
    let expired = group.member_with(
        "old",
        Some(peernet_crypto::Validity::new(now - 5 * DAY, now - DAY)),
    );
    let e = GroupCredentials::new(
        group.name.clone(),
        group.profile,
        expired.chain,
        expired.key,
    )
    .unwrap_err();
    assert_eq!(e.hresult_name(), "PEER_E_INVALID_CREDENTIAL");
    // Another group's chain, and a chain with someone else's key.
    let m = other.member("m");
    assert!(GroupCredentials::new(group.name.clone(), group.profile, m.chain, m.key).is_err());
    let m = group.member("m");
    let stranger = group.member("s");
    assert!(
        GroupCredentials::new(group.name.clone(), group.profile, m.chain, stranger.key).is_err()
    );
    // The wrong profile.
    let m = group.member("m");
    assert!(GroupCredentials::new(group.name.clone(), Profile::Windows, m.chain, m.key).is_err());
    // Only the root.
    let m = group.member("m");
    assert!(
        GroupCredentials::new(
            group.name.clone(),
            group.profile,
            vec![group.grc.clone()],
            m.key
        )
        .is_err()
    );
}

#[tokio::test]
async fn a_taken_port_falls_back_to_an_ephemeral_one() {
    let (a, _ea) = start().await;
    let taken = addr(&a);
    let config = NodeConfig {
        listen: vec![taken],
        ..config()
    };
    let (b, _eb) = Node::start(NodeKey::generate().unwrap(), config)
        .await
        .unwrap();
    assert_ne!(addr(&b).port(), taken.port());
    assert_eq!(addr(&b).ip(), taken.ip());
}

#[tokio::test]
async fn node_key_is_deterministic_and_redacted() {
    let k = NodeKey::from_secret_bytes([7; 32]);
    let k2 = NodeKey::from_secret_bytes([7; 32]);
    assert_eq!(k.peer_id().unwrap(), k2.peer_id().unwrap());
    let dbg = format!("{k:?}");
    assert!(dbg.contains(&k.peer_id().unwrap().to_string()));
    assert!(!dbg.contains("[7, 7"), "{dbg}");
    let (node, _e) = Node::start(k, config()).await.unwrap();
    assert_eq!(node.peer_id(), k2.peer_id().unwrap());
}

#[tokio::test]
async fn dial_failure_is_an_event() {
    let (a, mut ea) = start().await;
    // A port nothing listens on: bind one and drop it.
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let id = a.dial(free).await.unwrap();
    let e = wait_for(&mut ea, "ConnectionFailed", |e| {
        matches!(e, Event::ConnectionFailed { .. })
    })
    .await;
    assert!(matches!(e, Event::ConnectionFailed { connection, .. } if connection == id));
}
