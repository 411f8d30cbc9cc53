//! The strict reader: bytes → a small element tree, then schema helpers over that tree.
//!
//! All limits are enforced here: size before anything else, UTF-8 and encoding before
//! tokenising, depth while streaming. Only the five predefined entities and character
//! references are resolved; DOCTYPE and processing instructions are refused; comments are
//! skipped.

use base64::Engine as _;
use quick_xml::Reader;
use quick_xml::events::Event;

use crate::error::{DocumentType, Error};
use crate::{DT_NAMESPACE, MAX_ATTRIBUTES, MAX_DEPTH, MAX_DOCUMENT_SIZE};

/// The namespace URI bound to the reserved `xml` prefix.
const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";

/// One attribute, namespace declarations excluded.
#[derive(Debug)]
pub(crate) struct Attr {
    /// Name as written (`dt:dt`, `VERSION`).
    pub qname: String,
    /// Local part of the name.
    pub local: String,
    /// Namespace URI the prefix is bound to; `None` for unprefixed attributes.
    pub namespace: Option<String>,
    /// Value with references resolved.
    pub value: String,
}

/// One element with its resolved attributes, child elements and direct text.
#[derive(Debug)]
pub(crate) struct Element {
    /// Name as written.
    pub name: String,
    /// Byte offset of its start tag.
    pub pos: usize,
    /// Attributes (namespace declarations excluded).
    pub attrs: Vec<Attr>,
    /// Child elements in document order.
    pub children: Vec<Element>,
    /// Direct character data, concatenated (line ends normalised, references resolved).
    pub text: String,
    /// Offset of the first non-white-space character data, if any.
    pub text_pos: Option<usize>,
}

