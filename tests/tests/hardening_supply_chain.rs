//! Supply chain, offline: `deny.toml` applied to the resolved dependency graph (`cargo
//! metadata --locked --offline`): licenses on the allow-list, crates.io as the only source,
//! no denied crate; duplicate versions reported. Run in CI by `scripts/supply-chain.sh`.

use std::process::Command;

use peernet_tests::store::workspace_root;
use peernet_tests::supply_chain;

#[test]
fn licenses_sources_and_bans() {
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(&root)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--locked",
            "--offline",
            "--all-features",
        ])
        .output()
        .expect("cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata failed (scripts/test-deps.sh runs `cargo fetch --locked`, which this offline check needs): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let deny = std::fs::read_to_string(root.join("deny.toml")).expect("deny.toml");
    let report = supply_chain::check(&deny, &String::from_utf8(out.stdout).unwrap()).unwrap();
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    for (id, reason) in &report.ignored_advisories {
        eprintln!("advisory ignored (when a database is available): {id}: {reason}");
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
    let deny = std::fs::read_to_string(workspace_root().join("deny.toml")).unwrap();
    let meta = r#"{"packages":[
        {"name":"gpl","version":"1.0.0","license":"GPL-3.0","source":"registry+https://github.com/rust-lang/crates.io-index"},
        {"name":"nolicense","version":"1.0.0","license":null,"source":"registry+https://github.com/rust-lang/crates.io-index"},
        {"name":"fromgit","version":"1.0.0","license":"MIT","source":"git+https://example.invalid/x#abc"},
        {"name":"openssl-sys","version":"0.9.0","license":"MIT","source":"registry+https://github.com/rust-lang/crates.io-index"},
        {"name":"mpl","version":"1.0.0","license":"MPL-2.0","source":"registry+https://github.com/rust-lang/crates.io-index"},
        {"name":"option-ext","version":"0.2.0","license":"MPL-2.0","source":"registry+https://github.com/rust-lang/crates.io-index"},
        {"name":"dup","version":"1.0.0","license":"MIT","source":null},
        {"name":"dup","version":"2.0.0","license":"MIT","source":null}
    ]}"#;
    let r = supply_chain::check(&deny, meta).unwrap();
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

/// RUSTSEC-2023-0071 mitigation: the resolved `rsa` has its `getrandom` feature, which makes
/// `Signer::try_sign` blind the private-key operation with OS randomness (without it the
/// crate signs unblinded). PKCS#1 v1.5 stays deterministic: `cargo xtask fixtures --check`
/// and the RSA fixtures pin the signatures.
#[test]
fn rsa_signing_is_blinded() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(workspace_root())
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .output()
        .expect("cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata failed (run scripts/test-deps.sh): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
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

    // Blinded signing is still deterministic.
    let key = peernet::lower::crypto::PrivateKey::generate(peernet::Profile::Windows).unwrap();
    assert_eq!(key.sign(b"m").unwrap(), key.sign(b"m").unwrap());
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
