//! The crate's one error type.

/// Everything that can go wrong in `peernet-crypto`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ---- peer names, keys, profiles, certificates, chains ----
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
    /// S1/I5: more than 25 certificates (1 GRC + 24 GMCs) (facade: PEER_E_CHAIN_TOO_LONG).
    #[error("S1: chain has {len} certificates; at most 25 (one GRC and 24 GMCs) are allowed")]
    ChainTooLong {
        /// Number of certificates in the (resulting) chain.
        len: usize,
    },
    /// An empty chain was given.
    #[error("P1: the chain is empty")]
    EmptyChain,
    /// S2: version is not v3.
    #[error("S2: certificate {index} is not an X.509 v3 certificate")]
    CertificateVersion {
        /// Index of the certificate in the chain (0 = root).
        index: usize,
    },
    /// S3: signatureAlgorithm is not the one the group's profile requires.
    #[error(
        "S3: certificate {index} uses signature algorithm {found}, the {profile} profile requires {expected}"
    )]
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
    #[error("S4: certificate {index} has a {len}-byte serial number; 16 bytes are required")]
    SerialNumber {
        /// Index of the certificate.
        index: usize,
        /// Length found.
        len: usize,
    },
    /// S5: issuerUniqueID or subjectUniqueID present.
    #[error("S5: certificate {index} carries an issuer or subject unique id")]
    UniqueId {
        /// Index of the certificate.
        index: usize,
    },
    /// S6: the subject key is not the profile's key type (RSA-1024 / P-256).
    #[error("S6: certificate {index} has a subject key that the {profile} profile does not allow")]
    KeyAlgorithm {
        /// Index of the certificate.
        index: usize,
        /// Profile name.
        profile: &'static str,
    },
    /// S7: subject or issuer friendly name longer than 255 characters.
    #[error("S7: certificate {index} has a subject or issuer name longer than 255 characters")]
    NameTooLong {
        /// Index of the certificate.
        index: usize,
    },
    /// S8: SubjectAltName / IssuerAltName is not one peer-name string of at most 255 characters.
    #[error("S8: certificate {index} has an invalid subject or issuer alternative name: {reason}")]
    AltName {
        /// Index of the certificate.
        index: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// S9: a critical extension we do not understand.
    #[error("S9: certificate {index} has an unknown critical extension {oid}")]
    UnknownCriticalExtension {
        /// Index of the certificate.
        index: usize,
        /// Dotted OID.
        oid: String,
    },
    /// S10: PnrpCertificateType missing or not a 4-byte little-endian value.
    #[error("S10: certificate {index} lacks a well-formed certificate type extension")]
    CertTypeExtension {
        /// Index of the certificate.
        index: usize,
    },
    /// S11: PnrpCertificateVersion missing or not `01 00 02 00`.
    #[error("S11: certificate {index} lacks the certificate version extension 01 00 02 00")]
    CertVersionExtension {
        /// Index of the certificate.
        index: usize,
    },
    /// S12: the group peer name extension is missing or malformed.
    #[error("S12: certificate {index} lacks a well-formed group peer name extension: {reason}")]
    PeerNameExtension {
        /// Index of the certificate.
        index: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// S13: roles missing, empty, malformed or not a defined role.
    #[error("S13: certificate {index} lacks a valid roles extension: {reason}")]
    RoleExtension {
        /// Index of the certificate.
        index: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// S14: classifier list missing or malformed.
    #[error("S14: certificate {index} lacks a valid classifier list extension: {reason}")]
    ClassifierExtension {
        /// Index of the certificate.
        index: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// S15: an empty classifier list that the parent's list and this certificate's role do not allow.
    #[error(
        "S15: certificate {index} has an empty classifier list that its issuer cannot delegate"
    )]
    EmptyClassifierList {
        /// Index of the certificate.
        index: usize,
    },
    /// P3: SubjectAltName of certificate `index - 1` differs from IssuerAltName of certificate `index`.
    #[error(
        "P3: certificate {index}'s issuer alternative name does not match its parent's subject alternative name"
    )]
    ChainLink {
        /// Index of the child certificate.
        index: usize,
    },
    /// P4: the certificate has expired at the validation time.
    #[error("P4: certificate {index} has expired")]
    Expired {
        /// Index of the certificate.
        index: usize,
    },
    /// P4: the certificate is not yet valid at the validation time.
    #[error("P4: certificate {index} is not yet valid")]
    NotYetValid {
        /// Index of the certificate.
        index: usize,
    },
    /// P5: a classifier in a list violates the classifier syntax.
    #[error("P5: certificate {index} lists a classifier with invalid syntax")]
    ClassifierSyntax {
        /// Index of the certificate.
        index: usize,
    },
    /// P6: a classifier is not delegated by the parent's list under this certificate's role.
    #[error(
        "P6: certificate {index} lists classifier {classifier:?}, which its issuer did not delegate"
    )]
    ClassifierDelegation {
        /// Index of the certificate.
        index: usize,
        /// The classifier.
        classifier: String,
    },
    /// P7/G1/G2: the root (or an IDC) is not self-signed.
    #[error("P7: certificate {index} is not self-signed by its own key")]
    NotSelfSigned {
        /// Index of the certificate.
        index: usize,
    },
    /// P8/G2: the first certificate is not a GRC (certificate type 2).
    #[error("P8: the first certificate is not a group root certificate (type 2)")]
    RootType,
    /// P9/G5: the group peer name's authority is not SHA-1 of the GRC public key.
    #[error("P9: the group peer name's authority does not match the root certificate's public key")]
    RootAuthorityMismatch,
    /// P10: the leaf certificate's key is not the expected (CPA / TLS) key.
    #[error("P10: the last certificate's public key is not the expected key")]
    LeafKeyMismatch,
    /// P11/G7: group peer name differs between the first and another certificate.
    #[error("P11: certificate {index}'s group peer name differs from the root's")]
    PeerNameMismatch {
        /// Index of the certificate.
        index: usize,
    },
    /// P12: the published classifier is not delegated by the leaf's classifier list.
    #[error("P12: classifier {classifier:?} is not delegated by the last certificate")]
    ClassifierNotDelegated {
        /// The classifier.
        classifier: String,
    },
    /// G3: a certificate's signature does not verify with its parent's public key.
    #[error("G3: certificate {index}'s signature does not verify with its parent's public key")]
    Signature {
        /// Index of the certificate.
        index: usize,
    },
    /// G4/I1: the chain's group peer name is not the expected group.
    #[error("G4: the chain belongs to group {found}, not {expected}")]
    GroupMismatch {
        /// Group found in the chain.
        found: String,
        /// Group expected.
        expected: String,
    },
    /// G6: a non-first certificate is not a GMC (type 1).
    #[error("G6: certificate {index} is not a group membership certificate (type 1)")]
    NotMembershipCertificate {
        /// Index of the certificate.
        index: usize,
    },
    /// G8: a role in the certificate is not issuable by any role of its parent.
    #[error("G8: certificate {index} carries role {role}, which its issuer's roles cannot issue")]
    RoleNotIssuable {
        /// Index of the certificate.
        index: usize,
        /// The role (GUID text).
        role: String,
    },
    /// G10: the EKU extension lacks Peer Auth (.44.3.4) or Server Auth.
    #[error("G10: certificate {index} lacks the Peer Auth and Server Auth extended key usages")]
    ExtendedKeyUsage {
        /// Index of the certificate.
        index: usize,
    },
    /// G11: identity or grouping flags present and not 0.
    #[error("G11: certificate {index} has non-zero or malformed flags")]
    Flags {
        /// Index of the certificate.
        index: usize,
    },
    /// G12: certificate type value is not the one for its kind (GMC 1, GRC 2, IDC 3).
    #[error("G12: certificate {index} has certificate type {found}, expected {expected}")]
    CertType {
        /// Index of the certificate.
        index: usize,
        /// Value found.
        found: u32,
        /// Value expected.
        expected: u32,
    },
    /// I1: the issuer's chain is for another group, or the subject is empty.
    #[error("I1: {reason}")]
    IssuanceSubject {
        /// What is wrong.
        reason: &'static str,
    },
    /// I1/S7: a friendly name longer than 255 characters.
    #[error("I1: friendly name is {len} characters; at most 255 are allowed")]
    FriendlyNameTooLong {
        /// Length in UTF-16 code units.
        len: usize,
    },
    /// I2: the subject key is too small or invalid for the profile, or differs from the cached GMC key.
    #[error("I2: subject public key rejected: {reason}")]
    IssuanceKey {
        /// What is wrong.
        reason: &'static str,
    },
    /// I3: a requested role is not defined or not issuable by the issuer.
    #[error("I3: the issuer cannot issue role {role}")]
    IssuanceRole {
        /// The role (GUID text).
        role: String,
    },
    /// I4: the new validity is not inside the issuer's validity.
    #[error("I4: the requested validity is not within the issuer's validity")]
    IssuanceValidity,
    /// I6: the password-join issuer lacks Admin / Inviting Member, or password auth is disabled.
    #[error("I6: {reason}")]
    PasswordIssuer {
        /// What is wrong.
        reason: &'static str,
    },
    /// I8: the role for password joins is not Administrator or Member.
    #[error("I8: role {role} cannot be the role for password joins")]
    PasswordRole {
        /// The role (GUID text).
        role: String,
    },
    /// Ordering: the certificates link in a cycle (facade: PEER_E_CIRCULAR_CHAIN_DETECTED).
    #[error("chain order: certificates link in a cycle (certificate {index})")]
    CircularChain {
        /// Index, in the input, of a certificate on the cycle.
        index: usize,
    },
    /// Ordering: the same certificate appears twice.
    #[error("chain order: certificate {index} is a duplicate of certificate {first}")]
    DuplicateCertificate {
        /// Index of the duplicate in the input.
        index: usize,
        /// Index of the first occurrence.
        first: usize,
    },
    /// Ordering: a certificate that does not link into the single root-to-leaf path.
    #[error("chain order: certificate {index} does not belong to the chain")]
    ForeignCertificate {
        /// Index in the input.
        index: usize,
    },
    /// Ordering: a certificate could not be parsed.
    #[error("chain order: certificate {index} is malformed: {reason}")]
    MalformedInChain {
        /// Index in the input.
        index: usize,
        /// What went wrong.
        reason: String,
    },
    // ---- PKCS#12, PKCS#7, PKCS#8 ----
    /// The password does not open this PFX / EncryptedPrivateKeyInfo.
    ///
    /// The facade maps this to `HRESULT_FROM_WIN32(ERROR_INVALID_PASSWORD)` (0x80070056).
    /// For a PFX it is reported when the MAC fails *and* no encrypted part decrypts to
    /// well-formed DER under the password (see `docs/FORMATS.md`).
    #[error("the password is not correct (or the data is damaged beyond telling the two apart)")]
    InvalidPassword,
    /// A caller passed something the writer cannot encode (no certificate, zero
    /// iterations, a certificate that is not one DER SEQUENCE, …).
    #[error("invalid argument: {0}")]
    InvalidPkcsArgument(&'static str),
    /// An iteration count (MAC, PBES1, PBKDF2) is above [`crate::pkcs12::MAX_ITERATIONS`];
    /// refused before any key derivation is run.
    #[error(
        "iteration count {iterations} is above the limit of {max}; re-export the file with fewer iterations"
    )]
    IterationCountTooHigh {
        /// The count found (saturated at `u64::MAX`).
        iterations: u64,
        /// The limit.
        max: u32,
    },
    /// Malformed DER/BER in a PFX, PKCS#7 bundle or EncryptedPrivateKeyInfo.
    #[error("malformed PKCS#12/PKCS#7/PKCS#8 data: {0}")]
    MalformedPkcs(&'static str),
    /// The PFX's integrity MAC does not verify although the password is right (some
    /// encrypted part decrypted to well-formed data): the file was altered.
    #[error("PKCS#12: integrity check failed (the file was modified or damaged)")]
    PfxIntegrityCheckFailed,
    /// The PFX's key does not belong to any of its certificates (SubjectPublicKeyInfo
    /// comparison), or the key handed to the writer does not match the first certificate.
    #[error(
        "PKCS#12: the private key does not match the certificate (the key's own certificate must be in the file, first when writing)"
    )]
    PfxKeyCertificateMismatch,
    /// The PFX holds more than one private key.
    #[error("PKCS#12: more than one private key; export one identity per file")]
    PfxMultipleKeys,
    /// The PFX holds no certificate.
    #[error("PKCS#12: no certificate; export the key together with its certificate")]
    PfxNoCertificate,
    /// The PFX has no password-integrity MAC (unprotected or public-key integrity mode).
    #[error(
        "PKCS#12: no password integrity MAC (unprotected or public-key integrity mode); re-export with a password"
    )]
    PfxNoMac,
    /// The PFX holds no private key.
    #[error("PKCS#12: no private key; export the certificate together with its private key")]
    PfxNoPrivateKey,
    /// A PKCS#7 bundle (or a list handed to the encoder) holds the same certificate twice.
    #[error("PKCS#7: certificate {index} is a duplicate of an earlier one")]
    PkcsDuplicateCertificate {
        /// Zero-based position of the second copy.
        index: usize,
    },
    /// Input above the size cap.
    #[error("input of {len} bytes is above the {max}-byte limit")]
    PkcsInputTooLarge {
        /// Bytes received.
        len: usize,
        /// The cap.
        max: usize,
    },
    /// The operating system's random number generator failed.
    #[error("the system random number generator failed")]
    PkcsRandomFailure,
    /// More certificates than the cap allows.
    #[error("{count} certificates are above the limit of {max}")]
    PkcsTooManyCertificates {
        /// Certificates found.
        count: usize,
        /// The cap.
        max: usize,
    },
    /// An algorithm, content type or key type that this implementation does not support.
    #[error("unsupported {what}: {oid} (see docs/FORMATS.md for the algorithms read)")]
    UnsupportedPkcsAlgorithm {
        /// What the OID names (cipher, MAC digest, PRF, content type, key algorithm, …).
        what: &'static str,
        /// The OID in dotted form.
        oid: String,
    },
}

