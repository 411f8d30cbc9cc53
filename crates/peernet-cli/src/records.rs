//! `peernet record …`, `peernet group members` and `peernet group watch`.

use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

use peernet::{
    EventData, EventRegistration, Group, GroupEvent, Guid, Member, MemberChangeType, Peernet,
    Record, RecordChangeType,
};
use serde_json::{Value, json};

use crate::cli::{EventArg, GroupRef, RecordCommand, RecordContent};
use crate::error::CliError;
use crate::render::{fields, rfc3339, role_names, table};
use crate::run::{Ctx, Report, read_document};

/// Default record lifetime for `record add`.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(86_400);
/// Largest payload read from a file (the record limit is 1 MiB; a bigger file gets the
/// facade's `PEER_E_MAX_RECORD_SIZE_EXCEEDED`).
const MAX_DATA_READ: u64 = 2 << 20;

/// Parses `{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}` (braces optional).
pub fn parse_guid(s: &str) -> Result<Guid, CliError> {
    s.parse()
        .map_err(|e: peernet::ParseGuidError| CliError::invalid(e.to_string()))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
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
        (None, Some(f)) => Some(read_document(f)?),
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
pub fn record_json(r: &Record) -> Value {
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

/// `peernet record …`
pub fn run(ctx: &Ctx, c: RecordCommand) -> Result<Report, CliError> {
    let pn = ctx.open()?;
    match c {
        RecordCommand::Add {
            at,
            record_type,
            content: c,
            expires,
        } => {
            let g = open(&pn, &at)?;
            let (attributes, data) = content(&c)?;
            let mut r = Record::new(
                parse_guid(&record_type)?,
                pn.now() + expires.unwrap_or(DEFAULT_LIFETIME),
            );
            r.attributes = attributes;
            r.data = data.unwrap_or_default();
            let id = g.add_record(&r)?;
            let text = id.to_string();
            Ok(Report::new(
                json!({"id": text, "type": r.record_type.to_string()}),
                text,
            ))
        }
        RecordCommand::List { at, record_type } => {
            let g = open(&pn, &at)?;
            let t = record_type.as_deref().map(parse_guid).transpose()?;
            Ok(records_report(&g.enum_records(t.as_ref())?))
        }
        RecordCommand::Get { at, record } => {
            let g = open(&pn, &at)?;
            let r = g.get_record(&parse_guid(&record)?)?;
            Ok(Report::new(record_json(&r), record_human(&r)))
        }
        RecordCommand::Update {
            at,
            record,
            content: c,
            expires,
        } => {
            let g = open(&pn, &at)?;
            let mut r = g.get_record(&parse_guid(&record)?)?;
            let (attributes, data) = content(&c)?;
            if attributes.is_none() && data.is_none() && expires.is_none() {
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
            if let Some(e) = expires {
                r.expiration = pn.now() + e;
            }
            g.update_record(&r)?;
            let r = g.get_record(&r.id)?;
            Ok(Report::new(record_json(&r), record_human(&r)))
        }
        RecordCommand::Delete { at, record } => {
            let g = open(&pn, &at)?;
            let id = parse_guid(&record)?;
            g.delete_record(&id)?;
            ctx.info(&format!("deleted record {id}"));
            Ok(Report::new(json!({"deleted": id.to_string()}), ""))
        }
        RecordCommand::Search { at, query } => {
            let g = open(&pn, &at)?;
            let q = match query.strip_prefix('@') {
                Some(f) => read_document(Path::new(f))?,
                None => query,
            };
            Ok(records_report(&g.search_records(&q)?))
        }
        RecordCommand::Export { at, file, force } => {
            let g = open(&pn, &at)?;
            if file.exists() && !force {
                return Err(CliError::new(
                    peernet::hresult::PEER_E_ALREADY_EXISTS,
                    format!(
                        "{} already exists (use --force to replace it)",
                        file.display()
                    ),
                ));
            }
            g.export_database(&file)?;
            let bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
            ctx.info(&format!(
                "wrote record database to {} ({bytes} bytes)",
                file.display()
            ));
            Ok(Report::new(
                json!({"file": file.display().to_string(), "bytes": bytes}),
                "",
            ))
        }
        RecordCommand::Import { at, file } => {
            let g = open(&pn, &at)?;
            g.import_database(&file)?;
            let n = g.enum_records(None)?.len();
            ctx.info(&format!("imported {} ({n} records)", file.display()));
            Ok(Report::new(
                json!({"file": file.display().to_string(), "records": n}),
                "",
            ))
        }
    }
}

fn member_json(m: &Member) -> Value {
    let c = m.credentials.as_ref();
    json!({
        "identity": m.identity,
        "present": m.flags & peernet::PEER_MEMBER_PRESENT != 0,
        "attributes": m.attributes,
        "friendly_name": c.map(|c| c.friendly_name.clone()),
        "roles": c.map(|c| role_names(&c.roles)).unwrap_or_default(),
        "issuer_peer_name": c.map(|c| c.issuer_peer_name.clone()),
        "validity_start": c.map(|c| rfc3339(c.validity_start)),
        "validity_end": c.map(|c| rfc3339(c.validity_end)),
    })
}

/// `peernet group members --identity ID GROUP`
pub fn members(pn: &Peernet, identity: &str, group: &str) -> Result<Report, CliError> {
    let g = pn.group_open(identity, group, None)?;
    let ms = g.enum_members(0, None)?;
    let rows: Vec<Vec<String>> = ms
        .iter()
        .map(|m| {
            let c = m.credentials.as_ref();
            vec![
                m.identity.clone(),
                c.map(|c| role_names(&c.roles).join(","))
                    .unwrap_or_default(),
                c.map(|c| rfc3339(c.validity_end)).unwrap_or_default(),
                c.map(|c| c.friendly_name.clone()).unwrap_or_default(),
            ]
        })
        .collect();
    Ok(Report::new(
        json!({"members": ms.iter().map(member_json).collect::<Vec<_>>()}),
        table(
            &["IDENTITY", "ROLES", "VALID UNTIL", "FRIENDLY NAME"],
            &rows,
        ),
    ))
}

fn record_change_name(c: RecordChangeType) -> &'static str {
    match c {
        RecordChangeType::Added => "added",
        RecordChangeType::Updated => "updated",
        RecordChangeType::Deleted => "deleted",
        RecordChangeType::Expired => "expired",
    }
}

fn member_change_name(c: MemberChangeType) -> &'static str {
    match c {
        MemberChangeType::Connected => "connected",
        MemberChangeType::Disconnected => "disconnected",
        MemberChangeType::Updated => "updated",
        MemberChangeType::Joined => "joined",
        MemberChangeType::Left => "left",
    }
}

/// One event as the JSON line `group watch` prints.
pub fn event_json(e: &EventData) -> Value {
    let latency_ms = SystemTime::now()
        .duration_since(e.committed)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0);
    let mut v = match &e.event {
        GroupEvent::StatusChanged { status } => {
            json!({"event": "status_changed", "status": status})
        }
        GroupEvent::PropertyChanged => json!({"event": "property_changed"}),
        GroupEvent::RecordChanged {
            change,
            record_id,
            record_type,
        } => json!({
            "event": "record_changed",
            "change": record_change_name(*change),
            "record_id": record_id.to_string(),
            "record_type": record_type.to_string(),
        }),
        GroupEvent::MemberChanged { change, identity } => json!({
            "event": "member_changed",
            "change": member_change_name(*change),
            "identity": identity,
        }),
    };
    v["seq"] = json!(e.seq);
    v["committed"] = json!(rfc3339(e.committed));
    v["latency_ms"] = json!((latency_ms * 10.0).round() / 10.0);
    v
}

