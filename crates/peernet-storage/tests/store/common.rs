//! Helpers shared by the test modules.

use std::path::Path;

use peernet_storage::{CloudScope, GroupCloud, GroupProperties, NewGroup, NewIdentity, Store};

/// A fresh temporary directory; the store lives in its `store` subdirectory.
pub fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

/// Opens the store in `dir/store`.
pub fn open(dir: &Path) -> Store {
    Store::open(dir.join("store")).expect("open store")
}

/// A distinctive fake PKCS#8 key for `peer_name`.
pub fn pkcs8(peer_name: &str) -> Vec<u8> {
    let mut key = b"\x30\x81\x87PKCS8-PRIVATE-KEY-MATERIAL:".to_vec();
    key.extend_from_slice(peer_name.as_bytes());
    key
}

/// A new identity whose IDC is a distinctive fake certificate.
pub fn identity(peer_name: &str) -> NewIdentity {
    NewIdentity {
        peer_name: peer_name.to_owned(),
        friendly_name: format!("friendly {peer_name}"),
        profile: "modern".to_owned(),
        idc: format!("IDC-CERTIFICATE:{peer_name}").into_bytes(),
    }
}

/// A chain of `len` fake certificates.
pub fn chain(tag: &str, len: usize) -> Vec<Vec<u8>> {
    (0..len)
        .map(|i| format!("GMC {tag} #{i}").into_bytes())
        .collect()
}

/// A new group of `identity` with a chain of `chain_len` certificates.
pub fn group(identity: &str, group_peer_name: &str, chain_len: usize) -> NewGroup {
    NewGroup {
        identity: identity.to_owned(),
        group_peer_name: group_peer_name.to_owned(),
        classifier: "classifier".to_owned(),
        cloud: GroupCloud {
            name: "Global_".to_owned(),
            scope: CloudScope::Global,
            scope_id: 0,
            flags: 0,
        },
        profile: "windows".to_owned(),
        gmc_chain: chain(group_peer_name, chain_len),
        properties: GroupProperties {
            friendly_name: format!("group {group_peer_name}"),
            flags: 0x1,
            creator_peer_name: identity.to_owned(),
            comment: "a comment".to_owned(),
            member_data_lifetime: 2_419_200,
            presence_lifetime: 300,
            authentication_schemes: 0x3,
            password_role: Some([
                0xc7, 0xc4, 0x2d, 0xf1, 0x57, 0x08, 0xa0, 0x4c, 0x93, 0xfc, 0xb1, 0xbb, 0x19, 0xa3,
                0xd8, 0xc2,
            ]),
        },
        status: 0,
    }
}

/// Record id `i`: big-endian in the last four bytes, so byte order is numeric order.
pub fn guid(i: u32) -> peernet_storage::Guid {
    let mut g = [0u8; 16];
    g[12..].copy_from_slice(&i.to_be_bytes());
    peernet_storage::Guid::from_bytes(g)
}

/// Record type A.
pub const TYPE_A: peernet_storage::Guid = peernet_storage::Guid::from_bytes([0xa; 16]);
/// Record type B.
pub const TYPE_B: peernet_storage::Guid = peernet_storage::Guid::from_bytes([0xb; 16]);

/// A record with id `guid(i)`, type A for even `i` and B for odd, expiring at 10_000 + i.
pub fn record(i: u32) -> peernet_storage::RecordRow {
    peernet_storage::RecordRow {
        id: guid(i),
        record_type: if i.is_multiple_of(2) { TYPE_A } else { TYPE_B },
        version: 1,
        flags: 0,
        creator_id: "a.x".to_owned(),
        modified_by_id: "a.x".to_owned(),
        attributes: Some(format!(
            "<attributes><attribute name=\"n\" type=\"int\">{i}</attribute></attributes>"
        )),
        created: 1_000,
        expiration: 10_000 + u64::from(i),
        last_modified: 1_000,
        data: i.to_le_bytes().repeat(3),
        security_data: b"signature".to_vec(),
    }
}

/// A store in `dir/store` holding the identities `names` (no groups).
pub fn store_with_identities(dir: &Path, names: &[&str]) -> Store {
    let store = open(dir);
    for name in names {
        store
            .insert_identity(&identity(name), &pkcs8(name))
            .expect("identity");
    }
    store
}

/// A store in `dir/store` with identity `a.x` holding group `g.1`.
pub fn store_with_group(dir: &Path) -> Store {
    store_with_secret_group(dir, 1, peernet_storage::GroupSecrets::default())
}

/// The events group `g.1` of identity `a.x` logged after sequence number `seq`.
pub fn events_since(store: &Store, seq: u64) -> Vec<peernet_storage::ChangeEvent> {
    store
        .changes_since("a.x", "g.1", seq)
        .expect("changes")
        .into_iter()
        .map(|c| c.event)
        .collect()
}

/// Rows in `table` of the store's database, counted through a second connection.
pub fn row_count(store: &Store, table: &str) -> i64 {
    rusqlite::Connection::open(store.db_path())
        .expect("raw")
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}

/// A store in `dir/store` with identity `a.x` holding group `g.1` (a chain of
/// `chain_len`) with `secrets`.
pub fn store_with_secret_group(
    dir: &Path,
    chain_len: usize,
    secrets: peernet_storage::GroupSecrets<'_>,
) -> Store {
    let store = store_with_identities(dir, &["a.x"]);
    store
        .insert_group(&group("a.x", "g.1", chain_len), secrets)
        .expect("group");
    store
}

/// The unsealed group key of group `g.1` of identity `a.x`, as plain bytes.
pub fn group_key(store: &Store) -> Option<Vec<u8>> {
    store
        .group_private_key("a.x", "g.1")
        .expect("group key")
        .map(|k| k.to_vec())
}

/// The unsealed password verifier of group `g.1` of identity `a.x`, as plain bytes.
pub fn password_verifier(store: &Store) -> Option<Vec<u8>> {
    store
        .group_password_verifier("a.x", "g.1")
        .expect("verifier")
        .map(|k| k.to_vec())
}
