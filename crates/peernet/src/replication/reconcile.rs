//! Range-based set reconciliation (after Meyer's "Range-Based Set Reconciliation" and
//! the Negentropy protocol): two members find the records one has and the other lacks,
//! or holds in another version, at a cost in proportion to the differences.
//!
//! Items are the group's records (live and tombstones) as (record id, item hash), where
//! the item hash is the first 8 bytes of SHA-256 over the id, the version and the
//! security data (which holds the signature over every field), so two versions of one
//! record are two different items. Items are ordered by id. A message is a list of
//! consecutive ranges covering the whole id space, each ending at an exclusive upper
//! [`Bound`] and carrying a [`Mode`]:
//!
//! - `Skip`: nothing to do here;
//! - `Fingerprint`: the sum of the item hashes in the range (mod 2^64), mixed with their
//!   count; a receiver whose own fingerprint differs splits its range into [`BRANCH`]
//!   parts by count, or lists its items when it has at most [`ITEMS_THRESHOLD`];
//! - `Items`: every item hash in the range; the receiver now knows the difference: it
//!   sends the records the other lacks and asks (`Want`) for the hashes it lacks.
//!
//! A reply with nothing but `Skip` is empty and ends the exchange. Windows' hash-based
//! sync ([MS-PPGRH] 3.1.7.31) instead sends one MD5 per fixed range of 10 records of the
//! whole database, so its cost grows with the database; [`windows_hash_sync_bytes`]
//! computes it for comparison.

use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};

/// Parts a differing range is split into.
pub const BRANCH: usize = 16;
/// A range with at most this many items is listed instead of split.
pub const ITEMS_THRESHOLD: usize = 16;

/// A record id as its 16 bytes (memory order).
pub type Id = [u8; 16];

/// The exclusive upper end of a range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bound {
    /// Ids below this prefix, padded with zero bytes to 16.
    Below(Vec<u8>),
    /// Past every id.
    End,
}

impl Bound {
    /// Whether `id` lies below this bound.
    pub fn above(&self, id: &Id) -> bool {
        match self {
            Bound::End => true,
            Bound::Below(prefix) => {
                let mut padded = [0u8; 16];
                let n = prefix.len().min(16);
                padded[..n].copy_from_slice(&prefix[..n]);
                id < &padded
            }
        }
    }

    /// The shortest bound separating `a` from `b` (`a < b`): `a` below it, `b` not.
    fn between(a: &Id, b: &Id) -> Bound {
        let i = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(15);
        Bound::Below(b[..=i].to_vec())
    }
}

/// What a range carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Nothing to reconcile.
    Skip,
    /// The fingerprint of the sender's items in the range.
    Fingerprint(u64),
    /// Every item hash of the sender in the range.
    Items(Vec<u64>),
}

/// One range of a reconciliation message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Range {
    /// Where it ends (exclusive); it starts where the previous range ended.
    pub upper: Bound,
    /// What it carries.
    pub mode: Mode,
}

/// What one reconciliation step asks of its caller.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Step {
    /// The reply to send; empty when this side has nothing more to ask.
    pub reply: Vec<Range>,
    /// Records to send: the other side lacks these items.
    pub send: Vec<Id>,
    /// Item hashes to ask for (`Want`).
    pub want: Vec<u64>,
}

/// The item hash of one record version.
pub fn item_hash(id: &Id, version: u32, security_data: &[u8]) -> u64 {
    let mut h = Sha256::new();
    h.update(id);
    h.update(version.to_be_bytes());
    h.update(security_data);
    let d = h.finalize();
    u64::from_be_bytes([d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]])
}

/// One side's items, sorted by id, with prefix sums for O(1) range fingerprints.
#[derive(Clone, Debug, Default)]
pub struct Set {
    ids: Vec<Id>,
    hashes: Vec<u64>,
    prefix: Vec<u64>,
    by_hash: HashMap<u64, usize>,
}

impl Set {
    /// A set of (id, item hash) pairs; a repeated id keeps its last pair.
    pub fn new(items: impl IntoIterator<Item = (Id, u64)>) -> Set {
        let mut v: Vec<(Id, u64)> = items.into_iter().collect();
        v.sort_by_key(|a| a.0);
        v.dedup_by(|later, earlier| {
            if later.0 == earlier.0 {
                *earlier = *later;
                true
            } else {
                false
            }
        });
        let mut prefix = Vec::with_capacity(v.len() + 1);
        prefix.push(0u64);
        let mut sum = 0u64;
        let mut by_hash = HashMap::with_capacity(v.len());
        for (i, (_, h)) in v.iter().enumerate() {
            sum = sum.wrapping_add(*h);
            prefix.push(sum);
            by_hash.insert(*h, i);
        }
        let (ids, hashes) = v.into_iter().unzip();
        Set {
            ids,
            hashes,
            prefix,
            by_hash,
        }
    }

