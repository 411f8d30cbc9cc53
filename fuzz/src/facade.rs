//! End-to-end targets: outside bytes through the `peernet` facade into a real (temporary)
//! SQLite store, as `PeerIdentityImport`, `PeerGroupImportConfig`, `PeerGroupParseInvitation`
//! and `PeerGroupJoin` would get them.
//!
//! Each target keeps one store per process, made once from the hostile corpus' sound
//! documents (`fixtures/hostile/base/`, password [`PASSWORD`], 64 PFX iterations). For every
//! input it checks:
//! - nothing panics;
//! - a refusal has a failure HRESULT and a non-empty message that does not contain the
//!   password, and leaves the store's content exactly as it was;
//! - an acceptance is visible in the store (and readable back), and is then undone so the
//!   next input meets the same store.
//!
//! Documents are taken as UTF-8 (lossily, as the CLI reads a file); the C ABI's UTF-16
//! conversion is tested apart (`crates/peernet-capi/tests/c/`).

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime};

use peernet::{Error, Options, Peernet};

/// The password of every document in the hostile corpus (`tests/src/hostile.rs`).
pub const PASSWORD: &str = "hostile corpus pässword";

/// A clock inside the validity of every sound corpus certificate (2026-06-01T00:00:00Z).
fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_780_272_000)
}

fn base(file: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/hostile/base")
        .join(file);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fuzz fixture {}: {e}", path.display()))
}

/// A store in a directory that lives as long as the process. `with_owner` imports the
/// corpus identity "owner" first.
fn store(with_owner: bool) -> (Peernet, Option<String>) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.keep();
    let options = Options::default().with_pfx_iterations(64).with_clock(now);
    let pn = Peernet::open_with(&path, options).expect("open a temporary store");
    let owner = with_owner.then(|| {
        pn.identity_import(&base("identity.xml"), &PASSWORD.into())
            .expect("the corpus identity imports")
    });
    (pn, owner)
}

/// Everything a store holds that an import or join could change, as text.
fn snapshot(pn: &Peernet) -> String {
    let ids = pn.enum_identities().expect("identities");
    let groups = pn.enum_all_groups().expect("groups");
    format!("{ids:?}\n{groups:?}")
}

fn check_refusal(e: &Error) {
    assert!(
        !e.hresult().is_success(),
        "an error with a success HRESULT: {e:?}"
    );
    let text = format!("{e} / {e:?}");
    assert!(!e.to_string().is_empty(), "empty error message: {e:?}");
    assert!(
        !text.contains(PASSWORD),
        "the error shows the password: {text}"
    );
}

/// A refused call: [`check_refusal`], and the store is as it was `before`.
fn check_refused_unchanged(pn: &Peernet, before: &str, e: &Error) {
    check_refusal(e);
    assert_eq!(
        snapshot(pn),
        before,
        "a refused call changed the store: {e}"
    );
}

/// An accepted call that was undone: the store is as it was `before`.
fn check_undone(pn: &Peernet, before: &str) {
    assert_eq!(snapshot(pn), before, "accept + undo left something behind");
}

/// `identity_import` into an empty store; an imported identity is read back and deleted.
pub fn identity_import(data: &[u8]) {
    static STORE: OnceLock<Peernet> = OnceLock::new();
    let pn = STORE.get_or_init(|| store(false).0);
    let xml = String::from_utf8_lossy(data);
    let before = snapshot(pn);
    match pn.identity_import(&xml, &PASSWORD.into()) {
        Err(e) => {
            check_refused_unchanged(pn, &before, &e);
        }
        Ok(name) => {
            assert!(
                pn.enum_identities()
                    .expect("identities")
                    .iter()
                    .any(|p| p.peer_name == name),
                "imported identity {name} is not listed"
            );
            pn.identity_get_friendly_name(&name)
                .expect("an imported identity has a friendly name");
            let again = pn
                .identity_export(&name, &PASSWORD.into())
                .expect("an imported identity exports");
            pn.identity_delete(&name).expect("delete");
            assert_eq!(
                pn.identity_import(&again, &PASSWORD.into()).expect("re-import"),
                name,
                "export then import gives another peer name"
            );
            pn.identity_delete(&name).expect("delete");
            check_undone(pn, &before);
        }
    }
}

/// `group_import_config` into a store that holds the corpus identity; an imported
/// configuration is opened and deleted.
pub fn config_import(data: &[u8]) {
    static STORE: OnceLock<(Peernet, Option<String>)> = OnceLock::new();
    let (pn, _) = STORE.get_or_init(|| store(true));
    let xml = String::from_utf8_lossy(data);
    let before = snapshot(pn);
    match pn.group_import_config(&xml, &PASSWORD.into(), false) {
        Err(e) => {
            check_refused_unchanged(pn, &before, &e);
        }
        Ok(imported) => {
            match pn.group_open(&imported.identity, &imported.group_peer_name, None) {
                Ok(group) => {
                    let _ = group.get_properties().expect("properties of an open group");
                    drop(group);
                }
                // The cloud may be unknown on this machine; that is a documented refusal.
                Err(e) => check_refusal(&e),
            }
            pn.group_delete(Some(&imported.identity), &imported.group_peer_name)
                .expect("delete the imported group");
            check_undone(pn, &before);
        }
    }
}

/// `group_parse_invitation`, then `group_join` as the corpus identity; a joined group is
/// deleted.
pub fn invitation_join(data: &[u8]) {
    static STORE: OnceLock<(Peernet, Option<String>)> = OnceLock::new();
    let (pn, owner) = STORE.get_or_init(|| store(true));
    let owner = owner.as_deref().expect("owner");
    let xml = String::from_utf8_lossy(data);
    if let Err(e) = pn.group_parse_invitation(&xml) {
        check_refusal(&e);
    }
    let before = snapshot(pn);
    match pn.group_join(Some(owner), &xml, None) {
        Err(e) => {
            check_refused_unchanged(pn, &before, &e);
        }
        Ok(group) => {
            let gpn = group.peer_name().to_owned();
            drop(group);
            pn.group_delete(Some(owner), &gpn)
                .expect("delete the joined group");
            check_undone(pn, &before);
        }
    }
}
