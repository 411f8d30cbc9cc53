//! Store helpers for the hardening tests: fast options, a canonical dump of everything a
//! store holds (secrets as digests), and a byte fingerprint of `store.db`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use peernet::{Options, Peernet};
use ring::digest;

/// The workspace root (parent of `tests/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is below the root")
        .to_path_buf()
}

/// PFX / GROUPKEY iterations the hardening tests use (CI speed).
pub const TEST_ITERATIONS: u32 = 64;

/// Options with [`TEST_ITERATIONS`].
pub fn fast_options() -> Options {
    Options::default().with_pfx_iterations(TEST_ITERATIONS)
}

/// SHA-256, hex.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(digest::digest(&digest::SHA256, data))
}

/// Seconds since the Unix epoch (0 before it).
fn unix_secs(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// A canonical text dump of the store: identities (with a digest of the unsealed private
/// key), groups of every identity (chains as digests, with digests of the unsealed group key
/// and password verifier), clouds and the default identity. Two stores with the same
/// content give the same dump.
///
/// # Panics
/// When the store cannot be read or a sealed secret does not unseal (a corrupt store).
pub fn dump(pn: &Peernet) -> String {
    let store = pn.store();
    let mut out = String::new();
    let mut ids = store.identities().expect("identities");
    ids.sort_by(|a, b| a.peer_name.cmp(&b.peer_name));
    for i in &ids {
        let key = store
            .identity_private_key(&i.peer_name)
            .expect("identity key unseals");
        let created = unix_secs(i.created);
        let _ = writeln!(
            out,
            "identity {} friendly={:?} profile={} idc={} created={} default={} key={}",
            i.peer_name,
            i.friendly_name,
            i.profile,
            sha256_hex(&i.idc),
            created,
            i.is_default,
            sha256_hex(&key)
        );
    }
    let mut groups = store.all_groups().expect("groups");
    groups.sort_by(|a, b| {
        (a.identity.as_str(), a.group_peer_name.as_str())
            .cmp(&(b.identity.as_str(), b.group_peer_name.as_str()))
    });
    for g in &groups {
        let gk = store
            .group_private_key(&g.identity, &g.group_peer_name)
            .expect("group key unseals")
            .map(|k| sha256_hex(&k));
        let pv = store
            .group_password_verifier(&g.identity, &g.group_peer_name)
            .expect("verifier unseals")
            .map(|k| sha256_hex(&k));
        let chain: Vec<String> = g.gmc_chain.iter().map(|c| sha256_hex(c)).collect();
        let created = unix_secs(g.created);
        let _ = writeln!(
            out,
            "group {} of {} classifier={:?} cloud={:?} profile={} chain={:?} props={:?} status={} created={} key={:?} verifier={:?}",
            g.group_peer_name,
            g.identity,
            g.classifier,
            g.cloud,
            g.profile,
            chain,
            g.properties,
            g.status,
            created,
            gk,
            pv
        );
    }
    for c in store.clouds().expect("clouds") {
        let _ = writeln!(out, "cloud {c:?}");
    }
    let _ = writeln!(
        out,
        "default {:?}",
        store.default_identity().expect("default")
    );
    out
}

/// SHA-256 of `store.db` after checkpointing the WAL into it from a second connection, and
/// the length of the WAL afterwards (0 when the checkpoint could truncate it).
///
/// # Panics
/// When the database cannot be opened.
pub fn db_fingerprint(dir: &Path) -> (String, u64) {
    let db = dir.join("store.db");
    let conn = rusqlite::Connection::open(&db).expect("open store.db");
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .expect("busy timeout");
    let _: (i64, i64, i64) = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .expect("checkpoint");
    drop(conn);
    let bytes = std::fs::read(&db).expect("read store.db");
    let wal = std::fs::metadata(dir.join("store.db-wal"))
        .map(|m| m.len())
        .unwrap_or(0);
    (sha256_hex(&bytes), wal)
}
