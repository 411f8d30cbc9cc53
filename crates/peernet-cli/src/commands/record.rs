//! `peernet record …`: the PeerGroup*Record* functions and the record database.

use std::io::Read;
use std::path::Path;
use std::time::{Duration, SystemTime};

use peernet::lower::protocol::DocumentType;
use peernet::{Group, Peernet, Record};
use serde_json::{Value, json};

use crate::cli::{GroupRef, RecordCommand, RecordContent};
use crate::ctx::{Ctx, Report, read_document};
use crate::error::CliError;
use crate::render::{fields, hex, parse_guid, rfc3339, table};

/// Default record lifetime for `record add`.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(86_400);
/// Largest payload read from a file (the record limit is 1 MiB; a bigger file gets the
/// facade's `PEER_E_MAX_RECORD_SIZE_EXCEEDED`).
const MAX_DATA_READ: u64 = 2 << 20;

/// `peernet record …`
pub(super) fn run(ctx: &Ctx, c: RecordCommand) -> Result<Report, CliError> {
    let pn = ctx.open()?;
    match c {
        RecordCommand::Add {
            at,
            record_type,
            content: c,
            expires,
        } => {
            let expiration = pn.now() + expires.unwrap_or(DEFAULT_LIFETIME);
            add_record(&pn, &at, &record_type, &c, expiration)
        }
        RecordCommand::List { at, record_type } => enum_records(&pn, &at, record_type.as_deref()),
        RecordCommand::Get { at, record } => get_record(&pn, &at, &record),
        RecordCommand::Update {
            at,
            record,
            content: c,
            expires,
        } => update_record(&pn, &at, &record, &c, expires.map(|e| pn.now() + e)),
        RecordCommand::Delete { at, record } => delete_record(ctx, &pn, &at, &record),
        RecordCommand::Search { at, query } => search_records(&pn, &at, query),
        RecordCommand::Export { at, file, force } => export_database(ctx, &pn, &at, &file, force),
        RecordCommand::Import { at, file } => import_database(ctx, &pn, &at, &file),
    }
}

fn read_bytes(path: &Path) -> Result<Vec<u8>, CliError> {
    let shown = if path.as_os_str() == "-" {
        "standard input".to_string()
    } else {
        format!("'{}'", path.display())
    };
    let mut bytes = Vec::new();
    let res = if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_DATA_READ)
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_DATA_READ).read_to_end(&mut bytes))
    };
    res.map_err(|e| CliError::io(&shown, &e))?;
    Ok(bytes)
}

/// (attributes, data) given on the command line; `None` = not given.
fn content(c: &RecordContent) -> Result<(Option<String>, Option<Vec<u8>>), CliError> {
    let attributes = match (&c.attributes, &c.attributes_file) {
        (Some(a), _) => Some(a.clone()),
        (None, Some(f)) => Some(read_document(f, DocumentType::RecordAttributes)?),
        (None, None) => None,
    };
    let data = match (&c.data, &c.data_file) {
        (Some(d), _) => Some(d.clone().into_bytes()),
        (None, Some(f)) => Some(read_bytes(f)?),
        (None, None) => None,
    };
    Ok((attributes, data))
}

/// A record as JSON.
fn record_json(r: &Record) -> Value {
    json!({
        "id": r.id.to_string(),
        "type": r.record_type.to_string(),
        "version": r.version,
        "flags": r.flags,
        "creator": r.creator_id,
        "modified_by": r.modified_by_id,
        "attributes": r.attributes,
        "created": rfc3339(r.creation),
        "last_modified": rfc3339(r.last_modified),
        "expires": rfc3339(r.expiration),
        "data_size": r.data.len(),
        "data_text": std::str::from_utf8(&r.data).ok(),
        "data_hex": hex(&r.data),
        "signature_size": r.security_data.len(),
    })
}

fn record_human(r: &Record) -> String {
    let data = match std::str::from_utf8(&r.data) {
        Ok(t) if !t.chars().any(char::is_control) => format!("{t:?}"),
        _ => format!("0x{}", hex(&r.data)),
    };
    fields(&[
        ("id", r.id.to_string()),
        ("type", r.record_type.to_string()),
        ("version", r.version.to_string()),
        ("creator", r.creator_id.clone()),
        ("modified by", r.modified_by_id.clone()),
        ("created", rfc3339(r.creation)),
        ("last modified", rfc3339(r.last_modified)),
        ("expires", rfc3339(r.expiration)),
        (
            "attributes",
            r.attributes.clone().unwrap_or_else(|| "(none)".into()),
        ),
        ("data", format!("{data} ({} bytes)", r.data.len())),
    ])
}

