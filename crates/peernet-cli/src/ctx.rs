//! What every command shares: the invocation's settings ([`Ctx`]), its result
//! ([`Report`]), reading documents, writing them, and asking for a password.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use peernet::lower::protocol::{DocumentType, TextEncoding, decode_document, encode_document};
use peernet::{Options, Peernet, Secret};
use serde_json::{Value, json};

use crate::cli::Output;
use crate::error::CliError;
use crate::output::write_output;
use crate::passin::read_password;

/// Environment variable that replaces the PFX / GROUPKEY iteration count (tests and
/// benchmarks only; a warning is printed whenever it is used).
pub const PFX_ITERATIONS_ENV: &str = "PEERNET_PFX_ITERATIONS";

/// Largest input document read (the XML readers cap documents at 1 MiB of UTF-8; the
/// same document in UTF-16 takes up to twice that).
const MAX_INPUT: u64 = 4 * 1024 * 1024;

/// What a command produced: the JSON object and the human text (either may be printed).
#[derive(Debug)]
pub struct Report {
    /// The `--json` object.
    pub json: Value,
    /// The human output (printed with a final newline when not empty).
    pub human: String,
}

impl Report {
    pub(crate) fn new(json: Value, human: impl Into<String>) -> Self {
        Report {
            json,
            human: human.into(),
        }
    }
}

/// Global settings of one invocation.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// `--store DIR`.
    pub store: Option<PathBuf>,
    /// `--json`.
    pub json: bool,
    /// `-q`.
    pub quiet: bool,
}

impl Ctx {
    /// Informational line on stderr (not with `-q` or `--json`).
    pub fn info(&self, line: &str) {
        if !self.quiet && !self.json {
            let _ = writeln!(std::io::stderr().lock(), "{line}");
        }
    }

    /// Whether a progress spinner may be shown (not with `-q` or `--json`).
    pub(crate) fn spinner_visible(&self) -> bool {
        !self.quiet && !self.json
    }

    /// Options of the context: the test-only iteration override, when set.
    pub fn options(&self) -> Result<Options, CliError> {
        let mut options = Options::default();
        if let Some(raw) = std::env::var_os(PFX_ITERATIONS_ENV) {
            let n: u32 = raw
                .to_str()
                .and_then(|s| s.parse().ok())
                .filter(|n| (1..=10_000_000).contains(n))
                .ok_or_else(|| {
                    CliError::invalid(format!(
                        "{PFX_ITERATIONS_ENV} must be a number from 1 to 10000000"
                    ))
                })?;
            // Never silent: this weakens new exports below the profile's default.
            let _ = writeln!(
                std::io::stderr().lock(),
                "warning: {PFX_ITERATIONS_ENV}={n} replaces the profile's PFX/GROUPKEY iteration count (for tests and benchmarks only)"
            );
            options = options.with_pfx_iterations(n);
        }
        Ok(options)
    }

    /// Opens the store.
    pub fn open(&self) -> Result<Peernet, CliError> {
        let options = self.options()?;
        Ok(match &self.store {
            Some(dir) => Peernet::open_with(dir, options)?,
            None => Peernet::open_default_with(options)?,
        })
    }
}

/// Whether a path argument is `-` (standard input or output).
pub(crate) fn is_stdin(p: &Path) -> bool {
    p.as_os_str() == "-"
}

/// Reads a document of type `document` from a file or `-` (standard input), as Windows
/// programs write it: UTF-8 or UTF-16LE/BE, with or without a byte-order mark, trailing
/// NULs ignored (see `peernet_protocol::text`). Bytes in none of these encodings are
/// refused with `E_INVALIDARG`, before the document is parsed.
pub fn read_document(path: &Path, document: DocumentType) -> Result<String, CliError> {
    let shown = if is_stdin(path) {
        "standard input".to_string()
    } else {
        format!("'{}'", path.display())
    };
    let mut bytes = Vec::new();
    let res = if is_stdin(path) {
        std::io::stdin()
            .lock()
            .take(MAX_INPUT + 1)
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_INPUT + 1).read_to_end(&mut bytes))
    };
    res.map_err(|e| CliError::io(&shown, &e))?;
    if bytes.len() as u64 > MAX_INPUT {
        return Err(CliError::invalid(format!(
            "{shown} is larger than {MAX_INPUT} bytes; it is not a peernet document"
        )));
    }
    // A file in no encoding a document may be in is an argument the API cannot take:
    // E_INVALIDARG, whatever the document (as before for bytes that were not UTF-8).
    decode_document(document, &bytes)
        .map(|d| d.text)
        .map_err(|e| CliError::invalid(format!("cannot read {shown}: {e}")))
}

/// A password from `--passin` (or a prompt); refused when the document being read comes
/// from standard input too.
pub(crate) fn password(
    spec: Option<&str>,
    prompt: &str,
    confirm: bool,
    document_from_stdin: bool,
) -> Result<Secret, CliError> {
    if document_from_stdin && spec == Some("stdin") {
        return Err(CliError::invalid(
            "the document and the password cannot both come from standard input; use another --passin form",
        ));
    }
    Ok(read_password(spec, prompt, confirm)?)
}

fn file_mode(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path)
            .ok()
            .map(|m| format!("{:04o}", m.permissions().mode() & 0o777))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Writes a document to `-o FILE` (atomic; 0600 when `secret`) or standard output, as
/// UTF-8 without a byte-order mark, or with `--utf16` as UTF-16LE without one (what the
/// GroupChat sample's `fread` reads).
pub(crate) fn emit_document(
    ctx: &Ctx,
    kind: &str,
    xml: &str,
    out: &Output,
    secret: bool,
) -> Result<Report, CliError> {
    let encoding = if out.utf16 {
        TextEncoding::Utf16Le
    } else {
        TextEncoding::Utf8
    };
    match out.out.as_deref().filter(|p| !is_stdin(p)) {
        Some(path) => {
            let bytes = encode_document(xml, encoding, false);
            write_output(Some(path), &bytes, secret, out.force)?;
            let mode = file_mode(path);
            ctx.info(&format!(
                "wrote {kind} to {} ({} bytes, {encoding}{})",
                path.display(),
                bytes.len(),
                mode.as_deref()
                    .map(|m| format!(", mode {m}"))
                    .unwrap_or_default()
            ));
            Ok(Report::new(
                json!({"document": kind, "file": path, "bytes": bytes.len(), "secret": secret, "encoding": encoding.as_str()}),
                "",
            ))
        }
        // UTF-16 on standard output: the bytes exactly, without a final newline.
        None if out.utf16 && !ctx.json => {
            write_output(None, &encode_document(xml, encoding, false), secret, false)?;
            Ok(Report::new(Value::Null, ""))
        }
        None => Ok(Report::new(
            json!({"document": kind, "xml": xml}),
            xml.trim_end_matches('\n'),
        )),
    }
}