    /// How many items.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The id of the item with `hash`, if this side has it.
    pub fn id_of(&self, hash: u64) -> Option<Id> {
        self.by_hash.get(&hash).map(|&i| self.ids[i])
    }

    fn index(&self, bound: &Bound) -> usize {
        self.ids.partition_point(|id| bound.above(id))
    }

    fn fingerprint(&self, i: usize, j: usize) -> u64 {
        let count = (j - i) as u64;
        self.prefix[j]
            .wrapping_sub(self.prefix[i])
            .wrapping_add(count.wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }

    fn split(&self, i: usize, j: usize, upper: Bound, out: &mut Vec<Range>) {
        let n = j - i;
        if n <= ITEMS_THRESHOLD {
            out.push(Range {
                upper,
                mode: Mode::Items(self.hashes[i..j].to_vec()),
            });
            return;
        }
        let mut start = i;
        for k in 1..=BRANCH {
            let end = i + n * k / BRANCH;
            let bound = if k == BRANCH {
                upper.clone()
            } else {
                Bound::between(&self.ids[end - 1], &self.ids[end])
            };
            out.push(Range {
                upper: bound,
                mode: Mode::Fingerprint(self.fingerprint(start, end)),
            });
            start = end;
        }
    }

    /// The first message of an exchange, covering every item.
    pub fn initiate(&self) -> Vec<Range> {
        let mut out = Vec::new();
        self.split(0, self.len(), Bound::End, &mut out);
        out
    }

    /// Answers one message of the other side.
    pub fn respond(&self, message: &[Range]) -> Step {
        let mut step = Step::default();
        let mut lower = 0usize;
        let mut reply: Vec<Range> = Vec::new();
        let skip = |reply: &mut Vec<Range>, upper: Bound| match reply.last_mut() {
            Some(Range {
                upper: u,
                mode: Mode::Skip,
            }) => *u = upper,
            _ => reply.push(Range {
                upper,
                mode: Mode::Skip,
            }),
        };
        for r in message {
            let upper_i = self.index(&r.upper).max(lower);
            let (i, j) = (lower, upper_i);
            match &r.mode {
                Mode::Skip => skip(&mut reply, r.upper.clone()),
                Mode::Fingerprint(f) => {
                    if self.fingerprint(i, j) == *f {
                        skip(&mut reply, r.upper.clone());
                    } else if j - i <= ITEMS_THRESHOLD {
                        reply.push(Range {
                            upper: r.upper.clone(),
                            mode: Mode::Items(self.hashes[i..j].to_vec()),
                        });
                    } else {
                        self.split(i, j, r.upper.clone(), &mut reply);
                    }
                }
                Mode::Items(theirs) => {
                    let theirs_set: HashSet<u64> = theirs.iter().copied().collect();
                    let mine: HashSet<u64> = self.hashes[i..j].iter().copied().collect();
                    for k in i..j {
                        if !theirs_set.contains(&self.hashes[k]) {
                            step.send.push(self.ids[k]);
                        }
                    }
                    step.want
                        .extend(theirs.iter().filter(|h| !mine.contains(h)));
                    skip(&mut reply, r.upper.clone());
                }
            }
            lower = j;
        }
        if reply.iter().any(|r| r.mode != Mode::Skip) {
            step.reply = reply;
        }
        step
    }
}

/// The bytes of Windows' hash-based synchronization ([MS-PPGRH] 3.1.7.31, 2.2.3.x) for
/// a database of `records` records of which `differing` differ: the responder's
/// SYNC_HASH abstracts of every 10-record range (16-byte MD5 + 8-byte range bounds),
/// then for each mismatching range an ADVERTISE of its 10 (RecordID 16 + Version 4)
/// pairs and the initiator's REQUEST of the missing ids. Record payloads excluded.
pub fn windows_hash_sync_bytes(records: u64, differing: u64) -> u64 {
    let ranges = records.div_ceil(10);
    let abstracts = ranges * (16 + 8);
    let mismatching = differing.min(ranges);
    let advertise = mismatching * 10 * (16 + 4);
    let request = differing * 16;
    abstracts + advertise + request
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u64) -> Id {
        let d = Sha256::digest(n.to_be_bytes());
        let mut id = [0u8; 16];
        id.copy_from_slice(&d[..16]);
        id
    }

