//! `cargo xtask`: project automation.
//!
//! * `cargo xtask fixtures` regenerates every golden file under `fixtures/`
//!   deterministically (fixed clocks, seeds, serials and committed input keys).
//! * `cargo xtask fixtures --check` regenerates in memory and fails when a committed
//!   file differs from what the code produces now (or is missing, or is stale).
//! * `cargo xtask fuzz-smoke [SECONDS]` runs every cargo-fuzz target in `fuzz/` for
//!   SECONDS (default 10) each, seeded from `fuzz/corpus/<target>/`; new inputs go to
//!   `target/fuzz-smoke/`, so the committed corpus is not touched. Needs `cargo-fuzz`
//!   (`cargo install cargo-fuzz`); runs it with `RUSTC_BOOTSTRAP=1` on stable.
//! * `cargo xtask completions [DIR]` writes shell completions of `peernet` (bash, zsh,
//!   fish, elvish, PowerShell) to DIR (default `target/completions/`).
//! * `cargo xtask man [DIR]` writes `peernet.1` and one page per subcommand
//!   (`peernet-identity-create.1`, …) to DIR (default `target/man/`).

mod docs;
mod fixtures;

use std::path::PathBuf;
use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!(
        "usage: cargo xtask fixtures [--check] | fuzz-smoke [SECONDS] | completions [DIR] | man [DIR]"
    );
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
        ["completions"] => docs::report(docs::completions(&root.join("target/completions"))),
        ["completions", dir] => docs::report(docs::completions(std::path::Path::new(dir))),
        ["man"] => docs::report(docs::man(&root.join("target/man"))),
        ["man", dir] => docs::report(docs::man(std::path::Path::new(dir))),
        ["fuzz-smoke"] => fuzz_smoke(&root, 10),
        ["fuzz-smoke", secs] => secs
            .parse()
            .map_or_else(|_| usage(), |s| fuzz_smoke(&root, s)),
        _ => usage(),
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
        let status =
            std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .current_dir(root)
                .env("RUSTC_BOOTSTRAP", "1")
                .args(["fuzz", "run", t])
                .arg(&scratch)
                .arg(root.join("fuzz/corpus").join(t))
                .args(["--", &format!("-max_total_time={seconds}"), "-max_len=8192"])
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
