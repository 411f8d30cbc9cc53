//! Faults in the store itself: sealed blobs flipped or swapped between rows, certificates
//! altered, `store.key` replaced or truncated, `store.db` garbage, truncated or from a newer
//! schema. Every call must fail with the documented store HRESULT (never panic, never hand
//! out a wrong key), and the objects the fault did not touch must keep working.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use peernet::hresult::{self, HResult};
use peernet::{GroupProperties, Peernet, Profile, Role};
use peernet_tests::store::fast_options;

struct Base {
    _dir: tempfile::TempDir,
    path: PathBuf,
    a: String,
    b: String,
    group: String,
}

/// A closed store with identities `a` (owner of `group`) and `b`.
fn base() -> Base {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store");
    let pn = Peernet::open_with(&path, fast_options()).unwrap();
    let a = pn
        .identity_create(Some("a"), None, Some(Profile::Windows))
        .unwrap();
    let b = pn
        .identity_create(Some("b"), None, Some(Profile::Windows))
        .unwrap();
    let g = pn
        .group_create(&GroupProperties::new("g", "G").with_creator(&a))
        .unwrap();
    let group = g.peer_name().to_owned();
    drop(g);
    drop(pn);
    Base {
        _dir: dir,
        path,
        a,
        b,
        group,
    }
}

fn copy_store(from: &Path) -> tempfile::TempDir {
    let to = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        std::fs::copy(e.path(), to.path().join(e.file_name())).unwrap();
    }
    to
}

fn sql(dir: &Path, statement: &str) {
    let c = rusqlite::Connection::open(dir.join("store.db")).unwrap();
    c.execute_batch(statement).unwrap();
}

/// Runs `f` under catch_unwind; returns its HRESULT (S_OK on success).
fn code<T>(f: impl FnOnce() -> peernet::Result<T>) -> HResult {
    match catch_unwind(AssertUnwindSafe(f)) {
        Err(_) => panic!("panicked"),
        Ok(Ok(_)) => hresult::S_OK,
        Ok(Err(e)) => e.hresult(),
    }
}

#[test]
fn flipped_sealed_identity_key_is_corruption_and_others_keep_working() {
    let base = base();
    let d = copy_store(&base.path);
    sql(
        d.path(),
        &format!(
            "UPDATE identities SET sealed_key = substr(sealed_key, 1, 20) || X'00' || substr(sealed_key, 22) WHERE peer_name = '{}'",
            base.b
        ),
    );
    let pn = Peernet::open_with(d.path(), fast_options()).unwrap();
    assert_eq!(
        code(|| pn.identity_get_crypt_key(&base.b)),
        hresult::PEER_E_CERT_STORE_CORRUPTED
    );
    assert_eq!(
        code(|| pn.identity_export(&base.b, &"pw".into())),
        hresult::PEER_E_CERT_STORE_CORRUPTED
    );
    // a and its group are untouched.
    assert_eq!(code(|| pn.identity_get_crypt_key(&base.a)), hresult::S_OK);
    let g = pn.group_open(&base.a, &base.group, None).unwrap();
    let info = pn.identity_get_xml(Some(&base.b)).unwrap();
    assert_eq!(
        code(|| g.create_invitation(&info, None, &[Role::MEMBER])),
        hresult::S_OK
    );
    pn.store().check_integrity().unwrap();
}

#[test]
fn sealed_keys_swapped_between_identities_never_unseal() {
    // The peer name is the associated data: a blob moved to another row must not open
    // (no silent key substitution).
    let base = base();
    let d = copy_store(&base.path);
    sql(
        d.path(),
        &format!(
            "UPDATE identities SET sealed_key = (SELECT sealed_key FROM identities WHERE peer_name = '{a}') WHERE peer_name = '{b}'",
            a = base.a,
            b = base.b
        ),
    );
    let pn = Peernet::open_with(d.path(), fast_options()).unwrap();
    assert_eq!(
        code(|| pn.identity_get_crypt_key(&base.b)),
        hresult::PEER_E_CERT_STORE_CORRUPTED
    );
    assert_eq!(code(|| pn.identity_get_crypt_key(&base.a)), hresult::S_OK);
    // The group key moved into the identity key's place does not open either.
    let d = copy_store(&base.path);
    sql(
        d.path(),
        &format!(
            "UPDATE identities SET sealed_key = (SELECT sealed_group_key FROM groups WHERE identity = '{a}') WHERE peer_name = '{a}'",
            a = base.a
        ),
    );
    let pn = Peernet::open_with(d.path(), fast_options()).unwrap();
    assert_eq!(
        code(|| pn.identity_get_crypt_key(&base.a)),
        hresult::PEER_E_CERT_STORE_CORRUPTED
    );
}