    /// Runs an exchange between `a` and `b` and returns what each must send and the
    /// number of messages.
    fn exchange(a: &Set, b: &Set) -> (HashSet<Id>, HashSet<u64>, HashSet<Id>, HashSet<u64>, usize) {
        let (mut a_send, mut a_want, mut b_send, mut b_want) = (
            HashSet::new(),
            HashSet::new(),
            HashSet::new(),
            HashSet::new(),
        );
        let mut msg = a.initiate();
        let mut messages = 1;
        let mut turn_b = true;
        while !msg.is_empty() {
            assert!(messages < 64, "the exchange must end");
            let (side, send, want) = if turn_b {
                (b, &mut b_send, &mut b_want)
            } else {
                (a, &mut a_send, &mut a_want)
            };
            let step = side.respond(&msg);
            send.extend(step.send);
            want.extend(step.want);
            msg = step.reply;
            if !msg.is_empty() {
                messages += 1;
            }
            turn_b = !turn_b;
        }
        (a_send, a_want, b_send, b_want, messages)
    }

    #[test]
    fn equal_sets_end_after_one_answer() {
        let items: Vec<_> = (0..5000).map(|n| (id(n), n * 7)).collect();
        let (a, b) = (Set::new(items.clone()), Set::new(items));
        let (s1, w1, s2, w2, messages) = exchange(&a, &b);
        assert!(s1.is_empty() && w1.is_empty() && s2.is_empty() && w2.is_empty());
        assert_eq!(messages, 1);
    }

    #[test]
    fn each_side_learns_exactly_what_differs() {
        for (n, missing_a, missing_b, changed) in [
            (0u64, 0u64, 5u64, 0u64),
            (3, 0, 0, 3),
            (5000, 40, 30, 20),
            (20_000, 1, 0, 1),
        ] {
            let total = n + missing_a + missing_b;
            let mut a_items = Vec::new();
            let mut b_items = Vec::new();
            for k in 0..total {
                let in_a = k >= missing_a;
                let in_b = k < missing_a || k >= missing_a + missing_b;
                let changed_here = k >= total - changed;
                if in_a {
                    a_items.push((id(k), k));
                }
                if in_b {
                    b_items.push((id(k), if changed_here { k + 1_000_000 } else { k }));
                }
            }
            let (a, b) = (Set::new(a_items), Set::new(b_items));
            let (a_send, a_want, b_send, b_want, _) = exchange(&a, &b);
            // Wants name only hashes the other side has.
            assert!(a_want.iter().all(|h| b.id_of(*h).is_some()));
            assert!(b_want.iter().all(|h| a.id_of(*h).is_some()));
            let mut send: HashSet<Id> = a_send.union(&b_send).copied().collect();
            send.extend(a_want.iter().filter_map(|h| b.id_of(*h)));
            send.extend(b_want.iter().filter_map(|h| a.id_of(*h)));
            // Everything missing on one side or changed is sent (or asked for).
            for k in 0..total {
                let expect = k < missing_a + missing_b || k >= total - changed;
                assert_eq!(send.contains(&id(k)), expect, "n={n} item {k}");
            }
        }
    }

    #[test]
    fn a_fresh_member_gets_everything_in_one_round_trip() {
        let full = Set::new((0..10_000).map(|n| (id(n), n)));
        let empty = Set::new([]);
        let step = full.respond(&empty.initiate());
        assert_eq!(step.send.len(), 10_000);
        assert!(step.reply.is_empty());
    }

    #[test]
    fn bounds_separate_neighbours() {
        let (a, b) = (id(1).min(id(2)), id(1).max(id(2)));
        let bound = Bound::between(&a, &b);
        assert!(bound.above(&a));
        assert!(!bound.above(&b));
        assert!(Bound::End.above(&[0xff; 16]));
    }

    #[test]
    fn windows_cost_grows_with_the_database() {
        assert!(windows_hash_sync_bytes(1_000_000, 100) > 2_000_000);
        assert!(windows_hash_sync_bytes(1_000, 100) < windows_hash_sync_bytes(1_000_000, 100));
    }
}
