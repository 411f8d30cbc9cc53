//! The crate's one error type.

/// Everything that can go wrong in `peernet-crypto`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ---- peer names, keys, profiles, certificates, chains ----

    // ---- PKCS#12, PKCS#7, PKCS#8 ----
    /// The password does not open this PFX / EncryptedPrivateKeyInfo.
    ///
    /// The facade maps this to `HRESULT_FROM_WIN32(ERROR_INVALID_PASSWORD)` (0x80070056).
    /// For a PFX it is reported when the MAC fails *and* no encrypted part decrypts to
    /// well-formed DER under the password (see `docs/FORMATS.md`).
    #[error("the password is not correct")]
    InvalidPassword,
    /// A caller passed something the writer cannot encode (no certificate, zero
    /// iterations, a certificate that is not one DER SEQUENCE, …).
    #[error("invalid argument: {0}")]
    InvalidPkcsArgument(&'static str),
    /// An iteration count (MAC, PBES1, PBKDF2) is above [`crate::pkcs12::MAX_ITERATIONS`];
    /// refused before any key derivation is run.
    #[error("iteration count {iterations} is above the limit of {max}")]
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
    #[error("PKCS#12: the private key does not match the certificate")]
    PfxKeyCertificateMismatch,
    /// The PFX holds more than one private key.
    #[error("PKCS#12: more than one private key")]
    PfxMultipleKeys,
    /// The PFX holds no certificate.
    #[error("PKCS#12: no certificate")]
    PfxNoCertificate,
    /// The PFX has no password-integrity MAC (unprotected or public-key integrity mode).
    #[error("PKCS#12: no password integrity MAC")]
    PfxNoMac,
    /// The PFX holds no private key.
    #[error("PKCS#12: no private key")]
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
    #[error("{count} certificates is above the limit of {max}")]
    PkcsTooManyCertificates {
        /// Certificates found.
        count: usize,
        /// The cap.
        max: usize,
    },
    /// An algorithm, content type or key type that this implementation does not support.
    #[error("unsupported {what}: {oid}")]
    UnsupportedPkcsAlgorithm {
        /// What the OID names (cipher, MAC digest, PRF, content type, key algorithm, …).
        what: &'static str,
        /// The OID in dotted form.
        oid: String,
    },
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
