//! The facade's one error type: every failure carries the Windows HRESULT p2p.dll documents
//! for that case, a sentence a person can act on, and the lower crate's error as `source()`.

use std::fmt;

use crate::hresult::{self as hr, HResult};

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every way a facade call can fail.
///
/// [`Error::hresult`] gives the Windows code (the HRESULT the p2p.h page
/// of the function documents); `Display` prints
/// `NAME (0xXXXXXXXX): <what happened and what to do>`; [`std::error::Error::source`]
/// gives the lower crate's error when there is one. Messages never contain passwords or
/// key material.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A failure detected by the facade itself (argument checks, authorization, state).
    Api {
        /// The HRESULT.
        code: HResult,
        /// What happened and what to do.
        message: String,
    },
    /// A failure of the store (`peernet-storage`).
    Storage {
        /// The HRESULT chosen for this call.
        code: HResult,
        /// What happened and what to do.
        message: String,
        /// The store's error.
        source: Box<peernet_storage::Error>,
    },
    /// A failure of certificates, keys, chains, PKCS#12/#7/#8 (`peernet-crypto`).
    Crypto {
        /// The HRESULT chosen for this call.
        code: HResult,
        /// What happened and what to do.
        message: String,
        /// The crypto error.
        source: Box<peernet_crypto::Error>,
    },
    /// A failure reading or writing an XML document (`peernet-protocol`).
    Xml {
        /// The HRESULT chosen for this call.
        code: HResult,
        /// What happened and what to do.
        message: String,
        /// The XML error.
        source: Box<peernet_protocol::Error>,
    },
}

impl Error {
    /// The Windows HRESULT of this failure.
    pub fn hresult(&self) -> HResult {
        match self {
            Error::Api { code, .. }
            | Error::Storage { code, .. }
            | Error::Crypto { code, .. }
            | Error::Xml { code, .. } => *code,
        }
    }

    /// The message without the HRESULT prefix.
    pub fn message(&self) -> &str {
        match self {
            Error::Api { message, .. }
            | Error::Storage { message, .. }
            | Error::Crypto { message, .. }
            | Error::Xml { message, .. } => message,
        }
    }

    pub(crate) fn api(code: HResult, message: impl fmt::Display) -> Error {
        Error::Api {
            code,
            message: message.to_string(),
        }
    }

    pub(crate) fn invalid_arg(message: impl fmt::Display) -> Error {
        Error::api(hr::E_INVALIDARG, message)
    }

    /// A store error with its documented HRESULT (docs/STORAGE.md "Error mapping").
    pub(crate) fn storage(source: peernet_storage::Error) -> Error {
        let code = storage_code(&source);
        let message = match &source {
            peernet_storage::Error::NotFound { what } => format!("no {what} in this store"),
            peernet_storage::Error::AlreadyExists { what } => {
                format!("{what} already exists in this store")
            }
            peernet_storage::Error::NoKeyAccess { .. } => {
                format!("{source}; check the store directory's owner and permissions")
            }
            peernet_storage::Error::Corrupted { .. } => {
                format!("{source}; restore the store from a backup")
            }
            _ => source.to_string(),
        };
        Error::Storage {
            code,
            message,
            source: Box::new(source),
        }
    }

    /// A store error with a chosen code and message.
    pub(crate) fn storage_as(
        code: HResult,
        message: impl fmt::Display,
        source: peernet_storage::Error,
    ) -> Error {
        Error::Storage {
            code,
            message: message.to_string(),
            source: Box::new(source),
        }
    }

    /// A crypto error with the code its [`peernet_crypto::ErrorKind`] names, else
    /// `fallback` (the code of the call). Arguments in the order of [`Error::crypto_as`].
    pub(crate) fn crypto(
        fallback: HResult,
        context: impl fmt::Display,
        source: impl Into<peernet_crypto::Error>,
    ) -> Error {
        let source = source.into();
        let code = crypto_code(&source).unwrap_or(fallback);
        Error::crypto_as(code, context, source)
    }

    /// A crypto error with a chosen code; the message is `context: <crypto error>` (a
    /// chain error's text already starts with its rule id, e.g. `S1: …`).
    pub(crate) fn crypto_as(
        code: HResult,
        context: impl fmt::Display,
        source: impl Into<peernet_crypto::Error>,
    ) -> Error {
        let source = source.into();
        Error::Crypto {
            code,
            message: format!("{context}: {source}"),
            source: Box::new(source),
        }
    }

