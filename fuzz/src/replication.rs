//! Properties of the replication target (`peernet::replication`): no payload or frame
//! stream panics the codec; whatever it accepts encodes back to the same bytes; a
//! decoded `Ranges` message, however its bounds are ordered, is answered by a
//! reconciliation step without panicking, and what the step asks for is drawn from the
//! message and the local set only.

use std::collections::HashSet;

use peernet::replication::reconcile::Set;
use peernet::replication::wire::{Message, read_message};

fn local() -> Set {
    Set::new((0u8..=40).map(|i| {
        let mut id = [i.wrapping_mul(37); 16];
        id[15] = i;
        (id, u64::from(i) * 0x9e37_79b9)
    }))
}

fn payload(data: &[u8]) {
    let Ok(m) = Message::decode(data) else { return };
    assert_eq!(m.encode().expect("an accepted message encodes"), data);
    if let Message::Ranges(ranges) = &m {
        let set = local();
        let step = set.respond(ranges);
        let offered: HashSet<u64> = ranges
            .iter()
            .filter_map(|r| match &r.mode {
                peernet::replication::reconcile::Mode::Items(v) => Some(v.iter().copied()),
                _ => None,
            })
            .flatten()
            .collect();
        assert!(step.want.iter().all(|h| offered.contains(h)));
        assert!(step.send.len() <= set.len());
    }
}

/// The target: `data` is both one payload and a stream of frames.
pub fn messages(data: &[u8]) {
    payload(data);
    futures::executor::block_on(async {
        let mut r = futures::io::Cursor::new(data);
        for _ in 0..=data.len() / 5 {
            match read_message(&mut r).await {
                Ok((m, used)) => assert_eq!(used, 4 + m.encode().expect("encodes").len()),
                Err(e) => {
                    assert!(!e.to_string().is_empty());
                    break;
                }
            }
        }
    });
}
