//! Windows Peer-to-Peer XML wire formats (`PEERIDENTITYEXPORT`, `PEERIDENTITYINFO`,
//! `PEERGROUPCONFIG`, `PEERINVITATION`, record attribute XML and record search queries):
//! typed documents, a strict reader and a deterministic writer.
//!
//! No cryptography and no I/O: binary payloads (PFX, PKCS#7, PKCS#8) are carried as bytes
//! for other crates to interpret.
//!
//! Every document type has the same interface, also available through the
//! [`XmlDocument`] trait:
//!
//! * `parse(&[u8]) -> Result<Self, Error>` and `parse_str(&str)`: strict reading;
//! * `to_xml(&self) -> Result<Vec<u8>, Error>` and `to_xml_string`: deterministic writing
//!   (the same value always gives the same bytes; it fails only for values that cannot be
//!   represented, with an [`ErrorKind::InvalidArg`] error).
//!
//! ```
//! use peernet_protocol::{IdentityInfo, XmlDocument};
//!
//! let info = IdentityInfo { idc: vec![1, 2, 3] };
//! let xml = info.to_xml()?;
//! assert_eq!(IdentityInfo::parse(&xml)?, info);
//! # Ok::<(), peernet_protocol::Error>(())
//! ```
//!
//! Decisions where the Windows documentation is silent are recorded in `docs/FORMATS.md`
//! ("XML documents").

mod attributes;
mod datetime;
mod error;
mod group_config;
mod guid;
mod identity;
mod invitation;
mod reader;
mod scope;
mod search;
pub mod text;
mod writer;

pub use attributes::{
    AttributeValue, RESERVED_ATTRIBUTE_NAMES, RecordAttribute, RecordAttributes, ValueType,
    is_reserved_attribute_name,
};
pub use datetime::DateTime;
pub use error::{DocumentType, Error, ErrorKind};
pub use group_config::GroupConfig;
pub use guid::{Guid, ParseGuidError};
pub use identity::{ExportElementNames, IdentityExport, IdentityInfo};
pub use invitation::{GmcInvitation, Invitation, InvitationVersion, PasswordInvitation};
pub use scope::Scope;
pub use search::{Clause, ClauseValue, Compare, Pattern, PatternItem, SearchNode, SearchQuery};
pub use text::{DecodedText, TextEncoding, decode_document, encode_document};

/// Largest accepted input, in bytes (1 MiB). Larger inputs are refused before parsing.
pub const MAX_DOCUMENT_SIZE: usize = 1024 * 1024;

/// Deepest accepted element nesting; the root element is at depth 1.
pub const MAX_DEPTH: usize = 32;

/// Most attributes (namespace declarations included) accepted on one element. Our
/// documents use at most three; the cap keeps the duplicate-attribute check (quadratic in
/// quick-xml before 0.41, RUSTSEC-2026-0194) and prefix lookups bounded.
pub const MAX_ATTRIBUTES: usize = 16;

/// Length of `s` in UTF-16 code units: what the Windows API counts as characters in the
/// `MAX_*` length limits of friendly names, comments and peer names.
pub fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Namespace URI of the `dt:dt="bin.base64"` datatype attribute.
pub const DT_NAMESPACE: &str = "urn:schemas-microsoft-com:datatypes";

/// The interface every document type implements.
pub trait XmlDocument: Sized {
    /// Which document this is (used in errors).
    const DOCUMENT: DocumentType;

    /// Read a document strictly from UTF-8 bytes (an optional UTF-8 byte-order mark is
    /// allowed).
    ///
    /// # Errors
    /// Any violation of the format or of the limits; see [`Error`].
    fn parse(bytes: &[u8]) -> Result<Self, Error>;

    /// Write the document (deterministic).
    ///
    /// # Errors
    /// [`Error::InvalidValue`] when a field cannot be represented.
    fn to_xml(&self) -> Result<Vec<u8>, Error>;

    /// [`XmlDocument::parse`] on a string.
    ///
    /// # Errors
    /// As [`XmlDocument::parse`].
    fn parse_str(text: &str) -> Result<Self, Error> {
        Self::parse(text.as_bytes())
    }

    /// [`XmlDocument::to_xml`] as a string.
    ///
    /// # Errors
    /// As [`XmlDocument::to_xml`].
    fn to_xml_string(&self) -> Result<String, Error> {
        // The writer only ever produces UTF-8; the fallback is unreachable.
        self.to_xml()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }
}

/// Implements the inherent `parse`/`parse_str`/`to_xml`/`to_xml_string` on a document type
/// by forwarding to its [`XmlDocument`] implementation, so callers need not import the trait.
macro_rules! inherent_document_api {
    ($t:ty) => {
        impl $t {
            /// Read this document strictly from UTF-8 bytes (see [`crate::XmlDocument::parse`]).
            ///
            /// # Errors
            /// Any violation of the format or of the limits; see [`crate::Error`].
            pub fn parse(bytes: &[u8]) -> Result<Self, crate::Error> {
                <Self as crate::XmlDocument>::parse(bytes)
            }

            /// Read this document from a string.
            ///
            /// # Errors
            /// As [`Self::parse`].
            pub fn parse_str(text: &str) -> Result<Self, crate::Error> {
                <Self as crate::XmlDocument>::parse(text.as_bytes())
            }

            /// Write this document (deterministic: same value, same bytes).
            ///
            /// # Errors
            /// [`crate::Error::InvalidValue`] when a field cannot be represented.
            pub fn to_xml(&self) -> Result<Vec<u8>, crate::Error> {
                <Self as crate::XmlDocument>::to_xml(self)
            }

            /// Write this document as a string.
            ///
            /// # Errors
            /// As [`Self::to_xml`].
            pub fn to_xml_string(&self) -> Result<String, crate::Error> {
                <Self as crate::XmlDocument>::to_xml_string(self)
            }
        }
    };
}
pub(crate) use inherent_document_api;

/// Shared field readers for the Windows documents.
pub(crate) mod fields {
    use crate::error::Error;
    use crate::reader::{Element, Schema, is_xml_space};
    use crate::scope::Scope;

    /// Trim XML white space (the `collapse` facet of numeric and token types).
    pub fn trim(s: &str) -> &str {
        s.trim_matches(is_xml_space)
    }

    /// A `SCOPE` element.
    pub fn scope(schema: Schema, el: &Element) -> Result<Scope, Error> {
        let text = schema.text(el)?;
        Scope::from_xml_text(text).ok_or_else(|| Error::Scope {
            document: schema.doc,
            value: text.to_owned(),
            position: el.pos,
        })
    }

    /// Decimal digits only (no sign), at least one, parsed to `u32`.
    pub fn decimal_u32(s: &str) -> Option<u32> {
        let t = trim(s);
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        // Leading zeros are allowed; strip them so long runs of zeros still parse.
        let digits = t.trim_start_matches('0');
        if digits.is_empty() {
            return Some(0);
        }
        digits.parse().ok()
    }

    /// A `CLOUDFLAGS` element with an upper bound (`u32::MAX` for a DWORD, 1 for the
    /// invitation's 0/1 byte).
    pub fn cloud_flags(schema: Schema, el: &Element, max: u32) -> Result<u32, Error> {
        let text = schema.text(el)?;
        match decimal_u32(text) {
            Some(v) if v <= max => Ok(v),
            _ => Err(Error::CloudFlags {
                document: schema.doc,
                value: text.to_owned(),
                position: el.pos,
            }),
        }
    }
}
