//! `cargo xtask`: project automation.
//!
//! * `cargo xtask fixtures` regenerates every golden file under `fixtures/`
//!   deterministically (fixed clocks, seeds, serials and committed input keys).
//! * `cargo xtask fixtures --check` regenerates in memory and fails when a committed
//!   file differs from what the code produces now (or is missing, or is stale).
//! * `cargo xtask fuzz-smoke [SECONDS]` runs every cargo-fuzz target in `fuzz/` for
//!   SECONDS (default 10) each, seeded from `fuzz/corpus/<target>/` (when it exists) and
//!   the target's fixture directories (see [`seeds`]); new inputs go to
//!   `target/fuzz-smoke/`, so neither seed set is touched. Needs `cargo-fuzz`
//!   (`cargo install cargo-fuzz`); runs it with `RUSTC_BOOTSTRAP=1` on stable.

mod fixtures;

use std::path::PathBuf;
use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!("usage: cargo xtask fixtures [--check] | fuzz-smoke [SECONDS]");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["fixtures"] => match fixtures::write_all(&root) {
            Ok(n) => {
                println!("fixtures: wrote {n} files");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        ["fixtures", "--check"] => match fixtures::check_all(&root) {
            Ok(n) => {
                println!("fixtures: {n} files up to date");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        ["fuzz-smoke"] => fuzz_smoke(&root, 10),
        ["fuzz-smoke", secs] => secs
            .parse()
            .map_or_else(|_| usage(), |s| fuzz_smoke(&root, s)),
        _ => usage(),
    }
}

/// The fixture directories that seed `target` (besides `fuzz/corpus/<target>/`), and the
/// largest input libFuzzer may make for it (`-max_len`; chains of 25 RSA certificates
/// are about 34 KB).
fn seeds(target: &str) -> (&'static [&'static str], u32) {
    match target {
        "pkcs12_read" => (&["fixtures/pfx"], 8192),
        "pkcs7_decode" => (&["fixtures/p7b"], 65536),
        "certificate_parse" => (&["fixtures/der", "fixtures/keys"], 8192),
        "chain_validate" => (&["fixtures/p7b"], 65536),
        "encrypted_key_open" => (&["fixtures/p8"], 8192),
        // peernet-protocol targets: the golden and the hostile XML documents.
        _ => (&["fixtures/xml", "fixtures/invalid/xml"], 8192),
    }
}

/// Run each fuzz target briefly; fails on the first target that finds a crash.
fn fuzz_smoke(root: &std::path::Path, seconds: u32) -> ExitCode {
    let Ok(entries) = std::fs::read_dir(root.join("fuzz/fuzz_targets")) else {
        eprintln!("error: no fuzz/fuzz_targets directory");
        return ExitCode::FAILURE;
    };
    let mut targets: Vec<String> = entries
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".rs")
                .map(str::to_owned)
        })
        .collect();
    targets.sort();
    for t in &targets {
        let scratch = root.join("target/fuzz-smoke").join(t);
        if let Err(e) = std::fs::create_dir_all(&scratch) {
            eprintln!("error: {}: {e}", scratch.display());
            return ExitCode::FAILURE;
        }
        println!("fuzz-smoke: {t} for {seconds}s");
        let (fixture_dirs, max_len) = seeds(t);
        // libFuzzer exits when a corpus directory is missing: pass only those that exist.
        let corpus: Vec<PathBuf> = std::iter::once(root.join("fuzz/corpus").join(t))
            .chain(fixture_dirs.iter().map(|d| root.join(d)))
            .filter(|d| d.is_dir())
            .collect();
        let status =
            std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .current_dir(root)
                .env("RUSTC_BOOTSTRAP", "1")
                .args(["fuzz", "run", t])
                .arg(&scratch)
                .args(&corpus)
                .args([
                    "--",
                    &format!("-max_total_time={seconds}"),
                    &format!("-max_len={max_len}"),
                ])
                .status();
        match status {
            Ok(s) if s.success() => {}
            Ok(s) => {
                eprintln!("error: fuzz target {t} failed ({s}); is cargo-fuzz installed?");
                return ExitCode::FAILURE;
            }
            Err(e) => {
                eprintln!("error: cannot run cargo fuzz: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    println!("fuzz-smoke: {} targets ran clean", targets.len());
    ExitCode::SUCCESS
}

/// The workspace root (the parent of `xtask/`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}
