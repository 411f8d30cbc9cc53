//! Secrets at rest: raw-file grep, tampering, binding, redaction, file modes.

use std::fs;
use std::path::Path;

use peernet_storage::{Error, GroupSecrets, Store};

use crate::common::{
    group, identity, open, password_verifier, pkcs8, store_with_identities, tempdir,
};

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Bytes of store.db and its -wal / -shm files, concatenated.
fn raw_files(store_dir: &Path) -> Vec<u8> {
    let mut all = Vec::new();
    for name in ["store.db", "store.db-wal", "store.db-shm"] {
        if let Ok(bytes) = fs::read(store_dir.join(name)) {
            all.extend_from_slice(&bytes);
        }
    }
    all
}

#[test]
fn no_secret_in_database_files() {
    let dir = tempdir();
    let store_dir = dir.path().join("store");
    let store = Store::open(&store_dir).expect("open");
    let key = pkcs8("a.secret-identity");
    let group_key = b"\x30\x82GROUP-PKCS8-PRIVATE-KEY-BYTES-0123456789".to_vec();
    let verifier = b"PASSWORD-VERIFIER-abcdefghijklmnop".to_vec();
    store
        .insert_identity(&identity("a.x"), &key)
        .expect("identity");
    store
        .insert_group(
            &group("a.x", "g.1", 2),
            GroupSecrets {
                group_key: Some(&group_key),
                password_verifier: Some(&verifier),
            },
        )
        .expect("group");
    let check = |when: &str| {
        let raw = raw_files(&store_dir);
        // Control: public data is found, so the search works on these files.
        assert!(
            contains(&raw, b"IDC-CERTIFICATE:a.x"),
            "{when}: control not found"
        );
        assert!(contains(&raw, b"GMC g.1 #1"), "{when}: control not found");
        for secret in [&key[..], &group_key[..], &verifier[..]] {
            assert!(!contains(&raw, secret), "{when}: secret found in clear");
            // Not even a distinctive 16-byte slice of it.
            assert!(
                !contains(&raw, &secret[secret.len() - 16..]),
                "{when}: secret slice found"
            );
        }
    };
    check("while open (WAL)");
    drop(store);
    check("after close (checkpointed)");
    assert!(!contains(
        &fs::read(store_dir.join("store.key")).expect("key"),
        &key[..16]
    ));
}

fn raw_conn(store: &Store) -> rusqlite::Connection {
    rusqlite::Connection::open(store.db_path()).expect("raw connection")
}

#[test]
fn tampered_blob_is_corrupted() {
    let dir = tempdir();
    let store = store_with_identities(dir.path(), &["a.x"]);
    let conn = raw_conn(&store);
    let mut blob: Vec<u8> = conn
        .query_row(
            "SELECT sealed_key FROM identities WHERE peer_name = 'a.x'",
            [],
            |r| r.get(0),
        )
        .expect("read blob");
    blob[20] ^= 0x01;
    conn.execute(
        "UPDATE identities SET sealed_key = ?1 WHERE peer_name = 'a.x'",
        [&blob],
    )
    .expect("tamper");
    match store.identity_private_key("a.x") {
        Err(e @ Error::Corrupted { .. }) => {
            let text = e.to_string();
            assert!(
                text.contains("store.db") && text.contains("identity 'a.x'"),
                "{text}"
            );
        }
        other => panic!("expected Corrupted, got {other:?}"),
    }
}