/// XML white space (S production).
pub(crate) fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// Characters XML 1.0 allows (surrogates cannot occur in a `char`).
pub(crate) fn is_xml_char(c: char) -> bool {
    !matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

fn forbidden_in(s: &str) -> Option<char> {
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
fn resolve_reference(
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
fn unescape_attr(doc: DocumentType, element: &str, raw: &str, pos: usize) -> Result<String, Error> {
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
fn normalize_eol(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('\r') {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(s.replace("\r\n", "\n").replace('\r', "\n"))
}

fn bytes_str(doc: DocumentType, b: &[u8], pos: usize) -> Result<&str, Error> {
    std::str::from_utf8(b).map_err(|e| Error::NotUtf8 {
        document: doc,
        position: pos + e.valid_up_to(),
    })
}

/// The message for a tokenizer error, worded as it was before quick-xml 0.41.
///
/// quick-xml 0.41 split "unclosed PI or XML declaration" in two and reports an unclosed
/// attribute value separately from an unclosed tag. Our error text is part of the
/// observable behaviour (Display, CLI output), so the old wording is kept; every other
/// error is rendered by quick-xml unchanged.
fn tokenizer_message(e: &quick_xml::Error) -> String {
    use quick_xml::errors::SyntaxError;
    match e {
        quick_xml::Error::Syntax(SyntaxError::UnclosedPI | SyntaxError::UnclosedXmlDecl) => {
            "syntax error: processing instruction or xml declaration not closed: `?>` not found \
             before end of input"
                .to_owned()
        }
        quick_xml::Error::Syntax(
            SyntaxError::UnclosedSingleQuotedAttributeValue
            | SyntaxError::UnclosedDoubleQuotedAttributeValue,
        ) => "syntax error: tag not closed: `>` not found before end of input".to_owned(),
        other => other.to_string(),
    }
}

/// Refuse markup starting with `<!D` / `<!d` at `pos` (`rest` starts there).
///
/// A DOCTYPE is never accepted, so this only decides how the refusal is reported. It
/// keeps the scan quick-xml 0.38 used (the declaration ends at the first `>` not
/// balanced by an earlier `<`; quotes, comments and PIs in the internal subset are not
/// special), so documents are classified exactly as before the move to quick-xml 0.41+,
/// whose DTD parser finds the end of some declarations elsewhere.
fn refuse_doctype(doc: DocumentType, rest: &[u8], pos: usize) -> Error {
    let unclosed = || Error::Syntax {
        document: doc,
        message: "syntax error: DOCTYPE not closed: `>` not found before end of input".to_owned(),
        position: pos,
    };
    let mut balance = 0usize;
    let mut end = None;
    for (i, &b) in rest.iter().enumerate().skip(1) {
        match b {
            b'<' => balance += 1,
            b'>' if balance == 0 => {
                end = Some(i);
                break;
            }
            b'>' => balance -= 1,
            _ => {}
        }
    }
    let Some(end) = end else {
        return unclosed();
    };
    // Between `<` and `>`.
    let body = &rest[1..end];
    if body.len() < 8 || !body[..8].eq_ignore_ascii_case(b"!DOCTYPE") {
        return unclosed();
    }
    if body[8..].iter().all(|&b| is_xml_space(char::from(b))) {
        return Error::Syntax {
            document: doc,
            message: "ill-formed document: `<!DOCTYPE>` declaration does not contain a name of \
                      a document type"
                .to_owned(),
            position: pos + end,
        };
    }
    Error::Doctype {
        document: doc,
        position: pos,
    }
}

/// Namespace scope: (prefix, uri) declarations per open element.
struct Scopes(Vec<Vec<(String, String)>>);

impl Scopes {
    fn lookup(&self, prefix: &str) -> Option<&str> {
        if prefix == "xml" {
            return Some(XML_NAMESPACE);
        }
        self.0
            .iter()
            .rev()
            .flat_map(|s| s.iter().rev())
            .find(|(p, _)| p == prefix)
            .map(|(_, u)| u.as_str())
    }
}

/// Parse `input` into an element tree, applying every document-independent rule.
pub(crate) fn parse_tree(doc: DocumentType, input: &[u8]) -> Result<Element, Error> {
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
    let text = bytes_str(doc, body, offset)?;

    let mut reader = Reader::from_str(text);
    {
        let config = reader.config_mut();
        config.expand_empty_elements = true;
        config.check_comments = true;
        config.check_end_names = true;
        config.trim_text(false);
    }
    let mut stack: Vec<Element> = Vec::new();
    let mut scopes = Scopes(Vec::new());
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
                let name = s.name().as_ref().to_owned();
                let mut decls = Vec::new();
                let mut raw_attrs = Vec::new();
                for (count, a) in s.attributes().enumerate() {
                    // Stop before the next duplicate check: it compares with every earlier
                    // attribute, so an unbounded count is quadratic (RUSTSEC-2026-0194).
                    if count >= MAX_ATTRIBUTES {
                        return Err(Error::Syntax {
                            document: doc,
                            message: format!(
                                "element '{name}' has more than {MAX_ATTRIBUTES} attributes"
                            ),
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
                scopes.0.push(decls);
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
                stack.push(Element {
                    name,
                    pos,
                    attrs,
                    children: Vec::new(),
                    text: String::new(),
                    text_pos: None,
                });
            }
            Event::End(_) => {
                scopes.0.pop();
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

/// Schema helpers bound to one document type.
#[derive(Clone, Copy)]
pub(crate) struct Schema {
    pub doc: DocumentType,
}

impl Schema {
    /// The root must have this name.
    pub fn root(self, el: &Element, name: &str) -> Result<(), Error> {
        if el.name == name {
            Ok(())
        } else {
            Err(Error::UnknownElement {
                document: self.doc,
                element: el.name.clone(),
                parent: String::new(),
                position: el.pos,
            })
        }
    }

    /// Only these unprefixed attributes are allowed (namespace declarations always are).
    pub fn only_attributes(self, el: &Element, allowed: &[&str]) -> Result<(), Error> {
        for a in &el.attrs {
            if a.namespace.is_some() || !allowed.contains(&a.local.as_str()) {
                return Err(Error::UnexpectedAttribute {
                    document: self.doc,
                    element: el.name.clone(),
                    attribute: a.qname.clone(),
                    position: el.pos,
                });
            }
        }
        Ok(())
    }

    /// An unprefixed attribute's value.
    pub fn attribute<'a>(self, el: &'a Element, name: &str) -> Option<&'a str> {
        el.attrs
            .iter()
            .find(|a| a.namespace.is_none() && a.local == name)
            .map(|a| a.value.as_str())
    }

    /// A required unprefixed attribute's value.
    pub fn required_attribute<'a>(self, el: &'a Element, name: &str) -> Result<&'a str, Error> {
        self.attribute(el, name)
            .ok_or_else(|| Error::MissingAttribute {
                document: self.doc,
                element: el.name.clone(),
                attribute: name.to_owned(),
                position: el.pos,
            })
    }

    /// The root's VERSION attribute (required, the only attribute allowed on the root).
    pub fn version(self, el: &Element) -> Result<&str, Error> {
        self.only_attributes(el, &["VERSION"])?;
        self.required_attribute(el, "VERSION")
    }

    /// An element holding only elements: no non-white-space text.
    pub fn no_text(self, el: &Element) -> Result<(), Error> {
        match el.text_pos {
            Some(position) => Err(Error::TextNotAllowed {
                document: self.doc,
                element: el.name.clone(),
                position,
            }),
            None => Ok(()),
        }
    }

    /// Match children against an ordered list of names, each allowed at most once.
    /// Returns one slot per name; the caller decides which are required.
    pub fn sequence<'a>(
        self,
        el: &'a Element,
        names: &[&str],
    ) -> Result<Vec<Option<&'a Element>>, Error> {
        self.no_text(el)?;
        let mut slots: Vec<Option<&Element>> = vec![None; names.len()];
        let mut last: Option<usize> = None;
        for child in &el.children {
            let Some(i) = names.iter().position(|n| *n == child.name) else {
                return Err(Error::UnknownElement {
                    document: self.doc,
                    element: child.name.clone(),
                    parent: el.name.clone(),
                    position: child.pos,
                });
            };
            if slots[i].is_some() {
                return Err(Error::DuplicateElement {
                    document: self.doc,
                    element: child.name.clone(),
                    position: child.pos,
                });
            }
            if last.is_some_and(|l| l > i) {
                return Err(Error::OutOfOrder {
                    document: self.doc,
                    element: child.name.clone(),
                    position: child.pos,
                });
            }
            slots[i] = Some(child);
            last = Some(i);
        }
        Ok(slots)
    }

    /// A required slot from [`Schema::sequence`].
    pub fn required<'a>(
        self,
        parent: &Element,
        slot: Option<&'a Element>,
        name: &str,
    ) -> Result<&'a Element, Error> {
        slot.ok_or_else(|| Error::MissingElement {
            document: self.doc,
            element: name.to_owned(),
            parent: parent.name.clone(),
            position: parent.pos,
        })
    }

    /// A leaf element with no attributes: its text, verbatim.
    pub fn text(self, el: &Element) -> Result<&str, Error> {
        self.only_attributes(el, &[])?;
        self.leaf_text(el)
    }

    /// A leaf element's text (attributes checked by the caller).
    pub fn leaf_text(self, el: &Element) -> Result<&str, Error> {
        if let Some(child) = el.children.first() {
            return Err(Error::UnknownElement {
                document: self.doc,
                element: child.name.clone(),
                parent: el.name.clone(),
                position: child.pos,
            });
        }
        Ok(&el.text)
    }

    /// A `bin.base64` element: checks the datatype attribute by namespace URI and decodes.
    pub fn binary(self, el: &Element) -> Result<Vec<u8>, Error> {
        let mut found = false;
        for a in &el.attrs {
            match a.namespace.as_deref() {
                Some(DT_NAMESPACE) if a.local == "dt" => {
                    if found {
                        // The same expanded name twice (two prefixes bound to the URI).
                        return Err(Error::UnexpectedAttribute {
                            document: self.doc,
                            element: el.name.clone(),
                            attribute: a.qname.clone(),
                            position: el.pos,
                        });
                    }
                    if a.value != "bin.base64" {
                        return Err(Error::AttributeValue {
                            document: self.doc,
                            element: el.name.clone(),
                            attribute: a.qname.clone(),
                            value: a.value.clone(),
                            position: el.pos,
                        });
                    }
                    found = true;
                }
                Some(other) if a.local == "dt" => {
                    return Err(Error::AttributeNamespace {
                        document: self.doc,
                        element: el.name.clone(),
                        attribute: a.qname.clone(),
                        namespace: other.to_owned(),
                        expected: DT_NAMESPACE,
                        position: el.pos,
                    });
                }
                _ => {
                    return Err(Error::UnexpectedAttribute {
                        document: self.doc,
                        element: el.name.clone(),
                        attribute: a.qname.clone(),
                        position: el.pos,
                    });
                }
            }
        }
        if !found {
            return Err(Error::MissingAttribute {
                document: self.doc,
                element: el.name.clone(),
                attribute: "dt:dt".to_owned(),
                position: el.pos,
            });
        }
        let text = self.leaf_text(el)?;
        // XML white space is ASCII, so dropping those bytes equals dropping those characters.
        let mut compact = Vec::with_capacity(text.len());
        compact.extend(
            text.bytes()
                .filter(|&b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r')),
        );
        base64::engine::general_purpose::STANDARD
            .decode(&compact)
            .map_err(|_| Error::Base64 {
                document: self.doc,
                element: el.name.clone(),
                position: el.pos,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: DocumentType = DocumentType::IdentityInfo;

    #[test]
    fn references_resolve() {
        let el = parse_tree(D, b"<a>&lt;&gt;&amp;&apos;&quot;&#65;&#x42;</a>").unwrap();
        assert_eq!(el.text, "<>&'\"AB");
    }

    #[test]
    fn forbidden_in_fast_path_agrees_with_the_char_check() {
        for c in (0..=0x10_ffffu32).filter_map(char::from_u32) {
            let s = format!("ab{c}cd");
            assert_eq!(forbidden_in(&s), (!is_xml_char(c)).then_some(c), "{c:?}");
        }
    }

    #[test]
    fn custom_entity_refused() {
        let e = parse_tree(D, b"<a>&foo;</a>").unwrap_err();
        assert_eq!(e.variant_name(), "Entity");
    }

    #[test]
    fn forbidden_char_ref_refused() {
        for doc in [
            &b"<a>&#1;</a>"[..],
            b"<a>&#0;</a>",
            b"<a>&#xFFFE;</a>",
            b"<a>&#xD800;</a>",
            b"<a b='&#2;'/>",
        ] {
            let e = parse_tree(D, doc).unwrap_err();
            assert_eq!(
                e.variant_name(),
                "ForbiddenCharacter",
                "{}",
                String::from_utf8_lossy(doc)
            );
        }
    }

    #[test]
    fn literal_control_char_refused() {
        let e = parse_tree(D, b"<a>x\x01</a>").unwrap_err();
        assert_eq!(e.variant_name(), "ForbiddenCharacter");
        let e = parse_tree(D, b"<a>x</a>\x00").unwrap_err();
        assert_eq!(e.variant_name(), "ForbiddenCharacter");
    }

    #[test]
    fn eol_normalised_and_cr_ref_kept() {
        let el = parse_tree(D, b"<a>x\r\ny\rz&#13;</a>").unwrap();
        assert_eq!(el.text, "x\ny\nz\r");
    }

    #[test]
    fn bom_and_declaration() {
        let el = parse_tree(
            D,
            b"\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<a/>",
        )
        .unwrap();
        assert_eq!(el.name, "a");
        let e = parse_tree(D, b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>").unwrap_err();
        assert_eq!(e.variant_name(), "Encoding");
        let e = parse_tree(D, b"\xFF\xFE<\x00a\x00/\x00>\x00").unwrap_err();
        assert_eq!(e.variant_name(), "Encoding");
        let e = parse_tree(D, b"<a/>\n<?xml version=\"1.0\"?>").unwrap_err();
        assert_eq!(e.variant_name(), "Syntax");
    }

    #[test]
    fn positions_count_the_bom() {
        let e = parse_tree(D, b"\xEF\xBB\xBF<a>\xFF</a>").unwrap_err();
        assert_eq!(
            e,
            Error::NotUtf8 {
                document: D,
                position: 6
            }
        );
    }

    #[test]
    fn comments_skipped_pis_refused() {
        let el = parse_tree(D, b"<!-- c --><a>x<!-- y -->z</a><!-- d -->").unwrap();
        assert_eq!(el.text, "xz");
        let e = parse_tree(D, b"<?xml-stylesheet href='x'?><a/>").unwrap_err();
        assert_eq!(e.variant_name(), "ProcessingInstruction");
        let e = parse_tree(D, b"<a><?php x ?></a>").unwrap_err();
        assert_eq!(e.variant_name(), "ProcessingInstruction");
    }

    #[test]
    fn comment_with_double_hyphen_refused() {
        let e = parse_tree(D, b"<a><!-- a -- b --></a>").unwrap_err();
        assert_eq!(e.variant_name(), "Syntax");
    }

    #[test]
    fn quoting_cdata_and_empty_default_namespace() {
        let el = parse_tree(D, b"<a b='x\"y' xmlns=''><![CDATA[<&>]]></a>").unwrap();
        assert_eq!(el.attrs[0].value, "x\"y");
        assert_eq!(el.text, "<&>");
    }

    #[test]
    fn doctype_refused() {
        let e = parse_tree(D, b"<!DOCTYPE a><a/>").unwrap_err();
        assert_eq!(
            e,
            Error::Doctype {
                document: D,
                position: 0
            }
        );
    }

    #[test]
    fn doctype_refusal_classified_as_with_quick_xml_0_38() {
        // 0.38 ended the declaration at the first unbalanced '>' (quotes not special);
        // quick-xml 0.41+ parses the DTD. We keep the 0.38 classification.
        assert_eq!(
            parse_tree(D, b"<!DOCTYPE a '><a/>").unwrap_err(),
            Error::Doctype {
                document: D,
                position: 0
            }
        );
        assert_eq!(
            parse_tree(D, b"<a/><!DOCTYPE x [<!ENTITY e \"<\">]><a/>").unwrap_err(),
            Error::Syntax {
                document: D,
                message: "syntax error: DOCTYPE not closed: `>` not found before end of input"
                    .to_owned(),
                position: 4
            }
        );
        assert_eq!(
            parse_tree(D, b"<!DOCTYPE \t><a/>").unwrap_err(),
            Error::Syntax {
                document: D,
                message: "ill-formed document: `<!DOCTYPE>` declaration does not contain a \
                          name of a document type"
                    .to_owned(),
                position: 11
            }
        );
        assert_eq!(
            parse_tree(D, b"<!Dx><a/>").unwrap_err().variant_name(),
            "Syntax"
        );
    }

    #[test]
    fn tokenizer_messages_as_with_quick_xml_0_38() {
        let message = |doc: &[u8]| match parse_tree(D, doc).unwrap_err() {
            Error::Syntax { message, .. } => message,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            message(b"<a/><?x"),
            "syntax error: processing instruction or xml declaration not closed: `?>` not found \
             before end of input"
        );
        assert_eq!(
            message(b"<?xml version='1.0'"),
            "syntax error: processing instruction or xml declaration not closed: `?>` not found \
             before end of input"
        );
        assert_eq!(
            message(b"<a b='x"),
            "syntax error: tag not closed: `>` not found before end of input"
        );
        assert_eq!(
            message(b"<a b=\"x"),
            "syntax error: tag not closed: `>` not found before end of input"
        );
    }

    #[test]
    fn depth_limit() {
        let deep = |n: usize| format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
        assert!(parse_tree(D, deep(MAX_DEPTH).as_bytes()).is_ok());
        let e = parse_tree(D, deep(MAX_DEPTH + 1).as_bytes()).unwrap_err();
        assert_eq!(
            e,
            Error::NestingTooDeep {
                document: D,
                limit: MAX_DEPTH,
                position: 3 * MAX_DEPTH
            }
        );
        // Unclosed deep nesting is refused for depth before the missing end tags are noticed.
        let e = parse_tree(D, "<a>".repeat(100_000).as_bytes()).unwrap_err();
        assert_eq!(e.variant_name(), "NestingTooDeep");
    }

    #[test]
    fn size_limit_checked_first() {
        let mut big = vec![b' '; MAX_DOCUMENT_SIZE + 1];
        big[0] = 0xFF; // not UTF-8 either, but size wins
        assert_eq!(
            parse_tree(D, &big).unwrap_err(),
            Error::TooLarge {
                document: D,
                size: MAX_DOCUMENT_SIZE + 1,
                limit: MAX_DOCUMENT_SIZE
            }
        );
    }

    #[test]
    fn structure_errors() {
        for (doc, want) in [
            (&b"<a>"[..], "Syntax"),
            (b"<a></b>", "Syntax"),
            (b"<a/><b/>", "Syntax"),
            (b"x<a/>", "TextNotAllowed"),
            (b"<a/>x", "TextNotAllowed"),
            (b"", "Syntax"),
            (b"<a b='1' b='2'/>", "Syntax"),
            (b"<p:a/>", "UnboundPrefix"),
            (b"<a p:b='1'/>", "UnboundPrefix"),
            (b"<a xmlns='urn:x'/>", "UnexpectedAttribute"),
            (b"<a b='<'/>", "Syntax"),
            (b"<a>x]]>y</a>", "Syntax"),
        ] {
            let e = parse_tree(D, doc).unwrap_err();
            assert_eq!(e.variant_name(), want, "{}", String::from_utf8_lossy(doc));
        }
    }

    #[test]
    fn namespaces_resolve_through_ancestors() {
        let el = parse_tree(
            D,
            b"<a xmlns:x='urn:schemas-microsoft-com:datatypes'><b x:dt='bin.base64'>QQ==</b></a>",
        )
        .unwrap();
        let b = &el.children[0];
        assert_eq!(b.attrs[0].namespace.as_deref(), Some(DT_NAMESPACE));
        assert_eq!(Schema { doc: D }.binary(b).unwrap(), b"A");
        let two = parse_tree(
            D,
            b"<b xmlns:x='urn:schemas-microsoft-com:datatypes' xmlns:y='urn:schemas-microsoft-com:datatypes' x:dt='bin.base64' y:dt='bin.base64'>QQ==</b>",
        )
        .unwrap();
        assert_eq!(
            Schema { doc: D }.binary(&two).unwrap_err().variant_name(),
            "UnexpectedAttribute"
        );
    }
}
