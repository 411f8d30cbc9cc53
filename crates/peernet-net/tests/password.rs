//! The password join on loopback: a member admits a joiner that knows the password,
//! refuses one that does not, and a joiner never proves its password to a peer that is
//! not a member of the group.

mod support;

use peernet_crypto::Profile;
use peernet_net::{Error, JoinRefusal, JoinerCredentials, Node};
use support::*;

const VERIFIER: &[u8] = b"ajfkbmcldbhggaeponnkeepoldjhhjfmlojndohp";

/// Serves the password joins of `node` against `verifier`: an authenticated joiner is
/// granted "granted:" + the length of its IDC. Returns what each request ended with.
fn serve(node: &Node, verifier: &'static [u8]) -> tokio::sync::mpsc::Receiver<Result<(), Error>> {
    let mut joins = node.accept_password_joins().unwrap();
    assert!(
        node.accept_password_joins().is_err(),
        "one consumer of password joins"
    );
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    tokio::spawn(async move {
        while let Some(mut req) = joins.next().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let r = match req.authenticate(verifier).await {
                    Ok(()) => {
                        let grant = format!("granted:{}", req.idc().len());
                        req.grant(&grant).await
                    }
                    Err(e) => Err(e),
                };
                let _ = tx.send(r).await;
            });
        }
    });
    rx
}

#[tokio::test]
async fn the_right_password_is_granted_and_a_wrong_one_refused_on_both_sides() {
    for profile in [Profile::Windows, Profile::Modern] {
        let group = Group::new(profile, "chat");
        let (member, _em, _) = member_node(&group, "owner").await;
        let mut outcomes = serve(&member, VERIFIER);
        let (joiner, _ej) = start().await;
        let idc = group.member("idc").chain[1].der().to_vec();
        let creds = JoinerCredentials {
            group: &group.name,
            profile,
            idc: &idc,
            verifier: VERIFIER,
        };
        let granted = joiner.password_join(addr(&member), &creds).await.unwrap();
        assert_eq!(granted, format!("granted:{}", idc.len()), "{profile:?}");
        assert!(outcomes.recv().await.unwrap().is_ok());

        let wrong = JoinerCredentials {
            verifier: b"not the hash",
            ..creds
        };
        assert_eq!(
            joiner.password_join(addr(&member), &wrong).await,
            Err(Error::WrongPassword),
            "{profile:?}"
        );
        assert_eq!(outcomes.recv().await.unwrap(), Err(Error::WrongPassword));
        // Each join closed its connection: nothing stays between the two nodes.
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert!(joiner.connections().await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn a_node_outside_the_group_refuses_and_a_closed_port_fails_at_once() {
    let group = Group::new(Profile::Modern, "chat");
    let (joiner, _ej) = start().await;
    let idc = group.member("idc").chain[1].der().to_vec();
    let creds = JoinerCredentials {
        group: &group.name,
        profile: Profile::Modern,
        idc: &idc,
        verifier: VERIFIER,
    };
    // A node with no membership of the group answers NotAuthorized.
    let (outsider, _eo) = start().await;
    let _none = serve(&outsider, VERIFIER);
    assert!(matches!(
        joiner.password_join(addr(&outsider), &creds).await,
        Err(Error::JoinRefused(_))
    ));
    let other = Group::new(Profile::Modern, "chat");
    let (foreign, _ef, _) = member_node(&other, "mallory").await;
    let mut outcomes = serve(&foreign, VERIFIER);
    let creds_other = JoinerCredentials {
        group: &other.name,
        ..creds
    };
    // Sanity: the foreign node does admit joiners of its own group.
    assert!(
        joiner
            .password_join(addr(&foreign), &creds_other)
            .await
            .is_ok()
    );
    assert!(outcomes.recv().await.unwrap().is_ok());
    // Nothing answers on a closed port: a dial error, not a hang.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    assert!(matches!(
        joiner.password_join(closed, &creds).await,
        Err(Error::Dial { .. })
    ));
    assert_eq!(JoinRefusal::WrongPassword as u8, 1);
}

#[tokio::test]
async fn a_member_of_another_group_posing_as_a_member_never_sees_a_mac() {
    use futures::StreamExt;
    use peernet_net::password::{PASSWORD_JOIN_PROTOCOL, join_transcript};
    use peernet_net::proof::Binding;
    use peernet_net::wire::{Message, Proof, read_message, write_message};

    let group = Group::new(Profile::Modern, "chat");
    let other = Group::new(Profile::Modern, "chat");
    let impostor = other.member("mallory");
    let (hostile, mut incoming, hostile_addr) = Hostile::listen_for(PASSWORD_JOIN_PROTOCOL).await;
    let (joiner, _ej) = start().await;
    let joiner_peer = joiner.peer_id();
    let idc = group.member("idc").chain[1].der().to_vec();
    let name = group.name.clone();
    let serve = tokio::spawn(async move {
        let (peer, mut s) = incoming.next().await.unwrap();
        assert_eq!(peer, joiner_peer);
        let Message::JoinRequest { group, idc, nonce } = read_message(&mut s).await.unwrap() else {
            panic!("expected JoinRequest")
        };
        assert_eq!(group, name.as_str());
        let nonce_m = [9u8; 32];
        let binding = Binding {
            group: &group,
            initiator: &peer,
            responder: &hostile.peer,
            initiator_nonce: &nonce,
            responder_nonce: &nonce_m,
        };
        // A correct signature over the right transcript, by a member of another group.
        let t = join_transcript(&binding, &idc);
        let proof = Proof {
            group: group.clone(),
            chain: impostor.ders(),
            signature: impostor.key.sign(&t).unwrap(),
        };
        write_message(
            &mut s,
            &Message::JoinChallenge {
                nonce: nonce_m,
                proof,
            },
        )
        .await
        .unwrap();
        let next = tokio::time::timeout(WAIT, read_message(&mut s)).await;
        assert!(
            !matches!(next, Ok(Ok(Message::JoinPassword { .. }))),
            "the joiner proved its password to a non-member"
        );
        drop(hostile);
    });
    let creds = JoinerCredentials {
        group: &group.name,
        profile: Profile::Modern,
        idc: &idc,
        verifier: VERIFIER,
    };
    assert!(matches!(
        joiner.password_join(hostile_addr, &creds).await,
        Err(Error::WrongGroup(_))
    ));
    serve.await.unwrap();
}
