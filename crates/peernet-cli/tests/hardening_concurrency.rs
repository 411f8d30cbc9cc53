//! Concurrency torture through the CLI: `PEERNET_TORTURE_PROCS` workers (default 8) each run
//! a seeded stream of mutating `peernet --store DIR …` invocations on ONE store at the same
//! time — identity create / import / delete, group create / join / import-config / delete,
//! record add — one `peernet` process after another, so up to that many processes use the
//! store at once. Each worker touches only its own objects (classifiers starting with its
//! tag) and prepares invitations and exported configurations with the facade between its
//! invocations.
//!
//! Checked: every invocation exits 0 (no error surfaces: no `PEER_E_*`, no "database is
//! locked"); afterwards `integrity_check` passes, every object is whole
//! (`peernet_tests::torture::check_whole`), and the store is exactly the sum of every
//! worker's acknowledged operations (identities, memberships, records).
//!
//! Scale: `PEERNET_TORTURE_OPS` invocations per worker (default 25; the full run, 500, is
//! in docs/RELIABILITY.md and `.ci/run`).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use peernet::Peernet;
use peernet_tests::store::fast_options;
use peernet_tests::torture::{self, Op, POOL_PASSWORD, State};

mod cli_torture;
use cli_torture::{Rng, choose, cli};

/// What one worker did: its acknowledged operations in order, and its slowest invocation.
struct Outcome {
    acked: Vec<Op>,
    slowest: Duration,
}

fn worker(
    index: usize,
    ops: usize,
    store: PathBuf,
    scratch: PathBuf,
    pool: Vec<(PathBuf, String)>,
) -> Result<Outcome, String> {
    let tag = format!("w{index}x");
    let mut rng = Rng(0xc0c0_u64 + index as u64);
    let mut acked = Vec::new();
    let mut slowest = Duration::ZERO;
    for seq in 0..ops as u64 {
        let (mut op, args) = choose(&mut rng, &store, &scratch, &pool, seq, &tag);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let t = Instant::now();
        let out = cli(&store, &args)
            .output()
            .map_err(|e| format!("worker {index}: cannot run peernet: {e}"))?;
        slowest = slowest.max(t.elapsed());
        if !out.status.success() {
            return Err(format!(
                "worker {index}, invocation {seq} {args:?}: {} — {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        op.name_from_output(&String::from_utf8_lossy(&out.stdout));
        acked.push(op);
    }
    Ok(Outcome { acked, slowest })
}

#[test]
fn many_cli_processes_one_store() {
    let procs: usize = torture::torture_procs(8);
    let ops = torture::torture_ops(25);
    let root = tempfile::tempdir().unwrap();
    let store = root.path().join("store");
    let scratch = root.path().join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    // Two pool exports per worker, with their peer names.
    let files = torture::make_pool(&root.path().join("pool"), procs * 2);
    let names: Vec<String> = {
        let tmp = tempfile::tempdir().unwrap();
        let pn = Peernet::open_with(tmp.path(), fast_options()).unwrap();
        files
            .iter()
            .map(|p| {
                pn.identity_import(&std::fs::read_to_string(p).unwrap(), &POOL_PASSWORD.into())
                    .unwrap()
            })
            .collect()
    };
    // The store exists before the workers start (as an installer would make it).
    let pn = Peernet::open_with(&store, fast_options()).unwrap();
    let start = Instant::now();
    let results: Vec<Result<Outcome, String>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..procs)
            .map(|i| {
                let pool: Vec<(PathBuf, String)> = files
                    .iter()
                    .cloned()
                    .zip(names.iter().cloned())
                    .enumerate()
                    .filter(|(k, _)| k % procs == i)
                    .map(|(_, p)| p)
                    .collect();
                let (store, scratch) = (store.clone(), scratch.clone());
                s.spawn(move || worker(i, ops, store, scratch, pool))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let wall = start.elapsed().as_secs_f64();
    let mut expected = State::default();
    let mut errors = Vec::new();
    let mut acked = 0usize;
    let mut slowest = Duration::ZERO;
    let mut by_kind: std::collections::BTreeMap<String, usize> = Default::default();
    for r in results {
        match r {
            Ok(o) => {
                for op in &o.acked {
                    op.apply(&mut expected);
                    *by_kind.entry(op.kind.clone()).or_default() += 1;
                }
                acked += o.acked.len();
                slowest = slowest.max(o.slowest);
            }
            Err(e) => errors.push(e),
        }
    }
    let actual = torture::assert_sum_of_acknowledged(&pn, &errors, &expected);
    eprintln!(
        "CLI concurrency torture: {procs} workers x {ops} invocations, {acked} acknowledged, 0 errors, {wall:.1} s wall, {:.0} invocations/s, slowest {slowest:?}, final store {} identities / {} memberships / {} records; per kind: {by_kind:?}",
        acked as f64 / wall,
        actual.identities.len(),
        actual.groups.len(),
        actual.records.len()
    );
}
