//! Group records: each operation and its errors, size limits, compare-and-swap, paging,
//! expiry, atomicity of the change log.

use std::ops::ControlFlow;
use std::sync::{Arc, Barrier};

use peernet_storage::{
    ChangeEvent, Error, MAX_RECORD_ATTRIBUTES_SIZE, MAX_RECORD_DATA_SIZE,
    MAX_RECORD_SECURITY_DATA_SIZE, RECORD_SCAN_PAGE, RecordChangeType, RecordKey, Store,
};

use crate::common::{TYPE_A, TYPE_B, guid, record, row_count, store_with_group, tempdir};

#[test]
fn insert_get_and_errors() {
    let dir = tempdir();
    let store = store_with_group(dir.path());
    let r = record(7);
    store.insert_record("a.x", "g.1", &r).expect("insert");
    assert_eq!(store.record("a.x", "g.1", &r.id).expect("get"), r);
    assert!(matches!(
        store.insert_record("a.x", "g.1", &r),
        Err(Error::AlreadyExists { .. })
    ));
    assert!(matches!(
        store.insert_record("a.x", "nope", &record(8)),
        Err(Error::NotFound { .. })
    ));
    match store.record("a.x", "g.1", &guid(99)) {
        Err(e @ Error::RecordNotFound { .. }) => {
            assert!(
                e.to_string()
                    .contains("{00000000-0000-0000-0000-000000000063}"),
                "{e}"
            );
        }
        other => panic!("expected RecordNotFound, got {other:?}"),
    }
    assert!(matches!(
        store.record("a.x", "nope", &guid(7)),
        Err(Error::NotFound { .. })
    ));
    let mut empty_creator = record(9);
    empty_creator.creator_id.clear();
    assert!(matches!(
        store.insert_record("a.x", "g.1", &empty_creator),
        Err(Error::InvalidInput { .. })
    ));
    let mut far = record(9);
    far.expiration = u64::MAX;
    assert!(matches!(
        store.insert_record("a.x", "g.1", &far),
        Err(Error::InvalidInput { .. })
    ));
    assert_eq!(store.record_count("a.x", "g.1", None).expect("count"), 1);
}

/// A change made to a record.
type Mutation = Box<dyn Fn(&mut peernet_storage::RecordRow)>;

