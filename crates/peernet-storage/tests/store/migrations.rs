//! Schema versions: fresh stores, the v1 → current upgrade, newer, foreign and garbage
//! databases.

use std::fs;

use peernet_storage::{Error, GroupSecrets, Store};

use crate::common::{
    group, group_key, identity, open, pkcs8, row_count, store_with_group, tempdir,
};

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
    assert_eq!(Store::supported_schema_version(), 5);
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
    assert_eq!(store.schema_version().expect("version"), 5);
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
    assert_eq!(store.schema_version().expect("version"), 5);
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

#[test]
fn version_3_change_log_is_rebuilt_keeping_rows_and_sequence() {
    let dir = tempdir();
    let path = dir.path().join("s");
    let last_v3 = {
        let v3 = peernet_storage::testing::open_at_schema_version(&path, 3).expect("open v3");
        v3.insert_identity(&identity("a.x"), &pkcs8("a.x"))
            .expect("identity");
        v3.insert_group(&group("a.x", "g.1", 1), GroupSecrets::default())
            .expect("group");
        // Five version-3 rows (written raw: this build writes version-4 rows).
        let conn = rusqlite::Connection::open(v3.db_path()).expect("raw");
        for s in 1..=5 {
            conn.execute(
                "INSERT INTO group_changes (identity, group_peer_name, event_type, change_type,
                    status, time_ms) VALUES ('a.x', 'g.1', 1, 0, ?1, 1)",
                [s],
            )
            .expect("v3 row");
        }
        let last: i64 = conn
            .query_row("SELECT max(seq) FROM group_changes", [], |r| r.get(0))
            .expect("seq");
        // Pruning keeps the sequence: the next number is still above the last one.
        conn.execute("DELETE FROM group_changes WHERE seq = ?1", [last])
            .expect("prune the newest");
        last as u64
    };
    let store = Store::open(&path).expect("open current");
    assert_eq!(store.schema_version().expect("version"), 5);
    let kept = store.changes_since("a.x", "g.1", 0).expect("changes");
    assert_eq!(kept.len() as u64, last_v3 - 1, "{kept:?}");
    store
        .log_network_event(
            "a.x",
            "g.1",
            &peernet_storage::ChangeEvent::ConnectionFailed { hresult: -1 },
        )
        .expect("a network event");
    let all = store.changes_since("a.x", "g.1", 0).expect("changes");
    let newest = all.last().expect("one more");
    assert!(newest.seq > last_v3, "{} after {last_v3}", newest.seq);
    assert_eq!(
        newest.event,
        peernet_storage::ChangeEvent::ConnectionFailed { hresult: -1 }
    );
}

#[test]
fn network_events_round_trip_and_others_are_refused() {
    let dir = tempdir();
    let store = store_with_group(dir.path());
    let (id, g) = {
        let all = store.all_groups().expect("groups");
        (all[0].identity.clone(), all[0].group_peer_name.clone())
    };
    let events = [
        peernet_storage::ChangeEvent::NeighborConnection {
            status: peernet_storage::ConnectionStatus::Connected,
            connection_id: u64::MAX,
            node_id: 1 << 63,
            peer_id: "12D3KooW".into(),
            member_peer_name: "b.y".into(),
            hresult: 0,
        },
        peernet_storage::ChangeEvent::AuthenticationFailed {
            peer_id: "12D3KooX".into(),
            hresult: i32::MIN,
        },
    ];
    for e in &events {
        store.log_network_event(&id, &g, e).expect("logged");
    }
    let got: Vec<_> = store
        .changes_since(&id, &g, 0)
        .expect("changes")
        .into_iter()
        .map(|c| c.event)
        .filter(|e| e.event_type() != 1)
        .collect();
    assert_eq!(&got[got.len() - 2..], &events[..]);
    let refused = store.log_network_event(
        &id,
        &g,
        &peernet_storage::ChangeEvent::StatusChanged { status: 1 },
    );
    assert!(matches!(
        refused,
        Err(peernet_storage::Error::InvalidInput { .. })
    ));
    assert!(matches!(
        store.log_network_event("nobody.x", &g, &events[0]),
        Err(peernet_storage::Error::NotFound { .. })
    ));
}

#[test]
fn node_key_is_created_once_sealed_and_listen_is_a_setting() {
    let dir = tempdir();
    let store = open(dir.path());
    let k1 = store.node_key().expect("created");
    let k2 = Store::open(store.dir())
        .expect("another process")
        .node_key()
        .expect("same");
    assert_eq!(*k1, *k2);
    let conn = rusqlite::Connection::open(store.db_path()).expect("raw");
    let blob: Vec<u8> = conn
        .query_row(
            "SELECT value FROM settings WHERE name = 'node.key'",
            [],
            |r| r.get(0),
        )
        .expect("stored");
    assert!(
        !blob.windows(32).any(|w| w == &k1[..]),
        "sealed, never in clear"
    );
    assert_eq!(store.node_listen().expect("none"), None);
    store.set_node_listen(Some("127.0.0.1:0")).expect("set");
    assert_eq!(
        store.node_listen().expect("set").as_deref(),
        Some("127.0.0.1:0")
    );
    store.set_node_listen(None).expect("clear");
    assert_eq!(store.node_listen().expect("cleared"), None);
}
