//! Database export / import: round trip with change events, and every refusal leaving
//! the store unchanged.

use std::fs;

use peernet_storage::{
    ChangeEvent, DATABASE_EXPORT_MAGIC, Error, MemberChangeType, MemberRow, RecordChangeType,
    RecordRow, Store,
};

use crate::common::{events_since, guid, record, store_with_group, tempdir};

fn member(name: &str) -> MemberRow {
    MemberRow {
        peer_name: name.to_owned(),
        flags: 0,
        attributes: Some("x".into()),
        node_id: Some(42),
        gmc_chain: Some(vec![0x30, 0x82, 1, 2]),
    }
}

fn snapshot(store: &Store) -> (Vec<RecordRow>, Vec<MemberRow>) {
    (
        store.records("a.x", "g.1", None).expect("records"),
        store.members("a.x", "g.1").expect("members"),
    )
}

fn filled(dir: &std::path::Path) -> Store {
    let store = store_with_group(dir);
    for i in 0..6 {
        store.insert_record("a.x", "g.1", &record(i)).expect("add");
    }
    let mut big = record(100);
    big.data = vec![0x5a; 200_000];
    big.attributes = None;
    store.insert_record("a.x", "g.1", &big).expect("big");
    store
        .upsert_member("a.x", "g.1", &member("b.y"))
        .expect("m");
    store
        .upsert_member("a.x", "g.1", &member("c.z"))
        .expect("m");
    store
}

#[test]
fn round_trip_restores_records_and_members_and_logs_the_difference() {
    let dir = tempdir();
    let store = filled(dir.path());
    let file = dir.path().join("backup.pnetdb");
    fs::write(&file, b"an older file, overwritten").expect("old file");
    store.export_database("a.x", "g.1", &file).expect("export");
    assert_eq!(&fs::read(&file).expect("read")[..8], &DATABASE_EXPORT_MAGIC);
    let exported = snapshot(&store);

    // Diverge: add 10, update 1, delete 2, member d.w joins, c.z leaves, b.y changes.
    store.insert_record("a.x", "g.1", &record(10)).expect("add");
    let mut r1 = record(1);
    r1.version = 2;
    store.update_record("a.x", "g.1", &r1, 1).expect("update");
    store.delete_record("a.x", "g.1", &guid(2)).expect("delete");
    store
        .upsert_member("a.x", "g.1", &member("d.w"))
        .expect("m");
    store.delete_member("a.x", "g.1", "c.z").expect("m");
    let mut by = member("b.y");
    by.flags = 1;
    store.upsert_member("a.x", "g.1", &by).expect("m");

    let seq = store.last_change_seq("a.x", "g.1").expect("seq");
    store.import_database("a.x", "g.1", &file).expect("import");
    assert_eq!(snapshot(&store), exported);
    let events = events_since(&store, seq);
    let rec = |change, i: u32| ChangeEvent::RecordChanged {
        change,
        record_id: guid(i),
        record_type: record(i).record_type,
    };
    let mem = |change, name: &str| ChangeEvent::MemberChanged {
        change,
        member_peer_name: name.into(),
    };
    assert_eq!(
        events,
        [
            rec(RecordChangeType::Updated, 1),
            rec(RecordChangeType::Added, 2),
            rec(RecordChangeType::Deleted, 10),
            mem(MemberChangeType::Updated, "b.y"),
            mem(MemberChangeType::Joined, "c.z"),
            mem(MemberChangeType::Left, "d.w"),
        ]
    );
    // Importing the same file again changes nothing and logs nothing.
    let seq = store.last_change_seq("a.x", "g.1").expect("seq");
    store
        .import_database("a.x", "g.1", &file)
        .expect("import again");
    assert_eq!(store.last_change_seq("a.x", "g.1").expect("seq"), seq);

    // Into another store holding the same identity and group.
    let other_dir = tempdir();
    let other = store_with_group(other_dir.path());
    other
        .import_database("a.x", "g.1", &file)
        .expect("import elsewhere");
    assert_eq!(snapshot(&other), exported);
    other.check_integrity().expect("integrity");
}