impl Error {
    /// The rule id of `spec/certificates.md` §5 (S1–S15, P1–P12, G1–G12, I1–I8) that this
    /// error reports, if it reports one. Used by tests and `docs/CONFORMANCE.md`.
    pub fn rule(&self) -> Option<&'static str> {
        Some(match self {
            Error::ChainTooLong { .. } => "S1",
            Error::EmptyChain => "P1",
            Error::CertificateVersion { .. } => "S2",
            Error::SignatureAlgorithm { .. } => "S3",
            Error::SerialNumber { .. } => "S4",
            Error::UniqueId { .. } => "S5",
            Error::KeyAlgorithm { .. } => "S6",
            Error::NameTooLong { .. } => "S7",
            Error::AltName { .. } => "S8",
            Error::UnknownCriticalExtension { .. } => "S9",
            Error::CertTypeExtension { .. } => "S10",
            Error::CertVersionExtension { .. } => "S11",
            Error::PeerNameExtension { .. } => "S12",
            Error::RoleExtension { .. } => "S13",
            Error::ClassifierExtension { .. } => "S14",
            Error::EmptyClassifierList { .. } => "S15",
            Error::ChainLink { .. } => "P3",
            Error::Expired { .. } | Error::NotYetValid { .. } => "P4",
            Error::ClassifierSyntax { .. } => "P5",
            Error::ClassifierDelegation { .. } => "P6",
            Error::NotSelfSigned { .. } => "P7",
            Error::RootType => "P8",
            Error::RootAuthorityMismatch => "P9",
            Error::LeafKeyMismatch => "P10",
            Error::PeerNameMismatch { .. } => "P11",
            Error::ClassifierNotDelegated { .. } => "P12",
            Error::Signature { .. } => "G3",
            Error::GroupMismatch { .. } => "G4",
            Error::NotMembershipCertificate { .. } => "G6",
            Error::RoleNotIssuable { .. } => "G8",
            Error::ExtendedKeyUsage { .. } => "G10",
            Error::Flags { .. } => "G11",
            Error::CertType { .. } => "G12",
            Error::IssuanceSubject { .. } | Error::FriendlyNameTooLong { .. } => "I1",
            Error::IssuanceKey { .. } => "I2",
            Error::IssuanceRole { .. } => "I3",
            Error::IssuanceValidity => "I4",
            Error::PasswordIssuer { .. } => "I6",
            Error::PasswordRole { .. } => "I8",
            _ => return None,
        })
    }
}

