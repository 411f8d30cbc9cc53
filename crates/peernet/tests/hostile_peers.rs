//! Hostile peers against a store's node (running on a thread of this test, listening on
//! loopback): each proof is refused without the node answering with its own, the
//! refusing group raises AUTHENTICATION_FAILED with the refusal's HRESULT, nothing of
//! the store changes but its change log, and an honest member still connects.

#[path = "../../peernet-net/tests/support/mod.rs"]
mod support;

use std::net::SocketAddr;
use std::str::FromStr;
use std::time::{Duration, SystemTime};

use peernet::event::PEER_GROUP_EVENT_AUTHENTICATION_FAILED;
use peernet::flags::{PEER_GROUP_STATUS_HAS_CONNECTIONS, PEER_GROUP_STATUS_LISTENING};
use peernet::lower::crypto::cert::Validity;
use peernet::lower::crypto::{Certificate, PeerName, PrivateKey};
use peernet::{
    EventRegistration, GroupEvent, GroupProperties, NodeLaunch, Options, Peernet, Profile, Role,
    hresult as hr,
};
use support::{DAY, Hostile, proof};

const WAIT: Duration = Duration::from_secs(20);

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

fn store(runtime: &std::path::Path, name: &str, profile: Profile) -> Store {
    let dir = tempfile::tempdir().unwrap();
    let pn = Peernet::open_with(
        dir.path(),
        Options::default()
            .with_pfx_iterations(1000)
            .with_node_launch(NodeLaunch::InProcess)
            .with_runtime_dir(runtime),
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

/// What a hostile peer may not change: identities, groups (without their status),
/// records and members.
fn snapshot(pn: &Peernet) -> String {
    let s = pn.store();
    let mut out = format!("{:?}\n", s.identities().unwrap());
    for g in s.all_groups().unwrap() {
        out += &format!(
            "{} {} {:?} {:?}\n{:?}\n{:?}\n",
            g.identity,
            g.group_peer_name,
            g.gmc_chain,
            g.properties,
            s.records(&g.identity, &g.group_peer_name, None).unwrap(),
            s.members(&g.identity, &g.group_peer_name).unwrap(),
        );
    }
    out
}

fn next_auth_failed(h: &peernet::EventHandle) -> GroupEvent {
    let deadline = std::time::Instant::now() + WAIT;
    while std::time::Instant::now() < deadline {
        if let Some(e) = h.next_event(Duration::from_millis(100)) {
            return e.event;
        }
    }
    panic!("no AUTHENTICATION_FAILED within {WAIT:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_proofs_are_refused_and_raised_both_profiles() {
    for profile in [Profile::Modern, Profile::Windows] {
        let runtime = tempfile::tempdir().unwrap();
        let a = store(runtime.path(), "alice", profile);
        let b = store(runtime.path(), "bob", profile);
        let ga =
            a.pn.group_create(
                &GroupProperties::new("chat", "Chat")
                    .with_creator(&a.identity)
                    .with_profile(profile),
            )
            .unwrap();
        let info = b.pn.identity_get_xml(Some(&b.identity)).unwrap();
        let inv = ga.create_invitation(&info, None, &[Role::MEMBER]).unwrap();
        let gb = b.pn.group_join(Some(&b.identity), &inv, None).unwrap();
        let h = ga
            .register_event(&[EventRegistration::new(
                PEER_GROUP_EVENT_AUTHENTICATION_FAILED,
            )])
            .unwrap();
        let ga2 = ga.clone();
        tokio::task::spawn_blocking(move || ga2.connect().unwrap())
            .await
            .unwrap();
        let pn = a.pn.clone();
        let node =
            tokio::task::spawn_blocking(move || peernet::node::node_status(&pn).unwrap().unwrap())
                .await
                .unwrap();
        let target: (SocketAddr, peernet_net::PeerId) = (
            node.listen[0],
            peernet_net::PeerId::from_str(&node.peer_id).unwrap(),
        );
        let before = snapshot(&a.pn);

        // The group as the hostile toolkit knows it: alice's root and group key.
        let grc = Certificate::from_der(&ga.chain_der()[0]).unwrap();
        let key_der =
            a.pn.store()
                .group_private_key(&a.identity, ga.peer_name())
                .unwrap()
                .unwrap();
        let group = support::Group {
            profile,
            key: PrivateKey::from_pkcs8_der(&key_der).unwrap(),
            name: PeerName::parse(ga.peer_name()).unwrap(),
            grc,
        };
        let now = SystemTime::now();
        let expired = group.member_with("old", Some(Validity::new(now - 5 * DAY, now - DAY)));
        let early = group.member_with("early", Some(Validity::new(now + DAY, now + 5 * DAY)));
        let victim: Vec<Vec<u8>> = gb.chain_der();
        let thief = PrivateKey::generate(profile).unwrap();
        type Make<'a> =
            Box<dyn Fn(&peernet_net::proof::Binding<'_>) -> peernet_net::wire::Proof + 'a>;
        let cases: Vec<(&str, Make<'_>, hr::HResult)> = vec![
            (
                "expired GMC",
                Box::new(|b| proof(&group.name, expired.ders(), &expired.key, b)),
                hr::PEER_E_INVALID_TIME_PERIOD,
            ),
            (
                "GMC not valid yet",
                Box::new(|b| proof(&group.name, early.ders(), &early.key, b)),
                hr::PEER_E_INVALID_TIME_PERIOD,
            ),
            (
                "someone else's chain without its key",
                Box::new(|b| proof(&group.name, victim.clone(), &thief, b)),
                hr::PEER_E_CONNECTION_NOT_AUTHENTICATED,
            ),
        ];
        for (what, make, code) in cases {
            let mut hostile = Hostile::connect(&target).await;
            assert!(
                !hostile.send_proof(&target, |b| make(b)).await,
                "{profile:?} {what}: the node answered with its own proof"
            );
            let h2 = &h;
            let ev = tokio::task::block_in_place(|| next_auth_failed(h2));
            assert_eq!(
                ev,
                GroupEvent::AuthenticationFailed {
                    peer_id: hostile.peer.to_string(),
                    hresult: code.as_i32()
                },
                "{profile:?} {what}"
            );
        }
        // Another group's chain names a group this node does not hold: refused, counted,
        // and nothing is raised in alice's group.
        let other = support::Group::new(profile, "other");
        let m = other.member("m");
        let mut hostile = Hostile::connect(&target).await;
        assert!(
            !hostile
                .send_proof(&target, |b| proof(&other.name, m.ders(), &m.key, b))
                .await
        );
        // Garbage on a stream of the protocol.
        let mut hostile = Hostile::connect(&target).await;
        let mut s = hostile.stream(&target).await;
        futures::AsyncWriteExt::write_all(&mut s, &[0xff; 64])
            .await
            .unwrap();
        drop(s);
        // 1,000 raw connection attempts in a burst.
        let mut burst = Vec::new();
        for _ in 0..1000 {
            if let Ok(c) = std::net::TcpStream::connect_timeout(&target.0, Duration::from_secs(2)) {
                burst.push(c);
            }
        }
        assert!(
            burst.len() > 900,
            "{} of 1000 attempts connected",
            burst.len()
        );
        drop(burst);
        // Nothing of the hostile peers reached the store.
        let pn = a.pn.clone();
        let after_hostile = tokio::task::spawn_blocking(move || snapshot(&pn))
            .await
            .unwrap();
        assert_eq!(after_hostile, before, "{profile:?}");

        // The node is up and an honest member connects (and replicates its
        // membership, the one change the store sees).
        let gb2 = gb.clone();
        let flags = tokio::task::spawn_blocking(move || {
            gb2.connect().unwrap();
            gb2.wait_for_status(
                PEER_GROUP_STATUS_LISTENING | PEER_GROUP_STATUS_HAS_CONNECTIONS,
                WAIT,
            )
            .unwrap()
        })
        .await
        .unwrap();
        assert_eq!(
            flags,
            PEER_GROUP_STATUS_LISTENING | PEER_GROUP_STATUS_HAS_CONNECTIONS,
            "{profile:?}"
        );
        let pn = a.pn.clone();
        let node =
            tokio::task::spawn_blocking(move || peernet::node::node_status(&pn).unwrap().unwrap())
                .await
                .unwrap();
        assert!(node.refused >= 5, "{profile:?}: refused {}", node.refused);
        drop((ga, gb, h));
    }
}