    /// An XML error; `malformed` is the code this call uses for a malformed document.
    pub(crate) fn xml(
        context: impl fmt::Display,
        source: peernet_protocol::Error,
        malformed: HResult,
    ) -> Error {
        use peernet_protocol::ErrorKind;
        let code = match source.kind() {
            ErrorKind::UnsupportedVersion => hr::PEER_E_UNSUPPORTED_VERSION,
            ErrorKind::InvalidSearch => hr::PEER_E_INVALID_SEARCH,
            ErrorKind::InvalidAttributes => hr::PEER_E_INVALID_ATTRIBUTES,
            ErrorKind::InvalidArg => hr::E_INVALIDARG,
            _ => malformed,
        };
        Error::Xml {
            code,
            message: format!("{context}: {source}"),
            source: Box::new(source),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.hresult(), self.message())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Api { .. } => None,
            Error::Storage { source, .. } => Some(&**source),
            Error::Crypto { source, .. } => Some(&**source),
            Error::Xml { source, .. } => Some(&**source),
        }
    }
}

/// The HRESULT of a store error (docs/STORAGE.md).
pub(crate) fn storage_code(e: &peernet_storage::Error) -> HResult {
    use peernet_storage::Error as S;
    match e {
        S::AlreadyExists { .. } => hr::PEER_E_ALREADY_EXISTS,
        S::CloudNameAmbiguous { .. } => hr::PEER_E_CLOUD_NAME_AMBIGUOUS,
        S::Corrupted { .. } => hr::PEER_E_CERT_STORE_CORRUPTED,
        S::DbInitialization { .. } => hr::PEER_E_DBINITIALIZATION_FAILED,
        S::GroupsExist { .. } => hr::PEER_E_GROUPS_EXIST,
        S::InvalidInput { .. } => hr::E_INVALIDARG,
        S::NoCloud { .. } => hr::PEER_E_NO_CLOUD,
        S::NoKeyAccess { .. } => hr::PEER_E_NO_KEY_ACCESS,
        S::NotFound { .. } => hr::PEER_E_NOT_FOUND,
        S::RecordNotFound { .. } => hr::PEER_E_RECORD_NOT_FOUND,
        S::RecordTooLarge { .. } => hr::PEER_E_MAX_RECORD_SIZE_EXCEEDED,
        S::RecordVersionConflict { .. } => hr::PEER_E_INVALID_RECORD,
        S::DatabaseMismatch { .. } | S::InvalidDatabase { .. } => hr::PEER_E_INVALID_DATABASE,
        S::Io { source, .. } => HResult::from_io(source),
        _ => hr::E_FAIL,
    }
}

/// The HRESULT of a crypto error's kind; `None` when the kind has no code of its own.
pub(crate) fn crypto_code(e: &peernet_crypto::Error) -> Option<HResult> {
    use peernet_crypto::ErrorKind as K;
    Some(match e.kind() {
        K::InvalidPeerName => hr::PEER_E_INVALID_PEER_NAME,
        K::InvalidClassifier => hr::PEER_E_INVALID_CLASSIFIER,
        K::ClassifierTooLong => hr::PEER_E_CLASSIFIER_TOO_LONG,
        K::ChainTooLong => hr::PEER_E_CHAIN_TOO_LONG,
        K::CircularChain => hr::PEER_E_CIRCULAR_CHAIN_DETECTED,
        K::InvalidRoleProperty => hr::PEER_E_INVALID_ROLE_PROPERTY,
        K::InvalidCredentialInfo => hr::PEER_E_INVALID_CREDENTIAL_INFO,
        K::NotAuthorized => hr::PEER_E_NOT_AUTHORIZED,
        K::InvalidCredential => hr::PEER_E_INVALID_CREDENTIAL,
        K::InvalidPassword => hr::ERROR_INVALID_PASSWORD,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_has_name_value_and_sentence() {
        let e = Error::api(hr::PEER_E_NOT_FOUND, "no identity named 'x' in store '/s'");
        assert_eq!(
            e.to_string(),
            "PEER_E_NOT_FOUND (0x80070490): no identity named 'x' in store '/s'"
        );
        assert_eq!(e.hresult(), hr::PEER_E_NOT_FOUND);
    }

    #[test]
    fn kinds_resolve_to_codes() {
        let e = peernet_crypto::ChainError::ChainTooLong { len: 26 }.into();
        assert_eq!(crypto_code(&e), Some(hr::PEER_E_CHAIN_TOO_LONG));
        assert_eq!(
            crypto_code(&peernet_crypto::PkcsError::InvalidPassword.into()),
            Some(hr::ERROR_INVALID_PASSWORD)
        );
        // The rule id is in the message once, from the chain error's own text.
        let e = Error::crypto(hr::E_FAIL, "ctx", peernet_crypto::ChainError::RootType);
        assert_eq!(e.hresult(), hr::PEER_E_INVALID_CREDENTIAL);
        assert_eq!(e.message().matches("P8").count(), 1, "{e}");
        assert!(e.message().starts_with("ctx: P8: "), "{e}");
        let e = Error::crypto(hr::E_FAIL, "ctx", peernet_crypto::PkcsError::PfxNoMac);
        assert_eq!(e.hresult(), hr::E_FAIL);
    }

    #[test]
    fn error_is_send_sync() {
        fn f<T: Send + Sync + 'static>() {}
        f::<Error>();
    }
}
