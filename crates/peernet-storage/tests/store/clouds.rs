//! Cloud list and the resolution rule of [MS-PPSEC] 3.1.4.2.

use peernet_storage::{Cloud, CloudScope, Error, GLOBAL_CLOUD};

use crate::common::{open, tempdir};

fn cloud(name: &str, scope: CloudScope, scope_id: u32, private: bool) -> Cloud {
    Cloud {
        name: name.into(),
        scope,
        scope_id,
        private,
    }
}

#[test]
fn global_always_exists() {
    let dir = tempdir();
    let store = open(dir.path());
    assert_eq!(store.clouds().expect("list"), [Cloud::global()]);
    assert!(matches!(
        store.remove_cloud(GLOBAL_CLOUD),
        Err(Error::InvalidInput { .. })
    ));
    assert!(matches!(
        store.add_cloud(&Cloud::global()),
        Err(Error::AlreadyExists { .. })
    ));
    assert_eq!(store.clouds().expect("list"), [Cloud::global()]);
}

#[test]
fn add_list_remove() {
    let dir = tempdir();
    let store = open(dir.path());
    let link = cloud("LinkLocal_{AAAA}", CloudScope::LinkLocal, 4, true);
    let site = cloud("SiteLocal_%2", CloudScope::SiteLocal, 2, true);
    store.add_cloud(&link).expect("add");
    store.add_cloud(&site).expect("add");
    assert!(matches!(
        store.add_cloud(&link),
        Err(Error::AlreadyExists { .. })
    ));
    assert!(matches!(
        store.add_cloud(&cloud("", CloudScope::Global, 0, false)),
        Err(Error::InvalidInput { .. })
    ));
    assert_eq!(
        store.clouds().expect("list"),
        [Cloud::global(), link.clone(), site]
    );
    store.remove_cloud("SiteLocal_%2").expect("remove");
    assert!(matches!(
        store.remove_cloud("SiteLocal_%2"),
        Err(Error::NotFound { .. })
    ));
    assert_eq!(store.clouds().expect("list"), [Cloud::global(), link]);
}

#[test]
fn scope_values() {
    for (scope, value) in [
        (CloudScope::Global, 1),
        (CloudScope::SiteLocal, 2),
        (CloudScope::LinkLocal, 3),
    ] {
        assert_eq!(scope.to_u32(), value);
        assert_eq!(CloudScope::from_u32(value), Some(scope));
    }
    assert_eq!(CloudScope::from_u32(0), None);
    assert_eq!(CloudScope::from_u32(4), None);
}

