//! Supply chain, offline: the policy of `deny.toml` (licenses, crates.io as the only
//! source, denied crates) over the host's resolved dependency graph (`cargo metadata
//! --locked --offline --filter-platform <host>`, see `peernet_tests::supply_chain`), and the
//! pinned-advisory regressions. cargo-deny itself runs in CI (`scripts/supply-chain.sh`).
//!
//! The graph is the one `cargo build` downloads, so a fresh clone needs no `cargo fetch`;
//! if cargo still cannot read it, the graph tests skip loudly (and fail in CI, where
//! `PEERNET_REQUIRE_INTEROP` is set).

use std::process::Command;

use peernet_tests::store::workspace_root;
use peernet_tests::supply_chain::{self, metadata_or_skip};

#[test]
fn licenses_sources_and_bans() {
    let Some(meta) = metadata_or_skip(&workspace_root(), true, "licenses_sources_and_bans") else {
        return;
    };
    let report = supply_chain::check(&meta);
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    eprintln!(
        "supply chain: {} packages, {} errors, {} warnings",
        report.packages,
        report.errors.len(),
        report.warnings.len()
    );
    assert!(report.packages > 100);
    assert!(report.errors.is_empty(), "{}", report.errors.join("\n"));
}

#[test]
fn the_policy_catches_violations() {
    let meta: serde_json::Value = serde_json::from_str(
        r#"{"packages":[
        {"name":"gpl","version":"1.0.0","license":"GPL-3.0","source":"registry+https://github.com/rust-lang/crates.io-index"},
        {"name":"nolicense","version":"1.0.0","license":null,"source":"registry+https://github.com/rust-lang/crates.io-index"},
        {"name":"fromgit","version":"1.0.0","license":"MIT","source":"git+https://example.invalid/x#abc"},
        {"name":"openssl-sys","version":"0.9.0","license":"MIT","source":"registry+https://github.com/rust-lang/crates.io-index"},
        {"name":"mpl","version":"1.0.0","license":"MPL-2.0","source":"registry+https://github.com/rust-lang/crates.io-index"},
        {"name":"option-ext","version":"0.2.0","license":"MPL-2.0","source":"registry+https://github.com/rust-lang/crates.io-index"},
        {"name":"dup","version":"1.0.0","license":"MIT","source":null},
        {"name":"dup","version":"2.0.0","license":"MIT","source":null}
    ]}"#,
    )
    .unwrap();
    let r = supply_chain::check(&meta);
    let all = r.errors.join("\n");
    for needle in [
        "gpl 1.0.0",
        "nolicense",
        "fromgit",
        "openssl-sys",
        "mpl 1.0.0",
    ] {
        assert!(all.contains(needle), "{needle} not caught:\n{all}");
    }
    assert!(!all.contains("option-ext"), "{all}");
    assert_eq!(r.errors.len(), 5, "{all}");
    assert_eq!(r.warnings.len(), 1);
}

/// `wildcards = "deny"`: a `*` requirement (also a path dependency without a version) is
/// refused whatever its kind.
#[test]
fn wildcard_dependencies_are_refused() {
    let meta = |req: &str, kind: &str| -> serde_json::Value {
        serde_json::from_str(&format!(
            r#"{{"packages":[{{"id":"x","name":"xtask","version":"0.1.0","license":"MIT","source":null,
            "dependencies":[{{"name":"peernet-cli","req":"{req}","kind":{kind}}}]}}]}}"#
        ))
        .unwrap()
    };
    assert!(
        supply_chain::check(&meta("^0.1.0", "null"))
            .errors
            .is_empty()
    );
    assert_eq!(supply_chain::check(&meta("*", "\"dev\"")).errors.len(), 1);
    assert_eq!(
        supply_chain::check(&meta("*", "null")).errors,
        vec![
            "bans: xtask has a wildcard dependency on peernet-cli (give it a version)".to_string()
        ]
    );
}

/// The wrappers rule: an edge to a denied crate is accepted only from one of its wrappers
/// (openssl under peernet-bench, as in the real graph).
#[test]
fn denied_crates_only_through_their_wrappers() {
    let meta = |from: &str| -> serde_json::Value {
        serde_json::from_str(&format!(
            r#"{{"packages":[
            {{"id":"a","name":"{from}","version":"1.0.0","license":"MIT","source":null}},
            {{"id":"o","name":"openssl","version":"0.10.0","license":"MIT","source":null}}],
            "resolve":{{"nodes":[{{"id":"a","deps":[{{"pkg":"o"}}]}},{{"id":"o","deps":[]}}]}}}}"#
        ))
        .unwrap()
    };
    let ok = supply_chain::check(&meta("peernet-bench"));
    assert!(ok.errors.is_empty(), "{:?}", ok.errors);
    let bad = supply_chain::check(&meta("peernet"));
    assert_eq!(
        bad.errors,
        vec!["bans: openssl is denied (a dependency of peernet)".to_string()]
    );
}

