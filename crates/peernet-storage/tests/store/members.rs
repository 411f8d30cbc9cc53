//! Group members and their change events.

use peernet_storage::{ChangeEvent, Error, MemberChangeType, MemberRow, UpsertOutcome};

use crate::common::{events_since, store_with_group, tempdir};

fn member(name: &str, node: u64) -> MemberRow {
    MemberRow {
        peer_name: name.to_owned(),
        flags: 1,
        attributes: Some(format!("attrs of {name}")),
        node_id: Some(node),
        gmc_chain: Some(format!("chain of {name}").into_bytes()),
    }
}

#[test]
fn upsert_get_list_delete() {
    let dir = tempdir();
    let store = store_with_group(dir.path());
    let seq = store.last_change_seq("a.x", "g.1").expect("seq");
    assert_eq!(
        store
            .upsert_member("a.x", "g.1", &member("c.z", u64::MAX))
            .expect("insert"),
        UpsertOutcome::Inserted
    );
    assert_eq!(
        store
            .upsert_member("a.x", "g.1", &member("b.y", 2))
            .expect("insert"),
        UpsertOutcome::Inserted
    );
    let mut changed = member("b.y", 3);
    changed.flags = 0;
    changed.attributes = None;
    changed.gmc_chain = None;
    assert_eq!(
        store
            .upsert_member("a.x", "g.1", &changed)
            .expect("replace"),
        UpsertOutcome::Replaced
    );
    assert_eq!(store.member("a.x", "g.1", "b.y").expect("get"), changed);
    assert_eq!(
        store.member("a.x", "g.1", "c.z").expect("get").node_id,
        Some(u64::MAX)
    );
    let names: Vec<String> = store
        .members("a.x", "g.1")
        .expect("list")
        .into_iter()
        .map(|m| m.peer_name)
        .collect();
    assert_eq!(names, ["b.y", "c.z"]);
    store.delete_member("a.x", "g.1", "c.z").expect("delete");
    assert!(matches!(
        store.member("a.x", "g.1", "c.z"),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        store.delete_member("a.x", "g.1", "c.z"),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        store.members("a.x", "nope"),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        store.upsert_member("a.x", "nope", &member("b.y", 1)),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        store.upsert_member("a.x", "g.1", &member("", 1)),
        Err(Error::InvalidInput { .. })
    ));
    store
        .log_member_change("a.x", "g.1", "b.y", MemberChangeType::Connected)
        .expect("presence");

    let events = events_since(&store, seq);
    let m = |change, name: &str| ChangeEvent::MemberChanged {
        change,
        member_peer_name: name.to_owned(),
    };
    assert_eq!(
        events,
        [
            m(MemberChangeType::Joined, "c.z"),
            m(MemberChangeType::Joined, "b.y"),
            m(MemberChangeType::Updated, "b.y"),
            m(MemberChangeType::Left, "c.z"),
            m(MemberChangeType::Connected, "b.y"),
        ]
    );
}
