//! The crate's one error type: API errors and the reasons a connection is refused.
//!
//! Each variant documents the HRESULT the facade reports for it (names as in p2p.h and
//! winerror.h; the facade owns the numeric table).

/// Everything that can go wrong in `peernet-net`, including every reason a peer's
/// membership proof is refused (carried by [`crate::Event::AuthenticationFailed`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ---- API errors ----
    /// The node key is not a valid ed25519 secret key (facade: E_INVALIDARG).
    #[error("invalid node key")]
    InvalidNodeKey,
    /// The group credentials are not a valid current membership: the chain does not
    /// validate for the group and profile, or the signing key is not the leaf's
    /// (facade: PEER_E_INVALID_CREDENTIAL).
    #[error("invalid group credentials: {0}")]
    InvalidCredentials(String),
    /// No listen address could be bound, not even an ephemeral port
    /// (facade: PEER_E_INVALID_ADDRESS).
    #[error("cannot listen on {address}: {reason}")]
    Listen {
        /// The address.
        address: String,
        /// What the transport said.
        reason: String,
    },
    /// A dial could not be started (facade: PEER_E_CONNECTION_FAILED).
    #[error("cannot dial {address}: {reason}")]
    Dial {
        /// The address.
        address: String,
        /// What the transport said.
        reason: String,
    },
    /// The node's task has ended (facade: PEER_E_NOT_INITIALIZED).
    #[error("the node is not running")]
    NodeStopped,

    // ---- refusals of a connection (AUTHENTICATION_FAILED) ----
    /// The peer did not complete the handshake in time (facade: PEER_E_TIMEOUT).
    #[error("the peer did not complete the membership proof in time")]
    Timeout,
    /// A frame announced more than [`crate::wire::MAX_FRAME_LEN`] bytes
    /// (facade: PEER_E_CONNECTION_NOT_AUTHENTICATED).
    #[error("frame of {len} bytes exceeds the limit")]
    FrameTooLarge {
        /// The announced or encoded length.
        len: usize,
    },
    /// A message is not in the wire format, or not the one expected at this point
    /// (facade: PEER_E_CONNECTION_NOT_AUTHENTICATED).
    #[error("malformed handshake message: {0}")]
    Malformed(&'static str),
    /// The stream ended or failed before the handshake completed
    /// (facade: PEER_E_CONNECTION_FAILED).
    #[error("the handshake stream ended: {0}")]
    StreamClosed(String),
    /// The peer's proof names a group this node has not joined
    /// (facade: PEER_E_CONNECTION_NOT_AUTHENTICATED).
    #[error("not a member of group {0}")]
    UnknownGroup(String),
    /// The peer's chain belongs to another group than the one its proof is for
    /// ([MS-PPSEC] 3.3.5.2.3; facade: PEER_E_CONNECTION_NOT_AUTHENTICATED).
    #[error("the chain is not a membership of the group: {0}")]
    WrongGroup(String),
    /// The peer's chain is expired ([MS-PPSEC] 3.3.5.2.3; facade: PEER_E_INVALID_TIME_PERIOD).
    #[error("the membership chain is expired")]
    Expired,
    /// The peer's chain is not yet valid (facade: PEER_E_INVALID_TIME_PERIOD).
    #[error("the membership chain is not yet valid")]
    NotYetValid,
    /// The peer's chain fails another validation rule (facade: PEER_E_INVALID_CREDENTIAL).
    #[error("invalid membership chain ({}): {reason}", rule.unwrap_or("-"))]
    InvalidChain {
        /// The rule of the chain validation that failed, if it has one.
        rule: Option<&'static str>,
        /// The validation's message.
        reason: String,
    },
    /// The proof's signature does not verify with the chain leaf's key over this
    /// connection's transcript: the sender does not hold the key, or the proof was made
    /// for another connection (facade: PEER_E_CONNECTION_NOT_AUTHENTICATED).
    #[error("the membership proof's signature does not verify for this connection")]
    BadSignature,
    /// The peer opened more handshake streams than this node has groups
    /// (facade: PEER_E_CONNECTION_REFUSED).
    #[error("too many handshake streams")]
    TooManyStreams,
    /// No connection to the peer carries the group's membership proofs, so no group
    /// data may cross (facade: PEER_E_CONNECTION_NOT_AUTHENTICATED).
    #[error("no authenticated connection of group '{0}' to this peer")]
    NotAuthenticated(String),

    // ---- the password join ----
    /// The member refused the password: the joiner's password is not the group's
    /// (facade: ERROR_INVALID_PASSWORD).
    #[error("wrong password for the group")]
    WrongPassword,
    /// The member cannot admit password joiners (no password authentication, not an
    /// Administrator or Inviting Member, or it does not know the password)
    /// (facade: PEER_E_NOT_AUTHORIZED).
    #[error("the member cannot admit password joiners: {0}")]
    JoinRefused(String),
    /// The member accepted the password but could not issue the credentials
    /// (facade: E_FAIL).
    #[error("the member could not issue the credentials: {0}")]
    JoinFailed(String),
}

impl Error {
    /// The HRESULT name the facade reports for this error.
    pub fn hresult_name(&self) -> &'static str {
        match self {
            Error::InvalidNodeKey => "E_INVALIDARG",
            Error::InvalidCredentials(_) | Error::InvalidChain { .. } => {
                "PEER_E_INVALID_CREDENTIAL"
            }
            Error::Listen { .. } => "PEER_E_INVALID_ADDRESS",
            Error::Dial { .. } | Error::StreamClosed(_) => "PEER_E_CONNECTION_FAILED",
            Error::NodeStopped => "PEER_E_NOT_INITIALIZED",
            Error::Timeout => "PEER_E_TIMEOUT",
            Error::Expired | Error::NotYetValid => "PEER_E_INVALID_TIME_PERIOD",
            Error::TooManyStreams => "PEER_E_CONNECTION_REFUSED",
            Error::FrameTooLarge { .. }
            | Error::Malformed(_)
            | Error::UnknownGroup(_)
            | Error::WrongGroup(_)
            | Error::BadSignature
            | Error::NotAuthenticated(_) => "PEER_E_CONNECTION_NOT_AUTHENTICATED",
            Error::WrongPassword => "ERROR_INVALID_PASSWORD",
            Error::JoinRefused(_) => "PEER_E_NOT_AUTHORIZED",
            Error::JoinFailed(_) => "E_FAIL",
        }
    }

    /// Whether this error refuses a peer (raised as
    /// [`crate::Event::AuthenticationFailed`]) rather than an API error.
    pub fn is_refusal(&self) -> bool {
        !matches!(
            self,
            Error::InvalidNodeKey
                | Error::InvalidCredentials(_)
                | Error::Listen { .. }
                | Error::Dial { .. }
                | Error::NodeStopped
        )
    }

    pub(crate) fn io(e: std::io::Error) -> Error {
        Error::StreamClosed(e.to_string())
    }

    /// The refusal for a chain that failed validation (or did not parse).
    pub(crate) fn from_chain(e: impl Into<peernet_crypto::Error>) -> Error {
        use peernet_crypto::ChainError;
        match e.into() {
            peernet_crypto::Error::Chain(ChainError::Expired { .. }) => Error::Expired,
            peernet_crypto::Error::Chain(ChainError::NotYetValid { .. }) => Error::NotYetValid,
            e @ peernet_crypto::Error::Chain(ChainError::GroupMismatch { .. }) => {
                Error::WrongGroup(e.to_string())
            }
            e => Error::InvalidChain {
                rule: e.rule(),
                reason: e.to_string(),
            },
        }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
