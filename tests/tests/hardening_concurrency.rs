//! Concurrency torture: N processes (this test binary re-executed with
//! `PEERNET_CONC_CHILD`) each run M mixed operations on ONE store at the same time: create
//! and import identities, create groups, open them, invite and join between identities of
//! the same store, export and import configurations, publish group records, delete. No operation may fail (besides
//! the PEER_E_ALREADY_EXISTS each worker provokes on purpose and expects), and the final
//! store must be exactly the sum of every process's acknowledged operations, every object
//! whole.
//!
//! Scale: `PEERNET_TORTURE_PROCS` processes (default 8) × `PEERNET_TORTURE_OPS` operations
//! (default 60). The full run (8 × 500) is recorded in docs/RELIABILITY.md.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use peernet::Peernet;
use peernet_tests::store::fast_options;
use peernet_tests::torture::{self, Op, State, Worker};

const CHILD_ENV: &str = "PEERNET_CONC_CHILD";

/// One worker process; a no-op (passing) test unless `PEERNET_CONC_CHILD` is set.
#[test]
fn concurrency_child() {
    let Some(root) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let root = PathBuf::from(root);
    let index: usize = std::env::var("PEERNET_CONC_INDEX")
        .unwrap()
        .parse()
        .unwrap();
    let procs: usize = std::env::var("PEERNET_CONC_PROCS")
        .unwrap()
        .parse()
        .unwrap();
    let ops: usize = std::env::var("PEERNET_CONC_OPS").unwrap().parse().unwrap();
    let mut pool: Vec<PathBuf> = std::fs::read_dir(root.join("pool"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    pool.sort();
    let mine: Vec<PathBuf> = pool
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % procs == index)
        .map(|(_, p)| p)
        .collect();
    let pn = Peernet::open_with(root.join("store"), fast_options()).unwrap();
    let mut out = std::io::stdout();
    let tag = format!("p{index}x");
    let mut w = Worker::new(pn, &tag, mine, &mut out, 0xc0c0 + index as u64, 0);
    for _ in 0..ops {
        if let Err(e) = w.step() {
            println!("ERROR {e}");
            std::process::exit(3);
        }
    }
    let provoked = w.provoked;
    println!("DONE {provoked}");
}

#[test]
fn many_processes_one_store() {
    let procs: usize = torture::torture_procs(8);
    let ops = torture::torture_ops(60);
    let root = tempfile::tempdir().unwrap();
    torture::make_pool(&root.path().join("pool"), procs * 2);
    // Create the store once before the workers start (as an installer would).
    let pn = Peernet::open_with(root.path().join("store"), fast_options()).unwrap();
    let exe = std::env::current_exe().unwrap();
    let start = Instant::now();
    let children: Vec<_> = (0..procs)
        .map(|i| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "concurrency_child",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CHILD_ENV, root.path())
                .env("PEERNET_CONC_INDEX", i.to_string())
                .env("PEERNET_CONC_PROCS", procs.to_string())
                .env("PEERNET_CONC_OPS", ops.to_string())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut expected = State::default();
    let mut acked = 0u64;
    let mut provoked = 0u64;
    let mut errors = Vec::new();
    for (i, mut child) in children.into_iter().enumerate() {
        let stdout = child.stdout.take().unwrap();
        let mut done = false;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some((true, op)) = Op::parse_line(&line) {
                op.apply(&mut expected);
                acked += 1;
            } else if let Some(n) = line.strip_prefix("DONE ") {
                provoked += n.trim().parse::<u64>().unwrap();
                done = true;
            } else if line.starts_with("ERROR ") {
                errors.push(format!("process {i}: {line}"));
            }
        }
        let out = child.wait_with_output().unwrap();
        if !out.status.success() || !done {
            errors.push(format!(
                "process {i} exited {} (done: {done}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    let wall = start.elapsed().as_secs_f64();
    let actual = torture::assert_sum_of_acknowledged(&pn, &errors, &expected);
    eprintln!(
        "concurrency torture: {procs} processes x {ops} operations, {acked} acknowledged, {provoked} provoked errors as expected, 0 unexpected errors, {:.1} s wall, {:.0} ops/s, final store {} identities / {} memberships / {} records",
        wall,
        acked as f64 / wall,
        actual.identities.len(),
        actual.groups.len(),
        actual.records.len()
    );
}
