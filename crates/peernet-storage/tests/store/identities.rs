//! Identity operations and their errors.

use std::time::{Duration, SystemTime};

use peernet_storage::{Error, GroupSecrets};

use crate::common::{group, identity, open, pkcs8, store_with_identities, tempdir};

#[test]
fn insert_get_list_sorted() {
    let dir = tempdir();
    let store = open(dir.path());
    let before = SystemTime::now() - Duration::from_secs(2);
    for name in ["b.two", "a.one", "c.three", "B.upper"] {
        store
            .insert_identity(&identity(name), &pkcs8(name))
            .expect("insert");
    }
    let got = store.identity("a.one").expect("get");
    assert_eq!(got.peer_name, "a.one");
    assert_eq!(got.friendly_name, "friendly a.one");
    assert_eq!(got.profile, "modern");
    assert_eq!(got.idc, b"IDC-CERTIFICATE:a.one");
    assert!(!got.is_default);
    assert!(got.created >= before && got.created <= SystemTime::now() + Duration::from_secs(2));
    let names: Vec<_> = store
        .identities()
        .expect("list")
        .into_iter()
        .map(|i| i.peer_name)
        .collect();
    assert_eq!(names, ["B.upper", "a.one", "b.two", "c.three"]);
    // Persisted: a new handle sees the same list.
    drop(store);
    assert_eq!(open(dir.path()).identities().expect("list").len(), 4);
}

#[test]
fn duplicate_is_already_exists_and_names_are_case_sensitive() {
    let dir = tempdir();
    let store = store_with_identities(dir.path(), &["a.x"]);
    match store.insert_identity(&identity("a.x"), b"other key") {
        Err(Error::AlreadyExists { what }) => assert!(what.contains("'a.x'"), "{what}"),
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
    // The first key is untouched.
    assert_eq!(
        &*store.identity_private_key("a.x").expect("key"),
        &pkcs8("a.x")[..]
    );
    store
        .insert_identity(&identity("a.X"), &pkcs8("a.X"))
        .expect("case differs");
    assert!(matches!(store.identity("A.x"), Err(Error::NotFound { .. })));
}

#[test]
fn get_missing_is_not_found_with_name() {
    let dir = tempdir();
    let store = open(dir.path());
    let err = store.identity("nobody.here").expect_err("missing");
    assert!(matches!(err, Error::NotFound { .. }));
    assert_eq!(err.to_string(), "identity 'nobody.here' not found");
    assert!(matches!(
        store.identity_private_key("nobody.here"),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn set_friendly_name() {
    let dir = tempdir();
    let store = store_with_identities(dir.path(), &["a.x"]);
    store
        .set_identity_friendly_name("a.x", "Alice")
        .expect("rename");
    assert_eq!(store.identity("a.x").expect("get").friendly_name, "Alice");
    assert!(matches!(
        store.set_identity_friendly_name("b.x", "Bob"),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn delete_refused_while_groups_exist() {
    let dir = tempdir();
    let store = store_with_identities(dir.path(), &["a.x"]);
    store
        .insert_group(&group("a.x", "g.1", 2), GroupSecrets::default())
        .expect("group");
    store
        .insert_group(&group("a.x", "g.2", 2), GroupSecrets::default())
        .expect("group");
    match store.delete_identity("a.x") {
        Err(e @ Error::GroupsExist { .. }) => {
            assert_eq!(
                e.to_string(),
                "identity 'a.x' still has 2 group(s); delete them first"
            );
        }
        other => panic!("expected GroupsExist, got {other:?}"),
    }
    store.identity("a.x").expect("still there");
    store.delete_group("a.x", "g.1").expect("delete group");
    store.delete_group("a.x", "g.2").expect("delete group");
    store.delete_identity("a.x").expect("delete");
    assert!(matches!(store.identity("a.x"), Err(Error::NotFound { .. })));
    assert!(matches!(
        store.delete_identity("a.x"),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn default_identity_is_unique() {
    let dir = tempdir();
    let store = open(dir.path());
    assert_eq!(store.default_identity().expect("default"), None);
    for name in ["a.x", "b.x"] {
        store
            .insert_identity(&identity(name), &pkcs8(name))
            .expect("insert");
    }
    store.set_default_identity("a.x").expect("set");
    assert_eq!(
        store.default_identity().expect("default").as_deref(),
        Some("a.x")
    );
    store.set_default_identity("b.x").expect("set");
    assert_eq!(
        store.default_identity().expect("default").as_deref(),
        Some("b.x")
    );
    let defaults: Vec<_> = store
        .identities()
        .expect("list")
        .into_iter()
        .filter(|i| i.is_default)
        .map(|i| i.peer_name)
        .collect();
    assert_eq!(defaults, ["b.x"]);
    assert!(matches!(
        store.set_default_identity("c.x"),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(
        store.default_identity().expect("default").as_deref(),
        Some("b.x")
    );
    store.delete_identity("b.x").expect("delete");
    assert_eq!(store.default_identity().expect("default"), None);
    store.set_default_identity("a.x").expect("set");
    store.clear_default_identity().expect("clear");
    assert_eq!(store.default_identity().expect("default"), None);
}

#[test]
fn private_key_round_trip() {
    let dir = tempdir();
    let store = open(dir.path());
    let key = vec![0u8, 1, 2, 255, 0, 7];
    store
        .insert_identity(&identity("a.x"), &key)
        .expect("insert");
    drop(store);
    let store = open(dir.path());
    assert_eq!(
        &*store.identity_private_key("a.x").expect("unseal"),
        &key[..]
    );
}

#[test]
fn empty_peer_name_is_invalid() {
    let dir = tempdir();
    let store = open(dir.path());
    assert!(matches!(
        store.insert_identity(&identity(""), b"k"),
        Err(Error::InvalidInput { .. })
    ));
    store
        .insert_identity(&identity("a.x"), &pkcs8("a.x"))
        .expect("insert");
    assert!(matches!(
        store.insert_group(&group("a.x", "", 1), GroupSecrets::default()),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        store.upsert_group(&group("a.x", "", 1), GroupSecrets::default()),
        Err(Error::InvalidInput { .. })
    ));
}
