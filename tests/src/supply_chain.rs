//! A short offline supply-chain check over `cargo metadata`, in the manner of
//! rust-analyzer's `tidy`: every license expression is one reviewed against `deny.toml`,
//! crates.io is the only source, no dependency is a wildcard, and denied crates appear
//! only under their wrappers; duplicate versions are reported.
//!
//! It reads the host's dependency graph (`--filter-platform`), which `cargo build` has
//! already downloaded, so it needs no network and no `cargo fetch`. cargo-deny itself
//! (`scripts/supply-chain.sh`, run by CI) applies `deny.toml` to the graph of every
//! platform; this check is the quick mirror `cargo test` runs.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// License expressions, exactly as crates declare them, that have been reviewed against
/// `deny.toml`'s `[licenses] allow` list. A new expression fails the check until it is
/// reviewed and added here (and, if it needs a new license, to `deny.toml`).
pub const LICENSES: &[&str] = &[
    "(MIT OR Apache-2.0) AND Unicode-3.0",
    "Apache-2.0",
    "Apache-2.0 / MIT",
    "Apache-2.0 AND ISC",
    "Apache-2.0 OR MIT",
    "Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT",
    "BSD-2-Clause OR Apache-2.0 OR MIT",
    "BSD-3-Clause",
    "ISC",
    "MIT",
    "MIT OR Apache-2.0",
    "MIT OR Apache-2.0 OR LGPL-2.1-or-later",
    "MIT/Apache-2.0",
    "Unicode-3.0",
    "Unlicense OR MIT",
    "Unlicense/MIT",
    "Zlib",
    "Zlib OR Apache-2.0 OR MIT",
];

/// License expressions allowed for one crate only (`deny.toml` `[licenses] exceptions`).
pub const LICENSE_EXCEPTIONS: &[(&str, &str)] = &[("option-ext", "MPL-2.0")];

/// Denied crates, each with the only packages that may depend on it (`deny.toml` `[bans]
/// deny` and its `wrappers`).
pub const DENIED: &[(&str, &[&str])] = &[
    ("openssl", &["peernet-bench"]),
    ("openssl-sys", &["openssl", "peernet-bench"]),
    ("native-tls", &[]),
];

/// The only registry (`deny.toml` `[sources] allow-registry`); workspace members have no
/// source.
pub const CRATES_IO: &str = "registry+https://github.com/rust-lang/crates.io-index";

/// The outcome of [`check`].
#[derive(Debug, Default)]
pub struct Report {
    /// Packages in the graph.
    pub packages: usize,
    /// Policy violations.
    pub errors: Vec<String>,
    /// Crates present in more than one version (reported, not fatal, as in `deny.toml`).
    pub warnings: Vec<String>,
}

