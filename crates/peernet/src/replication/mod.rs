//! Group database replication: what a member adds, updates or deletes reaches every
//! member, and a member who was away catches up ([MS-PPGRH] 1.3.5, 3.1.7; [MS-PPSEC]
//! 3.1.7 for validation). The semantics are Windows'; the wire format is peernet's
//! ([`wire`]).
//!
//! - Synchronization on connect is a range-based set reconciliation ([`reconcile`]):
//!   its cost follows the differences, not the database.
//! - Every accepted change is flooded to the other neighbours once: a record is relayed
//!   only when it was newer than what this member held, which deduplicates by (record
//!   id, version).
//! - Conflicts resolve by [MS-PPGRH] 3.1.7.32 ([`conflict`]); deletes are signed
//!   tombstones kept until the record's expiration; an expiration only grows.
//! - A record is validated before it is stored or relayed ([`validate`]); one whose
//!   modifier's membership has not arrived yet is deferred and validated when it does.
//! - Received records are written in batches, one transaction each.
//!
//! The engine that drives it runs in the store's node (`peernet::node`).

pub mod conflict;
pub mod reconcile;
pub mod validate;
pub mod wire;