#[test]
fn resolution_rule() {
    let dir = tempdir();
    let store = open(dir.path());
    // No name → Global_.
    assert_eq!(
        store
            .resolve_cloud(None, CloudScope::LinkLocal, true)
            .expect("none"),
        Cloud::global()
    );
    assert_eq!(
        store
            .resolve_cloud(Some(""), CloudScope::Global, false)
            .expect("empty"),
        Cloud::global()
    );
    // A private name from another machine, no local private link-local cloud → NoCloud.
    let foreign = "LinkLocal_{FOREIGN}";
    match store.resolve_cloud(Some(foreign), CloudScope::LinkLocal, true) {
        Err(Error::NoCloud { name }) => assert_eq!(name, foreign),
        other => panic!("expected NoCloud, got {other:?}"),
    }
    // Public clouds and private clouds of other scopes do not count.
    store
        .add_cloud(&cloud(
            "LinkLocal_2001:db8::/64",
            CloudScope::LinkLocal,
            3,
            false,
        ))
        .expect("add");
    store
        .add_cloud(&cloud("SiteLocal_%1", CloudScope::SiteLocal, 1, true))
        .expect("add");
    assert!(matches!(
        store.resolve_cloud(Some(foreign), CloudScope::LinkLocal, true),
        Err(Error::NoCloud { .. })
    ));
    // Exactly one local private cloud of that scope → it.
    let mine = cloud("LinkLocal_{MINE1}", CloudScope::LinkLocal, 5, true);
    store.add_cloud(&mine).expect("add");
    assert_eq!(
        store
            .resolve_cloud(Some(foreign), CloudScope::LinkLocal, true)
            .expect("one"),
        mine
    );
    // A public (non-private) name is never substituted.
    assert!(matches!(
        store.resolve_cloud(
            Some("LinkLocal_2001:db8:1::/64"),
            CloudScope::LinkLocal,
            false
        ),
        Err(Error::NoCloud { .. })
    ));
    // Exact name wins whatever the scope or flag.
    assert_eq!(
        store
            .resolve_cloud(Some("SiteLocal_%1"), CloudScope::LinkLocal, false)
            .expect("exact")
            .name,
        "SiteLocal_%1"
    );
    // Two candidates → ambiguous, candidates listed sorted.
    store
        .add_cloud(&cloud("LinkLocal_{MINE0}", CloudScope::LinkLocal, 6, true))
        .expect("add");
    match store.resolve_cloud(Some(foreign), CloudScope::LinkLocal, true) {
        Err(e @ Error::CloudNameAmbiguous { .. }) => {
            let Error::CloudNameAmbiguous { candidates, .. } = &e else {
                unreachable!()
            };
            assert_eq!(candidates, &["LinkLocal_{MINE0}", "LinkLocal_{MINE1}"]);
            assert!(
                e.to_string().contains("'LinkLocal_{FOREIGN}' is ambiguous"),
                "{e}"
            );
        }
        other => panic!("expected CloudNameAmbiguous, got {other:?}"),
    }
    // The exact name still resolves while ambiguous otherwise.
    assert_eq!(
        store
            .resolve_cloud(Some("LinkLocal_{MINE1}"), CloudScope::LinkLocal, true)
            .expect("exact"),
        mine
    );
}

#[test]
fn private_form_names_are_private_without_the_flag() {
    use peernet_storage::private_cloud_scope;
    let link = "LinkLocal_{99999999-9999-9999-9999-999999999999}";
    assert_eq!(private_cloud_scope(link), Some(CloudScope::LinkLocal));
    assert_eq!(
        private_cloud_scope("SiteLocal_%12"),
        Some(CloudScope::SiteLocal)
    );
    for public in [
        "Global_",
        "LinkLocal_2001:db8::/64",
        "SiteLocal_2001:db8::/48",
        "LinkLocal_{not-a-guid}",
        "LinkLocal_99999999-9999-9999-9999-999999999999",
        "SiteLocal_%",
        "SiteLocal_%+1",
        "SiteLocal_%99999999999",
    ] {
        assert_eq!(private_cloud_scope(public), None, "{public}");
    }
    let dir = tempdir();
    let store = open(dir.path());
    let mine0 = "LinkLocal_{00000000-0000-0000-0000-000000000001}";
    let mine1 = "LinkLocal_{00000000-0000-0000-0000-000000000002}";
    store
        .add_cloud(&cloud(mine0, CloudScope::LinkLocal, 1, true))
        .expect("add");
    // One candidate: the private-form name resolves to it, whatever scope or flag is given.
    assert_eq!(
        store
            .resolve_cloud(Some(link), CloudScope::Global, false)
            .expect("one")
            .name,
        mine0
    );
    // A site-local private name looks among site-local clouds only.
    assert!(matches!(
        store.resolve_cloud(Some("SiteLocal_%7"), CloudScope::LinkLocal, false),
        Err(Error::NoCloud { .. })
    ));
    store
        .add_cloud(&cloud(mine1, CloudScope::LinkLocal, 2, true))
        .expect("add");
    match store.resolve_cloud(Some(link), CloudScope::Global, false) {
        Err(Error::CloudNameAmbiguous { candidates, .. }) => {
            assert_eq!(candidates, [mine0, mine1]);
        }
        other => panic!("expected CloudNameAmbiguous, got {other:?}"),
    }
    // The exact name still wins.
    assert_eq!(
        store
            .resolve_cloud(Some(mine1), CloudScope::Global, false)
            .expect("exact")
            .name,
        mine1
    );
}
