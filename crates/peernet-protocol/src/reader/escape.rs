//! Character-level rules: characters XML 1.0 forbids, the five predefined entities and
//! character references, attribute-value unescaping and line-end normalisation.

use super::is_xml_char;
use crate::error::{DocumentType, Error};

/// The first character XML 1.0 forbids in `s`, if any.
pub(super) fn forbidden_in(s: &str) -> Option<char> {
    // Fast path (the base64 of an identity export or invitation is a few KB): printable
    // ASCII, tab, LF and CR are all allowed; anything else is decoded and checked.
    if s.bytes()
        .all(|b| (0x20..0x80).contains(&b) || matches!(b, b'\t' | b'\n' | b'\r'))
    {
        return None;
    }
    s.chars().find(|&c| !is_xml_char(c))
}

/// Resolve one reference body (between `&` and `;`).
pub(super) fn resolve_reference(
    doc: DocumentType,
    element: &str,
    body: &str,
    pos: usize,
) -> Result<char, Error> {
    let entity_err = || Error::Entity {
        document: doc,
        name: body.to_owned(),
        position: pos,
    };
    let c = match body {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => {
            let code = if let Some(hex) = body.strip_prefix("#x") {
                if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(entity_err());
                }
                u32::from_str_radix(hex, 16).map_err(|_| entity_err())?
            } else if let Some(dec) = body.strip_prefix('#') {
                if dec.is_empty() || !dec.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(entity_err());
                }
                dec.parse::<u32>().map_err(|_| entity_err())?
            } else {
                return Err(entity_err());
            };
            let c = char::from_u32(code).ok_or(Error::ForbiddenCharacter {
                document: doc,
                element: element.to_owned(),
                code,
                position: pos,
            })?;
            if !is_xml_char(c) {
                return Err(Error::ForbiddenCharacter {
                    document: doc,
                    element: element.to_owned(),
                    code,
                    position: pos,
                });
            }
            c
        }
    };
    Ok(c)
}

/// Unescape an attribute value (references resolved, `<` refused).
pub(super) fn unescape_attr(
    doc: DocumentType,
    element: &str,
    raw: &str,
    pos: usize,
) -> Result<String, Error> {
    if let Some(c) = forbidden_in(raw) {
        return Err(Error::ForbiddenCharacter {
            document: doc,
            element: element.to_owned(),
            code: c as u32,
            position: pos,
        });
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find(['&', '<']) {
        out.push_str(&rest[..i]);
        if rest.as_bytes()[i] == b'<' {
            return Err(Error::Syntax {
                document: doc,
                message: format!("'<' in an attribute value of <{element}>"),
                position: pos,
            });
        }
        let after = &rest[i + 1..];
        let Some(end) = after.find(';') else {
            return Err(Error::Syntax {
                document: doc,
                message: format!("unterminated reference in an attribute value of <{element}>"),
                position: pos,
            });
        };
        out.push(resolve_reference(doc, element, &after[..end], pos)?);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Normalise line ends as XML 1.0 §2.11 requires (CRLF and lone CR become LF).
pub(super) fn normalize_eol(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('\r') {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
}
