//! `--passin SPEC`: where a password comes from, the way OpenSSL's `-passin` works.
//!
//! SPEC is `pass:TEXT`, `env:VAR`, `file:PATH`, `fd:N` or `stdin`. Without a SPEC the
//! password is prompted for without echo when standard input is a terminal, and it is an
//! error otherwise. `file:`, `fd:` and `stdin` take the first line, without its line end.
//! A password is never echoed and never appears in an error message; it is held in a
//! [`peernet::Secret`], wiped on drop.

use peernet::Secret;
use std::io::{BufRead, IsTerminal, Read};
use zeroize::Zeroizing;

/// Why a password could not be obtained. Messages never contain the password.
#[derive(Debug, thiserror::Error)]
pub enum PassinError {
    /// The SPEC has none of the known forms.
    #[error("--passin: unknown form '{0}' (use pass:TEXT, env:VAR, file:PATH, fd:N or stdin)")]
    BadSpec(String),
    /// `env:VAR` names an unset variable.
    #[error("--passin env:{0}: the environment variable is not set")]
    NoEnv(String),
    /// A file or descriptor could not be read.
    #[error("--passin {what}: {source}")]
    Read {
        /// Which source.
        what: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The source held bytes that are not UTF-8.
    #[error("--passin {0}: the password is not valid UTF-8")]
    NotUtf8(String),
    /// No SPEC and no terminal to prompt on.
    #[error(
        "a password is needed: give --passin (pass:, env:, file:, fd: or stdin) or run on a terminal"
    )]
    NoTerminal,
    /// The two entries at a confirmation prompt differ.
    #[error("the passwords entered do not match")]
    Mismatch,
}

fn first_line(bytes: Zeroizing<Vec<u8>>, what: &str) -> Result<Secret, PassinError> {
    let end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    let mut line = &bytes[..end];
    if line.last() == Some(&b'\r') {
        line = &line[..line.len() - 1];
    }
    let s = std::str::from_utf8(line).map_err(|_| PassinError::NotUtf8(what.to_string()))?;
    Ok(Secret::new(s.to_string()))
}

/// Resolve a password from `spec`, or prompt (`prompt`, with a confirmation when
/// `confirm` is set) when `spec` is `None` and standard input is a terminal.
pub fn read_password(
    spec: Option<&str>,
    prompt: &str,
    confirm: bool,
) -> Result<Secret, PassinError> {
    let Some(spec) = spec else {
        if !std::io::stdin().is_terminal() {
            return Err(PassinError::NoTerminal);
        }
        let first =
            Secret::new(
                rpassword::prompt_password(prompt).map_err(|e| PassinError::Read {
                    what: "terminal".into(),
                    source: e,
                })?,
            );
        if confirm {
            let again = Secret::new(
                rpassword::prompt_password("Verifying - ".to_string() + prompt).map_err(|e| {
                    PassinError::Read {
                        what: "terminal".into(),
                        source: e,
                    }
                })?,
            );
            if again.expose() != first.expose() {
                return Err(PassinError::Mismatch);
            }
        }
        return Ok(first);
    };
    if let Some(text) = spec.strip_prefix("pass:") {
        return Ok(Secret::new(text.to_string()));
    }
    if let Some(var) = spec.strip_prefix("env:") {
        return std::env::var(var)
            .map(Secret::new)
            .map_err(|_| PassinError::NoEnv(var.to_string()));
    }
    if let Some(path) = spec.strip_prefix("file:") {
        let what = format!("file:{path}");
        let bytes = std::fs::read(path).map_err(|e| PassinError::Read {
            what: what.clone(),
            source: e,
        })?;
        return first_line(Zeroizing::new(bytes), &what);
    }
    if let Some(n) = spec.strip_prefix("fd:") {
        let what = format!("fd:{n}");
        let fd: u32 = n
            .parse()
            .map_err(|_| PassinError::BadSpec(format!("fd:{n}")))?;
        // /dev/fd/N exists on Linux and macOS and needs no unsafe code.
        let mut file =
            std::fs::File::open(format!("/dev/fd/{fd}")).map_err(|e| PassinError::Read {
                what: what.clone(),
                source: e,
            })?;
        let mut bytes = Zeroizing::new(Vec::new());
        file.read_to_end(&mut bytes)
            .map_err(|e| PassinError::Read {
                what: what.clone(),
                source: e,
            })?;
        return first_line(bytes, &what);
    }
    if spec == "stdin" {
        let mut line = Zeroizing::new(Vec::new());
        std::io::stdin()
            .lock()
            .read_until(b'\n', &mut line)
            .map_err(|e| PassinError::Read {
                what: "stdin".into(),
                source: e,
            })?;
        return first_line(line, "stdin");
    }
    // Never echo the spec itself: it could be a password typed without "pass:".
    let form = spec.split(':').next().unwrap_or_default();
    let shown = if spec.contains(':') {
        format!("{form}:…")
    } else {
        "…".to_string()
    };
    Err(PassinError::BadSpec(shown))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_env_file() {
        assert_eq!(
            read_password(Some("pass:s3cret"), "", false)
                .unwrap()
                .expose(),
            "s3cret"
        );
        assert_eq!(
            read_password(Some("pass:"), "", false).unwrap().expose(),
            ""
        );
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("pw");
        std::fs::write(&p, "line one\r\nline two\n").unwrap();
        let spec = format!("file:{}", p.display());
        assert_eq!(
            read_password(Some(&spec), "", false).unwrap().expose(),
            "line one"
        );
        let e = read_password(Some("env:PEERNET_TEST_SURELY_UNSET_VAR"), "", false).unwrap_err();
        assert!(matches!(e, PassinError::NoEnv(_)));
        let path_var = read_password(Some("env:PATH"), "", false).unwrap();
        assert!(!path_var.expose().is_empty());
    }

    #[test]
    fn bad_spec_never_echoes_the_text() {
        let e = read_password(Some("hunter2"), "", false).unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
        let e = read_password(Some("word:hunter2"), "", false).unwrap_err();
        assert!(!e.to_string().contains("hunter2"), "{e}");
        assert!(matches!(
            read_password(Some("fd:x"), "", false),
            Err(PassinError::BadSpec(_))
        ));
    }

    #[test]
    fn debug_is_redacted() {
        assert_eq!(
            format!("{:?}", read_password(Some("pass:x"), "", false).unwrap()),
            "Secret(<redacted>)"
        );
    }
}
