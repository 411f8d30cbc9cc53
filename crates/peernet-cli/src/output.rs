//! Writing results: to standard output, or atomically to a file.
//!
//! A file is written to a temporary sibling and renamed into place, so a reader never
//! sees half a document and a failure leaves nothing behind. Files that hold secrets
//! (a PFX, a group key) are created with mode 0600. An existing file is not replaced
//! unless `--force` was given.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Why an output could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The target exists and `--force` was not given.
    #[error("{0} already exists (use --force to replace it)")]
    Exists(PathBuf),
    /// An I/O error, with the path.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The target.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

/// Write `bytes` to `path` (or standard output when `path` is `None` or `-`).
pub fn write_output(
    path: Option<&Path>,
    bytes: &[u8],
    secret: bool,
    force: bool,
) -> Result<(), OutputError> {
    let Some(path) = path.filter(|p| p.as_os_str() != "-") else {
        let mut out = std::io::stdout().lock();
        return out
            .write_all(bytes)
            .and_then(|_| out.flush())
            .map_err(|e| OutputError::Io {
                path: "<stdout>".into(),
                source: e,
            });
    };
    let io = |e| OutputError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    if !force && path.exists() {
        return Err(OutputError::Exists(path.to_path_buf()));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".peernet-").suffix(".tmp");
    with_mode(&mut builder, secret);
    let mut tmp = builder.tempfile_in(&dir).map_err(io)?;
    tmp.write_all(bytes).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    if force {
        tmp.persist(path).map_err(|e| io(e.error))?;
    } else {
        // persist_noclobber refuses to replace a file that appeared meanwhile.
        tmp.persist_noclobber(path).map_err(|e| {
            if e.error.kind() == std::io::ErrorKind::AlreadyExists {
                OutputError::Exists(path.to_path_buf())
            } else {
                io(e.error)
            }
        })?;
    }
    Ok(())
}

#[cfg(unix)]
fn with_mode(builder: &mut tempfile::Builder<'_, '_>, secret: bool) {
    use std::os::unix::fs::PermissionsExt;
    builder.permissions(std::fs::Permissions::from_mode(if secret {
        0o600
    } else {
        0o644
    }));
}

#[cfg(not(unix))]
fn with_mode(_builder: &mut tempfile::Builder<'_, '_>, _secret: bool) {
    // Other platforms: the file inherits the directory's access control.
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_overwrite_without_force_and_sets_mode() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.xml");
        write_output(Some(&p), b"one", true, false).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
        assert!(matches!(
            write_output(Some(&p), b"two", true, false),
            Err(OutputError::Exists(_))
        ));
        assert_eq!(std::fs::read(&p).unwrap(), b"one");
        write_output(Some(&p), b"two", false, true).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        // no temporary files left behind
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn missing_directory_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("no/such/dir/out.xml");
        assert!(matches!(
            write_output(Some(&p), b"x", false, false),
            Err(OutputError::Io { .. })
        ));
    }
}
