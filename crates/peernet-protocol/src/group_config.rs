//! `PEERGROUPCONFIG`.

use crate::error::{DocumentType, Error};
use crate::fields;
use crate::identity::check_version;
use crate::reader::Schema;
use crate::scope::Scope;
use crate::writer::Writer;
use crate::{XmlDocument, inherent_document_api};

/// `<PEERGROUPCONFIG VERSION="1.0">`: a member's configuration for one group
/// (`PeerGroupExportConfig` / `PeerGroupImportConfig`).
///
/// Children, in this order: `IDENTITYPEERNAME`, `GROUPPEERNAME`, `CLOUDNAME`, `SCOPE`,
/// `CLOUDFLAGS`, `GMC`, and our optional extension `GROUPKEY`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GroupConfig {
    /// The member identity's peer name (`IDENTITYPEERNAME`).
    pub identity_peer_name: String,
    /// The group's peer name (`GROUPPEERNAME`).
    pub group_peer_name: String,
    /// The PNRP cloud name (`CLOUDNAME`).
    pub cloud_name: String,
    /// The cloud scope (`SCOPE`).
    pub scope: Scope,
    /// Cloud flags (`CLOUDFLAGS`), a DWORD written in decimal.
    pub cloud_flags: u32,
    /// The PKCS#7 certs-only GMC chain (`GMC`, `bin.base64`).
    pub gmc: Vec<u8>,
    /// The group's private key as a PKCS#8 EncryptedPrivateKeyInfo (`GROUPKEY`,
    /// `bin.base64`), present only when the exporter holds the group key. peernet extension.
    pub group_key: Option<Vec<u8>>,
}

inherent_document_api!(GroupConfig);

const CHILDREN: [&str; 7] = [
    "IDENTITYPEERNAME",
    "GROUPPEERNAME",
    "CLOUDNAME",
    "SCOPE",
    "CLOUDFLAGS",
    "GMC",
    "GROUPKEY",
];

impl XmlDocument for GroupConfig {
    const DOCUMENT: DocumentType = DocumentType::GroupConfig;

    fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let (schema, root) = Schema::open(Self::DOCUMENT, bytes, "PEERGROUPCONFIG")?;
        check_version(schema, &root, &["1.0"])?;
        let slots = schema.sequence(&root, &CHILDREN)?;
        let mut req = Vec::with_capacity(6);
        for (slot, name) in slots.iter().zip(CHILDREN).take(6) {
            req.push(schema.required(&root, *slot, name)?);
        }
        Ok(Self {
            identity_peer_name: schema.text(req[0])?.to_owned(),
            group_peer_name: schema.text(req[1])?.to_owned(),
            cloud_name: schema.text(req[2])?.to_owned(),
            scope: fields::scope(schema, req[3])?,
            cloud_flags: fields::cloud_flags(schema, req[4], u32::MAX)?,
            gmc: schema.binary(req[5])?,
            group_key: slots[6].map(|el| schema.binary(el)).transpose()?,
        })
    }

    fn to_xml(&self) -> Result<Vec<u8>, Error> {
        let mut w = Writer::new(Self::DOCUMENT);
        w.open(0, "PEERGROUPCONFIG", &[("VERSION", "1.0")])?;
        w.leaf(1, "IDENTITYPEERNAME", &[], &self.identity_peer_name)?;
        w.leaf(1, "GROUPPEERNAME", &[], &self.group_peer_name)?;
        w.leaf(1, "CLOUDNAME", &[], &self.cloud_name)?;
        w.leaf(1, "SCOPE", &[], self.scope.as_str())?;
        w.leaf(1, "CLOUDFLAGS", &[], &self.cloud_flags.to_string())?;
        w.binary(1, "GMC", &self.gmc)?;
        if let Some(key) = &self.group_key {
            w.binary(1, "GROUPKEY", key)?;
        }
        w.close(0, "PEERGROUPCONFIG");
        Ok(w.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> GroupConfig {
        GroupConfig {
            identity_peer_name: "0123.id".into(),
            group_peer_name: "4567.grp".into(),
            cloud_name: "Global_".into(),
            scope: Scope::Global,
            cloud_flags: 0,
            gmc: vec![0x30, 0x82],
            group_key: None,
        }
    }

    const DT: &str = "xmlns:dt=\"urn:schemas-microsoft-com:datatypes\" dt:dt=\"bin.base64\"";

    #[test]
    fn layout() {
        let mut c = sample();
        let want = format!(
            "<PEERGROUPCONFIG VERSION=\"1.0\">\n  <IDENTITYPEERNAME>0123.id</IDENTITYPEERNAME>\n  <GROUPPEERNAME>4567.grp</GROUPPEERNAME>\n  <CLOUDNAME>Global_</CLOUDNAME>\n  <SCOPE>GLOBAL</SCOPE>\n  <CLOUDFLAGS>0</CLOUDFLAGS>\n  <GMC {DT}>MII=</GMC>\n</PEERGROUPCONFIG>\n"
        );
        assert_eq!(c.to_xml_string().unwrap(), want);
        assert_eq!(GroupConfig::parse_str(&want).unwrap(), c);
        c.group_key = Some(vec![1]);
        c.cloud_flags = u32::MAX;
        c.scope = Scope::LinkLocal;
        let xml = c.to_xml_string().unwrap();
        assert!(xml.contains(&format!(
            "  <GMC {DT}>MII=</GMC>\n  <GROUPKEY {DT}>AQ==</GROUPKEY>\n"
        )));
        assert!(xml.contains("<CLOUDFLAGS>4294967295</CLOUDFLAGS>"));
        assert!(xml.contains("<SCOPE>LINKLOCAL</SCOPE>"));
        assert_eq!(GroupConfig::parse_str(&xml).unwrap(), c);
    }

    fn with(scope: &str, flags: &str, tail: &str) -> String {
        format!(
            "<PEERGROUPCONFIG VERSION=\"1.0\"><IDENTITYPEERNAME>a</IDENTITYPEERNAME><GROUPPEERNAME>b</GROUPPEERNAME><CLOUDNAME>c</CLOUDNAME><SCOPE>{scope}</SCOPE><CLOUDFLAGS>{flags}</CLOUDFLAGS><GMC {DT}>AA==</GMC>{tail}</PEERGROUPCONFIG>"
        )
    }

    #[test]
    fn scope_and_flags_forms() {
        let c = GroupConfig::parse_str(&with("site-local", " 007 ", "")).unwrap();
        assert_eq!((c.scope, c.cloud_flags), (Scope::SiteLocal, 7));
        let c = GroupConfig::parse_str(&with("\n  Link-Local\n", "4294967295", "")).unwrap();
        assert_eq!((c.scope, c.cloud_flags), (Scope::LinkLocal, u32::MAX));
        for (s, f, want) in [
            ("everywhere", "0", "Scope"),
            ("", "0", "Scope"),
            ("GLOBAL", "4294967296", "CloudFlags"),
            ("GLOBAL", "-1", "CloudFlags"),
            ("GLOBAL", "+1", "CloudFlags"),
            ("GLOBAL", "0x10", "CloudFlags"),
            ("GLOBAL", "", "CloudFlags"),
        ] {
            assert_eq!(
                GroupConfig::parse_str(&with(s, f, ""))
                    .unwrap_err()
                    .variant_name(),
                want,
                "{s} {f}"
            );
        }
    }

    #[test]
    fn group_key_only_last() {
        let c = GroupConfig::parse_str(&with(
            "GLOBAL",
            "0",
            &format!("<GROUPKEY {DT}>AQ==</GROUPKEY>"),
        ))
        .unwrap();
        assert_eq!(c.group_key, Some(vec![1]));
        let x =
            with("GLOBAL", "0", "").replace("<GMC", &format!("<GROUPKEY {DT}>AQ==</GROUPKEY><GMC"));
        assert_eq!(
            GroupConfig::parse_str(&x).unwrap_err().variant_name(),
            "OutOfOrder"
        );
        let x = with(
            "GLOBAL",
            "0",
            &format!("<GROUPKEY {DT}>AQ==</GROUPKEY><GROUPKEY {DT}>AQ==</GROUPKEY>"),
        );
        assert_eq!(
            GroupConfig::parse_str(&x).unwrap_err().variant_name(),
            "DuplicateElement"
        );
        let x = with("GLOBAL", "0", "<GROUPKEY>AQ==</GROUPKEY>");
        assert_eq!(
            GroupConfig::parse_str(&x).unwrap_err().variant_name(),
            "MissingAttribute"
        );
    }

    #[test]
    fn missing_each_required_element() {
        let full = with("GLOBAL", "0", "");
        for name in &CHILDREN[..6] {
            let start = full.find(&format!("<{name}")).unwrap();
            let end_tag = format!("</{name}>");
            let end = full.find(&end_tag).unwrap() + end_tag.len();
            let x = format!("{}{}", &full[..start], &full[end..]);
            let e = GroupConfig::parse_str(&x).unwrap_err();
            assert!(
                matches!(&e, Error::MissingElement { element, .. } if element == name),
                "{name}: {e}"
            );
        }
    }
}
