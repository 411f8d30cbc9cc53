//! Same-machine discovery: the nodes of one user publish the groups they listen for in a
//! runtime directory, one file per (group participant name, node), as PNRP published
//! `<group authority>.participant` registrations. What a lookup returns is only a hint:
//! the membership proof still decides.
//!
//! Layout: `<runtime>/groups/<sha1(participant name) hex>/<peer id>` holding the
//! participant name, the PeerId, the node's pid and one socket address per line. Files
//! are written to a temporary name and renamed, so a reader never sees half a file.

use std::fs;
use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use peernet_crypto::PeerName;

use super::RUNTIME_DIR_ENV;

/// The most entries a lookup reads for one group.
const MAX_ENTRIES: usize = 256;
/// The largest entry file read.
const MAX_ENTRY_LEN: u64 = 4096;

/// The runtime directory of `ctx`: its [`Options::runtime_dir`](crate::Options), else
/// [`RUNTIME_DIR_ENV`], else `$XDG_RUNTIME_DIR/peernet`, else `<temp>/peernet-<uid of
/// the store directory>`.
pub fn runtime_dir(ctx: &crate::Peernet) -> PathBuf {
    if let Some(d) = &ctx.options.runtime_dir {
        return d.clone();
    }
    default_runtime_dir(ctx.store.dir())
}

fn default_runtime_dir(store_dir: &Path) -> PathBuf {
    if let Some(d) = std::env::var_os(RUNTIME_DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(d).join("peernet");
    }
    let uid = fs::metadata(store_dir).map(|m| m.uid()).unwrap_or(0);
    std::env::temp_dir().join(format!("peernet-{uid}"))
}

/// The group's participant name, `<group authority>.participant`.
pub fn participant_name(group: &PeerName) -> String {
    format!("{}.participant", group.authority())
}

fn group_dir(runtime: &Path, participant: &str) -> PathBuf {
    use sha1::Digest;
    let d = sha1::Sha1::digest(participant.as_bytes());
    let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
    runtime.join("groups").join(hex)
}

/// The addresses a same-machine peer can dial: an unspecified listen address becomes
/// the loopback address of its family.
pub(crate) fn dialable(addrs: &[SocketAddr]) -> Vec<SocketAddr> {
    let mut out: Vec<SocketAddr> = addrs
        .iter()
        .map(|a| match a.ip() {
            IpAddr::V4(v) if v.is_unspecified() => {
                SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), a.port())
            }
            IpAddr::V6(v) if v.is_unspecified() => {
                SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), a.port())
            }
            _ => *a,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Makes sure `runtime` is a directory of this user alone before anything in it is
