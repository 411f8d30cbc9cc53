//! PKCS#12 (PFX), PKCS#7 certs-only bundles and PKCS#8 EncryptedPrivateKeyInfo (the
//! `GROUPKEY` element), with the password-based encryption they share.
//!
//! This half of the crate depends on the certificate half for nothing but the ASN.1 layer
//! (`asn1`): it reads with the BER reader, writes with the shared DER writer and
//! takes its OIDs from [`crate::oid`]. Every function here fails with [`PkcsError`].

pub mod encrypted_key;
mod pbe;
pub mod pkcs12;
pub mod pkcs7;

/// Result alias of the PKCS modules.
pub type Result<T, E = PkcsError> = std::result::Result<T, E>;

/// Everything that can go wrong reading or writing a PFX, a PKCS#7 bundle or an
/// EncryptedPrivateKeyInfo.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PkcsError {
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
    InvalidArgument(&'static str),
    /// An iteration count (MAC, PBES1, PBKDF2) is above [`super::pkcs12::MAX_ITERATIONS`];
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
    Malformed(&'static str),
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
    DuplicateCertificate {
        /// Zero-based position of the second copy.
        index: usize,
    },
    /// Input above the size cap.
    #[error("input of {len} bytes is above the {max}-byte limit")]
    InputTooLarge {
        /// Bytes received.
        len: usize,
        /// The cap.
        max: usize,
    },
    /// The operating system's random number generator failed.
    #[error("the system random number generator failed")]
    RandomFailure,
    /// More certificates than the cap allows.
    #[error("{count} certificates are above the limit of {max}")]
    TooManyCertificates {
        /// Certificates found.
        count: usize,
        /// The cap.
        max: usize,
    },
    /// An algorithm, content type or key type that this implementation does not support.
    #[error("unsupported {what}: {oid} (see docs/FORMATS.md for the algorithms read)")]
    UnsupportedAlgorithm {
        /// What the OID names (cipher, MAC digest, PRF, content type, key algorithm, …).
        what: &'static str,
        /// The OID in dotted form.
        oid: String,
    },
}

impl PkcsError {
    /// The kind of failure, for the facade's HRESULT mapping.
    pub fn kind(&self) -> crate::ErrorKind {
        match self {
            PkcsError::InvalidPassword => crate::ErrorKind::InvalidPassword,
            _ => crate::ErrorKind::Other,
        }
    }
}
