//! Small formatting helpers: RFC 3339 times, GUIDs, role names, aligned tables.

use std::time::{SystemTime, UNIX_EPOCH};

use peernet::lower::protocol::DateTime;
use peernet::{Guid, MembershipStatus, Role, Scope};

use crate::error::CliError;

/// A time as RFC 3339 UTC to the second (`2026-11-21T09:10:00Z`), using the protocol
/// crate's W3C date-time; outside years 0001–9999 (which no certificate we make reaches)
/// it falls back to seconds since the epoch.
pub fn rfc3339(t: SystemTime) -> String {
    let secs: i64 = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    };
    match DateTime::from_unix(secs, 0) {
        Some(d) => d.to_string(),
        None => format!("{secs} s after 1970-01-01T00:00:00Z"),
    }
}

/// The command-line name of a role (`admin`, `inviting`, `member`), else its GUID.
pub fn role_name(r: Role) -> String {
    if r == Role::ADMIN {
        "admin".into()
    } else if r == Role::INVITING_MEMBER {
        "inviting".into()
    } else if r == Role::MEMBER {
        "member".into()
    } else {
        r.to_string()
    }
}

/// Role names of a list.
pub fn role_names(roles: &[Role]) -> Vec<String> {
    roles.iter().copied().map(role_name).collect()
}

/// The JSON/human spelling of a membership state.
pub fn membership_name(m: MembershipStatus) -> &'static str {
    match m {
        MembershipStatus::Valid => "valid",
        MembershipStatus::Expired => "expired",
        MembershipStatus::NotYetValid => "not_yet_valid",
        MembershipStatus::CredentialsPending => "credentials_pending",
        _ => "unknown",
    }
}

/// The command-line spelling of a scope (`global`, `sitelocal`, `linklocal`).
pub fn scope_name(s: Scope) -> String {
    s.as_str().to_ascii_lowercase()
}

/// An aligned table with a header row; the last column is not padded.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let n = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(n) {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else {
                s.push_str(c);
                s.push_str(&" ".repeat(widths[i] - c.chars().count() + 2));
            }
        }
        s.trim_end().to_string()
    };
    let mut out = line(header.to_vec());
    for r in rows {
        out.push('\n');
        out.push_str(&line(r.iter().map(String::as_str).collect()));
    }
    out
}

/// `key  value` lines with the keys aligned.
pub fn fields(pairs: &[(&str, String)]) -> String {
    let w = pairs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    pairs
        .iter()
        .map(|(k, v)| format!("{k:<w$}  {v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Parses `{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}` (braces optional).
pub fn parse_guid(s: &str) -> Result<Guid, CliError> {
    s.parse()
        .map_err(|e: peernet::ParseGuidError| CliError::invalid(e.to_string()))
}

/// Lowercase hexadecimal digits of `b`.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn times() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(1_795_251_000)),
            "2026-11-21T08:50:00Z"
        );
        assert_eq!(
            rfc3339(UNIX_EPOCH + Duration::from_secs(253_402_300_799)),
            "9999-12-31T23:59:59Z"
        );
    }

    #[test]
    fn tables_align() {
        let t = table(
            &["A", "BB"],
            &[
                vec!["xxx".into(), "1".into()],
                vec!["y".into(), "22".into()],
            ],
        );
        assert_eq!(t, "A    BB\nxxx  1\ny    22");
    }
}