#[test]
fn blob_moved_to_another_row_is_corrupted() {
    let dir = tempdir();
    let store = open(dir.path());
    for name in ["a.x", "b.x"] {
        store
            .insert_identity(&identity(name), &pkcs8(name))
            .expect("identity");
    }
    let secrets = GroupSecrets {
        group_key: Some(b"group key"),
        password_verifier: Some(b"verifier"),
    };
    store
        .insert_group(&group("a.x", "g.1", 1), secrets)
        .expect("group");
    store
        .insert_group(&group("a.x", "g.2", 1), secrets)
        .expect("group");
    let conn = raw_conn(&store);
    conn.execute(
        "UPDATE identities SET sealed_key = (SELECT sealed_key FROM identities WHERE peer_name = 'a.x')
         WHERE peer_name = 'b.x'",
        [],
    )
    .expect("swap identity key");
    conn.execute(
        "UPDATE groups SET sealed_group_key = (SELECT sealed_group_key FROM groups WHERE group_peer_name = 'g.1')
         WHERE group_peer_name = 'g.2'",
        [],
    )
    .expect("swap group key");
    // The verifier of g.1 put in the group-key column of g.1: other purpose.
    conn.execute(
        "UPDATE groups SET sealed_group_key = sealed_password_verifier WHERE group_peer_name = 'g.1'",
        [],
    )
    .expect("swap purpose");
    assert_eq!(
        &*store.identity_private_key("a.x").expect("a"),
        &pkcs8("a.x")[..]
    );
    assert!(matches!(
        store.identity_private_key("b.x"),
        Err(Error::Corrupted { .. })
    ));
    assert!(matches!(
        store.group_private_key("a.x", "g.2"),
        Err(Error::Corrupted { .. })
    ));
    assert!(matches!(
        store.group_private_key("a.x", "g.1"),
        Err(Error::Corrupted { .. })
    ));
    assert!(password_verifier(&store).is_some());
}

#[test]
fn another_store_key_cannot_unseal() {
    let dir = tempdir();
    let store = store_with_identities(dir.path(), &["a.x"]);
    drop(store);
    fs::write(dir.path().join("store/store.key"), [0x55u8; 32]).expect("replace key");
    let store = open(dir.path());
    store.identity("a.x").expect("public data still readable");
    assert!(matches!(
        store.identity_private_key("a.x"),
        Err(Error::Corrupted { .. })
    ));
}

#[test]
fn debug_output_is_redacted() {
    let dir = tempdir();
    let store = open(dir.path());
    let key = fs::read(dir.path().join("store/store.key")).expect("key");
    let text = format!("{store:?}");
    assert!(text.contains("StoreKey(<redacted>)"), "{text}");
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    assert!(!text.contains(&hex));
    assert!(!text.contains(&format!("{:?}", &key[..4]).trim_end_matches(']').to_string()));
}

#[cfg(unix)]
#[test]
fn file_modes_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir();
    let store_dir = dir.path().join("nested/store");
    let store = Store::open(&store_dir).expect("open");
    store
        .insert_identity(&identity("a.x"), &pkcs8("a.x"))
        .expect("identity");
    let mode = |p: &Path| fs::metadata(p).expect("metadata").permissions().mode() & 0o777;
    assert_eq!(mode(&store_dir), 0o700);
    assert_eq!(mode(&dir.path().join("nested")), 0o700);
    assert_eq!(mode(&store_dir.join("store.key")), 0o600);
    assert_eq!(mode(&store_dir.join("store.db")), 0o600);
    assert_eq!(mode(&store_dir.join("store.db-wal")), 0o600);
    assert_eq!(
        fs::read(store_dir.join("store.key")).expect("key").len(),
        32
    );
    // No temporary key file is left behind.
    let leftovers: Vec<_> = fs::read_dir(&store_dir)
        .expect("list")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn impossible_value_in_database_is_corrupted() {
    let dir = tempdir();
    let store = store_with_identities(dir.path(), &["a.x"]);
    store
        .insert_group(&group("a.x", "g.1", 1), GroupSecrets::default())
        .expect("group");
    let conn = raw_conn(&store);
    conn.execute("UPDATE groups SET cloud_scope = 7", [])
        .expect("tamper");
    match store.group("a.x", "g.1") {
        Err(e @ Error::Corrupted { .. }) => assert!(e.to_string().contains("scope 7"), "{e}"),
        other => panic!("expected Corrupted, got {other:?}"),
    }
    conn.execute("UPDATE groups SET cloud_scope = 1, status = -5", [])
        .expect("tamper");
    assert!(matches!(
        store.group("a.x", "g.1"),
        Err(Error::Corrupted { .. })
    ));
}
