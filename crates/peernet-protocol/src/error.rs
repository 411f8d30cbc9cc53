//! The crate's error type and its classification.

use std::fmt;

/// Which document a reader or writer was working on when an error happened.
///
/// The facade uses it (through [`Error::kind`]) to pick the HRESULT: the same structural
/// problem is `PEER_E_INVALID_SEARCH` in a search query, `PEER_E_INVALID_ATTRIBUTES` in a
/// record's attribute XML and `E_INVALIDARG` in an exported identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DocumentType {
    /// `PEERGROUPCONFIG` ([`crate::GroupConfig`]).
    GroupConfig,
    /// `PEERIDENTITYEXPORT` ([`crate::IdentityExport`]).
    IdentityExport,
    /// `PEERIDENTITYINFO` ([`crate::IdentityInfo`]).
    IdentityInfo,
    /// `PEERINVITATION` ([`crate::Invitation`]).
    Invitation,
    /// Record attribute XML, `<attributes>` ([`crate::RecordAttributes`]).
    RecordAttributes,
    /// Record search query XML, `<peersearch>` ([`crate::SearchQuery`]).
    SearchQuery,
}

impl DocumentType {
    /// The root element name of this document type.
    #[must_use]
    pub const fn root_element(self) -> &'static str {
        match self {
            Self::GroupConfig => "PEERGROUPCONFIG",
            Self::IdentityExport => "PEERIDENTITYEXPORT",
            Self::IdentityInfo => "PEERIDENTITYINFO",
            Self::Invitation => "PEERINVITATION",
            Self::RecordAttributes => "attributes",
            Self::SearchQuery => "peersearch",
        }
    }
}

impl fmt::Display for DocumentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.root_element())
    }
}

/// Coarse classification of an [`Error`], for mapping to an HRESULT.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A bad argument rather than a bad document: an invalid backslash escape in a search
    /// clause value, or a value handed to a writer that cannot be written. → `E_INVALIDARG`.
    InvalidArg,
    /// Any schema or well-formedness violation in record attribute XML.
    /// → `PEER_E_INVALID_ATTRIBUTES`.
    InvalidAttributes,
    /// Any schema or well-formedness violation in a search query (except an invalid escape,
    /// which is [`ErrorKind::InvalidArg`]). → `PEER_E_INVALID_SEARCH`.
    InvalidSearch,
    /// Any other violation in `PEERIDENTITYEXPORT`, `PEERIDENTITYINFO`, `PEERGROUPCONFIG`
    /// or `PEERINVITATION`. The facade picks the code per API (usually `E_INVALIDARG`;
    /// `PeerGroupParseInvitation` may prefer `PEER_E_INVITATION_NOT_TRUSTED`).
    Malformed,
    /// The root element's `VERSION` is not one this crate reads.
    /// → `PEER_E_UNSUPPORTED_VERSION`.
    UnsupportedVersion,
}

