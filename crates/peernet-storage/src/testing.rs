//! Hooks for this workspace's tests and benchmarks: building large stores fast and
//! opening a store at an old schema version. Not part of the supported API; they skip
//! the checks and change-log rows of the ordinary calls.

use std::path::Path;

use crate::error::Result;
use crate::group::{GroupSecrets, NewGroup};
use crate::identity::NewIdentity;
use crate::records::RecordRow;
use crate::store::Store;

/// Opens a store, migrating it no further than `version`. For migration tests.
///
/// # Errors
/// As [`Store::open`].
pub fn open_at_schema_version(dir: impl AsRef<Path>, version: usize) -> Result<Store> {
    Store::open_at_schema_version(dir, version)
}

/// Inserts `count` identities, each with one group whose chain holds one (fake)
/// certificate, in one transaction. Peer names are `bench-identity-{i}` and
/// `bench-group-{i}` for `i` in `start..start + count`.
///
/// # Errors
/// A database failure (a duplicate name fails the whole transaction).
pub fn bulk_insert_groups(store: &Store, start: usize, count: usize) -> Result<()> {
    store.bulk_insert_for_bench(start, count)
}

/// Inserts, for each `i` in `range`, the identity and the group that `row(i)` gives
/// (identity, its PKCS#8 key, a group of that identity, the group's secrets), all in one
/// transaction and without the existence checks of [`Store::insert_identity`] and
/// [`Store::insert_group`]; keys are sealed as those calls seal them. Builds a store of a
/// million real rows (real certificate chains, sealed keys) in seconds.
///
/// # Errors
/// As the two calls it stands for (a duplicate row fails the whole transaction).
pub fn bulk_insert_rows<'k>(
    store: &Store,
    range: std::ops::Range<usize>,
    row: impl Fn(usize) -> (NewIdentity, &'k [u8], NewGroup, GroupSecrets<'k>),
) -> Result<()> {
    store.bulk_insert_rows_for_bench(range, row)
}

/// Inserts `count` records made by `make(i)` for `i` in `start..start + count` in one
/// transaction, without change-log rows or checks.
///
/// # Errors
/// A database failure (a duplicate id fails the whole transaction).
pub fn bulk_insert_records(
    store: &Store,
    identity: &str,
    group: &str,
    start: usize,
    count: usize,
    make: impl Fn(usize) -> RecordRow,
) -> Result<()> {
    store.write(|tx| {
        for i in start..start + count {
            crate::records::insert_row(tx, identity, group, &make(i))?;
        }
        Ok(())
    })
}
