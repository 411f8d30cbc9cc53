//! The crate's errors: a top [`Error`] that nests one enum per area.
//!
//! - [`NameError`]: peer-name and classifier syntax ([MS-PNRP] 2.2.4);
//! - [`ChainError`]: the numbered chain, IDC and issuance rules (S1–S15, P1–P12, G1–G12,
//!   I1–I8) and chain ordering; [`ChainError::rule`] is the one place a rule id is written,
//!   and `Display` prefixes the message with it;
//! - [`PkcsError`]: PKCS#12, PKCS#7 and PKCS#8;
//! - the few key and certificate-encoding failures stay in [`Error`] itself.
//!
//! [`Error::kind`] classifies every error into the [`ErrorKind`] the facade maps to a
//! Windows HRESULT.

use std::fmt;

pub use crate::pkcs::PkcsError;

/// Everything that can go wrong in `peernet-crypto`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A peer name or classifier is not well formed.
    #[error(transparent)]
    Name(#[from] NameError),
    /// A chain, IDC or issuance rule is violated, or a chain cannot be ordered.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// A PFX, PKCS#7 bundle or EncryptedPrivateKeyInfo cannot be read or written.
    #[error(transparent)]
    Pkcs(#[from] PkcsError),
    /// A private or public key could not be generated, decoded or encoded.
    #[error("key error: {reason}")]
    Key {
        /// What went wrong.
        reason: String,
    },
    /// Signing failed.
    #[error("signing failed: {reason}")]
    Signing {
        /// What went wrong.
        reason: String,
    },
    /// A signature did not verify under the given public key.
    #[error(
        "signature does not verify with the given public key (wrong issuer key, or the data was altered)"
    )]
    BadSignature,
    /// The certificate bytes are not a DER X.509 certificate we can read.
    #[error("malformed certificate: {reason}")]
    MalformedCertificate {
        /// Where parsing stopped.
        reason: String,
    },
    /// Builder input that can never make a valid certificate (caller mistake).
    #[error("invalid certificate parameters: {reason}")]
    InvalidParameters {
        /// What is wrong.
        reason: String,
    },
}

/// What the facade reports for an error: one Windows error code per kind (the facade
/// owns the HRESULT values). [`ErrorKind::Other`] means "no code of its own": the facade
/// uses the code of the call that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Peer-name syntax → `PEER_E_INVALID_PEER_NAME`.
    InvalidPeerName,
    /// A classifier with a NUL → `PEER_E_INVALID_CLASSIFIER`.
    InvalidClassifier,
    /// A classifier over 149 UTF-16 code units → `PEER_E_CLASSIFIER_TOO_LONG`.
    ClassifierTooLong,
    /// S1/I5 → `PEER_E_CHAIN_TOO_LONG`.
    ChainTooLong,
    /// Certificates that link in a cycle → `PEER_E_CIRCULAR_CHAIN_DETECTED`.
    CircularChain,
    /// I3/I8 → `PEER_E_INVALID_ROLE_PROPERTY`.
    InvalidRoleProperty,
    /// I1/I2/I4 → `PEER_E_INVALID_CREDENTIAL_INFO`.
    InvalidCredentialInfo,
    /// I6 → `PEER_E_NOT_AUTHORIZED`.
    NotAuthorized,
    /// Every other chain rule, a chain that cannot be ordered, a malformed certificate
    /// or a bad signature → `PEER_E_INVALID_CREDENTIAL`.
    InvalidCredential,
    /// A password that does not open a PFX or EncryptedPrivateKeyInfo →
    /// `HRESULT_FROM_WIN32(ERROR_INVALID_PASSWORD)`.
    InvalidPassword,
    /// No code of its own (key generation, signing, builder input, other PKCS failures).
    Other,
}

