//! `PEERINVITATION`.

use crate::error::{DocumentType, Error};
use crate::fields;
use crate::identity::check_version;
use crate::reader::Schema;
use crate::scope::Scope;
use crate::writer::Writer;
use crate::{XmlDocument, inherent_document_api};

/// The `VERSION` of a GMC invitation (the group security version of the issuing group).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InvitationVersion {
    /// `VERSION="1.0"`.
    #[default]
    V1_0,
    /// `VERSION="1.1"` (Vista and later).
    V1_1,
}

impl InvitationVersion {
    /// The attribute value, `"1.0"` or `"1.1"`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::V1_0 => "1.0",
            Self::V1_1 => "1.1",
        }
    }
}

/// A GMC invitation: the invitee's certificate chain ([MS-PPSEC] 2.2.6.1).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GmcInvitation {
    /// `VERSION`, `1.0` or `1.1`.
    pub version: InvitationVersion,
    /// `CLOUDNAME`.
    pub cloud_name: String,
    /// `SCOPE`.
    pub scope: Scope,
    /// `CLOUDFLAGS`: 0 = public cloud name, 1 = private cloud name (nothing else is read
    /// or written).
    pub cloud_flags: u8,
    /// `GMC`: PKCS#7 certs-only chain, root GRC … leaf GMC (`bin.base64`).
    pub gmc: Vec<u8>,
}

/// A password invitation (`VERSION="1.1"`, group security 1.1): no certificate.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PasswordInvitation {
    /// `CLOUDNAME`.
    pub cloud_name: String,
    /// `SCOPE`.
    pub scope: Scope,
    /// `CLOUDFLAGS`: 0 or 1 as for [`GmcInvitation::cloud_flags`].
    pub cloud_flags: u8,
    /// `GROUPPEERNAME`: the group's secure peer name.
    pub group_peer_name: String,
    /// `GROUPFRIENDLYNAME`.
    pub group_friendly_name: String,
}

/// `<PEERINVITATION>`: either kind of invitation.
///
/// Which kind a `VERSION="1.1"` document is follows from its elements: one with
/// `GROUPPEERNAME` or `GROUPFRIENDLYNAME` is a password invitation, any other a GMC
/// invitation. `VERSION="1.0"` is always a GMC invitation.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Invitation {
    /// A GMC invitation (`PeerGroupCreateInvitation`, `PeerGroupIssueCredentials`).
    Gmc(GmcInvitation),
    /// A password invitation (`PeerGroupCreatePasswordInvitation`).
    Password(PasswordInvitation),
}

impl Invitation {
    /// `CLOUDNAME`, whichever the kind.
    #[must_use]
    pub fn cloud_name(&self) -> &str {
        match self {
            Self::Gmc(g) => &g.cloud_name,
            Self::Password(p) => &p.cloud_name,
        }
    }

    /// `SCOPE`, whichever the kind.
    #[must_use]
    pub fn scope(&self) -> Scope {
        match self {
            Self::Gmc(g) => g.scope,
            Self::Password(p) => p.scope,
        }
    }

    /// `CLOUDFLAGS`, whichever the kind.
    #[must_use]
    pub fn cloud_flags(&self) -> u8 {
        match self {
            Self::Gmc(g) => g.cloud_flags,
            Self::Password(p) => p.cloud_flags,
        }
    }

    /// The `VERSION` written for this invitation (password invitations are always 1.1).
    #[must_use]
    pub fn version(&self) -> InvitationVersion {
        match self {
            Self::Gmc(g) => g.version,
            Self::Password(_) => InvitationVersion::V1_1,
        }
    }
}

inherent_document_api!(Invitation);

const GMC_CHILDREN: [&str; 4] = ["CLOUDNAME", "SCOPE", "CLOUDFLAGS", "GMC"];
const PASSWORD_CHILDREN: [&str; 5] = [
    "CLOUDNAME",
    "SCOPE",
    "CLOUDFLAGS",
    "GROUPPEERNAME",
    "GROUPFRIENDLYNAME",
];

