//! Group operations, upsert, chains, properties and secrets.

use peernet_storage::{
    CloudScope, Error, GroupProperties, GroupSecrets, SecretUpdate, UpsertOutcome,
};

use crate::common::{
    chain, group, group_key, password_verifier, row_count, store_with_identities,
    store_with_secret_group, tempdir,
};

#[test]
fn insert_and_get_round_trip() {
    let dir = tempdir();
    let store = store_with_identities(dir.path(), &["a.x"]);
    let mut new = group("a.x", "g.1", 4);
    new.cloud.name = "LinkLocal_{1234}".into();
    new.cloud.scope = CloudScope::LinkLocal;
    new.cloud.scope_id = 7;
    new.cloud.flags = 1;
    new.status = 3;
    store
        .insert_group(
            &new,
            GroupSecrets {
                group_key: Some(b"group pkcs8"),
                password_verifier: Some(b"verifier"),
            },
        )
        .expect("insert");
    let got = store.group("a.x", "g.1").expect("get");
    assert_eq!(got.identity, new.identity);
    assert_eq!(got.group_peer_name, new.group_peer_name);
    assert_eq!(got.classifier, new.classifier);
    assert_eq!(got.cloud, new.cloud);
    assert_eq!(got.profile, new.profile);
    assert_eq!(got.gmc_chain, new.gmc_chain, "chain order kept");
    assert_eq!(got.properties, new.properties);
    assert_eq!(got.status, 3);
    assert!(got.has_group_key && got.has_password_verifier);
    assert_eq!(group_key(&store).as_deref(), Some(&b"group pkcs8"[..]));
    assert_eq!(password_verifier(&store).as_deref(), Some(&b"verifier"[..]));
}

#[test]
fn member_without_group_key() {
    let dir = tempdir();
    let store = store_with_identities(dir.path(), &["a.x"]);
    let mut new = group("a.x", "g.1", 2);
    new.properties.password_role = None;
    store
        .insert_group(&new, GroupSecrets::default())
        .expect("insert");
    let got = store.group("a.x", "g.1").expect("get");
    assert!(!got.has_group_key && !got.has_password_verifier);
    assert_eq!(got.properties.password_role, None);
    assert!(group_key(&store).is_none());
    assert!(password_verifier(&store).is_none());
}

