//! The hostile corpus (`fixtures/hostile/manifest.txt`) through the `peernet` binary: every
//! row whose entry point has a CLI command runs as one process against a pre-populated
//! store and must exit 1 with `error: <expected HRESULT name> (0x…)` as the first stderr
//! line (exit 0 for `S_OK` rows), never crash (signal, exit 101, "panicked"), and leave the
//! store's canonical dump and `store.db` bytes unchanged.
//!
//! All 390 rows run in `cargo test` (about 3.5 s in a debug build: one process per row).
//!
//! One documented difference from the facade: the CLI reads documents as UTF-8 and refuses
//! a file that is not UTF-8 before parsing (`E_INVALIDARG`, "… is not UTF-8 text"), where
//! the Rust API only ever sees the lossy conversion (`hardening_corpus` in `peernet-tests`).
//! Rows whose file is not valid UTF-8 therefore expect `E_INVALIDARG` here.
//!
//! Rows map to: `identity_import` → `identity import FILE --passin env:…`,
//! `group_import_config` → `group import-config FILE --passin env:…`, `group_join` →
//! `group join --identity OWNER FILE`, `group_parse_invitation` → `group parse-invitation
//! FILE`, `create_invitation` → `group invite --identity OWNER GROUP --invitee FILE`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use peernet::Peernet;
use peernet_tests::hostile::{self, Entry, PASSWORD};
use peernet_tests::store::{db_fingerprint, dump, fast_options};

struct Fixture {
    _dir: tempfile::TempDir,
    store: PathBuf,
    owner: String,
    group: String,
}

/// A store holding the corpus' identity and group (the facade's `hardening_corpus` fixture),
/// closed before the CLI runs.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let pn = Peernet::open_with(&store, fast_options()).unwrap();
    let (owner, group) = hostile::import_base(&pn);
    drop(pn);
    Fixture {
        _dir: dir,
        store,
        owner,
        group,
    }
}

fn snapshot(store: &Path) -> (String, (String, u64)) {
    let pn = Peernet::open_with(store, fast_options()).unwrap();
    let d = dump(&pn);
    drop(pn);
    (d, db_fingerprint(store))
}

fn command(fx: &Fixture, entry: Entry, file: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_peernet"));
    c.env_remove("PEERNET_HOME")
        .env_remove("PEERNET_PFX_ITERATIONS")
        .env("PEERNET_CORPUS_PW", PASSWORD)
        .arg("--store")
        .arg(&fx.store)
        .stdin(std::process::Stdio::null());
    match entry {
        Entry::IdentityImport => c
            .args(["identity", "import"])
            .arg(file)
            .args(["--passin", "env:PEERNET_CORPUS_PW"]),
        Entry::ImportConfig => c
            .args(["group", "import-config"])
            .arg(file)
            .args(["--passin", "env:PEERNET_CORPUS_PW"]),
        // No --passin: a password invitation then fails for want of a password
        // (E_INVALIDARG, standard input is not a terminal), as the facade's group_join
        // refuses it with E_INVALIDARG.
        Entry::Join => c.args(["group", "join", "--identity", &fx.owner]).arg(file),
        Entry::ParseInvitation => c.args(["group", "parse-invitation"]).arg(file),
        Entry::CreateInvitation => c
            .args([
                "group",
                "invite",
                "--identity",
                &fx.owner,
                &fx.group,
                "--invitee",
            ])
            .arg(file),
    };
    c
}

/// Checks one finished process; `Err` describes the misbehaviour.
fn judge(expected: &str, out: &std::process::Output) -> Result<(), String> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE") {
        return Err(format!("panicked: {stderr}"));
    }
    if stderr.contains(PASSWORD) || String::from_utf8_lossy(&out.stdout).contains(PASSWORD) {
        return Err("the output contains the password".into());
    }
    let Some(code) = out.status.code() else {
        return Err(format!("ended by a signal: {}", out.status));
    };
    if expected == "S_OK" {
        return if code == 0 {
            Ok(())
        } else {
            Err(format!("expected exit 0, got {code}: {stderr}"))
        };
    }
    if code != 1 {
        return Err(format!("expected exit 1, got {code}: {stderr}"));
    }
    let first = stderr.lines().next().unwrap_or("");
    if !first.starts_with(&format!("error: {expected} (0x")) {
        return Err(format!("expected 'error: {expected} (0x…', got: {first}"));
    }
    Ok(())
}

#[test]
fn hostile_corpus_through_the_cli() {
    let manifest = std::fs::read_to_string(hostile::corpus_dir().join("manifest.txt")).unwrap();
    let rows = hostile::parse_manifest(&manifest);
    let mut fx = fixture();
    let mut before = snapshot(&fx.store);
    let mut failures = Vec::new();
    let mut slowest = (Duration::ZERO, String::new());
    let mut per_entry: BTreeMap<&str, usize> = BTreeMap::new();
    let mut not_utf8 = 0;
    let t0 = Instant::now();
    for row in &rows {
        *per_entry.entry(row.entry.name()).or_default() += 1;
        let what = format!("{} {}", row.file, row.entry.name());
        let path = hostile::corpus_dir().join(&row.file);
        let bytes = std::fs::read(&path).unwrap();
        let expected = if std::str::from_utf8(&bytes).is_err() {
            not_utf8 += 1;
            "E_INVALIDARG"
        } else {
            row.expected.as_str()
        };
        let t = Instant::now();
        let out = command(&fx, row.entry, &path).output().unwrap();
        let took = t.elapsed();
        if took > slowest.0 {
            slowest = (took, what.clone());
        }
        if took > Duration::from_secs(10) {
            failures.push(format!("{what}: took {took:?}"));
        }
        if let Err(why) = judge(expected, &out) {
            failures.push(format!("{what}: {why} ({})", row.note));
        }
        let after = snapshot(&fx.store);
        if after != before {
            failures.push(format!(
                "{what}: the store changed (content: {}, bytes: {})",
                after.0 != before.0,
                after.1 != before.1
            ));
            fx = fixture();
            before = snapshot(&fx.store);
        }
    }
    let pn = Peernet::open_with(&fx.store, fast_options()).unwrap();
    pn.store().check_integrity().unwrap();
    eprintln!(
        "hostile corpus through the CLI: {} rows ({per_entry:?}) in {:?} ({not_utf8} not UTF-8), {} failures; slowest {:?} ({})",
        rows.len(),
        t0.elapsed(),
        failures.len(),
        slowest.0,
        slowest.1
    );
    hostile::assert_no_failures(&failures, rows.len());
}