/// Every way reading or writing a document can fail.
///
/// Positions are byte offsets into the input handed to `parse` (a leading byte-order mark
/// counts). Element names are the names as written in the input.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A namespace-qualified attribute was expected but the element has it in another
    /// namespace, e.g. `dt:dt` with `dt` bound to a URI other than
    /// `urn:schemas-microsoft-com:datatypes`.
    #[error(
        "{document}: attribute '{attribute}' of <{element}> at byte {position} is in namespace '{namespace}', expected '{expected}'"
    )]
    AttributeNamespace {
        /// Document being read.
        document: DocumentType,
        /// Element carrying the attribute.
        element: String,
        /// Attribute name as written.
        attribute: String,
        /// The namespace URI the attribute's prefix is bound to.
        namespace: String,
        /// The namespace URI that was expected.
        expected: &'static str,
        /// Byte offset of the element.
        position: usize,
    },
    /// A base64 payload is not valid base64 (after removing white space).
    #[error("{document}: <{element}> at byte {position} does not hold valid base64")]
    Base64 {
        /// Document being read.
        document: DocumentType,
        /// Element holding the payload.
        element: String,
        /// Byte offset of the element.
        position: usize,
    },
    /// A `CLOUDFLAGS` value is not a valid number for its document (a decimal DWORD in
    /// `PEERGROUPCONFIG`, `0` or `1` in `PEERINVITATION`).
    #[error("{document}: invalid CLOUDFLAGS '{value}' at byte {position}")]
    CloudFlags {
        /// Document being read.
        document: DocumentType,
        /// The value as written.
        value: String,
        /// Byte offset of the element.
        position: usize,
    },
    /// A `<!DOCTYPE …>` declaration (refused: no DTDs, hence no custom entities).
    #[error("{document}: DOCTYPE declarations are not allowed (byte {position})")]
    Doctype {
        /// Document being read.
        document: DocumentType,
        /// Byte offset of the declaration.
        position: usize,
    },
    /// An element that may appear once appears again.
    #[error("{document}: duplicate <{element}> at byte {position}")]
    DuplicateElement {
        /// Document being read.
        document: DocumentType,
        /// The repeated element.
        element: String,
        /// Byte offset of the second occurrence.
        position: usize,
    },
    /// The same record attribute name appears twice in `<attributes>`.
    #[error("{document}: duplicate record attribute '{name}' at byte {position}")]
    DuplicateRecordAttribute {
        /// Document being read.
        document: DocumentType,
        /// The repeated name.
        name: String,
        /// Byte offset of the second `<attribute>`.
        position: usize,
    },
    /// `<and>` or `<or>` without any child.
    #[error("{document}: <{element}> at byte {position} has no children")]
    EmptyGroup {
        /// Document being read.
        document: DocumentType,
        /// `and` or `or`.
        element: String,
        /// Byte offset of the element.
        position: usize,
    },
    /// A second child where the schema allows exactly one (the child of `<peersearch>`).
    #[error(
        "{document}: <{parent}> allows one child, found another <{element}> at byte {position}"
    )]
    ExtraElement {
        /// Document being read.
        document: DocumentType,
        /// The surplus element.
        element: String,
        /// Its parent.
        parent: String,
        /// Byte offset of the surplus element.
        position: usize,
    },
    /// An XML declaration names an encoding other than UTF-8.
    #[error("{document}: encoding '{encoding}' is not supported, only UTF-8 (byte {position})")]
    Encoding {
        /// Document being read.
        document: DocumentType,
        /// The declared encoding (or a description of the byte-order mark found).
        encoding: String,
        /// Byte offset of the declaration.
        position: usize,
    },
    /// An entity reference other than the five predefined ones (`&lt;` `&gt;` `&amp;`
    /// `&apos;` `&quot;`) or a numeric character reference.
    #[error("{document}: entity '&{name};' at byte {position} is not allowed")]
    Entity {
        /// Document being read.
        document: DocumentType,
        /// The entity name between `&` and `;`.
        name: String,
        /// Byte offset of the reference.
        position: usize,
    },
    /// A character XML 1.0 forbids (C0 controls other than tab, LF and CR; U+FFFE; U+FFFF),
    /// written literally or as a character reference.
    #[error("{document}: forbidden character U+{code:04X} in <{element}> at byte {position}")]
    ForbiddenCharacter {
        /// Document being read.
        document: DocumentType,
        /// Element whose content or attribute holds it.
        element: String,
        /// The code point.
        code: u32,
        /// Byte offset of the element or reference.
        position: usize,
    },
    /// An invalid backslash sequence in a search clause value (only `\*`, `\?`, `\\` are
    /// defined). Classified [`ErrorKind::InvalidArg`], as Windows returns `E_INVALIDARG`.
    #[error("{document}: invalid escape '{sequence}' in clause value at byte {position}")]
    InvalidEscape {
        /// Document being read.
        document: DocumentType,
        /// The offending sequence (a lone trailing backslash is reported as `\`).
        sequence: String,
        /// Byte offset of the clause.
        position: usize,
    },
    /// A value handed to a writer cannot be represented (forbidden character, invalid
    /// attribute name, empty `<and>`, nesting too deep, …). Nothing is written.
    #[error("{document}: cannot write <{element}>: {reason}")]
    InvalidValue {
        /// Document being written.
        document: DocumentType,
        /// Element that would hold the value.
        element: String,
        /// What is wrong.
        reason: String,
    },
    /// A required attribute is absent.
    #[error("{document}: <{element}> at byte {position} lacks attribute '{attribute}'")]
    MissingAttribute {
        /// Document being read.
        document: DocumentType,
        /// Element lacking it.
        element: String,
        /// The attribute's name.
        attribute: String,
        /// Byte offset of the element.
        position: usize,
    },
    /// A required child element is absent.
    #[error("{document}: <{parent}> at byte {position} lacks <{element}>")]
    MissingElement {
        /// Document being read.
        document: DocumentType,
        /// The element that should have been there.
        element: String,
        /// Its parent.
        parent: String,
        /// Byte offset of the parent.
        position: usize,
    },
    /// Elements are nested deeper than [`crate::MAX_DEPTH`].
    #[error("{document}: nesting deeper than {limit} elements at byte {position}")]
    NestingTooDeep {
        /// Document being read.
        document: DocumentType,
        /// The limit.
        limit: usize,
        /// Byte offset of the first element beyond the limit.
        position: usize,
    },
    /// The input is not UTF-8.
    #[error("{document}: input is not valid UTF-8 at byte {position}")]
    NotUtf8 {
        /// Document being read.
        document: DocumentType,
        /// Offset of the first invalid byte.
        position: usize,
    },
    /// A known element in the wrong place relative to its siblings.
    #[error("{document}: <{element}> at byte {position} is out of order")]
    OutOfOrder {
        /// Document being read.
        document: DocumentType,
        /// The misplaced element.
        element: String,
        /// Byte offset of the element.
        position: usize,
    },
    /// A processing instruction other than the XML declaration.
    #[error("{document}: processing instruction '<?{target}' at byte {position} is not allowed")]
    ProcessingInstruction {
        /// Document being read.
        document: DocumentType,
        /// The PI target.
        target: String,
        /// Byte offset of the instruction.
        position: usize,
    },
    /// An invalid record attribute or clause attribute name (must be one or more
    /// alphanumeric characters).
    #[error("{document}: invalid attribute name '{name}' at byte {position}")]
    RecordAttributeName {
        /// Document being read.
        document: DocumentType,
        /// The name as written.
        name: String,
        /// Byte offset of the element.
        position: usize,
    },
    /// A typed value (`int` or `date` record attribute or clause value) that does not
    /// parse as its type.
    #[error("{document}: '{value}' in <{element}> at byte {position} is not a valid {value_type}")]
    TypedValue {
        /// Document being read.
        document: DocumentType,
        /// `attribute` or `clause`.
        element: String,
        /// `int` or `date`.
        value_type: &'static str,
        /// The value as written.
        value: String,
        /// Byte offset of the element.
        position: usize,
    },
    /// An attribute value outside its enumeration (`type`, `compare`, `dt:dt`).
    #[error(
        "{document}: attribute '{attribute}' of <{element}> at byte {position} has invalid value '{value}'"
    )]
    AttributeValue {
        /// Document being read.
        document: DocumentType,
        /// Element carrying the attribute.
        element: String,
        /// Attribute name.
        attribute: String,
        /// The value as written.
        value: String,
        /// Byte offset of the element.
        position: usize,
    },
    /// A `SCOPE` value that is none of the accepted spellings.
    #[error("{document}: invalid SCOPE '{value}' at byte {position}")]
    Scope {
        /// Document being read.
        document: DocumentType,
        /// The value as written.
        value: String,
        /// Byte offset of the element.
        position: usize,
    },
    /// The input is not well-formed XML (unclosed or mismatched tags, bad markup, several
    /// root elements, a misplaced XML declaration, …).
    #[error("{document}: not well-formed XML at byte {position}: {message}")]
    Syntax {
        /// Document being read.
        document: DocumentType,
        /// What the parser found.
        message: String,
        /// Byte offset.
        position: usize,
    },
    /// Non-white-space text where only elements may appear (or outside the root element).
    #[error(
        "{document}: text not allowed {} at byte {position}",
        place(element, "in", "outside the root element")
    )]
    TextNotAllowed {
        /// Document being read.
        document: DocumentType,
        /// Element holding the text (empty outside the root).
        element: String,
        /// Byte offset of the text.
        position: usize,
    },
    /// The input exceeds [`crate::MAX_DOCUMENT_SIZE`]; nothing was parsed.
    #[error("{document}: input of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge {
        /// Document being read.
        document: DocumentType,
        /// Input size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// A namespace prefix that is not declared.
    #[error(
        "{document}: prefix '{prefix}' of <{element}> at byte {position} is not bound to a namespace"
    )]
    UnboundPrefix {
        /// Document being read.
        document: DocumentType,
        /// Element carrying it.
        element: String,
        /// The prefix.
        prefix: String,
        /// Byte offset of the element.
        position: usize,
    },
    /// The bytes are not a document's text in an encoding [`crate::decode_document`]
    /// reads (UTF-8, UTF-16LE, UTF-16BE), or not valid in the one detected: UTF-32, a NUL
    /// before the end, an invalid UTF-8 sequence, an odd UTF-16 byte count, an unpaired
    /// surrogate.
    #[error(
        "{document}: {reason} at byte {position}; a document must be UTF-8 or UTF-16 (LE or BE) text, with a byte-order mark or starting with '<'"
    )]
    Undecodable {
        /// Document being read.
        document: DocumentType,
        /// What is wrong.
        reason: String,
        /// Byte offset in the undecoded input.
        position: usize,
    },
    /// An attribute that does not belong on its element.
    #[error("{document}: unexpected attribute '{attribute}' on <{element}> at byte {position}")]
    UnexpectedAttribute {
        /// Document being read.
        document: DocumentType,
        /// Element carrying it.
        element: String,
        /// The attribute's name as written.
        attribute: String,
        /// Byte offset of the element.
        position: usize,
    },
    /// An element that does not belong where it appears (including a wrong root element).
    #[error(
        "{document}: unknown element <{element}> {} at byte {position}",
        place(parent, "in", "as the root element")
    )]
    UnknownElement {
        /// Document being read.
        document: DocumentType,
        /// The element's name as written.
        element: String,
        /// Its parent (empty for the root).
        parent: String,
        /// Byte offset of the element.
        position: usize,
    },
    /// The root's `VERSION` attribute names a version this crate does not read.
    #[error("{document}: unsupported VERSION '{version}' at byte {position}")]
    UnsupportedVersion {
        /// Document being read.
        document: DocumentType,
        /// The version as written.
        version: String,
        /// Byte offset of the root element.
        position: usize,
    },
}

