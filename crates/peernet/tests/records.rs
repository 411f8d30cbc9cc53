//! Group records, members, events and database export/import through the facade.
mod common;

use std::time::{Duration, Instant, SystemTime};

use common::{Machine, code, run_ok};
use peernet::hresult::{self as hr, HResult};
use peernet::{
    EventRegistration, Group, GroupEvent, Guid, IssueFlags, MemberChangeType,
    PEER_GROUP_EVENT_MEMBER_CHANGED, PEER_GROUP_EVENT_RECORD_CHANGED, Record, RecordChangeType,
    Role,
};

const T1: Guid = Guid::from_bytes([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
const T2: Guid = Guid::from_bytes([2; 16]);

fn later(secs: u64) -> SystemTime {
    SystemTime::now() + Duration::from_secs(secs)
}

fn attrs(body: &str) -> String {
    format!("<attributes>{body}</attributes>")
}

fn owner_group(m: &Machine) -> (String, Group) {
    let alice = m.identity("alice");
    let g = m.group(&alice, "rec", "Records");
    (alice, g)
}

/// Bob joins alice's group in the same store with `roles`.
fn join(m: &Machine, g: &Group, name: &str, roles: &[Role]) -> (String, Group) {
    let bob = m.identity(name);
    let inv = g
        .create_invitation(&m.pn.identity_get_xml(Some(&bob)).unwrap(), None, roles)
        .unwrap();
    let bg = m.pn.group_join(Some(&bob), &inv, None).unwrap();
    (bob, bg)
}

/// Copies a record and its author's member row from one identity's copy of the group to
/// another's (what replication would do).
fn replicate(m: &Machine, from: &Group, to: &Group, id: &Guid) {
    let s = m.pn.store();
    let row = s.record(from.identity(), from.peer_name(), id).unwrap();
    let member = s
        .member(from.identity(), from.peer_name(), &row.modified_by_id)
        .unwrap();
    s.upsert_member(to.identity(), to.peer_name(), &member)
        .unwrap();
    s.insert_record(to.identity(), to.peer_name(), &row)
        .unwrap();
}

#[test]
fn add_get_update_delete_enumerate() {
    let m = Machine::new();
    let (alice, g) = owner_group(&m);
    let r = Record::new(T1, later(3600))
        .with_attributes(attrs(
            r#"<attribute name="title" type="string">hello</attribute>"#,
        ))
        .with_data(b"payload".to_vec());
    let id = g.add_record(&r).unwrap();
    let got = g.get_record(&id).unwrap();
    assert_eq!(got.id, id);
    assert_eq!(got.record_type, T1);
    assert_eq!(got.version, 1);
    assert_eq!(got.creator_id, alice);
    assert_eq!(got.modified_by_id, alice);
    assert_eq!(got.data, b"payload");
    assert_eq!(got.attributes, r.attributes);
    assert!(got.security_data.len() > 17);
    assert_eq!(id.as_bytes()[7] >> 4, 4, "version-4 GUID");

    let mut upd = got.clone();
    upd.data = b"second".to_vec();
    upd.expiration = later(7200);
    g.update_record(&upd).unwrap();
    let got2 = g.get_record(&id).unwrap();
    assert_eq!(got2.version, 2);
    assert_eq!(got2.data, b"second");
    assert_eq!(got2.creation, got.creation);

    let id2 = g.add_record(&Record::new(T2, later(3600))).unwrap();
    assert_eq!(g.enum_records(None).unwrap().len(), 2);
    assert_eq!(g.enum_records(Some(&T2)).unwrap()[0].id, id2);
    assert!(
        g.enum_records(Some(&Guid::from_bytes([9; 16])))
            .unwrap()
            .is_empty()
    );

    // Another process sees the same data.
    let p2 = m.another_process();
    let g2 = p2.group_open(&alice, g.peer_name(), None).unwrap();
    assert_eq!(g2.get_record(&id).unwrap(), got2);

    g.delete_record(&id).unwrap();
    assert_eq!(code(g.get_record(&id)), hr::PEER_E_RECORD_NOT_FOUND);
    assert_eq!(code(g.delete_record(&id)), hr::PEER_E_RECORD_NOT_FOUND);
    let mut missing = got2.clone();
    missing.expiration = later(9000);
    assert_eq!(code(g.update_record(&missing)), hr::PEER_E_RECORD_NOT_FOUND);
    // Type and flags cannot change.
    let mut r2 = g.get_record(&id2).unwrap();
    r2.record_type = T1;
    assert_eq!(code(g.update_record(&r2)), hr::E_INVALIDARG);
    // The publisher is a member of the group database now.
    let members = g.enum_members(0, None).unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].identity, alice);
    assert_eq!(
        members[0].credentials.as_ref().unwrap().roles,
        vec![Role::ADMIN]
    );
    // A deleted group invalidates record calls.
    m.pn.group_delete(Some(&alice), g.peer_name()).unwrap();
    assert_eq!(code(g.enum_records(None)), hr::PEER_E_INVALID_GROUP);
    assert_eq!(
        code(g.add_record(&Record::new(T1, later(60)))),
        hr::PEER_E_INVALID_GROUP
    );
}

