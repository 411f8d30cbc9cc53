//! `NoKeyAccess`: key file of the wrong shape, directories in the way, and a store this
//! user may not read.
//!
//! The CI runs as root, for whom `chmod 000` changes nothing. The permission test
//! therefore re-executes this test binary as `nobody` through `setpriv` when running as
//! root (and skips, saying so, when that is not possible); when not root it uses
//! `chmod 000` directly.

use std::fs;
use std::path::Path;

use peernet_storage::{Error, Store};

use crate::common::tempdir;

fn expect_no_key_access(result: peernet_storage::Result<Store>, path_part: &str) {
    match result {
        Err(e @ Error::NoKeyAccess { .. }) => {
            assert!(e.to_string().contains(path_part), "{e}");
        }
        other => panic!("expected NoKeyAccess, got {other:?}"),
    }
}

#[test]
fn key_file_is_a_directory() {
    let dir = tempdir();
    let path = dir.path().join("s");
    fs::create_dir_all(path.join("store.key")).expect("dir");
    expect_no_key_access(Store::open(&path), "store.key");
}

#[test]
fn key_file_of_wrong_length() {
    for len in [0usize, 16, 31, 33, 64] {
        let dir = tempdir();
        let path = dir.path().join("s");
        fs::create_dir(&path).expect("dir");
        fs::write(path.join("store.key"), vec![7u8; len]).expect("key");
        expect_no_key_access(Store::open(&path), "store.key");
    }
}

#[test]
fn store_path_is_a_file() {
    let dir = tempdir();
    let path = dir.path().join("s");
    fs::write(&path, b"not a directory").expect("file");
    expect_no_key_access(Store::open(&path), "s");
    expect_no_key_access(Store::open(path.join("below")), "below");
}

#[test]
fn database_is_a_directory() {
    let dir = tempdir();
    let path = dir.path().join("s");
    fs::create_dir_all(path.join("store.db")).expect("dir");
    expect_no_key_access(Store::open(&path), "store.db");
}

#[cfg(unix)]
fn is_root() -> bool {
    // The owner of a file we just created is our effective uid.
    use std::os::unix::fs::MetadataExt;
    let dir = tempdir();
    let probe = dir.path().join("probe");
    fs::write(&probe, b"").expect("probe");
    fs::metadata(&probe).expect("metadata").uid() == 0
}

/// Runs the `open-store` child role as `nobody`; returns its stdout, or `None` when
/// `setpriv` is not usable here.
#[cfg(unix)]
fn open_as_nobody(store_dir: &Path) -> Option<String> {
    let exe = std::env::current_exe().expect("current exe");
    let output = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(&exe)
        .args([
            "processes::child_entry",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(crate::processes::ROLE_ENV, "open-store")
        .env(crate::processes::DIR_ENV, store_dir)
        .output()
        .ok()?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !stdout.contains("RESULT ") {
        eprintln!(
            "setpriv child did not run ({}); skipping the unprivileged check",
            String::from_utf8_lossy(&output.stderr)
        );
        return None;
    }
    Some(stdout)
}

#[cfg(unix)]
#[test]
fn unreadable_store_is_no_key_access() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempdir();
    // Let an unprivileged child reach the temporary directory.
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
    let locked = dir.path().join("locked");
    drop(Store::open(&locked).expect("create store"));
    // A readable directory whose key file is owner-only.
    let shared = dir.path().join("shared");
    drop(Store::open(&shared).expect("create store"));
    fs::set_permissions(&shared, fs::Permissions::from_mode(0o755)).expect("chmod");
    if is_root() {
        let Some(out) = open_as_nobody(&locked) else {
            return;
        };
        assert!(out.contains("RESULT NoKeyAccess"), "{out}");
        let Some(out) = open_as_nobody(&shared) else {
            return;
        };
        assert!(
            out.contains("RESULT NoKeyAccess") && out.contains("store.key"),
            "{out}"
        );
    } else {
        fs::set_permissions(shared.join("store.key"), fs::Permissions::from_mode(0o000))
            .expect("chmod");
        expect_no_key_access(Store::open(&shared), "store.key");
        fs::set_permissions(shared.join("store.key"), fs::Permissions::from_mode(0o600))
            .expect("chmod");
        fs::set_permissions(shared.join("store.db"), fs::Permissions::from_mode(0o000))
            .expect("chmod");
        expect_no_key_access(Store::open(&shared), "store.db");
    }
}

#[test]
fn missing_key_with_existing_database_is_refused() {
    let dir = tempdir();
    let path = dir.path().join("s");
    {
        let store = Store::open(&path).expect("open");
        store
            .insert_identity(&crate::common::identity("a.x"), b"key")
            .expect("identity");
    }
    fs::remove_file(path.join("store.key")).expect("remove key");
    expect_no_key_access(Store::open(&path), "store.key");
    assert!(!path.join("store.key").exists(), "no new key was made");
}
