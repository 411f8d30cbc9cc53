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

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use peernet::{Peernet, Profile, Role};
use peernet_tests::store::fast_options;
use peernet_tests::torture::{self, Op, POOL_PASSWORD};

/// Kills land uniformly in this window after spawn; most debug-build invocations take
/// 15–60 ms, so about half of them are killed.
const KILL_WINDOW_MS: u64 = 60;

/// splitmix64: a seeded, dependency-free generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<T: Clone>(&mut self, v: &[T]) -> Option<T> {
        (!v.is_empty()).then(|| v[self.below(v.len())].clone())
    }
}

fn cli(store: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_peernet"));
    c.env_remove("PEERNET_HOME")
        .env_remove("PEERNET_PFX_ITERATIONS")
        .env("PEERNET_TORTURE_PW", POOL_PASSWORD)
        .arg("--store")
        .arg(store)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// The next operation: (op for the model, CLI arguments). Identities and groups the CLI
/// creates are named by its output; `Op::explains` accepts any one new object for them.
fn choose(
    rng: &mut Rng,
    store: &Path,
    scratch: &Path,
    pool: &[(PathBuf, String)],
    seq: u64,
) -> (Op, Vec<String>) {
    let pn = Peernet::open_with(store, fast_options()).unwrap();
    let s = torture::state(&pn);
    let op = |kind: &str, identity: &str, group: &str| Op {
        seq,
        kind: kind.to_owned(),
        identity: identity.to_owned(),
        group: group.to_owned(),
        record: "-".to_owned(),
    };
    let ids: Vec<String> = s.identities.iter().cloned().collect();
    let groups: Vec<(String, String)> = s.groups.iter().cloned().collect();
    let file = |name: &str, text: &str| {
        let p = scratch.join(format!("{seq}-{name}.xml"));
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    for _ in 0..20 {
        match rng.below(100) {
            0..=9 => {
                let free: Vec<String> = ids
                    .iter()
                    .filter(|i| !groups.iter().any(|(gi, _)| gi == *i))
                    .cloned()
                    .collect();
                if ids.len() > 2
                    && let Some(id) = rng.pick(&free)
                {
                    let args = vec!["identity".into(), "delete".into(), id.clone()];
                    return (op("delete-identity", &id, "-"), args);
                }
            }
            10..=19 => {
                let absent: Vec<&(PathBuf, String)> = pool
                    .iter()
                    .filter(|(_, n)| !s.identities.contains(n))
                    .collect();
                if let Some((p, name)) = rng.pick(&absent) {
                    let args = vec![
                        "identity".into(),
                        "import".into(),
                        p.display().to_string(),
                        "--passin".into(),
                        "env:PEERNET_TORTURE_PW".into(),
                    ];
                    return (op("import-identity", name, "-"), args);
                }
            }
            20..=34 => {
                if let Some(id) = rng.pick(&ids) {
                    let args = vec![
                        "group".into(),
                        "create".into(),
                        "--identity".into(),
                        id.clone(),
                        "--classifier".into(),
                        format!("g{seq}"),
                    ];
                    return (op("create-group", &id, "-"), args);
                }
            }
            35..=54 => {
                let owned: Vec<(String, String)> = groups
                    .iter()
                    .filter(|(i, g)| pn.store().group(i, g).is_ok_and(|r| r.has_group_key))
                    .cloned()
                    .collect();
                if let Some((owner, g)) = rng.pick(&owned) {
                    let profile = pn.store().group(&owner, &g).unwrap().profile;
                    let outsiders: Vec<String> = ids
                        .iter()
                        .filter(|i| !s.groups.contains(&((*i).clone(), g.clone())))
                        .filter(|i| {
                            pn.identity_details(i)
                                .is_ok_and(|d| d.profile.as_str() == profile)
                        })
                        .cloned()
                        .collect();
                    if let Some(invitee) = rng.pick(&outsiders) {
                        let group = pn.group_open(&owner, &g, None).unwrap();
                        let info = pn.identity_get_xml(Some(&invitee)).unwrap();
                        let inv = group
                            .create_invitation(&info, None, &[Role::MEMBER])
                            .unwrap();
                        let args = vec![
                            "group".into(),
                            "join".into(),
                            "--identity".into(),
                            invitee.clone(),
                            file("inv", &inv),
                        ];
                        return (op("join", &invitee, &g), args);
                    }
                }
            }
            55..=69 => {
                // A configuration exported now, imported with --overwrite: replaces the
                // membership, or brings it back after a later delete.
                if let Some((id, g)) = rng.pick(&groups) {
                    let xml = pn
                        .group_open(&id, &g, None)
                        .unwrap()
                        .export_config(POOL_PASSWORD)
                        .unwrap();
                    let args = vec![
                        "group".into(),
                        "import-config".into(),
                        file("config", &xml),
                        "--passin".into(),
                        "env:PEERNET_TORTURE_PW".into(),
                        "--overwrite".into(),
                    ];
                    return (op("import-config", &id, &g), args);
                }
            }
            70..=84 => {
                if groups.len() > 2
                    && let Some((id, g)) = rng.pick(&groups)
                {
                    let args = vec![
                        "group".into(),
                        "delete".into(),
                        "--identity".into(),
                        id.clone(),
                        g.clone(),
                    ];
                    return (op("delete-group", &id, &g), args);
                }
            }
            85..=92 => {
                // A record published by a member (PeerGroupAddRecord).
                if let Some((id, g)) = rng.pick(&groups) {
                    let args = vec![
                        "record".into(),
                        "add".into(),
                        "--identity".into(),
                        id.clone(),
                        g.clone(),
                        "--type".into(),
                        format!("{{{:08x}-0000-4000-8000-{:012x}}}", rng.next() as u32, seq),
                        "--data".into(),
                        format!("crash torture record {seq}"),
                        "--expires".into(),
                        "1h".into(),
                    ];
                    return (op("record-add", &id, &g), args);
                }
            }
            // Create an identity (one in four windows profile).
            _ => break,
        }
    }
    let profile = if rng.below(4) == 0 {
        "windows"
    } else {
        "modern"
    };
    let args = vec![
        "identity".into(),
        "create".into(),
        "--classifier".into(),
        format!("i{seq}"),
        "--profile".into(),
        profile.into(),
    ];
    (op("create-identity", "-", "-"), args)
}

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
                    .identity_import(&std::fs::read_to_string(&p).unwrap(), POOL_PASSWORD)
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
        let (mut op, args) = choose(&mut rng, &store, &scratch, &pool, seq);
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
            // Name what the CLI created from its output.
            let printed = String::from_utf8_lossy(&out.stdout).trim().to_owned();
            match op.kind.as_str() {
                "create-identity" => op.identity = printed,
                "create-group" => op.group = printed,
                "record-add" => op.record = printed,
                _ => {}
            }
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