/// The skip rule for an unreadable graph: a loud SKIP line when nothing requires the
/// check, a failure when `PEERNET_REQUIRE_INTEROP` is set (as in CI).
#[test]
fn unreadable_graph_skips_loudly_unless_required() {
    let skip = supply_chain::unavailable(false, "t", "no graph").unwrap();
    assert!(skip.contains("=== SKIP t: no graph"), "{skip}");
    let fail = supply_chain::unavailable(true, "t", "no graph").unwrap_err();
    assert!(fail.contains("PEERNET_REQUIRE_INTEROP is set"), "{fail}");
}

/// The same rule end to end, with the variable really unset and set: this test binary runs
/// its `skip_probe` test with an empty `CARGO_HOME` (no registry index, no packages: a
/// machine that never fetched anything).
#[test]
fn skip_rule_follows_peernet_require_interop() {
    let empty_home = tempfile::tempdir().unwrap();
    let run = |require: Option<&str>| {
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        cmd.args(["--exact", "skip_probe", "--nocapture", "--test-threads=1"])
            .env(PROBE, "1")
            .env("CARGO_HOME", empty_home.path())
            .env_remove("PEERNET_REQUIRE_INTEROP");
        if let Some(v) = require {
            cmd.env("PEERNET_REQUIRE_INTEROP", v);
        }
        cmd.output().unwrap()
    };
    let skipped = run(None);
    let text = String::from_utf8_lossy(&skipped.stderr);
    assert!(skipped.status.success(), "{text}");
    assert!(
        text.contains("=== SKIP skip_probe: cargo metadata --offline failed"),
        "{text}"
    );
    let failed = run(Some("1"));
    let text = String::from_utf8_lossy(&failed.stdout) + String::from_utf8_lossy(&failed.stderr);
    assert!(!failed.status.success(), "{text}");
    assert!(text.contains("PEERNET_REQUIRE_INTEROP is set"), "{text}");
}

/// Any other failure to read the graph fails even when nothing requires the check: a
/// missing cargo here (a lock file out of date behaves the same: see `not_downloaded`).
#[test]
fn other_metadata_failures_do_not_skip() {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "skip_probe", "--nocapture", "--test-threads=1"])
        .env(PROBE, "1")
        .env("CARGO", "/nonexistent/peernet-no-cargo")
        .env_remove("PEERNET_REQUIRE_INTEROP")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{text}");
    assert!(
        text.contains("cannot run /nonexistent/peernet-no-cargo"),
        "{text}"
    );
    assert!(!supply_chain::not_downloaded(
        "error: cannot update the lock file Cargo.lock because --locked was passed to prevent this\n\
         help: to generate the lock file without accessing the network, remove the --locked flag and use --offline instead."
    ));
    assert!(supply_chain::not_downloaded(
        "error: failed to download `anstyle-wincon v3.0.11`\n\nCaused by:\n  attempting to make an HTTP request, but --offline was specified"
    ));
}

/// Set by [`skip_rule_follows_peernet_require_interop`] for its child run.
const PROBE: &str = "PEERNET_SUPPLY_CHAIN_SKIP_PROBE";

/// Does nothing unless run as the child of [`skip_rule_follows_peernet_require_interop`].
#[test]
fn skip_probe() {
    if std::env::var_os(PROBE).is_some() {
        assert!(metadata_or_skip(&workspace_root(), true, "skip_probe").is_none());
    }
}

/// RUSTSEC-2023-0071 mitigation: the resolved `rsa` has its `getrandom` feature, which makes
/// `Signer::try_sign` blind the private-key operation with OS randomness (without it the
/// crate signs unblinded). PKCS#1 v1.5 stays deterministic: `cargo xtask fixtures --check`
/// and the RSA fixtures pin the signatures.
#[test]
fn rsa_signing_is_blinded() {
    // Blinded signing is still deterministic.
    let key = peernet::lower::crypto::PrivateKey::generate(peernet::Profile::Windows).unwrap();
    assert_eq!(key.sign(b"m").unwrap(), key.sign(b"m").unwrap());

    let Some(meta) = metadata_or_skip(&workspace_root(), false, "rsa_signing_is_blinded") else {
        return;
    };
    let rsa = meta["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| {
            n["id"]
                .as_str()
                .is_some_and(|id| id.contains("/rsa#") || id.contains("#rsa@"))
        })
        .expect("rsa in the resolved graph");
    let features: Vec<&str> = rsa["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f.as_str())
        .collect();
    assert!(
        features.contains(&"getrandom"),
        "rsa without getrandom signs unblinded: {features:?}"
    );
}

/// RUSTSEC-2026-0459: the SQLite bundled by libsqlite3-sys before 0.39.1 (3.50.2 in 0.35.0)
/// is affected; 0.39.1 bundles 3.54.1. The store links the bundled library, so the version
/// SQLite reports at run time is the one that matters (a downgrade of rusqlite or a switch
/// to a system SQLite would show here).
#[test]
fn linked_sqlite_has_the_fix_for_rustsec_2026_0459() {
    let v = rusqlite::version_number();
    assert!(
        v >= 3_054_001,
        "linked SQLite {} is older than 3.54.1 (RUSTSEC-2026-0459)",
        rusqlite::version()
    );
}
