//! Several threads and processes on one store, and crash safety under SIGKILL.
//!
//! Child processes are this test binary re-executed with `--exact
//! processes::child_entry`; the environment variable [`ROLE_ENV`] selects what the child
//! does. Without it `child_entry` does nothing.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use peernet_storage::{Error, GroupSecrets, Store};

use crate::common::{group, identity, pkcs8, tempdir};

/// Selects the child role.
pub const ROLE_ENV: &str = "PEERNET_STORAGE_TEST_ROLE";
/// The store directory for the child.
pub const DIR_ENV: &str = "PEERNET_STORAGE_TEST_DIR";
/// The child's index (worker) or round (crash writer).
const INDEX_ENV: &str = "PEERNET_STORAGE_TEST_INDEX";

/// Operations per worker process.
const WORKER_ITERATIONS: usize = 30;
/// Worker processes.
const WORKERS: usize = 4;

pub fn child_command(role: &str, dir: &Path, index: usize) -> Command {
    let mut cmd = Command::new(std::env::current_exe().expect("current exe"));
    cmd.args([
        "processes::child_entry",
        "--exact",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(ROLE_ENV, role)
    .env(DIR_ENV, dir)
    .env(INDEX_ENV, index.to_string());
    cmd
}

/// Entry point of child processes; a no-op in the normal test run.
#[test]
fn child_entry() {
    let Ok(role) = std::env::var(ROLE_ENV) else {
        return;
    };
    let dir = PathBuf::from(std::env::var_os(DIR_ENV).expect("store dir"));
    let index: usize = std::env::var(INDEX_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    match role.as_str() {
        "open-store" => {
            let outcome = match Store::open(&dir) {
                Ok(_) => "Ok".to_owned(),
                Err(e @ Error::NoKeyAccess { .. }) => format!("NoKeyAccess {e}"),
                Err(e) => format!("Other {e:?}"),
            };
            println!("RESULT {outcome}");
        }
        "default-dir" => {
            let store = Store::open_default().expect("open default");
            println!("RESULT {}", store.dir().display());
        }
        "worker" => worker(&dir, index),
        "crash-writer" => crash_writer(&dir, index),
        "record-writer" => crate::changes::record_writer(&dir),
        other => panic!("unknown child role {other}"),
    }
}

fn worker_names(worker: usize, k: usize) -> (String, String) {
    (
        format!("w{worker}-{k:03}.worker"),
        format!("w{worker}-{k:03}.group"),
    )
}

fn worker(dir: &Path, me: usize) {
    let mut store = Store::open(dir).expect("open");
    for k in 0..WORKER_ITERATIONS {
        if k == WORKER_ITERATIONS / 2 {
            // Reopen while the others keep writing.
            store = Store::open(dir).expect("reopen");
        }
        let (id, g) = worker_names(me, k);
        store
            .insert_identity(&identity(&id), &pkcs8(&id))
            .expect("insert identity");
        store
            .insert_group(
                &group(&id, &g, 3),
                GroupSecrets {
                    group_key: Some(id.as_bytes()),
                    password_verifier: None,
                },
            )
            .expect("insert group");
        assert_eq!(store.group(&id, &g).expect("group").gmc_chain.len(), 3);
        assert_eq!(
            &*store.identity_private_key(&id).expect("key"),
            &pkcs8(&id)[..]
        );
        assert!(
            store
                .identities()
                .expect("list")
                .iter()
                .any(|i| i.peer_name == id)
        );
        store.all_groups().expect("all groups");
        if k % 2 == 0 {
            assert!(matches!(
                store.delete_identity(&id),
                Err(Error::GroupsExist { .. })
            ));
            store.delete_group(&id, &g).expect("delete group");
            store.delete_identity(&id).expect("delete identity");
        } else {
            store
                .upsert_group(&group(&id, &g, 4), GroupSecrets::default())
                .expect("upsert");
        }
    }
}

#[test]
fn processes_share_one_store() {
    let dir = tempdir();
    // The store does not exist yet: the children race to create directory, key and schema.
    let store_dir = dir.path().join("store");
    let children: Vec<_> = (0..WORKERS)
        .map(|i| {
            child_command("worker", &store_dir, i)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for (i, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "worker {i} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let store = Store::open(&store_dir).expect("open");
    store.check_integrity().expect("integrity");
    let identities = store.identities().expect("list");
    assert_eq!(identities.len(), WORKERS * WORKER_ITERATIONS / 2);
    for w in 0..WORKERS {
        for k in 0..WORKER_ITERATIONS {
            let (id, g) = worker_names(w, k);
            if k % 2 == 0 {
                assert!(matches!(store.identity(&id), Err(Error::NotFound { .. })));
            } else {
                assert_eq!(
                    &*store.identity_private_key(&id).expect("key"),
                    &pkcs8(&id)[..]
                );
                let got = store.group(&id, &g).expect("group");
                assert_eq!(got.gmc_chain.len(), 4, "{id}");
                assert!(!got.has_group_key);
            }
        }
    }
}

#[test]
fn threads_share_one_handle() {
    let dir = tempdir();
    let store = Arc::new(crate::common::open(dir.path()));
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                for k in 0..25 {
                    let id = format!("t{t}-{k}.thread");
                    store
                        .insert_identity(&identity(&id), &pkcs8(&id))
                        .expect("insert");
                    store.identity(&id).expect("get");
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread");
    }
    assert_eq!(store.identities().expect("list").len(), 100);
}

#[test]
fn open_default_uses_peernet_home() {
    let dir = tempdir();
    let home = dir.path().join("home-store");
    let out = child_command("default-dir", &home, 0)
        .env("PEERNET_HOME", &home)
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("RESULT {}", home.display())),
        "{stdout}"
    );
    assert!(home.join("store.key").is_file() && home.join("store.db").is_file());
}

/// Length of the chain written for generation `gen`: a different number of rows each
/// time, so that a half-applied replacement would show.
fn chain_len(generation: usize) -> usize {
    6 + 3 * generation
}

fn crash_cert(round: usize, i: usize, generation: usize, pos: usize) -> Vec<u8> {
    format!(
        "r{round} i{i} gen{generation} pos{pos}/{}",
        chain_len(generation)
    )
    .into_bytes()
}

fn crash_names(round: usize, i: usize) -> (String, String) {
    (
        format!("r{round}-{i:05}.crash"),
        format!("r{round}-{i:05}.group"),
    )
}

fn crash_group(round: usize, i: usize, generation: usize) -> peernet_storage::NewGroup {
    let (id, g) = crash_names(round, i);
    let mut new = group(&id, &g, 0);
    new.gmc_chain = (0..chain_len(generation))
        .map(|p| crash_cert(round, i, generation, p))
        .collect();
    new.properties.comment = format!("gen{generation}");
    new
}

/// Writes until killed, printing `ACK …` (flushed) after each acknowledged write.
fn crash_writer(dir: &Path, round: usize) {
    let store = Store::open(dir).expect("open");
    let stdout = std::io::stdout();
    let ack = |line: String| {
        let mut out = stdout.lock();
        writeln!(out, "ACK {line}").expect("stdout");
        out.flush().expect("flush");
    };
    for i in 0..100_000 {
        let (id, _) = crash_names(round, i);
        store
            .insert_identity(&identity(&id), &pkcs8(&id))
            .expect("identity");
        ack(format!("identity {i}"));
        store
            .insert_group(&crash_group(round, i, 0), GroupSecrets::default())
            .expect("group");
        ack(format!("group {i} 0"));
        for generation in 1..=2 {
            store
                .upsert_group(&crash_group(round, i, generation), GroupSecrets::default())
                .expect("upsert");
            ack(format!("group {i} {generation}"));
        }
    }
}

/// Checks that a group's chain is one whole generation and matches its comment.
fn assert_group_whole(store: &Store, round: usize, i: usize) -> usize {
    let (id, g) = crash_names(round, i);
    let got = store.group(&id, &g).expect("group");
    let generation: usize = got
        .properties
        .comment
        .strip_prefix("gen")
        .and_then(|n| n.parse().ok())
        .expect("generation in comment");
    let expected: Vec<_> = (0..chain_len(generation))
        .map(|p| crash_cert(round, i, generation, p))
        .collect();
    assert_eq!(
        got.gmc_chain, expected,
        "{g}: chain is not whole generation {generation}"
    );
    generation
}

#[test]
fn sigkill_loses_no_acknowledged_write() {
    let dir = tempdir();
    let store_dir = dir.path().join("store");
    for round in 0..3 {
        let mut child = child_command("crash-writer", &store_dir, round)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut acked_identities = Vec::new();
        let mut acked_groups: BTreeMap<usize, usize> = BTreeMap::new();
        let mut record = |line: &str| {
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["ACK", "identity", i] => acked_identities.push(i.parse::<usize>().expect("i")),
                ["ACK", "group", i, generation] => {
                    acked_groups.insert(i.parse().expect("i"), generation.parse().expect("gen"));
                }
                _ => {}
            }
        };
        let mut acks = 0;
        // Kill after a number of acknowledged writes that varies per round.
        let kill_after = 25 + 13 * round;
        for line in lines.by_ref() {
            let line = line.expect("line");
            if line.starts_with("ACK ") {
                acks += 1;
            }
            record(&line);
            if acks == kill_after {
                child.kill().expect("SIGKILL");
                break;
            }
        }
        // Lines flushed before the kill were acknowledged too.
        for line in lines {
            match line {
                Ok(line) => record(&line),
                Err(_) => break,
            }
        }
        child.wait().expect("reap");
        assert!(acks >= kill_after, "child stopped early after {acks} acks");

        let store = Store::open(&store_dir).expect("reopen after SIGKILL");
        store
            .check_integrity()
            .expect("integrity_check and foreign_key_check");
        for &i in &acked_identities {
            let (id, _) = crash_names(round, i);
            assert_eq!(
                &*store.identity_private_key(&id).expect("acked identity"),
                &pkcs8(&id)[..]
            );
        }
        for (&i, &generation) in &acked_groups {
            let stored = assert_group_whole(&store, round, i);
            assert!(
                stored >= generation,
                "group {i}: acked gen {generation}, stored {stored}"
            );
        }
        // Whatever else is there (the write in flight) is whole as well.
        let mut unacknowledged = 0;
        for g in store.all_groups().expect("all") {
            if let Some(rest) = g.identity.strip_prefix(&format!("r{round}-")) {
                let i: usize = rest.trim_end_matches(".crash").parse().expect("index");
                let generation = assert_group_whole(&store, round, i);
                if acked_groups.get(&i) != Some(&generation) {
                    unacknowledged += 1;
                }
            }
        }
        eprintln!(
            "round {round}: killed after {acks} acks; {unacknowledged} committed but unacknowledged group write(s)"
        );
    }
}
