//! The CLI torture tests' shared part: a seeded generator, the `peernet` command, and the
//! chooser of the next mutating invocation (identity create / import / delete, group
//! create / join / import-config / delete, record add) on the objects a caller owns.

#![allow(dead_code)] // each test binary uses a different part

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use peernet::{Peernet, Role};
use peernet_tests::store::fast_options;
use peernet_tests::torture::{self, Op, POOL_PASSWORD};

/// splitmix64: a seeded, dependency-free generator.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<T: Clone>(&mut self, v: &[T]) -> Option<T> {
        (!v.is_empty()).then(|| v[self.below(v.len())].clone())
    }
}

/// A `peernet --store STORE ARGS…` command with piped output, closed input and the pool
/// password in `PEERNET_TORTURE_PW`.
pub fn cli(store: &Path, args: &[&str]) -> Command {
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
///
/// Only objects of `tag` are touched: identities whose classifier starts with `tag` and
/// their memberships (the empty tag owns everything). New classifiers start with `tag`.
/// `pool` holds the exports (and their peer names) this caller may import.
pub fn choose(
    rng: &mut Rng,
    store: &Path,
    scratch: &Path,
    pool: &[(PathBuf, String)],
    seq: u64,
    tag: &str,
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
    let mine = |peer_name: &str| {
        peer_name
            .split_once('.')
            .is_some_and(|(_, classifier)| classifier.starts_with(tag))
    };
    let ids: Vec<String> = s.identities.iter().filter(|i| mine(i)).cloned().collect();
    let groups: Vec<(String, String)> = s.groups.iter().filter(|(i, _)| mine(i)).cloned().collect();
    let file = |name: &str, text: &str| {
        let p = scratch.join(format!("{tag}{seq}-{name}.xml"));
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
                        format!("{tag}g{seq}"),
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
                        .export_config(&POOL_PASSWORD.into())
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
                        format!("torture record {tag}{seq}"),
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
        format!("{tag}i{seq}"),
        "--profile".into(),
        profile.into(),
    ];
    (op("create-identity", "-", "-"), args)
}
