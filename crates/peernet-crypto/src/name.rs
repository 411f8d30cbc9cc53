//! Peer names (PNRP 1.3.1.1, 2.2.4): `authority "." classifier`.
//!
//! * secure: authority = 40 lowercase hex digits of SHA-1 over the DER SubjectPublicKeyInfo
//!   of the identity (or group) key;
//! * unsecured: authority = `0`;
//! * classifier: 0–149 UTF-16 code units, no NUL. The `.` is mandatory (ABNF), the dot-less
//!   .NET form `<authority>` is rejected (see `docs/FORMATS.md`).
//!
//! Peer names are case-sensitive: `ABCD…` is not a valid authority.

use std::fmt;
use std::str::FromStr;

use crate::error::NameError;

type Result<T, E = NameError> = std::result::Result<T, E>;

/// Maximum classifier length in UTF-16 code units (150 including the terminating NUL).
pub const MAX_CLASSIFIER_LEN: usize = 149;

/// The classifier of the Group Participant Peer Name (PPSEC 1.3.2.4) and of
/// Member / Inviting Member GMCs (PPSEC 2.2.5.3).
pub const PARTICIPANT: &str = "participant";

/// A syntactically valid peer name.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PeerName {
    text: String,
    dot: usize,
}

/// Check a classifier against PNRP 2.2.4: at most 149 UTF-16 code units, none of them NUL.
///
/// # Errors
/// [`NameError::InvalidClassifier`] for a NUL, [`NameError::ClassifierTooLong`] for more than 149 units.
pub fn validate_classifier(classifier: &str) -> Result<()> {
    if classifier.contains('\0') {
        return Err(NameError::InvalidClassifier {
            reason: "contains a NUL character",
        });
    }
    let len = classifier.encode_utf16().count();
    if len > MAX_CLASSIFIER_LEN {
        return Err(NameError::ClassifierTooLong { len });
    }
    Ok(())
}

/// Lowercase hex SHA-1 of a DER SubjectPublicKeyInfo: the secure-name authority (PNRP 1.3.1.1).
pub fn authority_of(spki_der: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, spki_der);
    hex::encode(digest.as_ref())
}

fn is_secure_authority(a: &str) -> bool {
    a.len() == 40
        && a.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl PeerName {
    /// Parse and validate a peer name.
    ///
    /// # Errors
    /// [`NameError::InvalidPeerName`] for a bad authority or a missing `.`,
    /// [`NameError::InvalidClassifier`] / [`NameError::ClassifierTooLong`] for a bad classifier.
    pub fn parse(text: &str) -> Result<Self> {
        let invalid = |reason| NameError::InvalidPeerName {
            name: text.to_string(),
            reason,
        };
        let dot = text
            .find('.')
            .ok_or_else(|| invalid("missing '.' between authority and classifier"))?;
        let authority = &text[..dot];
        if authority != "0" && !is_secure_authority(authority) {
            return Err(invalid(
                "authority must be \"0\" or 40 lowercase hexadecimal digits",
            ));
        }
        validate_classifier(&text[dot + 1..])?;
        Ok(PeerName {
            text: text.to_string(),
            dot,
        })
    }

    /// The secure peer name of a key (DER SubjectPublicKeyInfo) with a classifier.
    ///
    /// # Errors
    /// Classifier errors as in [`validate_classifier`].
    pub fn from_public_key(spki_der: &[u8], classifier: &str) -> Result<Self> {
        validate_classifier(classifier)?;
        let text = format!("{}.{classifier}", authority_of(spki_der));
        Ok(PeerName { text, dot: 40 })
    }

    /// An unsecured peer name `0.<classifier>`.
    ///
    /// # Errors
    /// Classifier errors as in [`validate_classifier`].
    pub fn unsecured(classifier: &str) -> Result<Self> {
        validate_classifier(classifier)?;
        Ok(PeerName {
            text: format!("0.{classifier}"),
            dot: 1,
        })
    }

    /// This name's authority with another classifier (PeerCreatePeerName).
    ///
    /// # Errors
    /// Classifier errors as in [`validate_classifier`].
    pub fn with_classifier(&self, classifier: &str) -> Result<Self> {
        validate_classifier(classifier)?;
        Ok(PeerName {
            text: format!("{}.{classifier}", self.authority()),
            dot: self.dot,
        })
    }

    /// The Group Participant Peer Name `<authority>.participant` (PPSEC 1.3.2.4).
    pub fn participant(&self) -> Self {
        PeerName {
            text: format!("{}.{PARTICIPANT}", self.authority()),
            dot: self.dot,
        }
    }

    /// The authority: `0` or 40 lowercase hex digits.
    pub fn authority(&self) -> &str {
        &self.text[..self.dot]
    }

    /// The classifier (possibly empty).
    pub fn classifier(&self) -> &str {
        &self.text[self.dot + 1..]
    }

    /// Whether this is a secure (key-derived) name.
    pub fn is_secure(&self) -> bool {
        self.dot == 40
    }

    /// Whether the authority is SHA-1 of this DER SubjectPublicKeyInfo.
    pub fn matches_key(&self, spki_der: &[u8]) -> bool {
        self.is_secure() && self.authority() == authority_of(spki_der)
    }

    /// The whole name.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl FromStr for PeerName {
    type Err = NameError;
    fn from_str(s: &str) -> Result<Self> {
        PeerName::parse(s)
    }
}

impl fmt::Display for PeerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl fmt::Debug for PeerName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PeerName({:?})", self.text)
    }
}

