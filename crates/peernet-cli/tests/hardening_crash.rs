//! Crash torture through the CLI: a seeded stream of mutating `peernet` invocations on one
//! store (identity create / import / delete, group create / join / import-config / delete),
//! each SIGKILLed at a seeded random moment (0–`KILL_WINDOW_MS` ms after spawn; an invocation
//! that ends first is simply acknowledged). After each invocation the test reopens the store
//! and checks: integrity_check and foreign keys pass, every acknowledged (exit 0) operation
//! is there, the store differs from the acknowledged state by at most the killed operation
//! (whole or not at all), every object is whole (`peernet_tests::torture::check_whole`).
//! Any other exit status (1, 101, a signal other than our kill) fails the test.
//!
//! Inputs the CLI needs (invitations, exported configurations) are prepared with the facade
//! between invocations, while no CLI process runs.
//!
//! Scale: `PEERNET_TORTURE_OPS` CLI invocations (default 80), `PEERNET_TORTURE_SEED`.

use std::path::PathBuf;

use std::time::{Duration, Instant};

use peernet::{Peernet, Profile};
use peernet_tests::store::fast_options;
use peernet_tests::torture::{self, Op, POOL_PASSWORD};

mod cli_torture;
use cli_torture::{Rng, choose, cli};

/// Kills land uniformly in this window after spawn; most debug-build invocations take
/// 15–60 ms, so about half of them are killed.
const KILL_WINDOW_MS: u64 = 60;

#[test]
fn kill_cli_at_random_points_loses_nothing() {
    let total = torture::torture_ops(80) as u64;
    let seed: u64 = std::env::var("PEERNET_TORTURE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0xc11_5eed);
    let mut rng = Rng(seed);
    let root = tempfile::tempdir().unwrap();
    let scratch = root.path().join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    let store = root.path().join("store");
    // Pool exports and their peer names.
    let pool: Vec<(PathBuf, String)> = {
        let files = torture::make_pool(&root.path().join("pool"), 6);
        let tmp = tempfile::tempdir().unwrap();
        let pn = Peernet::open_with(tmp.path(), fast_options()).unwrap();
        files
            .into_iter()
            .map(|p| {
                let name = pn
                    .identity_import(&std::fs::read_to_string(&p).unwrap(), &POOL_PASSWORD.into())
                    .unwrap();
                (p, name)
            })
            .collect()
    };
    // Two identities to start from (the store exists before the first kill).
    {
        let pn = Peernet::open_with(&store, fast_options()).unwrap();
        pn.identity_create(Some("seed0"), None, Some(Profile::Modern))
            .unwrap();
        pn.identity_create(Some("seed1"), None, Some(Profile::Windows))
            .unwrap();
    }
    let mut model = torture::state(&Peernet::open_with(&store, fast_options()).unwrap());
    let (mut acked, mut kills, mut committed_unacked) = (0u64, 0u64, 0u64);
    let mut by_kind: std::collections::BTreeMap<String, (u64, u64)> = Default::default();
    let mut longest = Duration::ZERO;
    let start = Instant::now();
    for seq in 0..total {
        let (mut op, args) = choose(&mut rng, &store, &scratch, &pool, seq, "");
        let delay = Duration::from_millis(rng.next() % KILL_WINDOW_MS);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let t = Instant::now();
        let mut child = cli(&store, &args).spawn().unwrap();
        let mut killed = false;
        loop {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if t.elapsed() >= delay {
                child.kill().unwrap(); // SIGKILL
                killed = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        let out = child.wait_with_output().unwrap();
        let took = t.elapsed();
        let entry = by_kind.entry(op.kind.clone()).or_default();
        let ack = if killed {
            kills += 1;
            entry.1 += 1;
            false
        } else {
            longest = longest.max(took);
            assert!(
                out.status.success(),
                "{args:?}: {} — {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
            entry.0 += 1;
            acked += 1;
            true
        };
        let pn = Peernet::open_with(&store, fast_options()).unwrap();
        torture::check_whole(&pn)
            .unwrap_or_else(|e| panic!("after {args:?} (killed: {killed}): {e}"));
        let actual = torture::state(&pn);
        if ack {
            op.name_from_output(&String::from_utf8_lossy(&out.stdout));
            op.apply(&mut model);
            assert_eq!(actual, model, "after acknowledged {args:?}");
        } else {
            Op::explains(Some(&op), &model, &actual)
                .unwrap_or_else(|e| panic!("after killing {args:?}: {e}"));
            if actual != model {
                committed_unacked += 1;
            }
            model = actual;
        }
    }
    eprintln!(
        "CLI crash torture: {total} invocations, {acked} acknowledged, {kills} SIGKILLs survived ({committed_unacked} after the commit), final store {} identities / {} memberships / {} records, longest acknowledged {longest:?}, {:.1} s; per kind (acknowledged, killed): {by_kind:?}",
        model.identities.len(),
        model.groups.len(),
        model.records.len(),
        start.elapsed().as_secs_f64()
    );
    assert!(kills > 0 && acked > 0);
}