/// `peernet group watch`: JSON lines on stdout as events arrive (flushed per line).
#[allow(clippy::too_many_arguments)]
pub fn watch(
    ctx: &Ctx,
    pn: &Peernet,
    identity: &str,
    group: &str,
    events: &[EventArg],
    record_type: Option<&str>,
    count: Option<u64>,
    timeout: Option<Duration>,
) -> Result<Report, CliError> {
    let g = pn.group_open(identity, group, None)?;
    let t = record_type.map(parse_guid).transpose()?;
    let all = [
        EventArg::Record,
        EventArg::Member,
        EventArg::Property,
        EventArg::Status,
    ];
    let wanted = if events.is_empty() { &all[..] } else { events };
    let regs: Vec<EventRegistration> = wanted
        .iter()
        .map(|e| EventRegistration {
            event_type: match e {
                EventArg::Record => peernet::PEER_GROUP_EVENT_RECORD_CHANGED,
                EventArg::Member => peernet::PEER_GROUP_EVENT_MEMBER_CHANGED,
                EventArg::Property => peernet::PEER_GROUP_EVENT_PROPERTY_CHANGED,
                EventArg::Status => peernet::PEER_GROUP_EVENT_STATUS_CHANGED,
            },
            record_type: if *e == EventArg::Record { t } else { None },
        })
        .collect();
    let h = g.register_event(&regs)?;
    ctx.info(&format!(
        "watching group {group} as {identity}; one JSON line per event (Ctrl-C to stop)"
    ));
    let deadline = timeout.map(|t| Instant::now() + t);
    let mut seen = 0u64;
    let mut out = std::io::stdout();
    while count.is_none_or(|c| seen < c) {
        let wait = match deadline {
            Some(d) => {
                let now = Instant::now();
                if now >= d {
                    break;
                }
                (d - now).min(Duration::from_secs(1))
            }
            None => Duration::from_secs(1),
        };
        if let Some(e) = h.next_event(wait) {
            seen += 1;
            let line = event_json(&e).to_string();
            match writeln!(out, "{line}").and_then(|()| out.flush()) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => break,
                Err(e) => {
                    return Err(CliError::new(
                        peernet::hresult::E_FAIL,
                        format!("cannot write to standard output: {e}"),
                    ));
                }
            }
        } else {
            // Notice a deleted group instead of waiting forever.
            g.check()?;
        }
    }
    Ok(Report::new(Value::Null, ""))
}
