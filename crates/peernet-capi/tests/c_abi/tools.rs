//! Finding the C compilers, the header, the built library and a scratch directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// `Some(program)` when `program` runs; otherwise the interop skip rule of
/// [`peernet_tests::interop::require`] (skip loudly, or panic when required).
pub fn tool(program: &str, why: &str) -> Option<String> {
    let ok = Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    peernet_tests::interop::require(&format!("{program} ({why})"), ok).then(|| program.to_owned())
}

/// `crates/peernet-capi/include`.
pub fn include_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("include")
}

/// The directory holding the library cargo built with this test: `target/<profile>/deps`,
/// where `cargo test` writes the cdylib it builds for this run. `cargo test` does not copy it
/// up to `target/<profile>` (only `cargo build` does), so linking there could use a stale
/// library from an earlier `cargo build`; that directory is the fallback only.
pub fn library_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    // target/<profile>/deps/c_abi-<hash>
    let deps = exe.parent().expect("target/<profile>/deps").to_path_buf();
    let built_here = ["libpeernet_capi.so", "libpeernet_capi.dylib"]
        .iter()
        .any(|f| deps.join(f).exists());
    if built_here {
        deps
    } else {
        deps.parent().expect("target/<profile>").to_path_buf()
    }
}

/// A fresh scratch directory for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("c_abi")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

/// Run a command; panic with its output when it fails.
pub fn run(cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}