/// trusted: created with mode 0700 when absent; refused when it is not a real directory
/// (a symlink, a file) or belongs to another user (a fallback under a shared temporary
/// directory can be pre-created by anyone); group and other permission bits are
/// removed when this user owns it.
///
/// # Errors
/// `PermissionDenied` naming the reason; the I/O error of creating or probing it.
pub(crate) fn secure_runtime_dir(runtime: &Path) -> io::Result<()> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(runtime)?;
    let meta = fs::symlink_metadata(runtime)?;
    if !meta.file_type().is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "runtime directory '{}' is not a directory",
                runtime.display()
            ),
        ));
    }
    // The owner of a file this process creates is this process's user: no unsafe call
    // to geteuid needed.
    let probe = runtime.join(format!(".owner.{}", std::process::id()));
    let _ = fs::remove_file(&probe);
    let me = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&probe)
        .and_then(|f| f.metadata())
        .map(|m| m.uid());
    let _ = fs::remove_file(&probe);
    let me = me?;
    if meta.uid() != me {
        return Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "runtime directory '{}' belongs to uid {}, not to this user (uid {me}); remove it or set {RUNTIME_DIR_ENV}",
                runtime.display(),
                meta.uid()
            ),
        ));
    }
    if meta.mode() & 0o077 != 0 {
        fs::set_permissions(runtime, fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// Publishes this node for `participant`.
///
/// # Errors
/// Those of [`secure_runtime_dir`]; the I/O error of creating the directory or writing
/// the file.
pub(crate) fn publish(
    runtime: &Path,
    participant: &str,
    peer_id: &str,
    addrs: &[SocketAddr],
) -> io::Result<()> {
    secure_runtime_dir(runtime)?;
    let dir = group_dir(runtime, participant);
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)?;
    let mut body = format!("{participant}\n{peer_id}\n{}\n", std::process::id());
    for a in dialable(addrs) {
        body.push_str(&a.to_string());
        body.push('\n');
    }
    let tmp = dir.join(format!(".{peer_id}.{}.tmp", std::process::id()));
    let _ = fs::remove_file(&tmp);
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(body.as_bytes())?;
    drop(f);
    fs::rename(&tmp, dir.join(peer_id))
}

/// The text of a regular file of at most [`MAX_ENTRY_LEN`] bytes (no symlink, no FIFO,
/// no device), or `None`.
fn read_entry(path: &Path) -> Option<String> {
    let before = fs::symlink_metadata(path).ok()?;
    if !before.file_type().is_file() || before.len() > MAX_ENTRY_LEN {
        return None;
    }
    let f = fs::File::open(path).ok()?;
    let opened = f.metadata().ok()?;
    if !opened.file_type().is_file() || opened.ino() != before.ino() || opened.dev() != before.dev()
    {
        return None;
    }
    let mut text = String::new();
    f.take(MAX_ENTRY_LEN).read_to_string(&mut text).ok()?;
    Some(text)
}

/// Removes this node's publication for `participant` (absent is fine).
pub(crate) fn unpublish(runtime: &Path, participant: &str, peer_id: &str) {
    let dir = group_dir(runtime, participant);
    let _ = fs::remove_file(dir.join(peer_id));
    let _ = fs::remove_dir(&dir);
}

/// Whether the process `pid` may still run (always true where this cannot be known).
fn may_run(pid: u32) -> bool {
    let proc_dir = Path::new("/proc");
    !proc_dir.join("self").exists() || proc_dir.join(pid.to_string()).exists()
}

/// The other nodes published for `participant`: PeerId and addresses, at most
/// [`MAX_ENTRIES`], skipping unreadable or foreign entries and those whose process is
/// gone (they are removed).
pub(crate) fn lookup(
    runtime: &Path,
    participant: &str,
    except: &str,
) -> Vec<(String, Vec<SocketAddr>)> {
    if let Err(e) = secure_runtime_dir(runtime) {
        eprintln!("peernet node: same-machine discovery is off: {e}");
        return Vec::new();
    }
    let dir = group_dir(runtime, participant);
    let Ok(entries) = fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries.flatten().take(MAX_ENTRIES) {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name == except {
            continue;
        }
        let Some(text) = read_entry(&path) else {
            continue;
        };
        let mut lines = text.lines();
        let (Some(p), Some(id), Some(pid)) = (lines.next(), lines.next(), lines.next()) else {
            continue;
        };
        if p != participant || id != name {
            continue;
        }
        if pid.parse().is_ok_and(|pid| !may_run(pid)) {
            let _ = fs::remove_file(&path);
            continue;
        }
        let addrs: Vec<SocketAddr> = lines.filter_map(|l| l.parse().ok()).collect();
        if !addrs.is_empty() {
            out.push((name, addrs));
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publish_lookup_unpublish() {
        let dir = tempfile::tempdir().unwrap();
        let p = "abc.participant";
        let a: SocketAddr = "0.0.0.0:4000".parse().unwrap();
        publish(dir.path(), p, "node-a", &[a]).unwrap();
        publish(dir.path(), p, "node-b", &["[::1]:4001".parse().unwrap()]).unwrap();
        let found = lookup(dir.path(), p, "node-b");
        assert_eq!(
            found,
            vec![(
                "node-a".to_string(),
                vec!["127.0.0.1:4000".parse().unwrap()]
            )]
        );
        assert!(lookup(dir.path(), "other.participant", "").is_empty());
        unpublish(dir.path(), p, "node-a");
        assert_eq!(lookup(dir.path(), p, "").len(), 1);
    }

    #[test]
    fn foreign_stale_and_oversized_entries_are_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let p = "abc.participant";
        publish(dir.path(), p, "node-a", &["127.0.0.1:1".parse().unwrap()]).unwrap();
        let gd = group_dir(dir.path(), p);
        // Another participant's entry copied in, a dead process, an oversized file.
        fs::write(
            gd.join("node-x"),
            "zzz.participant\nnode-x\n1\n127.0.0.1:2\n",
        )
        .unwrap();
        if Path::new("/proc/self").exists() {
            fs::write(
                gd.join("node-y"),
                format!("{p}\nnode-y\n4294967295\n127.0.0.1:3\n"),
            )
            .unwrap();
        }
        fs::write(gd.join("node-z"), "x".repeat(5000)).unwrap();
        // A symlink to a good entry elsewhere is not followed.
        let elsewhere = tempfile::tempdir().unwrap();
        let target = elsewhere.path().join("node-s");
        fs::write(&target, format!("{p}\nnode-s\n1\n127.0.0.1:4\n")).unwrap();
        std::os::unix::fs::symlink(&target, gd.join("node-s")).unwrap();
        let found = lookup(dir.path(), p, "");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "node-a");
    }

    #[test]
    fn a_runtime_dir_that_is_not_a_private_directory_is_refused() {
        let base = tempfile::tempdir().unwrap();
        // Created private when absent.
        let fresh = base.path().join("fresh");
        secure_runtime_dir(&fresh).unwrap();
        assert_eq!(fs::metadata(&fresh).unwrap().mode() & 0o777, 0o700);
        // Loose permissions of our own directory are tightened.
        let loose = base.path().join("loose");
        fs::create_dir(&loose).unwrap();
        fs::set_permissions(&loose, fs::Permissions::from_mode(0o777)).unwrap();
        secure_runtime_dir(&loose).unwrap();
        assert_eq!(fs::metadata(&loose).unwrap().mode() & 0o777, 0o700);
        // A symlink to a directory (someone else's planted link) and a file are refused,
        // and a lookup through them finds nothing.
        let link = base.path().join("link");
        std::os::unix::fs::symlink(&fresh, &link).unwrap();
        let e = secure_runtime_dir(&link).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::PermissionDenied, "{e}");
        let file = base.path().join("file");
        fs::write(&file, "x").unwrap();
        assert!(secure_runtime_dir(&file).is_err());
        publish(
            &fresh,
            "a.participant",
            "node-a",
            &["127.0.0.1:1".parse().unwrap()],
        )
        .unwrap();
        assert_eq!(lookup(&fresh, "a.participant", "").len(), 1);
        assert!(lookup(&link, "a.participant", "").is_empty());
        assert!(publish(&link, "a.participant", "node-b", &[]).is_err());
    }
}
