//! Schema versions: fresh stores, the v1 → current upgrade, newer, foreign and garbage
//! databases.

use std::fs;

use peernet_storage::{Error, GroupSecrets, Store};

use crate::common::{group, group_key, identity, pkcs8, row_count, tempdir};

/// Schema version 1 exactly as released. Migration 1 must never change: this frozen copy
/// is compared with what the migration list creates.
const FROZEN_V1_TABLES: &[(&str, &[&str])] = &[
    (
        "identities",
        &[
            "peer_name",
            "friendly_name",
            "profile",
            "idc",
            "sealed_key",
            "created",
            "is_default",
        ],
    ),
    ("clouds", &["name", "scope", "scope_id", "private"]),
    (
        "groups",
        &[
            "identity",
            "group_peer_name",
            "friendly_name",
            "classifier",
            "cloud_name",
            "cloud_scope",
            "cloud_scope_id",
            "cloud_flags",
            "profile",
            "sealed_group_key",
            "flags",
            "creator_peer_name",
            "comment",
            "member_data_lifetime",
            "presence_lifetime",
            "authentication_schemes",
            "password_role",
            "sealed_password_verifier",
            "status",
            "created",
        ],
    ),
    (
        "group_chain",
        &["identity", "group_peer_name", "position", "cert"],
    ),
];

fn tables(conn: &rusqlite::Connection) -> Vec<String> {
    conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .expect("prepare")
        .query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

fn columns(conn: &rusqlite::Connection, table: &str) -> Vec<String> {
    conn.prepare(&format!("PRAGMA table_info({table})"))
        .expect("prepare")
        .query_map([], |r| r.get(1))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows")
}

#[test]
fn fresh_store_is_current() {
    let dir = tempdir();
    let store = Store::open(dir.path().join("s")).expect("open");
    assert_eq!(
        store.schema_version().expect("version"),
        Store::supported_schema_version()
    );
    assert_eq!(Store::supported_schema_version(), 4);
    store.check_integrity().expect("integrity");
    let conn = rusqlite::Connection::open(store.db_path()).expect("raw");
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("mode");
    assert_eq!(mode, "wal");
    let app_id: i32 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .expect("id");
    assert_eq!(app_id, 0x7065_6572);
}

#[test]
fn version_1_store_is_upgraded_keeping_data() {
    let dir = tempdir();
    let path = dir.path().join("s");
    {
        let v1 = peernet_storage::testing::open_at_schema_version(&path, 1).expect("open v1");
        assert_eq!(v1.schema_version().expect("version"), 1);
        let conn = rusqlite::Connection::open(v1.db_path()).expect("raw");
        let mut expected: Vec<&str> = FROZEN_V1_TABLES.iter().map(|(t, _)| *t).collect();
        expected.sort_unstable();
        assert_eq!(tables(&conn), expected, "v1 has exactly the frozen tables");
        for (table, cols) in FROZEN_V1_TABLES {
            assert_eq!(columns(&conn, table), *cols, "v1 table {table}");
        }
        v1.insert_identity(&identity("a.x"), &pkcs8("a.x"))
            .expect("identity");
        v1.set_default_identity("a.x").expect("default");
        v1.insert_group(
            &group("a.x", "g.1", 3),
            GroupSecrets {
                group_key: Some(b"gk"),
                password_verifier: Some(b"pv"),
            },
        )
        .expect("group");
    }
    let store = Store::open(&path).expect("open current");
    assert_eq!(store.schema_version().expect("version"), 4);
    assert_eq!(
        store.default_identity().expect("default").as_deref(),
        Some("a.x")
    );
    assert_eq!(
        &*store.identity_private_key("a.x").expect("key"),
        &pkcs8("a.x")[..]
    );
    let g = store.group("a.x", "g.1").expect("group");
    assert_eq!(g.gmc_chain.len(), 3);
    assert_eq!(group_key(&store).as_deref(), Some(&b"gk"[..]));
    let conn = rusqlite::Connection::open(store.db_path()).expect("raw");
    let all = tables(&conn);
    assert!(all.contains(&"group_records".to_owned()) && all.contains(&"group_members".to_owned()));
    store.check_integrity().expect("integrity");
    // Group deletion cascades into the (new) records table.
    conn.execute(
        "INSERT INTO group_records VALUES ('a.x', 'g.1', zeroblob(16), zeroblob(16), 1, 0, 'a.x', 'a.x', NULL, 0, 0, 0, x'', x'')",
        [],
    )
    .expect("record");
    drop(conn);
    store.delete_group("a.x", "g.1").expect("delete");
    assert_eq!(row_count(&store, "group_records"), 0);
}

#[test]
fn version_2_store_is_upgraded_keeping_records_and_members() {
    let dir = tempdir();
    let path = dir.path().join("s");
    {
        let v2 = peernet_storage::testing::open_at_schema_version(&path, 2).expect("open v2");
        assert_eq!(v2.schema_version().expect("version"), 2);
        v2.insert_identity(&identity("a.x"), &pkcs8("a.x"))
            .expect("identity");
        v2.insert_group(&group("a.x", "g.1", 1), GroupSecrets::default())
            .expect("group");
        let conn = rusqlite::Connection::open(v2.db_path()).expect("raw");
        conn.execute(
            "INSERT INTO group_records VALUES ('a.x', 'g.1', x'01000000000000000000000000000000',
                x'02000000000000000000000000000000', 1, 0, 'a.x', 'a.x', NULL, 5, 6, 7, x'aa', x'bb')",
            [],
        )
        .expect("record");
        conn.execute(
            "INSERT INTO group_members VALUES ('a.x', 'g.1', 'b.y', 1, NULL, 9, NULL)",
            [],
        )
        .expect("member");
    }
    let store = Store::open(&path).expect("open current");
    assert_eq!(store.schema_version().expect("version"), 4);
    let mut id = [0u8; 16];
    id[0] = 1;
    let r = store
        .record("a.x", "g.1", &peernet_storage::Guid::from_bytes(id))
        .expect("record");
    assert_eq!((r.created, r.expiration, r.last_modified), (5, 6, 7));
    assert_eq!(r.data, b"\xaa");
    assert_eq!(store.members("a.x", "g.1").expect("members").len(), 1);
    assert_eq!(store.last_change_seq("a.x", "g.1").expect("seq"), 0);
    store.check_integrity().expect("integrity");
}

