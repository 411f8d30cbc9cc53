//! Record benchmarks at 10,000 and 1,000,000 records in one group: adding a record
//! (`insert_record`: one `BEGIN IMMEDIATE` transaction with its change-log row, durable
//! with `synchronous = FULL`), getting one by id, and a full scan with
//! `for_each_record` evaluating a cheap predicate on the attribute XML, which is the shape
//! of `PeerGroupSearchRecords` in the facade. The store is bulk-filled in one transaction.
//!
//! Run with `cargo bench -p peernet-storage --bench records`. Set
//! `PEERNET_BENCH_SIZES=10000` to choose sizes.

use std::hint::black_box;
use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion};
use peernet_storage::{
    CloudScope, GroupCloud, GroupProperties, Guid, NewGroup, NewIdentity, RecordRow, Store,
};

fn sizes() -> Vec<usize> {
    std::env::var("PEERNET_BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10_000, 1_000_000])
}

fn guid(i: u64) -> Guid {
    // Spread ids over the key space as random GUIDs would be.
    let mut g = [0u8; 16];
    g[..8].copy_from_slice(&i.wrapping_mul(0x9e37_79b9_7f4a_7c15).to_be_bytes());
    g[8..].copy_from_slice(&i.to_be_bytes());
    Guid::from_bytes(g)
}

fn record(i: u64) -> RecordRow {
    RecordRow {
        id: guid(i),
        record_type: Guid::from_bytes([(i % 4) as u8; 16]),
        version: 1,
        flags: 0,
        creator_id: "0123456789abcdef0123456789abcdef01234567.bench".into(),
        modified_by_id: "0123456789abcdef0123456789abcdef01234567.bench".into(),
        attributes: Some(format!(
            "<attributes><attribute name=\"n\" type=\"int\">{i}</attribute><attribute name=\"s\" type=\"string\">item {}</attribute></attributes>",
            i % 97
        )),
        created: 133_000_000_000_000_000,
        expiration: 134_000_000_000_000_000,
        last_modified: 133_000_000_000_000_000,
        data: vec![0x42; 64],
        security_data: vec![0x17; 64],
    }
}

fn setup(n: usize) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let store = Store::open(dir.path().join("store")).expect("open");
    store
        .insert_identity(
            &NewIdentity {
                peer_name: "a.bench".into(),
                friendly_name: "bench".into(),
                profile: "modern".into(),
                idc: vec![0x30; 64],
            },
            &[0x42; 32],
        )
        .expect("identity");
    store
        .insert_group(
            &NewGroup {
                identity: "a.bench".into(),
                group_peer_name: "g.bench".into(),
                classifier: "bench".into(),
                cloud: GroupCloud {
                    name: "Global_".into(),
                    scope: CloudScope::Global,
                    scope_id: 0,
                    flags: 0,
                },
                profile: "modern".into(),
                gmc_chain: vec![vec![0x30; 64]],
                properties: GroupProperties {
                    friendly_name: "bench".into(),
                    flags: 0,
                    creator_peer_name: "a.bench".into(),
                    comment: String::new(),
                    member_data_lifetime: 2_419_200,
                    presence_lifetime: 300,
                    authentication_schemes: 1,
                    password_role: None,
                },
                status: 0,
            },
            Default::default(),
        )
        .expect("group");
    let started = Instant::now();
    let chunk = 100_000;
    let mut done = 0;
    while done < n {
        let count = chunk.min(n - done);
        peernet_storage::testing::bulk_insert_records(
            &store,
            "a.bench",
            "g.bench",
            done,
            count,
            |i| record(i as u64),
        )
        .expect("fill");
        done += count;
    }
    eprintln!("filled {n} records in {:.1?}", started.elapsed());
    (dir, store)
}

fn records(c: &mut Criterion) {
    let mut group = c.benchmark_group("records");
    group.warm_up_time(Duration::from_secs(1));
    for n in sizes() {
        let (_dir, store) = setup(n);
        let mut next = n as u64;
        group.sample_size(20);
        group.measurement_time(Duration::from_secs(4));
        group.bench_with_input(BenchmarkId::new("insert_record", n), &n, |b, _| {
            b.iter(|| {
                next += 1;
                store
                    .insert_record("a.bench", "g.bench", &record(next))
                    .expect("insert")
            });
        });
        let mut probe = 0u64;
        group.bench_with_input(BenchmarkId::new("get_record", n), &n, |b, _| {
            b.iter(|| {
                probe = (probe + 7919) % n as u64;
                black_box(
                    store
                        .record("a.bench", "g.bench", &guid(probe))
                        .expect("get"),
                )
            });
        });
        group.sample_size(10);
        group.measurement_time(Duration::from_secs(if n > 100_000 { 30 } else { 4 }));
        group.bench_with_input(BenchmarkId::new("scan_search", n), &n, |b, _| {
            b.iter(|| {
                let mut hits = 0u64;
                store
                    .for_each_record("a.bench", "g.bench", None, |r| {
                        if r.attributes
                            .as_deref()
                            .is_some_and(|a| a.contains(">item 42<"))
                        {
                            hits += 1;
                        }
                        ControlFlow::Continue(())
                    })
                    .expect("scan");
                black_box(hits)
            });
        });
    }
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    records(&mut criterion);
    criterion.final_summary();
}
