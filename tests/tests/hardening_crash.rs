//! Crash torture: a child process (this test binary re-executed with `PEERNET_CRASH_CHILD`)
//! drives the facade with a seeded stream of mutating operations on one store, writing a
//! flushed `ACK` line after each; the parent SIGKILLs it at seeded random points, reopens the
//! store and checks: integrity_check passes, every acknowledged operation is there, nothing
//! else changed except possibly the one operation in flight, and every stored object is whole
//! (keys unseal and match their certificates, chains validate, groups open).
//!
//! Scale: `PEERNET_TORTURE_OPS` acknowledged operations in total (default 60) and at least
//! `PEERNET_CRASH_KILLS` kills (default 20); `PEERNET_TORTURE_SEED` changes the seed.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use peernet::Peernet;
use peernet_tests::store::fast_options;
use peernet_tests::torture::{self, Op, State, Worker};
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

const CHILD_ENV: &str = "PEERNET_CRASH_CHILD";

/// The child's body; a no-op (passing) test unless `PEERNET_CRASH_CHILD` is set.
#[test]
fn crash_child() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let dir = PathBuf::from(dir);
    let seed: u64 = std::env::var("PEERNET_CRASH_SEED")
        .unwrap()
        .parse()
        .unwrap();
    let first: u64 = std::env::var("PEERNET_CRASH_FIRST")
        .unwrap()
        .parse()
        .unwrap();
    let pool: Vec<PathBuf> = std::fs::read_dir(dir.join("pool"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    let pn = Peernet::open_with(dir.join("store"), fast_options()).unwrap();
    let mut out = std::io::stdout();
    let mut w = Worker::new(pn, "c", pool, &mut out, seed, first);
    // Runs until killed (or 10,000 operations).
    for _ in 0..10_000 {
        if let Err(e) = w.step() {
            println!("ERROR {e}");
            std::process::exit(3);
        }
    }
}

#[test]
fn kill_at_random_points_loses_nothing() {
    let total = torture::torture_ops(60) as u64;
    let seed: u64 = std::env::var("PEERNET_TORTURE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed);
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let root = tempfile::tempdir().unwrap();
    torture::make_pool(&root.path().join("pool"), 6);
    let store_dir = root.path().join("store");
    let exe = std::env::current_exe().unwrap();
    let mut model = State::default();
    let mut acked = 0u64;
    let mut kills = 0u64;
    let mut in_flight_at_kill = 0u64;
    let mut committed_unacked = 0u64;
    let mut round = 0u64;
    let start = Instant::now();
    let min_kills: u64 = std::env::var("PEERNET_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    while acked < total || kills < min_kills {
        round += 1;
        let mut child = Command::new(&exe)
            .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, root.path())
            .env(
                "PEERNET_CRASH_SEED",
                (seed ^ round.wrapping_mul(0x9e37_79b9)).to_string(),
            )
            .env(
                "PEERNET_CRASH_FIRST",
                (acked + round * 1_000_000).to_string(),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        // Kill after 1..=3 acknowledgements plus 0..25 ms (inside the next operation).
        let target_acks = 1 + u64::from(rng.next_u32() % 3);
        let extra = Duration::from_millis(u64::from(rng.next_u32() % 25));
        let mut seen = 0u64;
        let deadline = Instant::now() + Duration::from_secs(120);
        let mut lines = Vec::new();
        while seen < target_acks && Instant::now() < deadline {
            match rx.recv_timeout(Duration::from_millis(200)) {
                Ok(l) => {
                    if l.starts_with("ACK ") {
                        seen += 1;
                    }
                    assert!(!l.starts_with("ERROR "), "child failed: {l}");
                    lines.push(l);
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if let Ok(Some(status)) = child.try_wait() {
                        panic!("child exited early: {status}; lines {lines:?}");
                    }
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        std::thread::sleep(extra);
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        kills += 1;
        reader.join().unwrap();
        lines.extend(rx.try_iter());
        let mut in_flight: Option<Op> = None;
        for l in &lines {
            assert!(!l.starts_with("ERROR "), "child failed: {l}");
            if let Some((ack, op)) = Op::parse_line(l) {
                if ack {
                    op.apply(&mut model);
                    acked += 1;
                    in_flight = None;
                } else {
                    in_flight = Some(op);
                }
            }
        }
        if in_flight.is_some() {
            in_flight_at_kill += 1;
        }
        // Reopen and check.
        let pn = Peernet::open_with(&store_dir, fast_options()).unwrap();
        torture::check_whole(&pn)
            .unwrap_or_else(|e| panic!("after kill {kills} (in flight {in_flight:?}): {e}"));
        let actual = torture::state(&pn);
        Op::explains(in_flight.as_ref(), &model, &actual)
            .unwrap_or_else(|e| panic!("after kill {kills}: {e}"));
        if actual != model {
            committed_unacked += 1;
            if std::env::var_os("PEERNET_CRASH_DEBUG").is_some() {
                eprintln!("committed, not acknowledged: {in_flight:?}");
            }
        }
        model = actual;
    }
    eprintln!(
        "crash torture: {kills} kills survived, {acked} acknowledged operations, {in_flight_at_kill} kills inside an operation ({committed_unacked} of them after its commit, before its ACK), final store {} identities / {} memberships / {} records, {:.1} s",
        model.identities.len(),
        model.groups.len(),
        model.records.len(),
        start.elapsed().as_secs_f64()
    );
    assert!(kills >= min_kills);
}
