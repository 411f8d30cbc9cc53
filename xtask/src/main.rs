//! `cargo xtask`: project automation.
//!
//! * `cargo xtask fixtures` regenerates every golden file under `fixtures/`
//!   deterministically (fixed clocks, seeds, serials and committed input keys).
//! * `cargo xtask fixtures --check` regenerates in memory and fails when a committed
//!   file differs from what the code produces now (or is missing, or is stale).

mod fixtures;

use std::path::PathBuf;
use std::process::ExitCode;

fn usage() -> ExitCode {
    eprintln!("usage: cargo xtask fixtures [--check]");
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
        _ => usage(),
    }
}

/// The workspace root (the parent of `xtask/`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}