impl Error {
    /// The kind of failure, for the facade's HRESULT mapping.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Name(e) => e.kind(),
            Error::Chain(e) => e.kind(),
            Error::Pkcs(e) => e.kind(),
            Error::MalformedCertificate { .. } | Error::BadSignature => {
                ErrorKind::InvalidCredential
            }
            _ => ErrorKind::Other,
        }
    }

    /// The rule id of a [`ChainError`] (see [`ChainError::rule`]); `None` for every other
    /// error.
    pub fn rule(&self) -> Option<&'static str> {
        match self {
            Error::Chain(e) => e.rule(),
            _ => None,
        }
    }
}

/// A peer name or classifier that is not well formed ([MS-PNRP] 2.2.4).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// A peer name is not `authority "." classifier` per PNRP 2.2.4
    /// (facade: PEER_E_INVALID_PEER_NAME).
    #[error("invalid peer name {name:?}: {reason}")]
    InvalidPeerName {
        /// The rejected text.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A classifier contains a NUL character (PNRP 2.2.4; facade: PEER_E_INVALID_CLASSIFIER).
    #[error("invalid classifier: {reason}")]
    InvalidClassifier {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A classifier is longer than 149 UTF-16 code units (PNRP 1.3.1.1, 2.2.4;
    /// facade: PEER_E_CLASSIFIER_TOO_LONG).
    #[error("classifier is {len} UTF-16 code units long; at most 149 are allowed")]
    ClassifierTooLong {
        /// Length in UTF-16 code units.
        len: usize,
    },
}

impl NameError {
    /// The kind of failure, for the facade's HRESULT mapping.
    pub fn kind(&self) -> ErrorKind {
        match self {
            NameError::InvalidPeerName { .. } => ErrorKind::InvalidPeerName,
            NameError::InvalidClassifier { .. } => ErrorKind::InvalidClassifier,
            NameError::ClassifierTooLong { .. } => ErrorKind::ClassifierTooLong,
        }
    }
}

/// A violated chain, IDC or issuance rule, or a set of certificates that does not order
/// into one chain.
///
/// `Display` writes `RULE: what` for the numbered rules (e.g. `S1: chain has 26
/// certificates; …`), the rule coming from [`ChainError::rule`].
#[derive(Debug)]
#[non_exhaustive]
pub enum ChainError {
    /// S1/I5: more than 25 certificates (1 GRC + 24 GMCs) (facade: PEER_E_CHAIN_TOO_LONG).
    ChainTooLong {
        /// Number of certificates in the (resulting) chain.
        len: usize,
    },
    /// An empty chain was given.
    EmptyChain,
    /// S2: version is not v3.
    CertificateVersion {
        /// Index of the certificate in the chain (0 = root).
        index: usize,
    },
    /// S3: signatureAlgorithm is not the one the group's profile requires.
    SignatureAlgorithm {
        /// Index of the certificate.
        index: usize,
        /// Dotted OID found.
        found: String,
        /// Dotted OID required.
        expected: &'static str,
        /// Profile name.
        profile: &'static str,
    },
    /// S4: the serial number is not 16 bytes.
    SerialNumber {
        /// Index of the certificate.
        index: usize,
        /// Length found.
        len: usize,
    },
    /// S5: issuerUniqueID or subjectUniqueID present.
    UniqueId {
        /// Index of the certificate.
        index: usize,
    },
    /// S6: the subject key is not the profile's key type (RSA-1024 / P-256).
    KeyAlgorithm {
        /// Index of the certificate.
        index: usize,
        /// Profile name.
        profile: &'static str,
    },
    /// S7: subject or issuer friendly name longer than 255 characters.
    NameTooLong {
        /// Index of the certificate.
        index: usize,
    },
    /// S8: SubjectAltName / IssuerAltName is not one peer-name string of at most 255 characters.
    AltName {
        /// Index of the certificate.
        index: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// S9: a critical extension we do not understand.
    UnknownCriticalExtension {
        /// Index of the certificate.
        index: usize,
        /// Dotted OID.
        oid: String,
    },
    /// S10: PnrpCertificateType missing or not a 4-byte little-endian value.
    CertTypeExtension {
        /// Index of the certificate.
        index: usize,
    },
    /// S11: PnrpCertificateVersion missing or not `01 00 02 00`.
    CertVersionExtension {
        /// Index of the certificate.
        index: usize,
    },
    /// S12: the group peer name extension is missing or malformed.
    PeerNameExtension {
        /// Index of the certificate.
        index: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// S13: roles missing, empty, malformed or not a defined role.
    RoleExtension {
        /// Index of the certificate.
        index: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// S14: classifier list missing or malformed.
    ClassifierExtension {
        /// Index of the certificate.
        index: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// S15: an empty classifier list that the parent's list and this certificate's role do not allow.
    EmptyClassifierList {
        /// Index of the certificate.
        index: usize,
    },
    /// P3: SubjectAltName of certificate `index - 1` differs from IssuerAltName of certificate `index`.
    ChainLink {
        /// Index of the child certificate.
        index: usize,
    },
    /// P4: the certificate has expired at the validation time.
    Expired {
        /// Index of the certificate.
        index: usize,
    },
    /// P4: the certificate is not yet valid at the validation time.
    NotYetValid {
        /// Index of the certificate.
        index: usize,
    },
    /// P5: a classifier in a list violates the classifier syntax.
    ClassifierSyntax {
        /// Index of the certificate.
        index: usize,
    },
    /// P6: a classifier is not delegated by the parent's list under this certificate's role.
    ClassifierDelegation {
        /// Index of the certificate.
        index: usize,
        /// The classifier.
        classifier: String,
    },
    /// P7/G1/G2: the root (or an IDC) is not self-signed.
    NotSelfSigned {
        /// Index of the certificate.
        index: usize,
    },
    /// P8/G2: the first certificate is not a GRC (certificate type 2).
    RootType,
    /// P9/G5: the group peer name's authority is not SHA-1 of the GRC public key.
    RootAuthorityMismatch,
    /// P10: the leaf certificate's key is not the expected (CPA / TLS) key.
    LeafKeyMismatch,
    /// P11/G7: group peer name differs between the first and another certificate.
    PeerNameMismatch {
        /// Index of the certificate.
        index: usize,
    },
    /// P12: the published classifier is not delegated by the leaf's classifier list.
    ClassifierNotDelegated {
        /// The classifier.
        classifier: String,
    },
    /// G3: a certificate's signature does not verify with its parent's public key.
    Signature {
        /// Index of the certificate.
        index: usize,
    },
    /// G4/I1: the chain's group peer name is not the expected group.
    GroupMismatch {
        /// Group found in the chain.
        found: String,
        /// Group expected.
        expected: String,
    },
    /// G6: a non-first certificate is not a GMC (type 1).
    NotMembershipCertificate {
        /// Index of the certificate.
        index: usize,
    },
    /// G8: a role in the certificate is not issuable by any role of its parent.
    RoleNotIssuable {
        /// Index of the certificate.
        index: usize,
        /// The role (GUID text).
        role: String,
    },
    /// G10: the EKU extension lacks Peer Auth (.44.3.4) or Server Auth.
    ExtendedKeyUsage {
        /// Index of the certificate.
        index: usize,
    },
    /// G11: identity or grouping flags present and not 0.
    Flags {
        /// Index of the certificate.
        index: usize,
    },
    /// G12: certificate type value is not the one for its kind (GMC 1, GRC 2, IDC 3).
    CertType {
        /// Index of the certificate.
        index: usize,
        /// Value found.
        found: u32,
        /// Value expected.
        expected: u32,
    },
    /// I1: the issuer's chain is for another group, or the subject is empty.
    IssuanceSubject {
        /// What is wrong.
        reason: &'static str,
    },
    /// I1/S7: a friendly name longer than 255 characters.
    FriendlyNameTooLong {
        /// Length in UTF-16 code units.
        len: usize,
    },
    /// I2: the subject key is too small or invalid for the profile, or differs from the cached GMC key.
    IssuanceKey {
        /// What is wrong.
        reason: &'static str,
    },
    /// I3: a requested role is not defined or not issuable by the issuer.
    IssuanceRole {
        /// The role (GUID text).
        role: String,
    },
    /// I4: the new validity is not inside the issuer's validity.
    IssuanceValidity,
    /// I6: the password-join issuer lacks Admin / Inviting Member, or password auth is disabled.
    PasswordIssuer {
        /// What is wrong.
        reason: &'static str,
    },
    /// I8: the role for password joins is not Administrator or Member.
    PasswordRole {
        /// The role (GUID text).
        role: String,
    },
    /// Ordering: the certificates link in a cycle (facade: PEER_E_CIRCULAR_CHAIN_DETECTED).
    CircularChain {
        /// Index, in the input, of a certificate on the cycle.
        index: usize,
    },
    /// Ordering: the same certificate appears twice.
    DuplicateCertificate {
        /// Index of the duplicate in the input.
        index: usize,
        /// Index of the first occurrence.
        first: usize,
    },
    /// Ordering: a certificate that does not link into the single root-to-leaf path.
    ForeignCertificate {
        /// Index in the input.
        index: usize,
    },
    /// Ordering: a certificate could not be parsed.
    MalformedInChain {
        /// Index in the input.
        index: usize,
        /// What went wrong.
        reason: String,
    },
}

impl ChainError {
    /// The rule id (S1–S15, P1–P12, G1–G12, I1–I8) this error reports, if it reports one;
    /// chain-ordering errors report none. Rules are numbered as in docs/CONFORMANCE.md.
    pub fn rule(&self) -> Option<&'static str> {
        Some(match self {
            ChainError::ChainTooLong { .. } => "S1",
            ChainError::EmptyChain => "P1",
            ChainError::CertificateVersion { .. } => "S2",
            ChainError::SignatureAlgorithm { .. } => "S3",
            ChainError::SerialNumber { .. } => "S4",
            ChainError::UniqueId { .. } => "S5",
            ChainError::KeyAlgorithm { .. } => "S6",
            ChainError::NameTooLong { .. } => "S7",
            ChainError::AltName { .. } => "S8",
            ChainError::UnknownCriticalExtension { .. } => "S9",
            ChainError::CertTypeExtension { .. } => "S10",
            ChainError::CertVersionExtension { .. } => "S11",
            ChainError::PeerNameExtension { .. } => "S12",
            ChainError::RoleExtension { .. } => "S13",
            ChainError::ClassifierExtension { .. } => "S14",
            ChainError::EmptyClassifierList { .. } => "S15",
            ChainError::ChainLink { .. } => "P3",
            ChainError::Expired { .. } | ChainError::NotYetValid { .. } => "P4",
            ChainError::ClassifierSyntax { .. } => "P5",
            ChainError::ClassifierDelegation { .. } => "P6",
            ChainError::NotSelfSigned { .. } => "P7",
            ChainError::RootType => "P8",
            ChainError::RootAuthorityMismatch => "P9",
            ChainError::LeafKeyMismatch => "P10",
            ChainError::PeerNameMismatch { .. } => "P11",
            ChainError::ClassifierNotDelegated { .. } => "P12",
            ChainError::Signature { .. } => "G3",
            ChainError::GroupMismatch { .. } => "G4",
            ChainError::NotMembershipCertificate { .. } => "G6",
            ChainError::RoleNotIssuable { .. } => "G8",
            ChainError::ExtendedKeyUsage { .. } => "G10",
            ChainError::Flags { .. } => "G11",
            ChainError::CertType { .. } => "G12",
            ChainError::IssuanceSubject { .. } | ChainError::FriendlyNameTooLong { .. } => "I1",
            ChainError::IssuanceKey { .. } => "I2",
            ChainError::IssuanceRole { .. } => "I3",
            ChainError::IssuanceValidity => "I4",
            ChainError::PasswordIssuer { .. } => "I6",
            ChainError::PasswordRole { .. } => "I8",
            ChainError::CircularChain { .. }
            | ChainError::DuplicateCertificate { .. }
            | ChainError::ForeignCertificate { .. }
            | ChainError::MalformedInChain { .. } => return None,
        })
    }

    /// The kind of failure, for the facade's HRESULT mapping.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ChainError::ChainTooLong { .. } => ErrorKind::ChainTooLong,
            ChainError::CircularChain { .. } => ErrorKind::CircularChain,
            ChainError::IssuanceRole { .. } | ChainError::PasswordRole { .. } => {
                ErrorKind::InvalidRoleProperty
            }
            ChainError::IssuanceSubject { .. }
            | ChainError::FriendlyNameTooLong { .. }
            | ChainError::IssuanceKey { .. }
            | ChainError::IssuanceValidity => ErrorKind::InvalidCredentialInfo,
            ChainError::PasswordIssuer { .. } => ErrorKind::NotAuthorized,
            _ => ErrorKind::InvalidCredential,
        }
    }
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(rule) = self.rule() {
            write!(f, "{rule}: ")?;
        }
        match self {
            ChainError::ChainTooLong { len, .. } => write!(
                f,
                "chain has {len} certificates; at most 25 (one GRC and 24 GMCs) are allowed"
            ),
            ChainError::EmptyChain => write!(f, "the chain is empty"),
            ChainError::CertificateVersion { index, .. } => {
                write!(f, "certificate {index} is not an X.509 v3 certificate")
            }
            ChainError::SignatureAlgorithm {
                expected,
                found,
                index,
                profile,
                ..
            } => write!(
                f,
                "certificate {index} uses signature algorithm {found}, the {profile} profile requires {expected}"
            ),
            ChainError::SerialNumber { index, len, .. } => write!(
                f,
                "certificate {index} has a {len}-byte serial number; 16 bytes are required"
            ),
            ChainError::UniqueId { index, .. } => write!(
                f,
                "certificate {index} carries an issuer or subject unique id"
            ),
            ChainError::KeyAlgorithm { index, profile, .. } => write!(
                f,
                "certificate {index} has a subject key that the {profile} profile does not allow"
            ),
            ChainError::NameTooLong { index, .. } => write!(
                f,
                "certificate {index} has a subject or issuer name longer than 255 characters"
            ),
            ChainError::AltName { index, reason, .. } => write!(
                f,
                "certificate {index} has an invalid subject or issuer alternative name: {reason}"
            ),
            ChainError::UnknownCriticalExtension { index, oid, .. } => write!(
                f,
                "certificate {index} has an unknown critical extension {oid}"
            ),
            ChainError::CertTypeExtension { index, .. } => write!(
                f,
                "certificate {index} lacks a well-formed certificate type extension"
            ),
            ChainError::CertVersionExtension { index, .. } => write!(
                f,
                "certificate {index} lacks the certificate version extension 01 00 02 00"
            ),
            ChainError::PeerNameExtension { index, reason, .. } => write!(
                f,
                "certificate {index} lacks a well-formed group peer name extension: {reason}"
            ),
            ChainError::RoleExtension { index, reason, .. } => write!(
                f,
                "certificate {index} lacks a valid roles extension: {reason}"
            ),
            ChainError::ClassifierExtension { index, reason, .. } => write!(
                f,
                "certificate {index} lacks a valid classifier list extension: {reason}"
            ),
            ChainError::EmptyClassifierList { index, .. } => write!(
                f,
                "certificate {index} has an empty classifier list that its issuer cannot delegate"
            ),
            ChainError::ChainLink { index, .. } => write!(
                f,
                "certificate {index}'s issuer alternative name does not match its parent's subject alternative name"
            ),
            ChainError::Expired { index, .. } => write!(f, "certificate {index} has expired"),
            ChainError::NotYetValid { index, .. } => {
                write!(f, "certificate {index} is not yet valid")
            }
            ChainError::ClassifierSyntax { index, .. } => write!(
                f,
                "certificate {index} lists a classifier with invalid syntax"
            ),
            ChainError::ClassifierDelegation {
                classifier, index, ..
            } => write!(
                f,
                "certificate {index} lists classifier {classifier:?}, which its issuer did not delegate"
            ),
            ChainError::NotSelfSigned { index, .. } => {
                write!(f, "certificate {index} is not self-signed by its own key")
            }
            ChainError::RootType => write!(
                f,
                "the first certificate is not a group root certificate (type 2)"
            ),
            ChainError::RootAuthorityMismatch => write!(
                f,
                "the group peer name's authority does not match the root certificate's public key"
            ),
            ChainError::LeafKeyMismatch => write!(
                f,
                "the last certificate's public key is not the expected key"
            ),
            ChainError::PeerNameMismatch { index, .. } => write!(
                f,
                "certificate {index}'s group peer name differs from the root's"
            ),
            ChainError::ClassifierNotDelegated { classifier, .. } => write!(
                f,
                "classifier {classifier:?} is not delegated by the last certificate"
            ),
            ChainError::Signature { index, .. } => write!(
                f,
                "certificate {index}'s signature does not verify with its parent's public key"
            ),
            ChainError::GroupMismatch {
                expected, found, ..
            } => write!(f, "the chain belongs to group {found}, not {expected}"),
            ChainError::NotMembershipCertificate { index, .. } => write!(
                f,
                "certificate {index} is not a group membership certificate (type 1)"
            ),
            ChainError::RoleNotIssuable { index, role, .. } => write!(
                f,
                "certificate {index} carries role {role}, which its issuer's roles cannot issue"
            ),
            ChainError::ExtendedKeyUsage { index, .. } => write!(
                f,
                "certificate {index} lacks the Peer Auth and Server Auth extended key usages"
            ),
            ChainError::Flags { index, .. } => {
                write!(f, "certificate {index} has non-zero or malformed flags")
            }
            ChainError::CertType {
                expected,
                found,
                index,
                ..
            } => write!(
                f,
                "certificate {index} has certificate type {found}, expected {expected}"
            ),
            ChainError::IssuanceSubject { reason, .. } => write!(f, "{reason}"),
            ChainError::FriendlyNameTooLong { len, .. } => write!(
                f,
                "friendly name is {len} characters; at most 255 are allowed"
            ),
            ChainError::IssuanceKey { reason, .. } => {
                write!(f, "subject public key rejected: {reason}")
            }
            ChainError::IssuanceRole { role, .. } => {
                write!(f, "the issuer cannot issue role {role}")
            }
            ChainError::IssuanceValidity => write!(
                f,
                "the requested validity is not within the issuer's validity"
            ),
            ChainError::PasswordIssuer { reason, .. } => write!(f, "{reason}"),
            ChainError::PasswordRole { role, .. } => {
                write!(f, "role {role} cannot be the role for password joins")
            }
            ChainError::CircularChain { index, .. } => write!(
                f,
                "chain order: certificates link in a cycle (certificate {index})"
            ),
            ChainError::DuplicateCertificate { first, index, .. } => write!(
                f,
                "chain order: certificate {index} is a duplicate of certificate {first}"
            ),
            ChainError::ForeignCertificate { index, .. } => write!(
                f,
                "chain order: certificate {index} does not belong to the chain"
            ),
            ChainError::MalformedInChain { index, reason, .. } => {
                write!(f, "chain order: certificate {index} is malformed: {reason}")
            }
        }
    }
}

impl std::error::Error for ChainError {}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