#[test]
fn size_limits() {
    let dir = tempdir();
    let store = store_with_group(dir.path());
    let mut r = record(1);
    r.data = vec![7; MAX_RECORD_DATA_SIZE];
    r.attributes = Some("a".repeat(MAX_RECORD_ATTRIBUTES_SIZE));
    r.security_data = vec![1; MAX_RECORD_SECURITY_DATA_SIZE];
    store
        .insert_record("a.x", "g.1", &r)
        .expect("at the limits");
    assert_eq!(store.record("a.x", "g.1", &r.id).expect("get"), r);
    let cases: Vec<(&str, Mutation)> = vec![
        (
            "data",
            Box::new(|r| r.data = vec![0; MAX_RECORD_DATA_SIZE + 1]),
        ),
        (
            "attributes",
            Box::new(|r| r.attributes = Some("a".repeat(MAX_RECORD_ATTRIBUTES_SIZE + 1))),
        ),
        (
            "security data",
            Box::new(|r| r.security_data = vec![0; MAX_RECORD_SECURITY_DATA_SIZE + 1]),
        ),
        ("creator id", Box::new(|r| r.creator_id = "c".repeat(1025))),
    ];
    for (field, mutate) in cases {
        let mut big = record(2);
        mutate(&mut big);
        match store.insert_record("a.x", "g.1", &big) {
            Err(Error::RecordTooLarge { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: expected RecordTooLarge, got {other:?}"),
        }
        let mut upd = r.clone();
        mutate(&mut upd);
        upd.version = 2;
        assert!(matches!(
            store.update_record("a.x", "g.1", &upd, 1),
            Err(Error::RecordTooLarge { .. })
        ));
    }
    assert_eq!(store.record_count("a.x", "g.1", None).expect("count"), 1);
}

#[test]
fn update_and_compare_and_swap() {
    let dir = tempdir();
    let store = store_with_group(dir.path());
    let r = record(1);
    store.insert_record("a.x", "g.1", &r).expect("insert");
    let mut v2 = r.clone();
    v2.version = 2;
    v2.data = b"new".to_vec();
    v2.modified_by_id = "b.y".into();
    v2.expiration += 5;
    store.update_record("a.x", "g.1", &v2, 1).expect("update");
    assert_eq!(store.record("a.x", "g.1", &r.id).expect("get"), v2);

    // Based on a stale version: refused, stored row unchanged.
    let mut stale = r.clone();
    stale.version = 2;
    match store.update_record("a.x", "g.1", &stale, 1) {
        Err(Error::RecordVersionConflict {
            expected, found, ..
        }) => assert_eq!((expected, found), (1, 2)),
        other => panic!("expected conflict, got {other:?}"),
    }
    assert_eq!(store.record("a.x", "g.1", &r.id).expect("get"), v2);
    // Version must increase.
    assert!(matches!(
        store.update_record("a.x", "g.1", &v2, 2),
        Err(Error::InvalidInput { .. })
    ));
    // Type cannot change.
    let mut retyped = v2.clone();
    retyped.version = 3;
    retyped.record_type = TYPE_A;
    assert!(matches!(
        store.update_record("a.x", "g.1", &retyped, 2),
        Err(Error::InvalidInput { .. })
    ));
    // Creator and creation time cannot change.
    let mut recreated = v2.clone();
    recreated.version = 3;
    recreated.creator_id = "z.z".into();
    assert!(matches!(
        store.update_record("a.x", "g.1", &recreated, 2),
        Err(Error::InvalidInput { .. })
    ));
    recreated.creator_id = v2.creator_id.clone();
    recreated.created += 1;
    assert!(matches!(
        store.update_record("a.x", "g.1", &recreated, 2),
        Err(Error::InvalidInput { .. })
    ));
    // Missing record / group.
    let mut missing = record(50);
    missing.version = 2;
    assert!(matches!(
        store.update_record("a.x", "g.1", &missing, 1),
        Err(Error::RecordNotFound { .. })
    ));
    assert!(matches!(
        store.update_record("a.x", "nope", &missing, 1),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn two_writers_cannot_lose_an_update() {
    let dir = tempdir();
    let store = store_with_group(dir.path());
    store
        .insert_record("a.x", "g.1", &record(1))
        .expect("insert");
    let path = dir.path().join("store");
    let barrier = Arc::new(Barrier::new(4));
    let handles: Vec<_> = (0..4)
        .map(|w| {
            let barrier = Arc::clone(&barrier);
            let path = path.clone();
            std::thread::spawn(move || {
                let store = Store::open(&path).expect("open");
                let mut next = store.record("a.x", "g.1", &guid(1)).expect("read");
                let base = next.version;
                next.version = base + 1;
                next.data = format!("writer {w}").into_bytes();
                barrier.wait();
                store.update_record("a.x", "g.1", &next, base)
            })
        })
        .collect();
    let results: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .collect();
    let ok = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(ok, 1, "{results:?}");
    assert!(
        results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .all(|e| matches!(e, Error::RecordVersionConflict { .. }))
    );
    assert_eq!(
        store.record("a.x", "g.1", &guid(1)).expect("get").version,
        2
    );
}

#[test]
fn delete_and_list_ordered() {
    let dir = tempdir();
    let store = store_with_group(dir.path());
    for i in [5, 3, 9, 1, 4] {
        store
            .insert_record("a.x", "g.1", &record(i))
            .expect("insert");
    }
    let ids = |rows: Vec<peernet_storage::RecordRow>| -> Vec<u32> {
        rows.iter()
            .map(|r| {
                let b = r.id.to_bytes();
                u32::from_be_bytes([b[12], b[13], b[14], b[15]])
            })
            .collect()
    };
    assert_eq!(
        ids(store.records("a.x", "g.1", None).expect("all")),
        [1, 3, 4, 5, 9]
    );
    assert_eq!(
        ids(store.records("a.x", "g.1", Some(&TYPE_B)).expect("B")),
        [1, 3, 5, 9]
    );
    assert_eq!(
        ids(store.records("a.x", "g.1", Some(&TYPE_A)).expect("A")),
        [4]
    );
    assert_eq!(
        store.record_count("a.x", "g.1", Some(&TYPE_B)).expect("n"),
        4
    );
    assert_eq!(
        store.delete_record("a.x", "g.1", &guid(3)).expect("delete"),
        RecordKey {
            id: guid(3),
            record_type: TYPE_B
        }
    );
    assert!(matches!(
        store.delete_record("a.x", "g.1", &guid(3)),
        Err(Error::RecordNotFound { .. })
    ));
    assert!(matches!(
        store.delete_record("a.x", "nope", &guid(3)),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        store.records("a.x", "nope", None),
        Err(Error::NotFound { .. })
    ));
    let page = store
        .records_page("a.x", "g.1", None, Some(&guid(1)), 2)
        .expect("page");
    assert_eq!(ids(page), [4, 5]);
}

#[test]
fn for_each_record_pages_through_everything() {
    let dir = tempdir();
    let store = store_with_group(dir.path());
    let n = RECORD_SCAN_PAGE * 2 + 17;
    peernet_storage::testing::bulk_insert_records(&store, "a.x", "g.1", 0, n, |i| {
        record(u32::try_from(i).expect("small"))
    })
    .expect("bulk");
    let mut seen = Vec::new();
    store
        .for_each_record("a.x", "g.1", None, |r| {
            seen.push(r.id);
            ControlFlow::Continue(())
        })
        .expect("scan");
    assert_eq!(seen.len(), n);
    // Storage order: here the insertion order, which is id order.
    assert!(seen.windows(2).all(|w| w[0] < w[1]));
    // Each record exactly once, in a stable order, whatever the insertion order.
    let dir2 = tempdir();
    let shuffled = store_with_group(dir2.path());
    let order: Vec<u32> = (0..1100u32).map(|i| (i * 7919) % 1100).collect();
    peernet_storage::testing::bulk_insert_records(&shuffled, "a.x", "g.1", 0, order.len(), |i| {
        record(order[i])
    })
    .expect("bulk");
    let scan = |store: &peernet_storage::Store| {
        let mut ids = Vec::new();
        store
            .for_each_record("a.x", "g.1", None, |r| {
                ids.push(r.id);
                ControlFlow::Continue(())
            })
            .expect("scan");
        ids
    };
    let first = scan(&shuffled);
    assert_eq!(first, order.iter().map(|&i| guid(i)).collect::<Vec<_>>());
    assert_eq!(scan(&shuffled), first);
    let mut type_a = 0;
    store
        .for_each_record("a.x", "g.1", Some(&TYPE_A), |r| {
            assert_eq!(r.record_type, TYPE_A);
            type_a += 1;
            ControlFlow::Continue(())
        })
        .expect("scan A");
    assert_eq!(type_a, n.div_ceil(2));
    let mut first = 0;
    store
        .for_each_record("a.x", "g.1", None, |_| {
            first += 1;
            if first == 10 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        })
        .expect("stop early");
    assert_eq!(first, 10);
}

#[test]
fn expiry_sweep_removes_and_logs() {
    let dir = tempdir();
    let store = store_with_group(dir.path());
    assert_eq!(
        store.next_record_expiration("a.x", "g.1").expect("next"),
        None
    );
    for i in 0..6 {
        store
            .insert_record("a.x", "g.1", &record(i))
            .expect("insert");
    }
    assert_eq!(
        store.next_record_expiration("a.x", "g.1").expect("next"),
        Some(10_000)
    );
    let before = store.last_change_seq("a.x", "g.1").expect("seq");
    // record(i) expires at 10_000 + i: at 10_002, records 0, 1 and 2 are expired.
    let expired = store
        .delete_expired_records("a.x", "g.1", 10_002)
        .expect("sweep");
    assert_eq!(
        expired.iter().map(|k| k.id).collect::<Vec<_>>(),
        [guid(0), guid(1), guid(2)]
    );
    assert_eq!(store.record_count("a.x", "g.1", None).expect("n"), 3);
    assert_eq!(
        store.next_record_expiration("a.x", "g.1").expect("next"),
        Some(10_003)
    );
    let changes = store.changes_since("a.x", "g.1", before).expect("changes");
    assert_eq!(changes.len(), 3);
    for (c, i) in changes.iter().zip(0..) {
        assert_eq!(
            c.event,
            ChangeEvent::RecordChanged {
                change: RecordChangeType::Expired,
                record_id: guid(i),
                record_type: record(i).record_type,
            }
        );
    }
    assert!(
        store
            .delete_expired_records("a.x", "g.1", 10_002)
            .expect("again")
            .is_empty()
    );
}

#[test]
fn a_failed_change_writes_no_log_row_and_a_failed_log_no_change() {
    let dir = tempdir();
    let store = store_with_group(dir.path());
    store
        .insert_record("a.x", "g.1", &record(1))
        .expect("insert");
    let seq = store.last_change_seq("a.x", "g.1").expect("seq");
    assert!(store.insert_record("a.x", "g.1", &record(1)).is_err());
    assert!(store.delete_record("a.x", "g.1", &guid(2)).is_err());
    let mut stale = record(1);
    stale.version = 5;
    assert!(store.update_record("a.x", "g.1", &stale, 3).is_err());
    assert_eq!(store.last_change_seq("a.x", "g.1").expect("seq"), seq);

    // Make the change-log insert fail: the record change must roll back with it.
    let raw = rusqlite::Connection::open(store.db_path()).expect("raw");
    raw.execute_batch(
        "CREATE TRIGGER fail_log BEFORE INSERT ON group_changes
         BEGIN SELECT RAISE(ABORT, 'change log refused'); END;",
    )
    .expect("trigger");
    assert!(matches!(
        store.insert_record("a.x", "g.1", &record(2)),
        Err(Error::Sqlite { .. })
    ));
    assert!(store.delete_record("a.x", "g.1", &guid(1)).is_err());
    assert_eq!(store.record_count("a.x", "g.1", None).expect("n"), 1);
    raw.execute_batch("DROP TRIGGER fail_log").expect("drop");
    store
        .insert_record("a.x", "g.1", &record(2))
        .expect("now it works");
    assert_eq!(store.last_change_seq("a.x", "g.1").expect("seq"), seq + 1);
}

#[test]
fn damaged_row_is_corrupted_not_a_panic() {
    let dir = tempdir();
    let store = store_with_group(dir.path());
    store
        .insert_record("a.x", "g.1", &record(1))
        .expect("insert");
    let raw = rusqlite::Connection::open(store.db_path()).expect("raw");
    raw.execute("UPDATE group_records SET created = -5", [])
        .expect("damage");
    assert!(matches!(
        store.record("a.x", "g.1", &guid(1)),
        Err(Error::Corrupted { .. })
    ));
    raw.execute("UPDATE group_records SET created = 1, version = -1", [])
        .expect("damage");
    assert!(matches!(
        store.records("a.x", "g.1", None),
        Err(Error::Corrupted { .. })
    ));
}

#[test]
fn group_deletion_removes_records_members_and_changes() {
    let dir = tempdir();
    let store = store_with_group(dir.path());
    store
        .insert_record("a.x", "g.1", &record(1))
        .expect("insert");
    store.delete_group("a.x", "g.1").expect("delete group");
    for table in ["group_records", "group_changes", "group_members"] {
        assert_eq!(row_count(&store, table), 0, "{table}");
    }
}