#[test]
fn flipped_sealed_group_key_is_corruption() {
    let base = base();
    let d = copy_store(&base.path);
    sql(
        d.path(),
        "UPDATE groups SET sealed_group_key = substr(sealed_group_key, 1, 30) || X'FF' || substr(sealed_group_key, 32)",
    );
    let pn = Peernet::open_with(d.path(), fast_options()).unwrap();
    let info = pn.identity_get_xml(Some(&base.b)).unwrap();
    let g = pn.group_open(&base.a, &base.group, None);
    let got = match g {
        Ok(g) => code(|| g.create_invitation(&info, None, &[Role::MEMBER])),
        Err(e) => e.hresult(),
    };
    assert_eq!(got, hresult::PEER_E_CERT_STORE_CORRUPTED);
    assert_eq!(code(|| pn.identity_get_crypt_key(&base.a)), hresult::S_OK);
}

#[test]
fn altered_certificates_and_rows_fail_cleanly() {
    let base = base();
    let cases = [
        (
            "chain certificate altered",
            "UPDATE group_chain SET cert = substr(cert, 1, 60) || X'00' || substr(cert, 62) WHERE position = 1",
        ),
        (
            "chain certificate removed",
            "DELETE FROM group_chain WHERE position = 1",
        ),
        (
            "IDC altered",
            "UPDATE identities SET idc = substr(idc, 1, 60) || X'00' || substr(idc, 62)",
        ),
        ("IDC garbage", "UPDATE identities SET idc = X'3003020105'"),
        ("unknown profile", "UPDATE identities SET profile = 'bogus'"),
        (
            "unknown group profile",
            "UPDATE groups SET profile = 'bogus'",
        ),
    ];
    for (what, statement) in cases {
        let d = copy_store(&base.path);
        sql(d.path(), statement);
        let pn = Peernet::open_with(d.path(), fast_options()).unwrap();
        let calls = [
            code(|| pn.group_open(&base.a, &base.group, None)),
            code(|| pn.identity_get_xml(Some(&base.a))),
            code(|| pn.identity_details(&base.a)),
            code(|| pn.identity_export(&base.a, &"pw".into())),
            code(|| pn.enum_groups(&base.a)),
        ];
        // Each call either works (the fault is elsewhere) or reports a failure; none
        // panics, and the failing ones use store or validation HRESULTs.
        eprintln!("{what}: open, get_xml, details, export, enum_groups -> {calls:?}");
        let failed: Vec<&HResult> = calls.iter().filter(|c| !c.is_success()).collect();
        assert!(!failed.is_empty(), "{what}: nothing noticed the fault");
        for c in failed {
            assert!(
                [
                    hresult::PEER_E_CERT_STORE_CORRUPTED,
                    hresult::E_FAIL,
                    hresult::E_INVALIDARG,
                ]
                .contains(c)
                    || c.name().is_some_and(|n| n.starts_with("PEER_E_")),
                "{what}: {c:?}"
            );
        }
        // b is untouched by the group faults.
        if what.contains("chain") {
            assert_eq!(code(|| pn.identity_get_crypt_key(&base.b)), hresult::S_OK);
        }
    }
}

