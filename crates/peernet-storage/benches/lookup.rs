//! Lookup benchmarks: identity by peer name and group by (identity, group peer name) —
//! the open path — in stores of 1,000, 100,000 and 1,000,000 identities (each with one
//! group and a one-certificate chain), filled in one transaction.
//!
//! Run with `cargo bench -p peernet-storage --bench lookup`. Set
//! `PEERNET_BENCH_SIZES=1000,100000` to choose sizes.

use std::hint::black_box;
use std::time::Instant;

use criterion::{BenchmarkId, Criterion};
use peernet_storage::Store;

fn sizes() -> Vec<usize> {
    std::env::var("PEERNET_BENCH_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|s| s.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 100_000, 1_000_000])
}

/// A cheap pseudo-random walk over `0..n` so that lookups do not hit neighbouring rows.
struct Walk {
    state: u64,
    n: u64,
}

impl Walk {
    fn next(&mut self) -> usize {
        self.state = self
            .state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from((self.state >> 33) % self.n).unwrap_or(0)
    }
}

fn lookups(c: &mut Criterion) {
    let mut group = c.benchmark_group("store_lookup");
    group.sample_size(30);
    group.warm_up_time(std::time::Duration::from_secs(1));
    group.measurement_time(std::time::Duration::from_secs(3));
    for n in sizes() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = Store::open(dir.path().join("store")).expect("open");
        let started = Instant::now();
        peernet_storage::testing::bulk_insert_groups(&store, 0, n).expect("fill");
        eprintln!(
            "filled {n} identities + groups in {:.1?}",
            started.elapsed()
        );
        let mut walk = Walk {
            state: 42,
            n: n as u64,
        };
        group.bench_with_input(BenchmarkId::new("identity", n), &n, |b, _| {
            b.iter(|| {
                let i = walk.next();
                black_box(
                    store
                        .identity(&format!("bench-identity-{i}"))
                        .expect("identity"),
                )
            });
        });
        group.bench_with_input(BenchmarkId::new("group", n), &n, |b, _| {
            b.iter(|| {
                let i = walk.next();
                black_box(
                    store
                        .group(&format!("bench-identity-{i}"), &format!("bench-group-{i}"))
                        .expect("group"),
                )
            });
        });
        group.bench_with_input(BenchmarkId::new("identity_private_key", n), &n, |b, _| {
            b.iter(|| {
                let i = walk.next();
                black_box(
                    store
                        .identity_private_key(&format!("bench-identity-{i}"))
                        .expect("key"),
                )
            });
        });
    }
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default().configure_from_args();
    lookups(&mut criterion);
    criterion.final_summary();
}