fn records_report(records: &[Record]) -> Report {
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.record_type.to_string(),
                r.version.to_string(),
                rfc3339(r.expiration),
                r.data.len().to_string(),
                r.creator_id.clone(),
            ]
        })
        .collect();
    Report::new(
        json!({"records": records.iter().map(record_json).collect::<Vec<_>>()}),
        table(
            &["ID", "TYPE", "VERSION", "EXPIRES", "BYTES", "CREATOR"],
            &rows,
        ),
    )
}

fn open(pn: &Peernet, at: &GroupRef) -> Result<Group, CliError> {
    Ok(pn.group_open(&at.identity, &at.group, None)?)
}

/// `record add`
fn add_record(
    pn: &Peernet,
    at: &GroupRef,
    record_type: &str,
    c: &RecordContent,
    expiration: SystemTime,
) -> Result<Report, CliError> {
    let g = open(pn, at)?;
    let (attributes, data) = content(c)?;
    let mut r = Record::new(parse_guid(record_type)?, expiration);
    r.attributes = attributes;
    r.data = data.unwrap_or_default();
    let id = g.add_record(&r)?;
    let text = id.to_string();
    Ok(Report::new(
        json!({"id": text, "type": r.record_type.to_string()}),
        text,
    ))
}

/// `record list [--type GUID]`
fn enum_records(
    pn: &Peernet,
    at: &GroupRef,
    record_type: Option<&str>,
) -> Result<Report, CliError> {
    let g = open(pn, at)?;
    let t = record_type.map(parse_guid).transpose()?;
    Ok(records_report(&g.enum_records(t.as_ref())?))
}

/// `record get`
fn get_record(pn: &Peernet, at: &GroupRef, record: &str) -> Result<Report, CliError> {
    let g = open(pn, at)?;
    let r = g.get_record(&parse_guid(record)?)?;
    Ok(Report::new(record_json(&r), record_human(&r)))
}

/// `record update`
fn update_record(
    pn: &Peernet,
    at: &GroupRef,
    record: &str,
    c: &RecordContent,
    expiration: Option<SystemTime>,
) -> Result<Report, CliError> {
    let g = open(pn, at)?;
    let mut r = g.get_record(&parse_guid(record)?)?;
    let (attributes, data) = content(c)?;
    if attributes.is_none() && data.is_none() && expiration.is_none() {
        return Err(CliError::invalid(
            "nothing to update: give --attributes, --data or --expires",
        ));
    }
    if let Some(a) = attributes {
        r.attributes = Some(a);
    }
    if let Some(d) = data {
        r.data = d;
    }
    if let Some(e) = expiration {
        r.expiration = e;
    }
    g.update_record(&r)?;
    let r = g.get_record(&r.id)?;
    Ok(Report::new(record_json(&r), record_human(&r)))
}

/// `record delete`
fn delete_record(ctx: &Ctx, pn: &Peernet, at: &GroupRef, record: &str) -> Result<Report, CliError> {
    let g = open(pn, at)?;
    let id = parse_guid(record)?;
    g.delete_record(&id)?;
    ctx.info(&format!("deleted record {id}"));
    Ok(Report::new(json!({"deleted": id.to_string()}), ""))
}

/// `record search QUERY` (`@FILE` reads the query from a file).
fn search_records(pn: &Peernet, at: &GroupRef, query: String) -> Result<Report, CliError> {
    let g = open(pn, at)?;
    let q = match query.strip_prefix('@') {
        Some(f) => read_document(Path::new(f), DocumentType::SearchQuery)?,
        None => query,
    };
    Ok(records_report(&g.search_records(&q)?))
}

/// `record export FILE`
fn export_database(
    ctx: &Ctx,
    pn: &Peernet,
    at: &GroupRef,
    file: &Path,
    force: bool,
) -> Result<Report, CliError> {
    let g = open(pn, at)?;
    if file.exists() && !force {
        return Err(CliError::new(
            peernet::hresult::PEER_E_ALREADY_EXISTS,
            format!(
                "{} already exists (use --force to replace it)",
                file.display()
            ),
        ));
    }
    g.export_database(file)?;
    let bytes = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    ctx.info(&format!(
        "wrote record database to {} ({bytes} bytes)",
        file.display()
    ));
    Ok(Report::new(
        json!({"file": file.display().to_string(), "bytes": bytes}),
        "",
    ))
}

/// `record import FILE`
fn import_database(
    ctx: &Ctx,
    pn: &Peernet,
    at: &GroupRef,
    file: &Path,
) -> Result<Report, CliError> {
    let g = open(pn, at)?;
    g.import_database(file)?;
    let n = g.enum_records(None)?.len();
    ctx.info(&format!("imported {} ({n} records)", file.display()));
    Ok(Report::new(
        json!({"file": file.display().to_string(), "records": n}),
        "",
    ))
}