impl XmlDocument for Invitation {
    const DOCUMENT: DocumentType = DocumentType::Invitation;

    fn parse(bytes: &[u8]) -> Result<Self, Error> {
        let (schema, root) = Schema::open(Self::DOCUMENT, bytes, "PEERINVITATION")?;
        check_version(schema, &root, &["1.0", "1.1"])?;
        let version = if schema.attribute(&root, "VERSION") == Some("1.1") {
            InvitationVersion::V1_1
        } else {
            InvitationVersion::V1_0
        };
        let password = version == InvitationVersion::V1_1
            && root
                .children
                .iter()
                .any(|c| c.name == "GROUPPEERNAME" || c.name == "GROUPFRIENDLYNAME");
        let names: &[&str] = if password {
            &PASSWORD_CHILDREN
        } else {
            &GMC_CHILDREN
        };
        let slots = schema.sequence(&root, names)?;
        let mut req = Vec::with_capacity(names.len());
        for (slot, name) in slots.iter().zip(names) {
            req.push(schema.required(&root, *slot, name)?);
        }
        let cloud_name = schema.text(req[0])?.to_owned();
        let scope = fields::scope(schema, req[1])?;
        let cloud_flags = u8::try_from(fields::cloud_flags(schema, req[2], 1)?).unwrap_or(1);
        if password {
            Ok(Self::Password(PasswordInvitation {
                cloud_name,
                scope,
                cloud_flags,
                group_peer_name: schema.text(req[3])?.to_owned(),
                group_friendly_name: schema.text(req[4])?.to_owned(),
            }))
        } else {
            Ok(Self::Gmc(GmcInvitation {
                version,
                cloud_name,
                scope,
                cloud_flags,
                gmc: schema.binary(req[3])?,
            }))
        }
    }