#[test]
fn newer_schema_is_db_initialization_error() {
    let dir = tempdir();
    let path = dir.path().join("s");
    drop(Store::open(&path).expect("open"));
    let conn = rusqlite::Connection::open(path.join("store.db")).expect("raw");
    conn.pragma_update(None, "user_version", 99).expect("bump");
    drop(conn);
    match Store::open(&path) {
        Err(e @ Error::DbInitialization { .. }) => {
            let text = e.to_string();
            assert!(text.contains("99") && text.contains("store.db"), "{text}");
        }
        other => panic!("expected DbInitialization, got {other:?}"),
    }
}

#[test]
fn garbage_file_is_corrupted() {
    let dir = tempdir();
    let path = dir.path().join("s");
    fs::create_dir(&path).expect("dir");
    fs::write(path.join("store.db"), vec![0xA5u8; 8192]).expect("garbage");
    match Store::open(&path) {
        Err(e @ Error::Corrupted { .. }) => assert!(e.to_string().contains("store.db"), "{e}"),
        other => panic!("expected Corrupted, got {other:?}"),
    }
}

#[test]
fn truncated_database_is_corrupted() {
    let dir = tempdir();
    let path = dir.path().join("s");
    {
        let store = Store::open(&path).expect("open");
        for i in 0..50 {
            let name = format!("id-{i}.x");
            store
                .insert_identity(&identity(&name), &pkcs8(&name))
                .expect("identity");
        }
    }
    let db = path.join("store.db");
    let bytes = fs::read(&db).expect("read");
    assert!(bytes.len() > 4096 * 3);
    // Keep the header page, overwrite the rest with noise.
    let mut damaged = bytes[..4096].to_vec();
    damaged.extend(std::iter::repeat_n(0x5Au8, bytes.len() - 4096));
    fs::write(&db, damaged).expect("write");
    let outcome = Store::open(&path).and_then(|s| {
        s.check_integrity()?;
        s.identities().map(drop)
    });
    assert!(
        matches!(outcome, Err(Error::Corrupted { .. })),
        "{outcome:?}"
    );
}

#[test]
fn foreign_sqlite_database_is_corrupted() {
    let dir = tempdir();
    let path = dir.path().join("s");
    fs::create_dir(&path).expect("dir");
    let conn = rusqlite::Connection::open(path.join("store.db")).expect("raw");
    conn.execute_batch("CREATE TABLE something_else (x)")
        .expect("create");
    drop(conn);
    assert!(matches!(Store::open(&path), Err(Error::Corrupted { .. })));
    // Nothing was created in it.
    let conn = rusqlite::Connection::open(path.join("store.db")).expect("raw");
    assert_eq!(tables(&conn), ["something_else"]);
}

#[test]
fn other_application_id_is_corrupted() {
    let dir = tempdir();
    let path = dir.path().join("s");
    drop(Store::open(&path).expect("open"));
    let conn = rusqlite::Connection::open(path.join("store.db")).expect("raw");
    conn.pragma_update(None, "application_id", 1234)
        .expect("set");
    drop(conn);
    assert!(matches!(Store::open(&path), Err(Error::Corrupted { .. })));
}
