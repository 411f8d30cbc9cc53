//! The strict reader: bytes → a small element tree, then schema helpers over that tree.
//!
//! All limits are enforced here: size before anything else, UTF-8 and encoding before
//! tokenising, depth while streaming. Only the five predefined entities and character
//! references are resolved; DOCTYPE and processing instructions are refused; comments are
//! skipped.
//!
//! One job per file: [`tokenize`] turns bytes into the tree, [`escape`] holds the
//! character-level rules (forbidden characters, references, line ends), [`namespace`] the
//! prefix scopes, [`compat`] the error wording kept from quick-xml 0.38, and [`schema`] the
//! checks the document parsers run over the tree.

mod compat;
mod escape;
mod namespace;
mod schema;
mod tokenize;

#[cfg(test)]
mod tests;

pub(crate) use schema::Schema;
pub(crate) use tokenize::parse_tree;

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