/// `in <name>`, or `otherwise` when `name` is empty (the document level).
fn place(name: &str, preposition: &str, otherwise: &str) -> String {
    if name.is_empty() {
        otherwise.to_owned()
    } else {
        format!("{preposition} <{name}>")
    }
}

impl Error {
    /// The document type the failing reader or writer was working on.
    #[must_use]
    pub fn document(&self) -> DocumentType {
        match self {
            Self::AttributeNamespace { document, .. }
            | Self::AttributeValue { document, .. }
            | Self::Base64 { document, .. }
            | Self::CloudFlags { document, .. }
            | Self::Doctype { document, .. }
            | Self::DuplicateElement { document, .. }
            | Self::DuplicateRecordAttribute { document, .. }
            | Self::EmptyGroup { document, .. }
            | Self::Encoding { document, .. }
            | Self::ExtraElement { document, .. }
            | Self::Entity { document, .. }
            | Self::ForbiddenCharacter { document, .. }
            | Self::InvalidEscape { document, .. }
            | Self::InvalidValue { document, .. }
            | Self::MissingAttribute { document, .. }
            | Self::MissingElement { document, .. }
            | Self::NestingTooDeep { document, .. }
            | Self::NotUtf8 { document, .. }
            | Self::OutOfOrder { document, .. }
            | Self::ProcessingInstruction { document, .. }
            | Self::RecordAttributeName { document, .. }
            | Self::Scope { document, .. }
            | Self::Syntax { document, .. }
            | Self::TextNotAllowed { document, .. }
            | Self::TooLarge { document, .. }
            | Self::TypedValue { document, .. }
            | Self::UnboundPrefix { document, .. }
            | Self::Undecodable { document, .. }
            | Self::UnexpectedAttribute { document, .. }
            | Self::UnknownElement { document, .. }
            | Self::UnsupportedVersion { document, .. } => *document,
        }
    }

