//! Properties of the `peernet-net` handshake target: no frame or payload panics the codec
//! or the proof check, the frame reader never reads past a refused length, and whatever
//! the codec accepts encodes back to the same bytes.

use std::time::SystemTime;

use peernet_crypto::{PeerName, Profile};
use peernet_net::proof::{Binding, Role, verify_proof};
use peernet_net::wire::{MAX_FRAME_LEN, Message, read_message};
use peernet_net::{Error, NodeKey};

fn render(e: &Error) {
    assert!(!e.to_string().is_empty(), "empty error message for {e:?}");
    let _ = (e.hresult_name(), e.is_refusal());
}

/// Check one payload: decode; an accepted message re-encodes to the same bytes; a proof
/// goes through the full check (group, chain, signature) under both profiles, as a
/// responder would run it, and is refused (no input can hold the fixed keys' transcript).
fn payload(data: &[u8]) {
    match Message::decode(data) {
        Err(e) => render(&e),
        Ok(m) => {
            let bytes = m.encode().expect("an accepted message encodes");
            assert_eq!(bytes, data, "encode(decode(x)) != x");
            if let Message::Proof(p) = &m {
                let (Ok(i), Ok(r)) = (
                    NodeKey::from_secret_bytes([1; 32]).peer_id(),
                    NodeKey::from_secret_bytes([2; 32]).peer_id(),
                ) else {
                    return;
                };
                let Ok(group) = PeerName::parse(&p.group) else {
                    return;
                };
                let binding = Binding {
                    group: group.as_str(),
                    initiator: &i,
                    responder: &r,
                    initiator_nonce: &[3; 32],
                    responder_nonce: &[4; 32],
                };
                for profile in [Profile::Windows, Profile::Modern] {
                    match verify_proof(
                        p,
                        &group,
                        profile,
                        &binding,
                        Role::Initiator,
                        SystemTime::now(),
                    ) {
                        Ok(member) => panic!("a fuzzed proof passed as {}", member.as_str()),
                        Err(e) => render(&e),
                    }
                }
            }
        }
    }
}

/// The handshake target: `data` is both one payload and a stream of frames.
pub fn handshake(data: &[u8]) {
    payload(data);
    futures::executor::block_on(async {
        let mut r = futures::io::Cursor::new(data);
        // At most one message per 5 input bytes: the loop is bounded by the input.
        for _ in 0..=data.len() / 5 {
            let before = r.position();
            match read_message(&mut r).await {
                Ok(m) => {
                    let used = (r.position() - before) as usize;
                    assert_eq!(used, 4 + m.encode().expect("encodes").len());
                }
                Err(Error::FrameTooLarge { len }) => {
                    assert!(len > MAX_FRAME_LEN);
                    assert_eq!(r.position() - before, 4, "read past a refused length");
                    break;
                }
                Err(e) => {
                    render(&e);
                    break;
                }
            }
        }
    });
}
