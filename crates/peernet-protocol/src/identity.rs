//! `PEERIDENTITYEXPORT` and `PEERIDENTITYINFO`.

use crate::error::{DocumentType, Error};
use crate::reader::Schema;
use crate::writer::Writer;
use crate::{XmlDocument, inherent_document_api};

/// Which element names a `PEERIDENTITYEXPORT` used.
///
/// The export and concept pages use `PEERNAME`/`DATA`; the `PeerIdentityImport` page shows
/// `IDENTITY`/`IDENTITYDATA`. Both are read; only [`ExportElementNames::PeerNameData`] is
/// written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ExportElementNames {
    /// `<PEERNAME>` and `<DATA>` (what the writer produces).
    #[default]
    PeerNameData,
    /// `<IDENTITY>` and `<IDENTITYDATA>` (read only).
    IdentityIdentityData,
}

/// `<PEERIDENTITYEXPORT VERSION="1.0">`: an exported identity (`PeerIdentityExport`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct IdentityExport {
    /// The identity's peer name (`PEERNAME`).
    pub peer_name: String,
    /// The password-protected PFX (`DATA`, `bin.base64`).
    pub data: Vec<u8>,
    /// Which element names were read. Ignored by the writer, which always writes
    /// `PEERNAME`/`DATA`.
    pub element_names: ExportElementNames,
}

impl IdentityExport {
    /// A new export document with the standard element names.
    #[must_use]
    pub fn new(peer_name: impl Into<String>, data: impl Into<Vec<u8>>) -> Self {
        Self {
            peer_name: peer_name.into(),
            data: data.into(),
            element_names: ExportElementNames::PeerNameData,
        }
    }
}

inherent_document_api!(IdentityExport);

/// The root's VERSION must be one of `accepted`.
pub(crate) fn check_version(
    schema: Schema,
    root: &crate::reader::Element,
    accepted: &[&str],
) -> Result<(), Error> {
    let version = schema.version(root)?;
    if accepted.contains(&version) {
        Ok(())
    } else {
        Err(Error::UnsupportedVersion {
            document: schema.doc,
            version: version.to_owned(),
            position: root.pos,
        })
    }
}

impl XmlDocument for IdentityExport {
    const DOCUMENT: DocumentType = DocumentType::IdentityExport;

    fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let (schema, root) = Schema::open(Self::DOCUMENT, bytes, "PEERIDENTITYEXPORT")?;
        check_version(schema, &root, &["1.0"])?;
        let import_names = root
            .children
            .first()
            .is_some_and(|c| c.name == "IDENTITY" || c.name == "IDENTITYDATA");
        let (names, element_names) = if import_names {
            (
                ["IDENTITY", "IDENTITYDATA"],
                ExportElementNames::IdentityIdentityData,
            )
        } else {
            (["PEERNAME", "DATA"], ExportElementNames::PeerNameData)
        };
        let slots = schema.sequence(&root, &names)?;
        let name_el = schema.required(&root, slots[0], names[0])?;
        let data_el = schema.required(&root, slots[1], names[1])?;
        Ok(Self {
            peer_name: schema.text(name_el)?.to_owned(),
            data: schema.binary(data_el)?,
            element_names,
        })
    }

    fn to_xml(&self) -> Result<Vec<u8>, Error> {
        let mut w = Writer::new(Self::DOCUMENT);
        w.open(0, "PEERIDENTITYEXPORT", &[("VERSION", "1.0")])?;
        w.leaf(1, "PEERNAME", &[], &self.peer_name)?;
        w.binary(1, "DATA", &self.data)?;
        w.close(0, "PEERIDENTITYEXPORT");
        Ok(w.finish())
    }
}

/// `<PEERIDENTITYINFO VERSION="1.0">`: an identity's public certificate
/// (`PeerIdentityGetXML`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct IdentityInfo {
    /// The identity certificate (`IDC`, `bin.base64`).
    pub idc: Vec<u8>,
}

inherent_document_api!(IdentityInfo);

impl XmlDocument for IdentityInfo {
    const DOCUMENT: DocumentType = DocumentType::IdentityInfo;

    fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let (schema, root) = Schema::open(Self::DOCUMENT, bytes, "PEERIDENTITYINFO")?;
        check_version(schema, &root, &["1.0"])?;
        let slots = schema.sequence(&root, &["IDC"])?;
        let idc = schema.required(&root, slots[0], "IDC")?;
        Ok(Self {
            idc: schema.binary(idc)?,
        })
    }

    fn to_xml(&self) -> Result<Vec<u8>, Error> {
        let mut w = Writer::new(Self::DOCUMENT);
        w.open(0, "PEERIDENTITYINFO", &[("VERSION", "1.0")])?;
        w.binary(1, "IDC", &self.idc)?;
        w.close(0, "PEERIDENTITYINFO");
        Ok(w.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    const EXPORT: &str = "<PEERIDENTITYEXPORT VERSION=\"1.0\">\n  <PEERNAME>abc.def</PEERNAME>\n  <DATA xmlns:dt=\"urn:schemas-microsoft-com:datatypes\" dt:dt=\"bin.base64\">AQID</DATA>\n</PEERIDENTITYEXPORT>\n";

    #[test]
    fn export_writes_exact_layout() {
        let doc = IdentityExport::new("abc.def", vec![1, 2, 3]);
        assert_eq!(doc.to_xml_string().unwrap(), EXPORT);
        assert_eq!(IdentityExport::parse_str(EXPORT).unwrap(), doc);
    }

    #[test]
    fn export_import_page_variant_is_read() {
        let x = "<?xml version=\"1.0\"?><PEERIDENTITYEXPORT VERSION=\"1.0\"><IDENTITY>a.b</IDENTITY><IDENTITYDATA xmlns:dt=\"urn:schemas-microsoft-com:datatypes\" dt:dt=\"bin.base64\">\r\n  AQ\r\n  ID\r\n</IDENTITYDATA></PEERIDENTITYEXPORT>";
        let doc = IdentityExport::parse_str(x).unwrap();
        assert_eq!(doc.element_names, ExportElementNames::IdentityIdentityData);
        assert_eq!(doc.peer_name, "a.b");
        assert_eq!(doc.data, [1, 2, 3]);
        // Written back with the standard names.
        assert_eq!(
            doc.to_xml_string().unwrap(),
            EXPORT.replace("abc.def", "a.b")
        );
    }

    #[test]
    fn export_variant_names_do_not_mix() {
        let x = "<PEERIDENTITYEXPORT VERSION=\"1.0\"><IDENTITY>a.b</IDENTITY><DATA xmlns:dt=\"urn:schemas-microsoft-com:datatypes\" dt:dt=\"bin.base64\">AQID</DATA></PEERIDENTITYEXPORT>";
        assert_eq!(
            IdentityExport::parse_str(x).unwrap_err().variant_name(),
            "UnknownElement"
        );
        // The import page's misspelled closing tag is not well-formed.
        let x = "<PEERIDENTITYEXPORT VERSION=\"1.0\"><IDENTITY>a.b</IDENTITY><IDENTITYDATA xmlns:dt=\"urn:schemas-microsoft-com:datatypes\" dt:dt=\"bin.base64\">AQID</IDENTTYDATA></PEERIDENTITYEXPORT>";
        assert_eq!(
            IdentityExport::parse_str(x).unwrap_err().variant_name(),
            "Syntax"
        );
    }

    #[test]
    fn export_errors() {
        let dt = "xmlns:dt=\"urn:schemas-microsoft-com:datatypes\" dt:dt=\"bin.base64\"";
        for (x, want) in [
            (format!("<PEERIDENTITYEXPORT VERSION=\"2.0\"><PEERNAME>a</PEERNAME><DATA {dt}>AA==</DATA></PEERIDENTITYEXPORT>"), "UnsupportedVersion"),
            (format!("<PEERIDENTITYEXPORT><PEERNAME>a</PEERNAME><DATA {dt}>AA==</DATA></PEERIDENTITYEXPORT>"), "MissingAttribute"),
            (format!("<PEERIDENTITYEXPORT VERSION=\"1.0\" X=\"1\"><PEERNAME>a</PEERNAME><DATA {dt}>AA==</DATA></PEERIDENTITYEXPORT>"), "UnexpectedAttribute"),
            (format!("<PEERIDENTITYEXPORT VERSION=\"1.0\"><DATA {dt}>AA==</DATA></PEERIDENTITYEXPORT>"), "MissingElement"),
            (format!("<PEERIDENTITYEXPORT VERSION=\"1.0\"><DATA {dt}>AA==</DATA><PEERNAME>a</PEERNAME></PEERIDENTITYEXPORT>"), "OutOfOrder"),
            (format!("<PEERIDENTITYEXPORT VERSION=\"1.0\"><PEERNAME>a</PEERNAME><PEERNAME>a</PEERNAME><DATA {dt}>AA==</DATA></PEERIDENTITYEXPORT>"), "DuplicateElement"),
            (format!("<PEERIDENTITYEXPORT VERSION=\"1.0\"><PEERNAME>a</PEERNAME><DATA {dt}>AA==</DATA><X/></PEERIDENTITYEXPORT>"), "UnknownElement"),
            (format!("<PEERIDENTITYEXPORT VERSION=\"1.0\">t<PEERNAME>a</PEERNAME><DATA {dt}>AA==</DATA></PEERIDENTITYEXPORT>"), "TextNotAllowed"),
            (format!("<PEERIDENTITYEXPORT VERSION=\"1.0\"><PEERNAME>a</PEERNAME><DATA {dt}>A*==</DATA></PEERIDENTITYEXPORT>"), "Base64"),
            ("<PEERIDENTITYEXPORT VERSION=\"1.0\"><PEERNAME>a</PEERNAME><DATA>AA==</DATA></PEERIDENTITYEXPORT>".to_owned(), "MissingAttribute"),
            ("<PEERIDENTITYEXPORT VERSION=\"1.0\"><PEERNAME>a</PEERNAME><DATA xmlns:dt=\"urn:other\" dt:dt=\"bin.base64\">AA==</DATA></PEERIDENTITYEXPORT>".to_owned(), "AttributeNamespace"),
            ("<PEERIDENTITYEXPORT VERSION=\"1.0\"><PEERNAME>a</PEERNAME><DATA xmlns:dt=\"urn:schemas-microsoft-com:datatypes\" dt:dt=\"string\">AA==</DATA></PEERIDENTITYEXPORT>".to_owned(), "AttributeValue"),
            ("<PEERIDENTITYEXPORT VERSION=\"1.0\"><PEERNAME>a</PEERNAME><DATA dt:dt=\"bin.base64\">AA==</DATA></PEERIDENTITYEXPORT>".to_owned(), "UnboundPrefix"),
            (format!("<PEERIDENTITYEXPORT VERSION=\"1.0\"><PEERNAME x=\"1\">a</PEERNAME><DATA {dt}>AA==</DATA></PEERIDENTITYEXPORT>"), "UnexpectedAttribute"),
            (format!("<PEERIDENTITYEXPORT VERSION=\"1.0\"><PEERNAME>a<B/></PEERNAME><DATA {dt}>AA==</DATA></PEERIDENTITYEXPORT>"), "UnknownElement"),
            (format!("<PEERIDENTITYINFO VERSION=\"1.0\"><IDC {dt}>AA==</IDC></PEERIDENTITYINFO>"), "UnknownElement"),
        ] {
            let e = IdentityExport::parse_str(&x).unwrap_err();
            assert_eq!(e.variant_name(), want, "{x}: {e}");
        }
    }

    #[test]
    fn version_error_kind() {
        let e = IdentityInfo::parse_str("<PEERIDENTITYINFO VERSION=\"1.1\"/>").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedVersion);
        let e = IdentityInfo::parse_str("<PEERIDENTITYINFO VERSION=\"1.0\"/>").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Malformed);
        assert_eq!(e.variant_name(), "MissingElement");
    }

    #[test]
    fn info_prefix_other_than_dt_and_base64_whitespace() {
        let x = "<PEERIDENTITYINFO VERSION=\"1.0\" xmlns:q=\"urn:schemas-microsoft-com:datatypes\">\n\t<IDC q:dt=\"bin.base64\">\n AQ ID\n</IDC>\n</PEERIDENTITYINFO>";
        assert_eq!(IdentityInfo::parse_str(x).unwrap().idc, [1, 2, 3]);
        let empty = IdentityInfo::parse_str("<PEERIDENTITYINFO VERSION=\"1.0\"><IDC xmlns:dt=\"urn:schemas-microsoft-com:datatypes\" dt:dt=\"bin.base64\"/></PEERIDENTITYINFO>").unwrap();
        assert!(empty.idc.is_empty());
    }

    #[test]
    fn writer_escapes_and_refuses_controls() {
        let doc = IdentityExport::new("a<&>\"'\r\n\tb", vec![]);
        let xml = doc.to_xml_string().unwrap();
        assert!(
            xml.contains("<PEERNAME>a&lt;&amp;&gt;\"'&#13;\n\tb</PEERNAME>"),
            "{xml}"
        );
        assert_eq!(IdentityExport::parse_str(&xml).unwrap(), doc);
        let e = IdentityExport::new("a\u{1}", vec![]).to_xml().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArg);
        assert_eq!(e.variant_name(), "InvalidValue");
    }
}