#[test]
fn insert_errors() {
    let dir = tempdir();
    let store = store_with_identities(dir.path(), &["a.x"]);
    match store.insert_group(&group("b.x", "g.1", 1), GroupSecrets::default()) {
        Err(Error::NotFound { what }) => assert_eq!(what, "identity 'b.x'"),
        other => panic!("expected NotFound, got {other:?}"),
    }
    store
        .insert_group(&group("a.x", "g.1", 1), GroupSecrets::default())
        .expect("insert");
    match store.insert_group(&group("a.x", "g.1", 3), GroupSecrets::default()) {
        Err(e @ Error::AlreadyExists { .. }) => assert_eq!(
            e.to_string(),
            "group 'g.1' of identity 'a.x' already exists"
        ),
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
    assert_eq!(store.group("a.x", "g.1").expect("get").gmc_chain.len(), 1);
}

#[test]
fn list_by_identity_and_all() {
    let dir = tempdir();
    let store = store_with_identities(dir.path(), &["a.x", "b.x", "c.x"]);
    for (id, g) in [("a.x", "g.2"), ("a.x", "g.1"), ("b.x", "g.1")] {
        store
            .insert_group(&group(id, g, 2), GroupSecrets::default())
            .expect("insert");
    }
    let names = |id| -> Vec<String> {
        store
            .groups(id)
            .expect("list")
            .into_iter()
            .map(|g| g.group_peer_name)
            .collect()
    };
    assert_eq!(names("a.x"), ["g.1", "g.2"]);
    assert_eq!(names("b.x"), ["g.1"]);
    assert!(names("c.x").is_empty());
    assert!(matches!(store.groups("d.x"), Err(Error::NotFound { .. })));
    let all: Vec<_> = store
        .all_groups()
        .expect("all")
        .into_iter()
        .map(|g| (g.identity, g.group_peer_name, g.gmc_chain.len()))
        .collect();
    assert_eq!(
        all,
        [
            ("a.x".to_owned(), "g.1".to_owned(), 2),
            ("a.x".to_owned(), "g.2".to_owned(), 2),
            ("b.x".to_owned(), "g.1".to_owned(), 2)
        ]
    );
    // Same group peer name under two identities: independent rows.
    store.delete_group("b.x", "g.1").expect("delete");
    assert_eq!(names("a.x"), ["g.1", "g.2"]);
}

#[test]
fn delete_removes_chain_and_secrets() {
    let dir = tempdir();
    let secrets = GroupSecrets {
        group_key: Some(b"k"),
        password_verifier: None,
    };
    let store = store_with_secret_group(dir.path(), 5, secrets);
    store.delete_group("a.x", "g.1").expect("delete");
    assert!(matches!(
        store.group("a.x", "g.1"),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        store.delete_group("a.x", "g.1"),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        store.group_private_key("a.x", "g.1"),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(row_count(&store, "group_chain"), 0);
}

#[test]
fn update_properties_and_verifier() {
    let dir = tempdir();
    let secrets = GroupSecrets {
        group_key: None,
        password_verifier: Some(b"v1"),
    };
    let store = store_with_secret_group(dir.path(), 1, secrets);
    let props = GroupProperties {
        friendly_name: "renamed".into(),
        flags: 0x6,
        creator_peer_name: "a.x".into(),
        comment: "new comment".into(),
        member_data_lifetime: 28_800,
        presence_lifetime: 600,
        authentication_schemes: 0x1,
        password_role: None,
    };
    store
        .update_group_properties("a.x", "g.1", &props, SecretUpdate::Keep)
        .expect("update");
    let got = store.group("a.x", "g.1").expect("get");
    assert_eq!(got.properties, props);
    assert_eq!(password_verifier(&store).as_deref(), Some(&b"v1"[..]));
    store
        .update_group_properties("a.x", "g.1", &props, SecretUpdate::Set(b"v2"))
        .expect("update");
    assert_eq!(password_verifier(&store).as_deref(), Some(&b"v2"[..]));
    store
        .update_group_properties("a.x", "g.1", &props, SecretUpdate::Remove)
        .expect("update");
    assert!(password_verifier(&store).is_none());
    assert!(
        !store
            .group("a.x", "g.1")
            .expect("get")
            .has_password_verifier
    );
    assert!(matches!(
        store.update_group_properties("a.x", "g.9", &props, SecretUpdate::Keep),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(
        format!("{:?}", SecretUpdate::Set(b"secret")),
        "Set(<redacted>)"
    );
}

#[test]
fn chain_and_status_updates() {
    let dir = tempdir();
    let store = store_with_identities(dir.path(), &["a.x"]);
    store
        .insert_group(&group("a.x", "g.1", 3), GroupSecrets::default())
        .expect("insert");
    let renewed = chain("renewed", 5);
    store
        .set_group_chain("a.x", "g.1", &renewed)
        .expect("chain");
    assert_eq!(store.group("a.x", "g.1").expect("get").gmc_chain, renewed);
    store
        .set_group_chain("a.x", "g.1", &renewed[..2])
        .expect("chain");
    assert_eq!(
        store.group("a.x", "g.1").expect("get").gmc_chain,
        &renewed[..2]
    );
    store.set_group_status("a.x", "g.1", 2).expect("status");
    assert_eq!(store.group("a.x", "g.1").expect("get").status, 2);
    assert!(matches!(
        store.set_group_chain("a.x", "g.9", &renewed),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        store.set_group_status("a.x", "g.9", 1),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn upsert_inserts_then_replaces() {
    let dir = tempdir();
    let store = store_with_identities(dir.path(), &["a.x"]);
    let first = group("a.x", "g.1", 6);
    let outcome = store
        .upsert_group(
            &first,
            GroupSecrets {
                group_key: Some(b"owner key"),
                password_verifier: Some(b"v"),
            },
        )
        .expect("upsert");
    assert_eq!(outcome, UpsertOutcome::Inserted);
    let created = store.group("a.x", "g.1").expect("get").created;
    let mut second = group("a.x", "g.1", 2);
    second.properties.comment = "imported again".into();
    second.cloud.scope = CloudScope::SiteLocal;
    let outcome = store
        .upsert_group(&second, GroupSecrets::default())
        .expect("upsert");
    assert_eq!(outcome, UpsertOutcome::Replaced);
    let got = store.group("a.x", "g.1").expect("get");
    assert_eq!(got.gmc_chain, second.gmc_chain, "old chain rows are gone");
    assert_eq!(got.properties.comment, "imported again");
    assert_eq!(got.cloud.scope, CloudScope::SiteLocal);
    assert_eq!(got.created, created);
    assert!(
        !got.has_group_key && !got.has_password_verifier,
        "secrets replaced too"
    );
    assert!(matches!(
        store.upsert_group(&group("b.x", "g.1", 1), GroupSecrets::default()),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(
        format!(
            "{:?}",
            GroupSecrets {
                group_key: Some(b"k"),
                password_verifier: None
            }
        ),
        "GroupSecrets { group_key: Some(\"<redacted>\"), password_verifier: None }"
    );
}