    /// Byte offset in the input where the problem was found, when there is one.
    #[must_use]
    pub fn position(&self) -> Option<usize> {
        match self {
            Self::AttributeNamespace { position, .. }
            | Self::AttributeValue { position, .. }
            | Self::Base64 { position, .. }
            | Self::CloudFlags { position, .. }
            | Self::Doctype { position, .. }
            | Self::DuplicateElement { position, .. }
            | Self::DuplicateRecordAttribute { position, .. }
            | Self::EmptyGroup { position, .. }
            | Self::Encoding { position, .. }
            | Self::ExtraElement { position, .. }
            | Self::Entity { position, .. }
            | Self::ForbiddenCharacter { position, .. }
            | Self::InvalidEscape { position, .. }
            | Self::MissingAttribute { position, .. }
            | Self::MissingElement { position, .. }
            | Self::NestingTooDeep { position, .. }
            | Self::NotUtf8 { position, .. }
            | Self::OutOfOrder { position, .. }
            | Self::ProcessingInstruction { position, .. }
            | Self::RecordAttributeName { position, .. }
            | Self::Scope { position, .. }
            | Self::Syntax { position, .. }
            | Self::TextNotAllowed { position, .. }
            | Self::TypedValue { position, .. }
            | Self::UnboundPrefix { position, .. }
            | Self::Undecodable { position, .. }
            | Self::UnexpectedAttribute { position, .. }
            | Self::UnknownElement { position, .. }
            | Self::UnsupportedVersion { position, .. } => Some(*position),
            Self::InvalidValue { .. } | Self::TooLarge { .. } => None,
        }
    }

