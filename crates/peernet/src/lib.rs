//! The Windows Peer Identity Manager and Peer Grouping API in Rust, with HRESULT errors.
//!
//! [`Peernet`] is the context (a store directory, a clock, options); its methods carry the
//! Windows function names (`PeerIdentityCreate` → [`Peernet::identity_create`],
//! `PeerGroupOpen` → [`Peernet::group_open`], …) and a [`Group`] handle carries the
//! per-group ones (`PeerGroupCreateInvitation` → [`Group::create_invitation`], …).
//! Every failure is an [`Error`] with the HRESULT p2p.dll documents ([`Error::hresult`]).
//! `docs/API.md` maps every function.
//!
//! ```
//! # fn main() -> Result<(), peernet::Error> {
//! use peernet::{GroupProperties, Peernet, Profile, Role};
//! // Two computers: two stores.
//! let (a_dir, b_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
//! let a = Peernet::open(a_dir.path())?;
//! let b = Peernet::open(b_dir.path())?;
//! let alice = a.identity_create(Some("alice"), Some("Alice"), Some(Profile::Windows))?;
//! let bob = b.identity_create(Some("bob"), Some("Bob"), Some(Profile::Windows))?;
//! // Alice creates a group and invites Bob, who sent her his PEERIDENTITYINFO.
//! let group = a.group_create(&GroupProperties::new("chat", "Chat").with_creator(&alice))?;
//! let invitation = group.create_invitation(&b.identity_get_xml(Some(&bob))?, None, &[Role::MEMBER])?;
//! let info = b.group_parse_invitation(&invitation)?;
//! assert_eq!(info.group_peer_name, group.peer_name());
//! let joined = b.group_join(Some(&bob), &invitation, None)?;
//! assert_eq!(joined.roles(), vec![Role::MEMBER]);
//! # Ok(()) }
//! ```

mod config;
mod context;
mod error;
mod events;
mod group;
pub mod hresult;
mod identity;
mod invitation;
mod records;
pub mod secret;

pub use config::ImportedConfig;
pub use context::{
    Clock, Options, PEER_GROUP_VERSION, Peernet, VersionData, password_hash_string, startup,
};
pub use error::{Error, Result};
pub use events::{
    EXPIRY_SWEEP_INTERVAL, EventData, EventHandle, EventRegistration, GroupEvent, MemberChangeType,
    PEER_GROUP_EVENT_AUTHENTICATION_FAILED, PEER_GROUP_EVENT_CONNECTION_FAILED,
    PEER_GROUP_EVENT_DIRECT_CONNECTION, PEER_GROUP_EVENT_INCOMING_DATA,
    PEER_GROUP_EVENT_MEMBER_CHANGED, PEER_GROUP_EVENT_NEIGHBOR_CONNECTION,
    PEER_GROUP_EVENT_PROPERTY_CHANGED, PEER_GROUP_EVENT_RECORD_CHANGED,
    PEER_GROUP_EVENT_STATUS_CHANGED, RecordChangeType,
};
pub use group::{
    CloudInfo, DEFAULT_MEMBER_DATA_LIFETIME, Group, GroupProperties, GroupStatus,
    MAX_GROUP_CLASSIFIER_LEN, MAX_GROUP_TEXT_LEN, MAX_MEMBER_DATA_LIFETIME,
    MIN_MEMBER_DATA_LIFETIME, MIN_PRESENCE_LIFETIME, MembershipStatus, PEER_DEFER_EXPIRATION,
    PEER_DISABLE_PRESENCE, PEER_GROUP_GMC_AUTHENTICATION, PEER_GROUP_PASSWORD_AUTHENTICATION,
    PEER_GROUP_STATUS_HAS_CONNECTIONS, PEER_GROUP_STATUS_LISTENING, PEER_MEMBER_DATA_OPTIONAL,
    PNRP_CLOUD_NAME_LOCAL,
};
pub use hresult::HResult;
pub use identity::{
    IdentityDetails, IdentityKey, MAX_FRIENDLY_NAME_LEN, NamePair, create_peer_name,
};
pub use invitation::{CredentialInfo, InvitationInfo, IssueFlags, JoinOutcome, parse_invitation};
pub use records::{
    AUTOREFRESH_MIN_LIFETIME, Guid, Member, MemberCredentials, PEER_MEMBER_PRESENT,
    PEER_RECORD_FLAG_AUTOREFRESH, PEER_RECORD_FLAG_DELETED, RECORD_SIGNATURE_CONTEXT,
    RECORD_SIGNATURE_VERSION, RESERVED_RECORD_TYPES, Record, from_filetime, to_filetime,
};
pub use secret::Secret;

// Types of the lower crates that appear in this API.
pub use peernet_crypto::{PeerName, Profile, Role};
pub use peernet_protocol::{InvitationVersion, ParseGuidError, Scope};
pub use peernet_storage::{Cloud, CloudScope};

/// The lower crates, for callers who need their full API (e.g. to inspect an error source).
pub mod lower {
    pub use peernet_crypto as crypto;
    pub use peernet_protocol as protocol;
    pub use peernet_storage as storage;
}