#[test]
fn another_group_or_identity_is_refused() {
    let dir = tempdir();
    let store = filled(dir.path());
    store
        .insert_group(
            &crate::common::group("a.x", "g.2", 1),
            peernet_storage::GroupSecrets::default(),
        )
        .expect("g.2");
    store
        .insert_identity(&crate::common::identity("b.y"), b"k")
        .expect("b.y");
    store
        .insert_group(
            &crate::common::group("b.y", "g.1", 1),
            peernet_storage::GroupSecrets::default(),
        )
        .expect("b.y g.1");
    let file = dir.path().join("g1.db");
    store.export_database("a.x", "g.1", &file).expect("export");
    for (identity, group) in [("a.x", "g.2"), ("b.y", "g.1")] {
        match store.import_database(identity, group, &file) {
            Err(e @ Error::DatabaseMismatch { .. }) => {
                assert!(e.to_string().contains("g.1"), "{e}");
            }
            other => panic!("{identity}/{group}: expected DatabaseMismatch, got {other:?}"),
        }
        assert!(store.records(identity, group, None).expect("r").is_empty());
    }
    assert!(matches!(
        store.import_database("a.x", "nope", &file),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        store.export_database("a.x", "nope", &dir.path().join("x")),
        Err(Error::NotFound { .. })
    ));
    assert!(!dir.path().join("x").exists());
}

#[test]
fn malformed_files_are_refused_and_change_nothing() {
    let dir = tempdir();
    let store = filled(dir.path());
    let good_path = dir.path().join("good.db");
    store
        .export_database("a.x", "g.1", &good_path)
        .expect("export");
    let good = fs::read(&good_path).expect("read");
    // Diverge so that a wrongly accepted import would show.
    store.insert_record("a.x", "g.1", &record(50)).expect("add");
    let before = snapshot(&store);
    let seq = store.last_change_seq("a.x", "g.1").expect("seq");

    let mut cases: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), Vec::new()),
        ("garbage".into(), b"this is not a database export".to_vec()),
        ("sqlite file".into(), {
            let mut v = b"SQLite format 3\0".to_vec();
            v.resize(4096, 0);
            v
        }),
        ("trailing byte".into(), {
            let mut v = good.clone();
            v.push(0);
            v
        }),
        ("version 2".into(), {
            let mut v = good.clone();
            v[11] = 2;
            v
        }),
        ("huge length".into(), {
            // The identity length field follows magic and version.
            let mut v = good.clone();
            v[12..16].copy_from_slice(&u32::MAX.to_be_bytes());
            v
        }),
    ];
    for cut in [
        9,
        20,
        60,
        200,
        good.len() / 2,
        good.len() - 33,
        good.len() - 1,
    ] {
        cases.push((format!("truncated at {cut}"), good[..cut].to_vec()));
    }
    for at in [70, 150, good.len() / 2, good.len() - 40, good.len() - 1] {
        let mut v = good.clone();
        v[at] ^= 0x40;
        cases.push((format!("flipped byte {at}"), v));
    }
    let bad_path = dir.path().join("bad.db");
    for (name, bytes) in cases {
        fs::write(&bad_path, &bytes).expect("write");
        match store.import_database("a.x", "g.1", &bad_path) {
            Err(Error::InvalidDatabase { reason, .. }) => eprintln!("{name}: {reason}"),
            // A flipped byte inside the group name is reported as a mismatch.
            Err(Error::DatabaseMismatch { .. }) => eprintln!("{name}: mismatch"),
            other => panic!("{name}: expected InvalidDatabase, got {other:?}"),
        }
        assert_eq!(snapshot(&store), before, "{name}");
        assert_eq!(
            store.last_change_seq("a.x", "g.1").expect("seq"),
            seq,
            "{name}"
        );
    }
    assert!(matches!(
        store.import_database("a.x", "g.1", &dir.path().join("missing.db")),
        Err(Error::Io { .. })
    ));
    store.check_integrity().expect("integrity");
}
