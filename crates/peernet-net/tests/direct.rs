//! Direct-connection streams (`DIRECT_PROTOCOL`) pass the same gate as group data
//! streams: a member's stream reaches the consumer with the group it named; a peer that
//! proved no membership (a bare libp2p peer naming the group) never does, and its stream
//! is closed unanswered.

mod support;

use std::time::Duration;

use futures::{AsyncReadExt, AsyncWriteExt};
use peernet_crypto::Profile;
use peernet_net::DIRECT_PROTOCOL;
use support::{Group, Hostile, addr, authenticated, member_node, start};

#[tokio::test]
async fn a_members_direct_stream_passes_the_gate_and_a_strangers_does_not() {
    let group = Group::new(Profile::Modern, "direct");
    let (target, mut target_events, _) = member_node(&group, "target").await;
    let mut accepted = target.accept_direct_streams().unwrap();
    assert!(target.accept_direct_streams().is_err(), "one consumer only");

    // A stranger: connected, but no membership proof. Its stream names the group and
    // waits for the answer that never comes.
    let mut stranger = Hostile::connect(&target).await;
    let mut s = stranger.stream_of(&target, DIRECT_PROTOCOL).await;
    let name = group.name.as_str().as_bytes();
    let mut header = (name.len() as u16).to_be_bytes().to_vec();
    header.extend_from_slice(name);
    header.push(0);
    s.write_all(&header).await.unwrap();
    s.flush().await.unwrap();
    let mut answer = [0u8; 1];
    let read = tokio::time::timeout(Duration::from_secs(5), s.read(&mut answer)).await;
    assert!(
        matches!(read, Ok(Ok(0)) | Ok(Err(_))),
        "the stranger's stream is closed unanswered: {read:?}"
    );
    assert!(
        tokio::time::timeout(Duration::from_millis(200), accepted.next())
            .await
            .is_err(),
        "nothing reached the consumer"
    );

    // A member: authenticated first, then its stream is accepted with the group.
    let (member, _member_events, _) = member_node(&group, "member").await;
    member.dial(addr(&target)).await.unwrap();
    authenticated(&mut target_events, member.peer_id(), &group.name).await;
    let mut out = member
        .open_direct_stream(target.peer_id(), &group.name)
        .await
        .unwrap();
    out.write_all(&[7]).await.unwrap();
    out.flush().await.unwrap();
    let (peer, g, mut inbound) = tokio::time::timeout(Duration::from_secs(10), accepted.next())
        .await
        .expect("the member's stream arrives")
        .expect("node running");
    assert_eq!(peer, member.peer_id());
    assert_eq!(g, group.name.as_str());
    let mut b = [0u8; 1];
    inbound.read_exact(&mut b).await.unwrap();
    assert_eq!(b, [7]);

    // A node that proved nothing to the target cannot even open one.
    let (outsider, _) = start().await;
    assert!(matches!(
        outsider
            .open_direct_stream(target.peer_id(), &group.name)
            .await,
        Err(peernet_net::Error::NotAuthenticated(_))
    ));
}
