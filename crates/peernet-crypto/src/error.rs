//! The crate's one error type.

/// Everything that can go wrong in `peernet-crypto`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ---- peer names, keys, profiles, certificates, chains ----

    // ---- PKCS#12, PKCS#7, PKCS#8 ----
}

/// Result alias for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