    /// Classify the error for HRESULT mapping (see [`ErrorKind`]).
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::UnsupportedVersion { .. } => ErrorKind::UnsupportedVersion,
            Self::InvalidEscape { .. } | Self::InvalidValue { .. } => ErrorKind::InvalidArg,
            other => match other.document() {
                DocumentType::SearchQuery => ErrorKind::InvalidSearch,
                DocumentType::RecordAttributes => ErrorKind::InvalidAttributes,
                _ => ErrorKind::Malformed,
            },
        }
    }

    /// The variant's name (`"DuplicateElement"`, …), stable, for manifests and logs.
    #[must_use]
    pub fn variant_name(&self) -> &'static str {
        match self {
            Self::AttributeNamespace { .. } => "AttributeNamespace",
            Self::AttributeValue { .. } => "AttributeValue",
            Self::Base64 { .. } => "Base64",
            Self::CloudFlags { .. } => "CloudFlags",
            Self::Doctype { .. } => "Doctype",
            Self::DuplicateElement { .. } => "DuplicateElement",
            Self::DuplicateRecordAttribute { .. } => "DuplicateRecordAttribute",
            Self::EmptyGroup { .. } => "EmptyGroup",
            Self::Encoding { .. } => "Encoding",
            Self::ExtraElement { .. } => "ExtraElement",
            Self::Entity { .. } => "Entity",
            Self::ForbiddenCharacter { .. } => "ForbiddenCharacter",
            Self::InvalidEscape { .. } => "InvalidEscape",
            Self::InvalidValue { .. } => "InvalidValue",
            Self::MissingAttribute { .. } => "MissingAttribute",
            Self::MissingElement { .. } => "MissingElement",
            Self::NestingTooDeep { .. } => "NestingTooDeep",
            Self::NotUtf8 { .. } => "NotUtf8",
            Self::OutOfOrder { .. } => "OutOfOrder",
            Self::ProcessingInstruction { .. } => "ProcessingInstruction",
            Self::RecordAttributeName { .. } => "RecordAttributeName",
            Self::Scope { .. } => "Scope",
            Self::Syntax { .. } => "Syntax",
            Self::TextNotAllowed { .. } => "TextNotAllowed",
            Self::TooLarge { .. } => "TooLarge",
            Self::TypedValue { .. } => "TypedValue",
            Self::UnboundPrefix { .. } => "UnboundPrefix",
            Self::Undecodable { .. } => "Undecodable",
            Self::UnexpectedAttribute { .. } => "UnexpectedAttribute",
            Self::UnknownElement { .. } => "UnknownElement",
            Self::UnsupportedVersion { .. } => "UnsupportedVersion",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_follow_the_document() {
        let syntax = |document| Error::Syntax {
            document,
            message: "x".into(),
            position: 3,
        };
        assert_eq!(
            syntax(DocumentType::SearchQuery).kind(),
            ErrorKind::InvalidSearch
        );
        assert_eq!(
            syntax(DocumentType::RecordAttributes).kind(),
            ErrorKind::InvalidAttributes
        );
        for d in [
            DocumentType::GroupConfig,
            DocumentType::IdentityExport,
            DocumentType::IdentityInfo,
            DocumentType::Invitation,
        ] {
            assert_eq!(syntax(d).kind(), ErrorKind::Malformed);
            let v = Error::UnsupportedVersion {
                document: d,
                version: "9".into(),
                position: 0,
            };
            assert_eq!(v.kind(), ErrorKind::UnsupportedVersion);
        }
        let esc = Error::InvalidEscape {
            document: DocumentType::SearchQuery,
            sequence: "\\n".into(),
            position: 1,
        };
        assert_eq!(esc.kind(), ErrorKind::InvalidArg);
        let w = Error::InvalidValue {
            document: DocumentType::GroupConfig,
            element: "CLOUDNAME".into(),
            reason: "r".into(),
        };
        assert_eq!(w.kind(), ErrorKind::InvalidArg);
        assert_eq!(w.position(), None);
        assert_eq!(syntax(DocumentType::Invitation).position(), Some(3));
    }

    #[test]
    fn display_names_document_element_and_position() {
        let e = Error::DuplicateElement {
            document: DocumentType::GroupConfig,
            element: "GMC".into(),
            position: 42,
        };
        assert_eq!(e.to_string(), "PEERGROUPCONFIG: duplicate <GMC> at byte 42");
        let e = Error::UnknownElement {
            document: DocumentType::Invitation,
            element: "X".into(),
            parent: String::new(),
            position: 0,
        };
        assert_eq!(
            e.to_string(),
            "PEERINVITATION: unknown element <X> as the root element at byte 0"
        );
        assert_eq!(e.variant_name(), "UnknownElement");
        assert_eq!(DocumentType::SearchQuery.root_element(), "peersearch");
    }
}
