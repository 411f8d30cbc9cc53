//! The deterministic writer.
//!
//! Layout (documented in `docs/FORMATS.md`): no XML declaration, no byte-order mark; the
//! root start tag on the first line; each child element on its own line, indented by two
//! spaces per level; LF line ends; a final LF after the root end tag. Leaf elements are
//! written as `<NAME>text</NAME>` (never self-closing). Attributes are written in a fixed
//! order with double quotes.

use base64::Engine as _;

use crate::DT_NAMESPACE;
use crate::error::{DocumentType, Error};
use crate::reader::is_xml_char;

/// Builds one document.
pub(crate) struct Writer {
    doc: DocumentType,
    out: String,
}

impl Writer {
    /// A writer for `doc`.
    pub fn new(doc: DocumentType) -> Self {
        Self {
            doc,
            out: String::new(),
        }
    }

    fn check(&self, element: &str, value: &str) -> Result<(), Error> {
        match value.chars().find(|&c| !is_xml_char(c)) {
            Some(c) => Err(Error::InvalidValue {
                document: self.doc,
                element: element.to_owned(),
                reason: format!("character U+{:04X} cannot appear in XML 1.0", c as u32),
            }),
            None => Ok(()),
        }
    }

    fn escape_text(&mut self, value: &str) {
        for c in value.chars() {
            match c {
                '&' => self.out.push_str("&amp;"),
                '<' => self.out.push_str("&lt;"),
                '>' => self.out.push_str("&gt;"),
                '\r' => self.out.push_str("&#13;"),
                c => self.out.push(c),
            }
        }
    }

    fn escape_attr(&mut self, value: &str) {
        for c in value.chars() {
            match c {
                '&' => self.out.push_str("&amp;"),
                '<' => self.out.push_str("&lt;"),
                '>' => self.out.push_str("&gt;"),
                '"' => self.out.push_str("&quot;"),
                '\t' => self.out.push_str("&#9;"),
                '\n' => self.out.push_str("&#10;"),
                '\r' => self.out.push_str("&#13;"),
                c => self.out.push(c),
            }
        }
    }

    fn indent(&mut self, depth: usize) {
        for _ in 0..depth {
            self.out.push_str("  ");
        }
    }

    fn start_tag(&mut self, name: &str, attrs: &[(&str, &str)]) -> Result<(), Error> {
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attrs {
            self.check(name, v)?;
            self.out.push(' ');
            self.out.push_str(k);
            self.out.push_str("=\"");
            self.escape_attr(v);
            self.out.push('"');
        }
        self.out.push('>');
        Ok(())
    }

    /// `<name attrs>` on its own line at `depth`.
    pub fn open(&mut self, depth: usize, name: &str, attrs: &[(&str, &str)]) -> Result<(), Error> {
        self.indent(depth);
        self.start_tag(name, attrs)?;
        self.out.push('\n');
        Ok(())
    }

    /// `</name>` on its own line at `depth`.
    pub fn close(&mut self, depth: usize, name: &str) {
        self.indent(depth);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
    }

    /// `<name attrs>` immediately followed by `</name>` (an element without children).
    pub fn empty(&mut self, depth: usize, name: &str, attrs: &[(&str, &str)]) -> Result<(), Error> {
        self.leaf(depth, name, attrs, "")
    }

    /// `<name attrs>text</name>` on its own line at `depth`.
    pub fn leaf(
        &mut self,
        depth: usize,
        name: &str,
        attrs: &[(&str, &str)],
        text: &str,
    ) -> Result<(), Error> {
        self.check(name, text)?;
        self.indent(depth);
        self.start_tag(name, attrs)?;
        self.escape_text(text);
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push_str(">\n");
        Ok(())
    }

    /// A `bin.base64` element: one unbroken line of standard, padded base64.
    pub fn binary(&mut self, depth: usize, name: &str, bytes: &[u8]) -> Result<(), Error> {
        let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
        self.leaf(
            depth,
            name,
            &[("xmlns:dt", DT_NAMESPACE), ("dt:dt", "bin.base64")],
            &b64,
        )
    }

    /// An error for a value the writer cannot represent.
    pub fn invalid(&self, element: &str, reason: impl Into<String>) -> Error {
        Error::InvalidValue {
            document: self.doc,
            element: element.to_owned(),
            reason: reason.into(),
        }
    }

    /// The finished document.
    pub fn finish(self) -> Vec<u8> {
        self.out.into_bytes()
    }
}