impl AsRef<str> for PeerName {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "6520c005f63fc1864b7d8f3cabebd4916ae7f33d";

    #[test]
    fn parses_secure_and_unsecured() {
        let n = PeerName::parse(&format!("{A}.JohnDoe")).unwrap();
        assert_eq!(n.authority(), A);
        assert_eq!(n.classifier(), "JohnDoe");
        assert!(n.is_secure());
        let u = PeerName::parse("0.MyUnsecuredPeerName").unwrap();
        assert!(!u.is_secure());
        assert_eq!(u.classifier(), "MyUnsecuredPeerName");
        assert_eq!(PeerName::parse(&format!("{A}.")).unwrap().classifier(), "");
        assert_eq!(
            PeerName::parse(&format!("{A}.a.b")).unwrap().classifier(),
            "a.b"
        );
    }

    #[test]
    fn rejects_bad_authorities() {
        for bad in [
            A.to_string(),
            format!("{}.x", A.to_uppercase()),
            "1.x".into(),
            "00.x".into(),
            format!("{}.x", &A[..39]),
            ".x".into(),
        ] {
            assert!(
                matches!(
                    PeerName::parse(&bad),
                    Err(NameError::InvalidPeerName { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn classifier_limits() {
        let ok = "x".repeat(149);
        PeerName::parse(&format!("0.{ok}")).unwrap();
        let long = "x".repeat(150);
        assert!(matches!(
            PeerName::parse(&format!("0.{long}")),
            Err(NameError::ClassifierTooLong { len: 150 })
        ));
        // 75 astral characters = 150 UTF-16 units.
        let astral = "\u{1F600}".repeat(75);
        assert!(matches!(
            validate_classifier(&astral),
            Err(NameError::ClassifierTooLong { len: 150 })
        ));
        assert!(matches!(
            PeerName::parse("0.a\0b"),
            Err(NameError::InvalidClassifier { .. })
        ));
    }

    #[test]
    fn constructors() {
        let spki = [0x30, 0x00];
        let n = PeerName::from_public_key(&spki, "c").unwrap();
        assert_eq!(n.authority(), authority_of(&spki));
        assert!(n.matches_key(&spki));
        assert_eq!(
            n.with_classifier("d").unwrap().as_str(),
            format!("{}.d", n.authority())
        );
        assert_eq!(n.participant().classifier(), PARTICIPANT);
        assert_eq!(PeerName::unsecured("x").unwrap().as_str(), "0.x");
        assert!(PeerName::unsecured("0.x").unwrap().classifier() == "0.x");
    }
}