#[test]
fn validation_sizes_reserved_types_and_expiration() {
    let m = Machine::new();
    let (_, g) = owner_group(&m);
    let cases: Vec<(Record, HResult)> = vec![
        (
            Record::new(
                Guid::from_bytes([0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
                later(60),
            ),
            hr::PEER_E_NOT_AUTHORIZED,
        ),
        (
            Record::new(
                Guid::from_bytes([0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
                later(60),
            ),
            hr::PEER_E_NOT_AUTHORIZED,
        ),
        (
            Record::new(
                Guid::from_bytes([0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
                later(60),
            ),
            hr::PEER_E_NOT_AUTHORIZED,
        ),
        (
            Record::new(T1, later(60)).with_attributes("<attributes>"),
            hr::PEER_E_INVALID_ATTRIBUTES,
        ),
        (
            Record::new(T1, later(60)).with_attributes(attrs(
                r#"<attribute name="bad-name" type="string">x</attribute>"#,
            )),
            hr::PEER_E_INVALID_ATTRIBUTES,
        ),
        (
            Record::new(T1, later(60))
                .with_attributes(attrs(r#"<attribute name="n" type="int">x</attribute>"#)),
            hr::PEER_E_INVALID_ATTRIBUTES,
        ),
        (
            Record::new(T1, later(60)).with_attributes(attrs(
                r#"<attribute name="peercreatorid" type="string">x</attribute>"#,
            )),
            hr::PEER_E_INVALID_ATTRIBUTES,
        ),
        (
            Record::new(T1, later(60)).with_data(vec![0; (1 << 20) + 1]),
            hr::PEER_E_MAX_RECORD_SIZE_EXCEEDED,
        ),
        (
            Record::new(T1, later(60)).with_attributes(attrs(&format!(
                r#"<attribute name="a" type="string">{}</attribute>"#,
                "x".repeat(70_000)
            ))),
            hr::PEER_E_MAX_RECORD_SIZE_EXCEEDED,
        ),
        (
            Record::new(T1, SystemTime::now() - Duration::from_secs(1)),
            hr::PEER_E_INVALID_RECORD_EXPIRATION,
        ),
        (
            Record {
                flags: peernet::flags::PEER_RECORD_FLAG_AUTOREFRESH,
                ..Record::new(T1, later(60))
            },
            hr::PEER_E_INVALID_RECORD_EXPIRATION,
        ),
        (
            Record {
                flags: peernet::flags::PEER_RECORD_FLAG_DELETED,
                ..Record::new(T1, later(600))
            },
            hr::E_INVALIDARG,
        ),
    ];
    let before = g.enum_records(None).unwrap().len();
    for (i, (r, want)) in cases.iter().enumerate() {
        assert_eq!(code(g.add_record(r)), *want, "case {i}");
    }
    assert_eq!(g.enum_records(None).unwrap().len(), before);
    // Exactly at the limit is fine.
    g.add_record(&Record::new(T1, later(60)).with_data(vec![7; 1 << 20]))
        .unwrap();

    // Expiration bounded by the publisher's GMC: bob's GMC ends in 2 hours.
    let bob = m.identity("bob");
    let inv = g
        .create_invitation(
            &m.pn.identity_get_xml(Some(&bob)).unwrap(),
            Some(later(7200)),
            &[Role::MEMBER],
        )
        .unwrap();
    let bg = m.pn.group_join(Some(&bob), &inv, None).unwrap();
    assert_eq!(
        code(bg.add_record(&Record::new(T1, later(3 * 3600)))),
        hr::PEER_E_INVALID_RECORD_EXPIRATION
    );
    let id = bg.add_record(&Record::new(T1, later(3600))).unwrap();
    // On update the expiration may stay or grow, never shrink or pass the GMC.
    let mut r = bg.get_record(&id).unwrap();
    r.expiration = later(1800);
    assert_eq!(
        code(bg.update_record(&r)),
        hr::PEER_E_INVALID_RECORD_EXPIRATION
    );
    r.expiration = later(3 * 3600);
    assert_eq!(
        code(bg.update_record(&r)),
        hr::PEER_E_INVALID_RECORD_EXPIRATION
    );
    r.expiration = later(5000);
    bg.update_record(&r).unwrap();
}

#[test]
fn only_the_creator_or_an_administrator_may_change_a_record() {
    let m = Machine::new();
    let (alice, g) = owner_group(&m);
    let (bob, bg) = join(&m, &g, "bob", &[Role::MEMBER]);
    let a_id = g.add_record(&Record::new(T1, later(3600))).unwrap();
    let b_id = bg.add_record(&Record::new(T1, later(3600))).unwrap();
    replicate(&m, &g, &bg, &a_id);
    replicate(&m, &bg, &g, &b_id);
    // Bob's copy verifies alice's record with alice's member row.
    let seen = bg.get_record(&a_id).unwrap();
    assert_eq!(seen.creator_id, alice);
    // A member cannot touch another's record.
    let mut r = seen.clone();
    r.data = b"bob was here".to_vec();
    assert_eq!(code(bg.update_record(&r)), hr::PEER_E_NOT_AUTHORIZED);
    assert_eq!(code(bg.delete_record(&a_id)), hr::PEER_E_NOT_AUTHORIZED);
    // The creator can.
    let mut own = bg.get_record(&b_id).unwrap();
    own.data = b"mine".to_vec();
    bg.update_record(&own).unwrap();
    // An administrator can update and delete anyone's record.
    let mut theirs = g.get_record(&b_id).unwrap();
    assert_eq!(theirs.creator_id, bob);
    theirs.data = b"moderated".to_vec();
    g.update_record(&theirs).unwrap();
    let after = g.get_record(&b_id).unwrap();
    assert_eq!(
        (after.creator_id.as_str(), after.modified_by_id.as_str()),
        (bob.as_str(), alice.as_str())
    );
    g.delete_record(&b_id).unwrap();
    // Members known to alice's copy: alice first, then bob.
    let ms = g.enum_members(0, None).unwrap();
    let names: Vec<&str> = ms.iter().map(|m| m.identity.as_str()).collect();
    assert_eq!(names, vec![alice.as_str(), bob.as_str()]);
    assert_eq!(g.enum_members(0, Some(&bob)).unwrap().len(), 1);
    assert!(
        g.enum_members(peernet::PEER_MEMBER_PRESENT, None)
            .unwrap()
            .is_empty()
    );
    assert_eq!(code(g.enum_members(0x8, None)), hr::E_INVALIDARG);
}

#[test]
fn tampered_rows_and_export_files_are_invalid_records() {
    let m = Machine::new();
    let (alice, g) = owner_group(&m);
    let id = g
        .add_record(
            &Record::new(T1, later(3600))
                .with_attributes(attrs(r#"<attribute name="n" type="int">5</attribute>"#))
                .with_data(b"MARKER-original-data".to_vec()),
        )
        .unwrap();
    let other = g.add_record(&Record::new(T2, later(3600))).unwrap();
    let export = m.dir.path().join("db.pndb");
    g.export_database(&export).unwrap();

    // Raw SQL edits behind the facade's back, each one field.
    let db = rusqlite::Connection::open(m.dir.path().join("store.db")).unwrap();
    let edits = [
        "UPDATE group_records SET data = X'00' WHERE record_id = ?1",
        "UPDATE group_records SET attributes = '<attributes><attribute name=\"n\" type=\"int\">6</attribute></attributes>' WHERE record_id = ?1",
        "UPDATE group_records SET expiration = expiration + 1 WHERE record_id = ?1",
        "UPDATE group_records SET version = 7 WHERE record_id = ?1",
        "UPDATE group_records SET creator_id = 'x' WHERE record_id = ?1",
        "UPDATE group_records SET security_data = X'01' WHERE record_id = ?1",
    ];
    for (i, sql) in edits.iter().enumerate() {
        g.import_database(&export).unwrap();
        g.get_record(&id).unwrap();
        db.execute(sql, [id.as_bytes()]).unwrap();
        assert_eq!(
            code(g.get_record(&id)),
            hr::PEER_E_INVALID_RECORD,
            "edit {i}"
        );
        assert_eq!(
            code(g.enum_records(None)),
            hr::PEER_E_INVALID_RECORD,
            "edit {i}"
        );
        assert_eq!(
            code(g.search_records(
                r#"<peersearch><clause attrib="n" type="int" compare="greater">0</clause></peersearch>"#
            )),
            hr::PEER_E_INVALID_RECORD,
            "edit {i}"
        );
        // The other record still reads.
        g.get_record(&other).unwrap();
    }
    // The administrator can delete the tampered record.
    g.delete_record(&id).unwrap();

    // An edited export file (checksum re-sealed so the file itself parses).
    let mut bytes = std::fs::read(&export).unwrap();
    let pos = bytes.windows(6).position(|w| w == b"MARKER").unwrap();
    bytes[pos] = b'm';
    let body = bytes.len() - 32;
    use sha2::Digest;
    let sum = sha2::Sha256::digest(&bytes[..body]);
    bytes[body..].copy_from_slice(&sum);
    let edited = m.dir.path().join("edited.pndb");
    std::fs::write(&edited, &bytes).unwrap();
    g.import_database(&edited).unwrap();
    assert_eq!(code(g.get_record(&id)), hr::PEER_E_INVALID_RECORD);
    g.import_database(&export).unwrap();
    assert_eq!(g.get_record(&id).unwrap().data, b"MARKER-original-data");
    let _ = alice;
}

#[test]
fn export_import_round_trip_and_refusals() {
    let m = Machine::new();
    let (alice, g) = owner_group(&m);
    let ids: Vec<_> = (0..5)
        .map(|i| {
            g.add_record(&Record::new(T1, later(3600)).with_data(vec![i; 10]))
                .unwrap()
        })
        .collect();
    let file = m.dir.path().join("export.db");
    g.export_database(&file).unwrap();
    let before = g.enum_records(None).unwrap();
    g.delete_record(&ids[0]).unwrap();
    g.add_record(&Record::new(T2, later(3600))).unwrap();
    let events = g
        .register_event(&[EventRegistration::new(PEER_GROUP_EVENT_RECORD_CHANGED)])
        .unwrap();
    g.import_database(&file).unwrap();
    let by_id = |mut v: Vec<Record>| {
        v.sort_by_key(|r| r.id);
        v
    };
    let before = by_id(before);
    assert_eq!(by_id(g.enum_records(None).unwrap()), before);
    // The import's differences arrive as events: one ADDED (restored), one DELETED.
    let mut kinds = Vec::new();
    while let Some(e) = events.next_event(Duration::from_secs(5)) {
        if let GroupEvent::RecordChanged { change, .. } = e.event {
            kinds.push(change);
        }
        if kinds.len() == 2 {
            break;
        }
    }
    kinds.sort_by_key(|c| c.to_u32());
    assert_eq!(
        kinds,
        vec![RecordChangeType::Added, RecordChangeType::Deleted]
    );

    // Another group, or another identity's copy → PEER_E_INVALID_DATABASE; nothing changes.
    let other = m.group(&alice, "other", "O");
    assert_eq!(
        code(other.import_database(&file)),
        hr::PEER_E_INVALID_DATABASE
    );
    let (_, bg) = join(&m, &g, "bob", &[Role::MEMBER]);
    assert_eq!(code(bg.import_database(&file)), hr::PEER_E_INVALID_DATABASE);
    // Missing file, damaged file, empty path.
    assert_eq!(
        code(g.import_database(&m.dir.path().join("nope"))),
        HResult::from_win32(2)
    );
    let bad = m.dir.path().join("bad.db");
    std::fs::write(&bad, b"PNETGDB\0garbage").unwrap();
    assert_eq!(code(g.import_database(&bad)), hr::PEER_E_INVALID_DATABASE);
    assert_eq!(
        code(g.import_database(std::path::Path::new(""))),
        hr::E_INVALIDARG
    );
    assert_eq!(
        code(g.export_database(&m.dir.path().join("no/such/dir/x.db"))),
        HResult::from_win32(2)
    );
    assert_eq!(by_id(g.enum_records(None).unwrap()), before);
}

/// (query, matches ids of records a/b/c by letter, or the HRESULT).
#[test]
fn search_query_conformance() {
    let m = Machine::new();
    let (alice, g) = owner_group(&m);
    let rec = |body: &str| {
        g.add_record(&Record::new(T1, later(3600)).with_attributes(attrs(body)))
            .unwrap()
    };
    let a = rec(
        r#"<attribute name="name" type="string">alpha</attribute><attribute name="n" type="int">5</attribute><attribute name="d" type="date">2024-01-15</attribute>"#,
    );
    let b = rec(
        r#"<attribute name="name" type="string">a*b?c\d</attribute><attribute name="n" type="int">10</attribute><attribute name="d" type="date">2025-06-01T12:00:00Z</attribute>"#,
    );
    let c = rec(r#"<attribute name="other" type="string">beta</attribute>"#);
    let z = g.add_record(&Record::new(T2, later(3600))).unwrap();
    let ids = [('a', a), ('b', b), ('c', c), ('z', z)];
    let q = |body: &str| format!("<peersearch>{body}</peersearch>");
    let cl = |attr: &str, ty: &str, cmp: &str, v: &str| {
        format!(r#"<clause attrib="{attr}" type="{ty}" compare="{cmp}">{v}</clause>"#)
    };
    let ok: Vec<(String, &str)> = vec![
        (q(&cl("name", "string", "equal", "alpha")), "a"),
        (q(&cl("name", "string", "notequal", "alpha")), "b"),
        (q(&cl("name", "string", "less", "b")), "ab"),
        // '*' (0x2a) sorts before '+' and 'l': "a*b?c\d" < "a+" < "alpha".
        (q(&cl("name", "string", "greater", "a+")), "a"),
        (q(&cl("name", "string", "less", "a+")), "b"),
        (q(&cl("name", "string", "greater", "alpha")), ""),
        (q(&cl("name", "string", "lessorequal", "alpha")), "ab"),
        (q(&cl("name", "string", "greaterorequal", "alpha")), "a"),
        (
            q(r#"<clause attrib="name" type="string">alpha</clause>"#),
            "a",
        ),
        (q(&cl("n", "int", "equal", "5")), "a"),
        (q(&cl("n", "int", "notequal", "5")), "b"),
        (q(&cl("n", "int", "less", "10")), "a"),
        (q(&cl("n", "int", "greater", "5")), "b"),
        (q(&cl("n", "int", "lessorequal", "10")), "ab"),
        (q(&cl("n", "int", "greaterorequal", "6")), "b"),
        (q(&cl("d", "date", "less", "2025-01-01")), "a"),
        (q(&cl("d", "date", "greater", "2024-01-15")), "b"),
        (q(&cl("d", "date", "equal", "2024-01-15")), "a"),
        (q(&cl("d", "date", "greaterorequal", "2024-01-15")), "ab"),
        (
            q(&cl("d", "date", "lessorequal", "2025-06-01T12:00:00Z")),
            "ab",
        ),
        (q(&cl("d", "date", "notequal", "2024-01-15")), "b"),
        (q(&cl("name", "string", "equal", "al*")), "a"),
        (q(&cl("name", "string", "equal", "*")), "ab"),
        (q(&cl("name", "string", "equal", "alph?")), "a"),
        (q(&cl("name", "string", "equal", "alp?")), ""),
        (q(&cl("name", "string", "equal", r"a\*b\?c\\d")), "b"),
        (q(&cl("name", "string", "equal", r"a\**")), "b"),
        (q(&cl("name", "string", "equal", r"a*\\d")), "b"),
        (q(&cl("name", "string", "equal", r"alpha\*")), ""),
        (
            q(&format!(
                "<and>{}{}</and>",
                cl("n", "int", "greater", "1"),
                cl("name", "string", "equal", "a*")
            )),
            "ab",
        ),
        (
            q(&format!(
                "<or>{}{}</or>",
                cl("n", "int", "equal", "5"),
                cl("other", "string", "equal", "beta")
            )),
            "ac",
        ),
        (
            q(&format!(
                "<and><or>{}{}</or>{}</and>",
                cl("n", "int", "equal", "5"),
                cl("n", "int", "equal", "10"),
                cl("d", "date", "greater", "2025-01-01")
            )),
            "b",
        ),
        (q(&cl("peercreatorid", "string", "equal", &alice)), "abcz"),
        (
            q(&cl("PeerRecordType", "string", "equal", "{04030201*")),
            "abc",
        ),
        (
            q(&cl("peercreationtime", "date", "greater", "2000-01-01")),
            "abcz",
        ),
        (q(&cl("missing", "string", "equal", "*")), ""),
        // A type mismatch does not match.
        (q(&cl("n", "string", "equal", "5")), ""),
    ];
    for (query, want) in &ok {
        let got = g
            .search_records(query)
            .unwrap_or_else(|e| panic!("{query}: {e}"));
        let mut letters: Vec<char> = got
            .iter()
            .filter_map(|r| ids.iter().find(|(_, id)| *id == r.id).map(|(l, _)| *l))
            .collect();
        letters.sort_unstable();
        assert_eq!(letters.iter().collect::<String>(), *want, "{query}");
        assert_eq!(got.len(), want.len(), "{query}");
    }
    let bad: Vec<(String, HResult)> = vec![
        (String::new(), hr::PEER_E_INVALID_SEARCH),
        ("<peersearch/>".into(), hr::PEER_E_INVALID_SEARCH),
        ("<peersearch>".into(), hr::PEER_E_INVALID_SEARCH),
        (
            "<search><clause attrib=\"a\" type=\"int\">1</clause></search>".into(),
            hr::PEER_E_INVALID_SEARCH,
        ),
        (q("<and></and>"), hr::PEER_E_INVALID_SEARCH),
        (q("<or/>"), hr::PEER_E_INVALID_SEARCH),
        (
            q(&format!(
                "{}{}",
                cl("n", "int", "equal", "1"),
                cl("n", "int", "equal", "2")
            )),
            hr::PEER_E_INVALID_SEARCH,
        ),
        (q(&cl("n", "int", "equals", "1")), hr::PEER_E_INVALID_SEARCH),
        (
            q(&cl("n", "float", "equal", "1")),
            hr::PEER_E_INVALID_SEARCH,
        ),
        (q(&cl("n", "int", "equal", "x")), hr::PEER_E_INVALID_SEARCH),
        (
            q(&cl("d", "date", "equal", "yesterday")),
            hr::PEER_E_INVALID_SEARCH,
        ),
        (
            q(&cl("bad-name", "string", "equal", "x")),
            hr::PEER_E_INVALID_SEARCH,
        ),
        (
            q(r#"<clause type="int">1</clause>"#),
            hr::PEER_E_INVALID_SEARCH,
        ),
        (
            q(r#"<clause attrib="n">1</clause>"#),
            hr::PEER_E_INVALID_SEARCH,
        ),
        (
            q(&format!(
                r#"<clause attrib="n" type="int">{}</clause>"#,
                cl("n", "int", "equal", "1")
            )),
            hr::PEER_E_INVALID_SEARCH,
        ),
        (q("<not/>"), hr::PEER_E_INVALID_SEARCH),
        (q(&cl("name", "string", "equal", r"a\x")), hr::E_INVALIDARG),
        (
            q(&cl("name", "string", "equal", r"trailing\")),
            hr::E_INVALIDARG,
        ),
    ];
    for (query, want) in &bad {
        assert_eq!(code(g.search_records(query)), *want, "{query}");
    }
}

#[test]
fn store_credentials_publishes_the_member_and_issue_without_info_finds_it() {
    let m = Machine::new();
    let (_, g) = owner_group(&m);
    let events = g
        .register_event(&[EventRegistration::new(PEER_GROUP_EVENT_MEMBER_CHANGED)])
        .unwrap();
    let bob = m.identity("bob");
    // Without data in the group database: PEER_E_IDENTITY_NOT_FOUND.
    assert_eq!(
        code(g.issue_credentials(&bob, None, IssueFlags::default())),
        hr::PEER_E_IDENTITY_NOT_FOUND
    );
    let info = peernet::CredentialInfo::from_identity_info(
        &m.pn.identity_get_xml(Some(&bob)).unwrap(),
        &[Role::MEMBER],
    )
    .unwrap()
    .1;
    g.issue_credentials(
        &bob,
        Some(&info),
        IssueFlags {
            store_credentials: true,
        },
    )
    .unwrap();
    let e = events.next_event(Duration::from_secs(5)).unwrap();
    assert_eq!(
        e.event,
        GroupEvent::MemberChanged {
            change: MemberChangeType::Joined,
            identity: bob.clone()
        }
    );
    let ms = g.enum_members(0, Some(&bob)).unwrap();
    assert_eq!(
        ms[0].credentials.as_ref().unwrap().roles,
        vec![Role::MEMBER]
    );
    // Now the subject's data comes from the group database.
    let inv = g
        .issue_credentials(&bob, None, IssueFlags::default())
        .unwrap();
    let bg = m.pn.group_join(Some(&bob), &inv, None).unwrap();
    assert_eq!(bg.roles(), vec![Role::MEMBER]);
}

#[test]
fn events_filter_by_type_and_unregister() {
    let m = Machine::new();
    let (_, g) = owner_group(&m);
    assert_eq!(code(g.register_event(&[])), hr::E_INVALIDARG);
    assert_eq!(
        code(g.register_event(&[EventRegistration::new(7)])),
        hr::E_INVALIDARG
    );
    let only_t2 = g
        .register_event(&[EventRegistration {
            event_type: PEER_GROUP_EVENT_RECORD_CHANGED,
            record_type: Some(T2),
        }])
        .unwrap();
    let props = g
        .register_event(&[EventRegistration::new(
            peernet::PEER_GROUP_EVENT_PROPERTY_CHANGED,
        )])
        .unwrap();
    g.add_record(&Record::new(T1, later(60))).unwrap();
    let id2 = g.add_record(&Record::new(T2, later(60))).unwrap();
    let mut p = g.get_properties().unwrap();
    p.comment = "changed".into();
    g.set_properties(&p).unwrap();
    let e = only_t2.next_event(Duration::from_secs(5)).unwrap();
    assert_eq!(
        e.event,
        GroupEvent::RecordChanged {
            change: RecordChangeType::Added,
            record_id: id2,
            record_type: T2
        }
    );
    assert_eq!(
        props.next_event(Duration::from_secs(5)).unwrap().event,
        GroupEvent::PropertyChanged
    );
    assert!(only_t2.get_event_data().is_none());
    assert!(props.get_event_data().is_none());
    let t = Instant::now();
    only_t2.unregister();
    assert!(t.elapsed() < Duration::from_secs(1));
}

#[test]
fn expired_records_are_swept_with_an_event() {
    let m = Machine::new();
    let (_, g) = owner_group(&m);
    let events = g
        .register_event(&[EventRegistration::new(PEER_GROUP_EVENT_RECORD_CHANGED)])
        .unwrap();
    let id = g.add_record(&Record::new(T1, later(60))).unwrap();
    assert!(matches!(
        events.next_event(Duration::from_secs(5)).unwrap().event,
        GroupEvent::RecordChanged {
            change: RecordChangeType::Added,
            ..
        }
    ));
    m.clock.advance(120);
    // Reads no longer see it at once; the sweep removes it and raises EXPIRED.
    assert_eq!(code(g.get_record(&id)), hr::PEER_E_RECORD_NOT_FOUND);
    assert!(g.enum_records(None).unwrap().is_empty());
    let e = events.next_event(Duration::from_secs(5)).unwrap();
    assert_eq!(
        e.event,
        GroupEvent::RecordChanged {
            change: RecordChangeType::Expired,
            record_id: id,
            record_type: T1
        }
    );
}

const CHILD_ENV: &str = "PEERNET_RECORDS_CHILD";

/// The writer process: adds, updates and deletes records, printing each operation.
fn child_main(spec: &str) {
    let mut parts = spec.splitn(3, '|');
    let (dir, identity, group) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let pn = peernet::Peernet::open(dir).unwrap();
    let g = pn.group_open(identity, group, None).unwrap();
    let mut ids = Vec::new();
    for i in 0..20u8 {
        let id = g
            .add_record(&Record::new(T1, later(3600)).with_data(vec![i]))
            .unwrap();
        println!("@@ADDED {}", hex(id.as_bytes()));
        ids.push(id);
        std::thread::sleep(Duration::from_millis(10));
    }
    for id in ids.iter().take(10) {
        let mut r = g.get_record(id).unwrap();
        r.data.push(0xff);
        g.update_record(&r).unwrap();
        println!("@@UPDATED {}", hex(id.as_bytes()));
        std::thread::sleep(Duration::from_millis(10));
    }
    for id in ids.iter().skip(15) {
        g.delete_record(id).unwrap();
        println!("@@DELETED {}", hex(id.as_bytes()));
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn another_process_receives_every_event_in_order_and_reads_the_same_data() {
    if let Ok(spec) = std::env::var(CHILD_ENV) {
        child_main(&spec);
        return;
    }
    let m = Machine::new();
    let (alice, g) = owner_group(&m);
    // Two registrations in this process (one per "application").
    let e1 = g
        .register_event(&[EventRegistration::new(PEER_GROUP_EVENT_RECORD_CHANGED)])
        .unwrap();
    let other_ctx = m.another_process();
    let g2 = other_ctx.group_open(&alice, g.peer_name(), None).unwrap();
    let e2 = g2
        .register_event(&[
            EventRegistration::new(PEER_GROUP_EVENT_RECORD_CHANGED),
            EventRegistration::new(PEER_GROUP_EVENT_MEMBER_CHANGED),
        ])
        .unwrap();
    let exe = std::env::current_exe().unwrap();
    let out = run_ok(
        std::process::Command::new(exe)
            .args([
                "--exact",
                "another_process_receives_every_event_in_order_and_reads_the_same_data",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(
                CHILD_ENV,
                format!("{}|{}|{}", m.dir.path().display(), alice, g.peer_name()),
            ),
    );
    let expected: Vec<(String, String)> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let (_, op) = l.split_once("@@")?;
            let (k, v) = op.split_once(' ')?;
            ["ADDED", "UPDATED", "DELETED"]
                .contains(&k)
                .then(|| (k.to_owned(), v.to_owned()))
        })
        .collect();
    assert_eq!(expected.len(), 35);
    let mut latencies = Vec::new();
    for (name, h) in [("same context", &e1), ("another context", &e2)] {
        let mut got = Vec::new();
        let mut last_seq = 0;
        while got.len() < expected.len() {
            let e = h
                .next_event(Duration::from_secs(10))
                .unwrap_or_else(|| panic!("{name}: only {} events", got.len()));
            assert!(e.seq > last_seq);
            last_seq = e.seq;
            match e.event {
                GroupEvent::RecordChanged {
                    change, record_id, ..
                } => {
                    let k = match change {
                        RecordChangeType::Added => "ADDED",
                        RecordChangeType::Updated => "UPDATED",
                        RecordChangeType::Deleted => "DELETED",
                        RecordChangeType::Expired => "EXPIRED",
                    };
                    got.push((k.to_owned(), hex(record_id.as_bytes())));
                }
                GroupEvent::MemberChanged { change, identity } => {
                    // The writer's first record publishes alice's member data.
                    assert_eq!(
                        (change, identity.as_str()),
                        (MemberChangeType::Joined, alice.as_str())
                    );
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(got, expected, "{name}");
        assert!(h.get_event_data().is_none());
    }
    // Latency, measured live: a write here, received by the other registration.
    for i in 0..20u8 {
        let id = g
            .add_record(&Record::new(T2, later(3600)).with_data(vec![i]))
            .unwrap();
        let e = e2.next_event(Duration::from_secs(5)).unwrap();
        let lat = SystemTime::now()
            .duration_since(e.committed)
            .unwrap_or_default();
        latencies.push(lat);
        assert!(matches!(e.event, GroupEvent::RecordChanged { record_id, .. } if record_id == id));
        e1.next_event(Duration::from_secs(5)).unwrap();
    }
    latencies.sort();
    eprintln!(
        "event latency (commit → dequeue, another context): median {:?}, max {:?}",
        latencies[latencies.len() / 2],
        latencies[latencies.len() - 1]
    );
    // Both contexts read the same data: 15 records, the first 10 updated.
    let mine = g.enum_records(Some(&T1)).unwrap();
    let theirs = g2.enum_records(Some(&T1)).unwrap();
    assert_eq!(mine, theirs);
    assert_eq!(mine.len(), 15);
    assert_eq!(mine.iter().filter(|r| r.version == 2).count(), 10);
}

/// CPU time (ns) of this process's event threads, from `/proc/self/task/*/schedstat`.
fn event_thread_cpu_ns() -> u64 {
    let mut total = 0;
    for t in std::fs::read_dir("/proc/self/task").unwrap().flatten() {
        let comm = std::fs::read_to_string(t.path().join("comm")).unwrap_or_default();
        if comm.trim() == "peernet-events" {
            let s = std::fs::read_to_string(t.path().join("schedstat")).unwrap_or_default();
            total += s
                .split_whitespace()
                .next()
                .and_then(|v| v.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    total
}

#[test]
fn an_idle_registration_costs_little_cpu() {
    if !std::path::Path::new("/proc/self/task").exists() {
        return;
    }
    let m = Machine::new();
    let (_, g) = owner_group(&m);
    // A record due in an hour, so each sweep check finds something but nothing due.
    g.add_record(&Record::new(T1, later(3600))).unwrap();
    let h = g
        .register_event(&[EventRegistration::new(PEER_GROUP_EVENT_RECORD_CHANGED)])
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let secs: u64 = std::env::var("PEERNET_EVENTS_IDLE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2);
    let before = event_thread_cpu_ns();
    std::thread::sleep(Duration::from_secs(secs));
    let used = event_thread_cpu_ns() - before;
    let share = used as f64 / (secs as f64 * 1e9);
    eprintln!(
        "idle event registration: {:.1} ms CPU in {secs} s ({:.2} % of one core)",
        used as f64 / 1e6,
        share * 100.0
    );
    assert!(share < 0.25);
    assert!(h.get_event_data().is_none());
}