    fn to_xml(&self) -> Result<Vec<u8>, Error> {
        let mut w = Writer::new(Self::DOCUMENT);
        let flags = self.cloud_flags();
        if flags > 1 {
            return Err(w.invalid(
                "CLOUDFLAGS",
                format!("invitation cloud flags must be 0 or 1, not {flags}"),
            ));
        }
        w.open(0, "PEERINVITATION", &[("VERSION", self.version().as_str())])?;
        w.leaf(1, "CLOUDNAME", &[], self.cloud_name())?;
        w.leaf(1, "SCOPE", &[], self.scope().as_str())?;
        w.leaf(1, "CLOUDFLAGS", &[], &flags.to_string())?;
        match self {
            Self::Gmc(g) => w.binary(1, "GMC", &g.gmc)?,
            Self::Password(p) => {
                w.leaf(1, "GROUPPEERNAME", &[], &p.group_peer_name)?;
                w.leaf(1, "GROUPFRIENDLYNAME", &[], &p.group_friendly_name)?;
            }
        }
        w.close(0, "PEERINVITATION");
        Ok(w.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    const DT: &str = "xmlns:dt=\"urn:schemas-microsoft-com:datatypes\" dt:dt=\"bin.base64\"";

    #[test]
    fn gmc_both_versions() {
        for v in [InvitationVersion::V1_0, InvitationVersion::V1_1] {
            let inv = Invitation::Gmc(GmcInvitation {
                version: v,
                cloud_name: "Global_".into(),
                scope: Scope::Global,
                cloud_flags: 0,
                gmc: vec![9, 9],
            });
            let want = format!(
                "<PEERINVITATION VERSION=\"{}\">\n  <CLOUDNAME>Global_</CLOUDNAME>\n  <SCOPE>GLOBAL</SCOPE>\n  <CLOUDFLAGS>0</CLOUDFLAGS>\n  <GMC {DT}>CQk=</GMC>\n</PEERINVITATION>\n",
                v.as_str()
            );
            assert_eq!(inv.to_xml_string().unwrap(), want);
            assert_eq!(Invitation::parse_str(&want).unwrap(), inv);
        }
    }

    #[test]
    fn password() {
        let inv = Invitation::Password(PasswordInvitation {
            cloud_name: "Priv".into(),
            scope: Scope::SiteLocal,
            cloud_flags: 1,
            group_peer_name: "ab.g".into(),
            group_friendly_name: "Friends & co".into(),
        });
        let xml = inv.to_xml_string().unwrap();
        assert_eq!(
            xml,
            "<PEERINVITATION VERSION=\"1.1\">\n  <CLOUDNAME>Priv</CLOUDNAME>\n  <SCOPE>SITELOCAL</SCOPE>\n  <CLOUDFLAGS>1</CLOUDFLAGS>\n  <GROUPPEERNAME>ab.g</GROUPPEERNAME>\n  <GROUPFRIENDLYNAME>Friends &amp; co</GROUPFRIENDLYNAME>\n</PEERINVITATION>\n"
        );
        assert_eq!(Invitation::parse_str(&xml).unwrap(), inv);
        assert_eq!(inv.version(), InvitationVersion::V1_1);
    }

    #[test]
    fn errors() {
        let base = "<CLOUDNAME>c</CLOUDNAME><SCOPE>GLOBAL</SCOPE><CLOUDFLAGS>0</CLOUDFLAGS>";
        for (v, body, want) in [
            (
                "1.0",
                format!(
                    "{base}<GROUPPEERNAME>g</GROUPPEERNAME><GROUPFRIENDLYNAME>f</GROUPFRIENDLYNAME>"
                ),
                "UnknownElement",
            ),
            (
                "1.1",
                format!(
                    "{base}<GROUPPEERNAME>g</GROUPPEERNAME><GROUPFRIENDLYNAME>f</GROUPFRIENDLYNAME><GMC {DT}>AA==</GMC>"
                ),
                "UnknownElement",
            ),
            (
                "1.1",
                format!("{base}<GROUPPEERNAME>g</GROUPPEERNAME>"),
                "MissingElement",
            ),
            (
                "1.1",
                format!(
                    "{base}<GROUPFRIENDLYNAME>f</GROUPFRIENDLYNAME><GROUPPEERNAME>g</GROUPPEERNAME>"
                ),
                "OutOfOrder",
            ),
            ("1.1", base.to_owned(), "MissingElement"),
            (
                "1.2",
                format!("{base}<GMC {DT}>AA==</GMC>"),
                "UnsupportedVersion",
            ),
            (
                "1.0",
                format!("{base}<GMC {DT}>AA==</GMC>").replace(">0<", ">2<"),
                "CloudFlags",
            ),
            (
                "1.0",
                format!("{base}<GMC {DT}>AA==</GMC>").replace(">0<", ">256<"),
                "CloudFlags",
            ),
            (
                "1.0",
                format!("{base}<GMC {DT}>AA==</GMC>").replace("GLOBAL", "PLANET"),
                "Scope",
            ),
        ] {
            let x = format!("<PEERINVITATION VERSION=\"{v}\">{body}</PEERINVITATION>");
            let e = Invitation::parse_str(&x).unwrap_err();
            assert_eq!(e.variant_name(), want, "{x}: {e}");
        }
        let e = Invitation::parse_str("<PEERINVITATION VERSION=\"2.0\"/>").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnsupportedVersion);
    }

    #[test]
    fn writer_refuses_bad_flags() {
        let inv = Invitation::Gmc(GmcInvitation {
            version: InvitationVersion::V1_0,
            cloud_name: String::new(),
            scope: Scope::Global,
            cloud_flags: 2,
            gmc: vec![],
        });
        assert_eq!(inv.to_xml().unwrap_err().kind(), ErrorKind::InvalidArg);
    }
}
