//! Bytes → element tree: the size limit, the byte-order mark and UTF-8 first, then one pass
//! over quick-xml's events applying every document-independent rule (the XML declaration,
//! DOCTYPE and processing instructions refused, comments checked and skipped, the depth
//! limit, namespace prefixes, character data).

use quick_xml::Reader;
use quick_xml::events::{BytesDecl, BytesStart, Event};

use super::compat::{refuse_doctype, tokenizer_message};
use super::escape::{forbidden_in, normalize_eol, resolve_reference, unescape_attr};
use super::namespace::Scopes;
use super::{Attr, Element, is_xml_space};
use crate::error::{DocumentType, Error};
use crate::{MAX_ATTRIBUTES, MAX_DEPTH, MAX_DOCUMENT_SIZE};

/// Parse `input` into an element tree, applying every document-independent rule.
pub(crate) fn parse_tree(doc: DocumentType, input: &[u8]) -> Result<Element, Error> {
    let (text, offset) = decode(doc, input)?;

    let mut reader = Reader::from_str(text);
    {
        let config = reader.config_mut();
        config.expand_empty_elements = true;
        config.check_comments = true;
        config.check_end_names = true;
        config.trim_text(false);
    }
    let mut stack: Vec<Element> = Vec::new();
    let mut scopes = Scopes::default();
    let mut root: Option<Element> = None;
    let mut first = true;
    loop {
        let pos = offset + usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX - offset);
        if let Some(rest) = text.as_bytes().get(pos - offset..)
            && (rest.starts_with(b"<!D") || rest.starts_with(b"<!d"))
        {
            return Err(refuse_doctype(doc, rest, pos));
        }
        let event = reader.read_event().map_err(|e| Error::Syntax {
            document: doc,
            message: tokenizer_message(&e),
            position: offset + usize::try_from(reader.error_position()).unwrap_or(0),
        })?;
        let was_first = first;
        first = false;
        match event {
            Event::Decl(d) => {
                if !was_first || pos != offset {
                    return Err(Error::Syntax {
                        document: doc,
                        message: "XML declaration not at the start of the document".to_owned(),
                        position: pos,
                    });
                }
                check_declaration(doc, &d, pos)?;
            }
            Event::PI(p) => {
                return Err(Error::ProcessingInstruction {
                    document: doc,
                    target: p.target().to_owned(),
                    position: pos,
                });
            }
            Event::DocType(_) => {
                return Err(Error::Doctype {
                    document: doc,
                    position: pos,
                });
            }
            Event::Comment(c) => {
                let s: &str = &c;
                if let Some(ch) = forbidden_in(s) {
                    let element = stack.last().map(|e| e.name.clone()).unwrap_or_default();
                    return Err(Error::ForbiddenCharacter {
                        document: doc,
                        element,
                        code: ch as u32,
                        position: pos,
                    });
                }
            }
            Event::Start(s) => {
                if root.is_some() {
                    return Err(Error::Syntax {
                        document: doc,
                        message: "content after the root element".to_owned(),
                        position: pos,
                    });
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(Error::NestingTooDeep {
                        document: doc,
                        limit: MAX_DEPTH,
                        position: pos,
                    });
                }
                stack.push(open_element(doc, &s, pos, &mut scopes)?);
            }
            Event::End(_) => {
                scopes.pop();
                let Some(done) = stack.pop() else {
                    return Err(Error::Syntax {
                        document: doc,
                        message: "unmatched end tag".to_owned(),
                        position: pos,
                    });
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(t) => {
                let raw: &str = &t;
                if raw.contains("]]>") {
                    return Err(Error::Syntax {
                        document: doc,
                        message: "']]>' in character data".to_owned(),
                        position: pos,
                    });
                }
                add_text(doc, &mut stack, &normalize_eol(raw), pos)?;
            }
            Event::CData(t) => {
                let raw: &str = &t;
                add_text(doc, &mut stack, &normalize_eol(raw), pos)?;
            }
            Event::GeneralRef(r) => {
                let body: &str = &r;
                let element = stack.last().map(|e| e.name.as_str()).unwrap_or_default();
                let c = resolve_reference(doc, element, body, pos)?;
                add_text(doc, &mut stack, c.encode_utf8(&mut [0; 4]), pos)?;
            }
            Event::Empty(_) => {
                // expand_empty_elements is on, so this cannot happen; refuse rather than guess.
                return Err(Error::Syntax {
                    document: doc,
                    message: "unexpected empty-element event".to_owned(),
                    position: pos,
                });
            }
            Event::Eof => break,
        }
    }
    if let Some(open) = stack.last() {
        return Err(Error::Syntax {
            document: doc,
            message: format!("<{}> is not closed", open.name),
            position: offset + text.len(),
        });
    }
    root.ok_or(Error::Syntax {
        document: doc,
        message: "no root element".to_owned(),
        position: offset + text.len(),
    })
}

/// The document as text, with the offset of its first character: the size limit first,
/// then a UTF-8 byte-order mark skipped (a UTF-16 one refused), then UTF-8.
fn decode(doc: DocumentType, input: &[u8]) -> Result<(&str, usize), Error> {
    if input.len() > MAX_DOCUMENT_SIZE {
        return Err(Error::TooLarge {
            document: doc,
            size: input.len(),
            limit: MAX_DOCUMENT_SIZE,
        });
    }
    let mut offset = 0;
    let mut body = input;
    if let Some(rest) = body.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        body = rest;
        offset = 3;
    } else if body.starts_with(&[0xFE, 0xFF]) || body.starts_with(&[0xFF, 0xFE]) {
        return Err(Error::Encoding {
            document: doc,
            encoding: "UTF-16 (byte-order mark)".to_owned(),
            position: 0,
        });
    }
    Ok((bytes_str(doc, body, offset)?, offset))
}