impl Error {
    /// The Windows error name the facade is expected to report for this error (a hint;
    /// the facade owns the mapping, `spec/api.md` §6): peer-name syntax →
    /// `PEER_E_INVALID_PEER_NAME` / `PEER_E_INVALID_CLASSIFIER` / `PEER_E_CLASSIFIER_TOO_LONG`;
    /// S1/I5 → `PEER_E_CHAIN_TOO_LONG`; cycles → `PEER_E_CIRCULAR_CHAIN_DETECTED`; I3/I8 →
    /// `PEER_E_INVALID_ROLE_PROPERTY`; I1/I2/I4 → `PEER_E_INVALID_CREDENTIAL_INFO`; I6 →
    /// `PEER_E_NOT_AUTHORIZED`; every other chain rule → `PEER_E_INVALID_CREDENTIAL`.
    pub fn peer_error_hint(&self) -> Option<&'static str> {
        Some(match self {
            Error::InvalidPeerName { .. } => "PEER_E_INVALID_PEER_NAME",
            Error::InvalidClassifier { .. } => "PEER_E_INVALID_CLASSIFIER",
            Error::ClassifierTooLong { .. } => "PEER_E_CLASSIFIER_TOO_LONG",
            Error::ChainTooLong { .. } => "PEER_E_CHAIN_TOO_LONG",
            Error::CircularChain { .. } => "PEER_E_CIRCULAR_CHAIN_DETECTED",
            Error::IssuanceRole { .. } | Error::PasswordRole { .. } => {
                "PEER_E_INVALID_ROLE_PROPERTY"
            }
            Error::IssuanceSubject { .. }
            | Error::FriendlyNameTooLong { .. }
            | Error::IssuanceKey { .. }
            | Error::IssuanceValidity => "PEER_E_INVALID_CREDENTIAL_INFO",
            Error::PasswordIssuer { .. } => "PEER_E_NOT_AUTHORIZED",
            Error::DuplicateCertificate { .. }
            | Error::ForeignCertificate { .. }
            | Error::MalformedInChain { .. }
            | Error::MalformedCertificate { .. }
            | Error::BadSignature => "PEER_E_INVALID_CREDENTIAL",
            e if e.rule().is_some() => "PEER_E_INVALID_CREDENTIAL",
            _ => return None,
        })
    }
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
