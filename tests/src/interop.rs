//! Running the independent implementations the interop tests compare against (the
//! OpenSSL command line, Python `cryptography`), with one skip rule: a missing tool prints
//! a loud SKIP line and the test passes, unless `PEERNET_REQUIRE_INTEROP` is set (CI sets
//! it), in which case the test fails. `scripts/test-deps.sh` installs the tools.

use std::io::Write as _;
use std::path::Path;
use std::process::Command;

/// The workspace root.
pub use crate::store::workspace_root as root;

/// True when the environment demands that interop tests run rather than skip.
pub fn required() -> bool {
    std::env::var_os("PEERNET_REQUIRE_INTEROP").is_some_and(|v| !v.is_empty())
}

/// `present`, after applying the skip rule to `tool` when it is missing.
///
/// # Panics
/// When the tool is missing and [`required`] is true.
pub fn require(tool: &str, present: bool) -> bool {
    if present {
        return true;
    }
    if required() {
        panic!("{tool} is required (PEERNET_REQUIRE_INTEROP is set); run scripts/test-deps.sh");
    }
    // Straight to the process's stderr, past the test harness's capture, so the line
    // shows in a plain `cargo test` run.
    let _ = writeln!(
        std::io::stderr(),
        "\n=== SKIP interop: {tool} not available; run scripts/test-deps.sh (set PEERNET_REQUIRE_INTEROP to fail instead) ===\n"
    );
    false
}

/// Whether the `openssl` command runs (skip rule applied).
pub fn openssl_available() -> bool {
    let ok = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    require("openssl", ok)
}

/// Whether `python3` with the `cryptography` package runs (skip rule applied).
pub fn python_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import cryptography"])
        .output()
        .is_ok_and(|o| o.status.success());
    require("python3 with the cryptography package", ok)
}

/// Runs a command; panics with its output unless it succeeds; returns stdout.
pub fn run(cmd: &mut Command) -> Vec<u8> {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `openssl ARGS…`, which must succeed; returns stdout.
pub fn openssl(args: &[&str]) -> Vec<u8> {
    run(Command::new("openssl").args(args))
}

/// A path as `&str` for command arguments (test paths are UTF-8).
pub fn p(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}
