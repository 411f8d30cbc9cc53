//! Hostile peers: each is refused with AuthenticationFailed, its connection closed, the
//! target never shows its own proof, and an honest peer is served afterwards.

mod support;

use std::time::SystemTime;

use futures::{AsyncReadExt, AsyncWriteExt, StreamExt};
use peernet_crypto::{Profile, Validity};
use peernet_net::proof::Binding;
use peernet_net::wire::{MAX_FRAME_LEN, Message, read_message, write_message};
use peernet_net::{Error, Event};
use support::*;

/// `make` builds a proof on a hostile connection to a member node of `group`; the node
/// must refuse it with `expect` and keep serving.
async fn refused_proof(
    group: &Group,
    make: impl FnOnce(&Binding<'_>) -> peernet_net::wire::Proof,
    expect: impl Fn(&Error) -> bool,
) {
    let (target, mut events, _) = member_node(group, "target").await;
    let mut h = Hostile::connect(&target).await;
    assert!(
        !h.send_proof(&target, make).await,
        "the target answered a refused proof with its own"
    );
    let reason = refused(&mut events, h.peer).await;
    assert!(
        expect(&reason),
        "{:?}: unexpected reason {reason:?}",
        group.profile
    );
    assert!(reason.is_refusal());
    assert!(target.connections().await.unwrap().is_empty());
    honest_peer_still_served(group, &target, &mut events).await;
}

#[tokio::test]
async fn expired_and_not_yet_valid_chains_are_refused() {
    for profile in [Profile::Windows, Profile::Modern] {
        let group = Group::new(profile, "chat");
        let now = SystemTime::now();
        let old = group.member_with("old", Some(Validity::new(now - 5 * DAY, now - DAY)));
        refused_proof(
            &group,
            |b| proof(&group.name, old.ders(), &old.key, b),
            |e| *e == Error::Expired,
        )
        .await;
        let early = group.member_with("early", Some(Validity::new(now + DAY, now + 5 * DAY)));
        refused_proof(
            &group,
            |b| proof(&group.name, early.ders(), &early.key, b),
            |e| *e == Error::NotYetValid,
        )
        .await;
    }
}

#[tokio::test]
async fn another_groups_chain_is_refused() {
    for profile in [Profile::Windows, Profile::Modern] {
        let group = Group::new(profile, "chat");
        let other = Group::new(profile, "chat");
        let m = other.member("intruder");
        // Claiming our group with the other group's chain.
        refused_proof(
            &group,
            |b| proof(&group.name, m.ders(), &m.key, b),
            |e| matches!(e, Error::WrongGroup(_)),
        )
        .await;
        // Naming its own group, which the target has not joined.
        refused_proof(
            &group,
            |b| proof(&other.name, m.ders(), &m.key, b),
            |e| matches!(e, Error::UnknownGroup(_)),
        )
        .await;
    }
}

#[tokio::test]
async fn a_chain_without_its_key_is_refused() {
    for profile in [Profile::Windows, Profile::Modern] {
        let group = Group::new(profile, "chat");
        let victim = group.member("victim");
        let thief = group.member("thief");
        refused_proof(
            &group,
            |b| proof(&group.name, victim.ders(), &thief.key, b),
            |e| *e == Error::BadSignature,
        )
        .await;
        // The group root alone, signed with the root key, is no membership.
        refused_proof(
            &group,
            |b| proof(&group.name, vec![group.grc.der().to_vec()], &group.key, b),
            |e| matches!(e, Error::InvalidChain { .. }),
        )
        .await;
    }
}

#[tokio::test]
async fn a_proof_replayed_from_another_connection_is_refused() {
    for profile in [Profile::Windows, Profile::Modern] {
        let group = Group::new(profile, "chat");
        let m = group.member("member");
        let other_peer = peernet_net::NodeKey::generate().unwrap().peer_id().unwrap();
        // Made for a connection of another initiator (a proof relayed by a third party).
        refused_proof(
            &group,
            |b| {
                let relayed = Binding {
                    initiator: &other_peer,
                    ..*b
                };
                proof(&group.name, m.ders(), &m.key, &relayed)
            },
            |e| *e == Error::BadSignature,
        )
        .await;
        // Made for an earlier connection of the same peers (other nonces).
        let stale = [0x11; 32];
        refused_proof(
            &group,
            |b| {
                let earlier = Binding {
                    responder_nonce: &stale,
                    ..*b
                };
                proof(&group.name, m.ders(), &m.key, &earlier)
            },
            |e| *e == Error::BadSignature,
        )
        .await;
        // Signed as the responder instead of the initiator (reflected).
        refused_proof(
            &group,
            |b| {
                let b = Binding {
                    group: group.name.as_str(),
                    ..*b
                };
                peernet_net::proof::sign_proof(
                    group.name.as_str(),
                    m.ders(),
                    &m.key,
                    &b,
                    peernet_net::Role::Responder,
                )
                .unwrap()
            },
            |e| *e == Error::BadSignature,
        )
        .await;
    }
}

#[tokio::test]
async fn a_real_proof_captured_on_one_connection_fails_on_the_next() {
    let group = Group::new(Profile::Modern, "chat");
    let (target, mut events, _) = member_node(&group, "target").await;
    let m = group.member("member");
    let key = libp2p_identity::Keypair::generate_ed25519();
    let mut h = Hostile::connect_as(&target, key.clone()).await;
    // First connection: an honest proof is accepted (the target answers with its own).
    let mut captured = None;
    assert!(
        h.send_proof(&target, |b| {
            let p = proof(&group.name, m.ders(), &m.key, b);
            captured = Some(p.clone());
            p
        })
        .await
    );
    authenticated(&mut events, h.peer, &group.name).await;
    drop(h);
    wait_for(&mut events, "Disconnected", |e| {
        matches!(e, Event::Disconnected { .. })
    })
    .await;
    // The same bytes on a new connection of the same peers (fresh nonces) are refused.
    let captured = captured.unwrap();
    let mut h = Hostile::connect_as(&target, key).await;
    assert!(!h.send_proof(&target, |_| captured).await);
    let reason = refused(&mut events, h.peer).await;
    assert_eq!(reason, Error::BadSignature);
    honest_peer_still_served(&group, &target, &mut events).await;
}

/// Write `bytes` raw on a fresh hostile stream, expect the target to refuse with `expect`.
async fn refused_bytes(group: &Group, bytes: Vec<u8>, expect: impl Fn(&Error) -> bool) {
    let (target, mut events, _) = member_node(group, "target").await;
    let mut h = Hostile::connect(&target).await;
    let mut s = h.stream(&target).await;
    let _ = s.write_all(&bytes).await;
    let _ = s.flush().await;
    let reason = refused(&mut events, h.peer).await;
    assert!(expect(&reason), "unexpected reason {reason:?}");
    // The stream is closed: reading yields nothing more.
    let mut rest = Vec::new();
    let _ = tokio::time::timeout(WAIT, s.read_to_end(&mut rest)).await;
    assert!(rest.is_empty(), "the target sent {} bytes", rest.len());
    honest_peer_still_served(group, &target, &mut events).await;
}

#[tokio::test]
async fn garbage_and_oversized_frames_are_refused() {
    let group = Group::new(Profile::Modern, "chat");
    // A frame of garbage, a frame announcing more than the cap, an unknown message type.
    let mut garbage = 40u32.to_be_bytes().to_vec();
    garbage.extend((0..40u8).map(|i| i.wrapping_mul(37)));
    refused_bytes(&group, garbage, |e| matches!(e, Error::Malformed(_))).await;
    let huge = ((MAX_FRAME_LEN + 1) as u32).to_be_bytes().to_vec();
    refused_bytes(
        &group,
        huge,
        |e| matches!(e, Error::FrameTooLarge { len } if *len == MAX_FRAME_LEN + 1),
    )
    .await;
    refused_bytes(&group, vec![0, 0, 0, 2, 1, 0x7f], |e| {
        *e == Error::Malformed("unknown message type")
    })
    .await;
    // A valid message out of order: Confirm first.
    let mut confirm = Vec::new();
    write_message(&mut confirm, &Message::Confirm)
        .await
        .unwrap();
    refused_bytes(&group, confirm, |e| {
        *e == Error::Malformed("expected Hello")
    })
    .await;
}

#[tokio::test]
async fn stalling_peers_time_out() {
    let group = Group::new(Profile::Modern, "chat");
    // Mid-handshake: a Hello, then nothing.
    {
        let (target, mut events, _) = member_node(&group, "target").await;
        let mut h = Hostile::connect(&target).await;
        let mut s = h.stream(&target).await;
        write_message(&mut s, &Message::Hello { nonce: [1; 32] })
            .await
            .unwrap();
        assert!(matches!(
            read_message(&mut s).await,
            Ok(Message::Hello { .. })
        ));
        assert_eq!(refused(&mut events, h.peer).await, Error::Timeout);
        honest_peer_still_served(&group, &target, &mut events).await;
    }
    // Connected, but no stream ever opened.
    {
        let (target, mut events, _) = member_node(&group, "target").await;
        let h = Hostile::connect(&target).await;
        assert_eq!(refused(&mut events, h.peer).await, Error::Timeout);
        honest_peer_still_served(&group, &target, &mut events).await;
    }
}

#[tokio::test]
async fn more_streams_than_groups_are_refused() {
    let group = Group::new(Profile::Modern, "chat");
    let (target, mut events, _) = member_node(&group, "target").await;
    let mut h = Hostile::connect(&target).await;
    let _first = h.stream(&target).await;
    // The target refuses when the second stream arrives; opening may fail with it.
    if let Ok(Ok(mut second)) = tokio::time::timeout(
        WAIT,
        h.control
            .open_stream(target.peer_id(), peernet_net::PROTOCOL),
    )
    .await
    {
        let _ = second.write_all(&[0]).await;
    }
    assert_eq!(refused(&mut events, h.peer).await, Error::TooManyStreams);
    honest_peer_still_served(&group, &target, &mut events).await;
}

#[tokio::test]
async fn an_honest_initiator_refuses_a_hostile_responder() {
    for profile in [Profile::Windows, Profile::Modern] {
        let group = Group::new(profile, "chat");
        let victim = group.member("victim");
        let thief = group.member("thief");
        let (hostile, mut incoming, address) = Hostile::listen().await;
        let (node, mut events, _) = member_node(&group, "dialer").await;
        let responder = tokio::spawn(async move {
            let (peer, mut s) = incoming.next().await.unwrap();
            let Message::Hello { nonce: nonce_i } = read_message(&mut s).await.unwrap() else {
                panic!("expected Hello")
            };
            let nonce_r = [3; 32];
            write_message(&mut s, &Message::Hello { nonce: nonce_r })
                .await
                .unwrap();
            let Message::Proof(_) = read_message(&mut s).await.unwrap() else {
                panic!("expected Proof")
            };
            // Someone else's chain, signed with the thief's key.
            let local = hostile.peer;
            let b = Binding {
                group: group.name.as_str(),
                initiator: &peer,
                responder: &local,
                initiator_nonce: &nonce_i,
                responder_nonce: &nonce_r,
            };
            let p = peernet_net::proof::sign_proof(
                group.name.as_str(),
                victim.ders(),
                &thief.key,
                &b,
                peernet_net::Role::Responder,
            )
            .unwrap();
            write_message(&mut s, &Message::Proof(p)).await.unwrap();
            // No Confirm comes.
            let r = tokio::time::timeout(WAIT, read_message(&mut s)).await;
            assert!(!matches!(r, Ok(Ok(Message::Confirm))));
            (hostile, peer)
        });
        node.dial(address).await.unwrap();
        let Event::AuthenticationFailed { reason, peer, .. } =
            wait_for(&mut events, "AuthenticationFailed", |e| {
                matches!(e, Event::AuthenticationFailed { .. })
            })
            .await
        else {
            unreachable!()
        };
        assert_eq!(reason, Error::BadSignature, "{profile:?}");
        let (hostile, dialer) = tokio::time::timeout(WAIT, responder)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((peer, dialer), (hostile.peer, node.peer_id()));
        assert!(node.connections().await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_burst_of_200_connection_attempts_leaves_the_node_up() {
    let group = Group::new(Profile::Modern, "chat");
    let (target, mut events, _) = member_node(&group, "target").await;
    let to = addr(&target);
    let mut tasks = Vec::new();
    for i in 0..200u32 {
        tasks.push(tokio::spawn(async move {
            use tokio::io::AsyncWriteExt as _;
            let Ok(Ok(mut s)) =
                tokio::time::timeout(WAIT, tokio::net::TcpStream::connect(to)).await
            else {
                return;
            };
            match i % 4 {
                0 => {}
                1 => {
                    let _ = s.write_all(b"GET / HTTP/1.0\r\n\r\n").await;
                }
                2 => {
                    let _ = s.write_all(&[0xff; 512]).await;
                }
                _ => {
                    // The multistream-select header, then garbage.
                    let _ = s.write_all(b"\x13/multistream/1.0.0\n\x00\x00").await;
                }
            }
        }));
    }
    for t in tasks {
        tokio::time::timeout(WAIT, t).await.unwrap().unwrap();
    }
    assert!(target.is_running());
    honest_peer_still_served(&group, &target, &mut events).await;
    assert_eq!(target.connections().await.unwrap().len(), 1);
}