/// Applies the policy above to `cargo metadata --format-version 1` output.
pub fn check(metadata: &Value) -> Report {
    let packages = metadata["packages"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    let mut report = Report {
        packages: packages.len(),
        ..Report::default()
    };
    let mut versions: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for p in packages {
        let name = p["name"].as_str().unwrap_or("?");
        let version = p["version"].as_str().unwrap_or("?");
        versions.entry(name).or_default().insert(version);
        match p["license"].as_str() {
            Some(l) if LICENSES.contains(&l) || LICENSE_EXCEPTIONS.contains(&(name, l)) => {}
            Some(l) => report.errors.push(format!(
                "license: {name} {version} is '{l}', not reviewed (deny.toml, then LICENSES)"
            )),
            None => report.errors.push(format!(
                "license: {name} {version} declares no SPDX license (clarify it in deny.toml)"
            )),
        }
        if let Some(s) = p["source"].as_str().filter(|s| *s != CRATES_IO) {
            report
                .errors
                .push(format!("source: {name} {version} comes from {s}"));
        }
        // `wildcards = "deny"`: a dependency of any kind whose requirement is `*` (in cargo
        // metadata also a path dependency written without a version).
        for d in p["dependencies"].as_array().into_iter().flatten() {
            if d["req"].as_str() == Some("*") {
                report.errors.push(format!(
                    "bans: {name} has a wildcard dependency on {} (give it a version)",
                    d["name"].as_str().unwrap_or("?")
                ));
            }
        }
    }
    let wrappers = |crate_name: &str| DENIED.iter().find(|(d, _)| *d == crate_name).map(|d| d.1);
    match metadata["resolve"]["nodes"].as_array() {
        // Every edge of the resolved graph that reaches a denied crate must come from one
        // of its wrappers.
        Some(nodes) => {
            let name_of: BTreeMap<&str, &str> = packages
                .iter()
                .filter_map(|p| Some((p["id"].as_str()?, p["name"].as_str()?)))
                .collect();
            for node in nodes {
                let from = node["id"].as_str().and_then(|id| name_of.get(id)).copied();
                let from = from.unwrap_or("?");
                for dep in node["deps"].as_array().into_iter().flatten() {
                    let Some(to) = dep["pkg"].as_str().and_then(|id| name_of.get(id)) else {
                        continue;
                    };
                    if wrappers(to).is_some_and(|w| !w.contains(&from)) {
                        report
                            .errors
                            .push(format!("bans: {to} is denied (a dependency of {from})"));
                    }
                }
            }
        }
        None => {
            for p in packages {
                let name = p["name"].as_str().unwrap_or("?");
                if wrappers(name).is_some() {
                    report.errors.push(format!("bans: {name} is denied"));
                }
            }
        }
    }
    for (name, v) in versions.into_iter().filter(|(_, v)| v.len() > 1) {
        let list: Vec<&str> = v.iter().copied().collect();
        report.warnings.push(format!(
            "bans: {name} in {} versions: {}",
            v.len(),
            list.join(", ")
        ));
    }
    report
}

/// The host's target triple, from `rustc -vV` (`$RUSTC` when set).
///
/// # Errors
/// When rustc cannot be run or does not name its host.
pub fn host_triple() -> Result<String, String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = Command::new(&rustc)
        .arg("-vV")
        .output()
        .map_err(|e| format!("cannot run {rustc} -vV: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        .ok_or_else(|| format!("{rustc} -vV names no host"))
}

/// `cargo metadata --locked --offline` of the workspace at `root` (with `--all-features`
/// when `all_features`), restricted to the host platform (`--filter-platform`): the
/// packages a host build downloads, so it works offline on any machine that has built the
/// workspace.
///
/// # Errors
/// When cargo cannot be run or fails (for example a package not yet downloaded), or its
/// output is not JSON.
pub fn metadata(root: &Path, all_features: bool) -> Result<Value, String> {
    let host = host_triple()?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(&cargo)
        .current_dir(root)
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .args(["--filter-platform", &host])
        .args(all_features.then_some("--all-features"))
        .output()
        .map_err(|e| format!("cannot run {cargo} metadata: {e}"))?;
    if !out.status.success() {
        // From cargo's first error on (before it come progress lines such as "Blocking").
        let stderr = String::from_utf8_lossy(&out.stderr);
        let error = stderr.find("error:").map_or(&*stderr, |i| &stderr[i..]);
        return Err(format!("cargo metadata --offline failed: {}", error.trim()));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("cargo metadata output: {e}"))
}

/// What to do when the dependency graph cannot be read: `Ok` with a loud SKIP message to
/// print, or, when `required` (CI sets `PEERNET_REQUIRE_INTEROP`, see
/// [`crate::interop::required`]), `Err` with the failure message.
///
/// # Errors
/// When `required` is true.
pub fn unavailable(required: bool, test: &str, why: &str) -> Result<String, String> {
    if required {
        Err(format!(
            "{test}: {why} (PEERNET_REQUIRE_INTEROP is set, so this fails instead of skipping; run scripts/test-deps.sh)"
        ))
    } else {
        Ok(format!(
            "\n=== SKIP {test}: {why}; build the workspace or run scripts/test-deps.sh (set PEERNET_REQUIRE_INTEROP to fail instead) ===\n"
        ))
    }
}

/// Whether a [`metadata`] error only says that packages or the registry index are not
/// downloaded yet (cargo's "failed to download", or a resolution failure with its
/// `--offline` reminder), the one failure that may skip: anything else (a lock file out of
/// date, a broken manifest, no cargo) is a real failure.
pub fn not_downloaded(error: &str) -> bool {
    error.contains("failed to download") || error.contains("you're using offline mode")
}

/// [`metadata`] with the skip rule: `None` after printing a SKIP line when packages of the
/// graph are not downloaded and the environment does not require the check. `test` names
/// the caller in the line.
///
/// # Panics
/// When the graph cannot be read for any other reason, or when [`crate::interop::required`]
/// is true.
pub fn metadata_or_skip(root: &Path, all_features: bool, test: &str) -> Option<Value> {
    match metadata(root, all_features) {
        Ok(m) => Some(m),
        Err(why) if !not_downloaded(&why) => panic!("{test}: {why}"),
        Err(why) => match unavailable(crate::interop::required(), test, &why) {
            Ok(skip) => {
                // Straight to the process's stderr, past the test harness's capture, so
                // the line shows in a plain `cargo test` run.
                let _ = writeln!(std::io::stderr(), "{skip}");
                None
            }
            Err(fail) => panic!("{fail}"),
        },
    }
}