/// `b` as UTF-8; an error names the offset (`pos` plus the valid prefix) of the first bad byte.
fn bytes_str(doc: DocumentType, b: &[u8], pos: usize) -> Result<&str, Error> {
    std::str::from_utf8(b).map_err(|e| Error::NotUtf8 {
        document: doc,
        position: pos + e.valid_up_to(),
    })
}

/// The XML declaration: version 1.0, and UTF-8 when an encoding is named.
fn check_declaration(doc: DocumentType, d: &BytesDecl<'_>, pos: usize) -> Result<(), Error> {
    let version = d.version().map_err(|e| Error::Syntax {
        document: doc,
        message: e.to_string(),
        position: pos,
    })?;
    if version != "1.0" {
        return Err(Error::Syntax {
            document: doc,
            message: format!("XML version '{version}' (only 1.0)"),
            position: pos,
        });
    }
    if let Some(enc) = d.encoding() {
        let enc = enc.map_err(|e| Error::Syntax {
            document: doc,
            message: e.to_string(),
            position: pos,
        })?;
        if !enc.eq_ignore_ascii_case("UTF-8") {
            return Err(Error::Encoding {
                document: doc,
                encoding: enc.into_owned(),
                position: pos,
            });
        }
    }
    Ok(())
}

/// A start tag → a new open element: its attributes unescaped (at most
/// [`MAX_ATTRIBUTES`]), its namespace declarations pushed on `scopes`, and its own and its
/// attributes' prefixes resolved.
fn open_element(
    doc: DocumentType,
    s: &BytesStart<'_>,
    pos: usize,
    scopes: &mut Scopes,
) -> Result<Element, Error> {
    let name = s.name().as_ref().to_owned();
    let mut decls = Vec::new();
    let mut raw_attrs = Vec::new();
    for (count, a) in s.attributes().enumerate() {
        // Stop before the next duplicate check: it compares with every earlier
        // attribute, so an unbounded count is quadratic (RUSTSEC-2026-0194).
        if count >= MAX_ATTRIBUTES {
            return Err(Error::Syntax {
                document: doc,
                message: format!("element '{name}' has more than {MAX_ATTRIBUTES} attributes"),
                position: pos,
            });
        }
        let a = a.map_err(|e| Error::Syntax {
            document: doc,
            message: e.to_string(),
            position: pos,
        })?;
        let key = a.key.as_ref().to_owned();
        let raw: &str = &a.value;
        let value = unescape_attr(doc, &name, raw, pos)?;
        if key == "xmlns" {
            if !value.is_empty() {
                return Err(Error::UnexpectedAttribute {
                    document: doc,
                    element: name,
                    attribute: key,
                    position: pos,
                });
            }
        } else if let Some(prefix) = key.strip_prefix("xmlns:") {
            decls.push((prefix.to_owned(), value));
        } else {
            raw_attrs.push((key, value));
        }
    }
    scopes.push(decls);
    if let Some((prefix, _)) = name.split_once(':')
        && scopes.lookup(prefix).is_none()
    {
        return Err(Error::UnboundPrefix {
            document: doc,
            element: name.clone(),
            prefix: prefix.to_owned(),
            position: pos,
        });
    }
    let mut attrs = Vec::with_capacity(raw_attrs.len());
    for (qname, value) in raw_attrs {
        let (namespace, local) = match qname.split_once(':') {
            Some((prefix, local)) => {
                let Some(uri) = scopes.lookup(prefix) else {
                    return Err(Error::UnboundPrefix {
                        document: doc,
                        element: name,
                        prefix: prefix.to_owned(),
                        position: pos,
                    });
                };
                (Some(uri.to_owned()), local.to_owned())
            }
            None => (None, qname.clone()),
        };
        attrs.push(Attr {
            qname,
            local,
            namespace,
            value,
        });
    }
    Ok(Element {
        name,
        pos,
        attrs,
        children: Vec::new(),
        text: String::new(),
        text_pos: None,
    })
}

/// Appends character data to the open element; outside the root only white space is allowed.
fn add_text(doc: DocumentType, stack: &mut [Element], s: &str, pos: usize) -> Result<(), Error> {
    if let Some(c) = forbidden_in(s) {
        let element = stack.last().map(|e| e.name.clone()).unwrap_or_default();
        return Err(Error::ForbiddenCharacter {
            document: doc,
            element,
            code: c as u32,
            position: pos,
        });
    }
    let Some(top) = stack.last_mut() else {
        if s.chars().all(is_xml_space) {
            return Ok(());
        }
        return Err(Error::TextNotAllowed {
            document: doc,
            element: String::new(),
            position: pos,
        });
    };
    if top.text_pos.is_none() && !s.chars().all(is_xml_space) {
        top.text_pos = Some(pos);
    }
    top.text.push_str(s);
    Ok(())
}