/// Regression (RELIABILITY.md, store faults): a stored IDC replaced by garbage made
/// `identity_export` fail with E_FAIL (the PFX writer's key/certificate mismatch) and
/// `identity_get_xml` hand the garbage out; both now report PEER_E_CERT_STORE_CORRUPTED, as
/// does an export whose stored IDC is another identity's (a well-formed certificate of
/// another key). The other identity keeps working.
#[test]
fn damaged_idc_is_reported_as_a_corrupted_store() {
    let base = base();
    let d = copy_store(&base.path);
    sql(
        d.path(),
        &format!(
            "UPDATE identities SET idc = X'3003020105' WHERE peer_name = '{}'",
            base.a
        ),
    );
    let pn = Peernet::open_with(d.path(), fast_options()).unwrap();
    assert_eq!(
        code(|| pn.identity_export(&base.a, &"pw".into())),
        hresult::PEER_E_CERT_STORE_CORRUPTED
    );
    assert_eq!(
        code(|| pn.identity_get_xml(Some(&base.a))),
        hresult::PEER_E_CERT_STORE_CORRUPTED
    );
    assert_eq!(
        code(|| pn.identity_export(&base.b, &"pw".into())),
        hresult::S_OK
    );
    assert_eq!(code(|| pn.identity_get_xml(Some(&base.b))), hresult::S_OK);
    drop(pn);

    let d = copy_store(&base.path);
    sql(
        d.path(),
        &format!(
            "UPDATE identities SET idc = (SELECT idc FROM identities WHERE peer_name = '{}') WHERE peer_name = '{}'",
            base.b, base.a
        ),
    );
    let pn = Peernet::open_with(d.path(), fast_options()).unwrap();
    assert_eq!(
        code(|| pn.identity_export(&base.a, &"pw".into())),
        hresult::PEER_E_CERT_STORE_CORRUPTED
    );
    assert_eq!(
        code(|| pn.identity_export(&base.b, &"pw".into())),
        hresult::S_OK
    );
}

#[test]
fn key_file_and_database_faults() {
    let base = base();
    // Another 32-byte key: the store opens, every sealed secret is refused.
    let d = copy_store(&base.path);
    std::fs::write(d.path().join("store.key"), [7u8; 32]).unwrap();
    let pn = Peernet::open_with(d.path(), fast_options()).unwrap();
    assert_eq!(
        code(|| pn.identity_get_crypt_key(&base.a)),
        hresult::PEER_E_CERT_STORE_CORRUPTED
    );
    drop(pn);
    // A truncated key file: no key access.
    let d = copy_store(&base.path);
    let key = std::fs::read(d.path().join("store.key")).unwrap();
    std::fs::write(d.path().join("store.key"), &key[..31]).unwrap();
    assert_eq!(
        code(|| Peernet::open_with(d.path(), fast_options())),
        hresult::PEER_E_NO_KEY_ACCESS
    );
    // The key file is a directory.
    let d = copy_store(&base.path);
    std::fs::remove_file(d.path().join("store.key")).unwrap();
    std::fs::create_dir(d.path().join("store.key")).unwrap();
    assert_eq!(
        code(|| Peernet::open_with(d.path(), fast_options())),
        hresult::PEER_E_NO_KEY_ACCESS
    );
    // store.db replaced by garbage, truncated, or from a newer schema.
    let d = copy_store(&base.path);
    std::fs::write(d.path().join("store.db"), vec![0x5au8; 8192]).unwrap();
    let c = code(|| Peernet::open_with(d.path(), fast_options()).and_then(|p| p.enum_identities()));
    assert_eq!(c, hresult::PEER_E_CERT_STORE_CORRUPTED, "{c:?}");
    let d = copy_store(&base.path);
    let db = std::fs::read(d.path().join("store.db")).unwrap();
    std::fs::write(d.path().join("store.db"), &db[..db.len() / 2]).unwrap();
    let c = code(|| {
        let p = Peernet::open_with(d.path(), fast_options())?;
        p.enum_identities()?;
        p.store()
            .check_integrity()
            .map_err(|_| peernet::Error::Api {
                code: hresult::PEER_E_CERT_STORE_CORRUPTED,
                message: "integrity".into(),
            })
    });
    assert!(!c.is_success(), "a truncated database went unnoticed");
    let d = copy_store(&base.path);
    sql(d.path(), "PRAGMA user_version = 99");
    assert_eq!(
        code(|| Peernet::open_with(d.path(), fast_options())),
        hresult::PEER_E_DBINITIALIZATION_FAILED
    );
    // The original store is intact after all this.
    let pn = Peernet::open_with(&base.path, fast_options()).unwrap();
    pn.store().check_integrity().unwrap();
    assert_eq!(pn.enum_identities().unwrap().len(), 2);
}
