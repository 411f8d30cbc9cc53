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
mod database;
mod error;
mod events;
mod group;
pub mod hresult;
mod identity;
mod invitation;
mod join;
mod members;
pub mod node;
mod records;
pub mod replication;
pub mod secret;
mod time;

pub use config::ImportedConfig;
pub use context::{Clock, Options, PEER_GROUP_VERSION, Peernet, VersionData, startup};
pub use error::{Error, Result};
pub use events::{
    ConnectionStatus, EventData, EventHandle, EventRegistration, GroupEvent, MAX_QUEUED_DATA,
    MemberChangeType, QUEUED_DATA_OVERHEAD, RecordChangeType,
};
pub use group::from_peer_address;
pub use group::{CloudInfo, Group, GroupProperties, GroupStatus, MembershipStatus};
pub use hresult::HResult;
pub use identity::{IdentityDetails, IdentityKey, NamePair, create_peer_name};
pub use invitation::{CredentialInfo, InvitationInfo, IssueFlags, parse_invitation};
pub use join::JoinOutcome;
pub use members::{Member, MemberCredentials};
pub use node::{
    Connection, MAX_DATA, NodeLaunch, PEER_CONNECTION_DIRECT, PEER_CONNECTION_NEIGHBOR,
};
pub use records::{Guid, Record};
pub use secret::{Secret, password_hash_string};
pub use time::{from_filetime, to_filetime};

/// `PEER_GROUP_EVENT_TYPE` values (`p2p.h`), the one set every layer uses (defined in
/// `peernet_storage::event_type`, whose change log stores them).
pub mod event {
    pub use peernet_storage::event_type::*;
}

/// Flag values of `p2p.h` and `pnrpdef.h`: group property, status, record, member and
/// cloud flags.
pub mod flags {
    pub use crate::group::{
        PEER_DEFER_EXPIRATION, PEER_DISABLE_PRESENCE, PEER_GROUP_GMC_AUTHENTICATION,
        PEER_GROUP_PASSWORD_AUTHENTICATION, PEER_GROUP_STATUS_HAS_CONNECTIONS,
        PEER_GROUP_STATUS_LISTENING, PEER_MEMBER_DATA_OPTIONAL, PNRP_CLOUD_NAME_LOCAL,
    };
    pub use crate::members::PEER_MEMBER_PRESENT;
    pub use crate::records::{PEER_RECORD_FLAG_AUTOREFRESH, PEER_RECORD_FLAG_DELETED};
}

/// Length limits and lifetimes the API enforces.
pub mod limits {
    pub use crate::events::EXPIRY_SWEEP_INTERVAL;
    pub use crate::group::{
        DEFAULT_MEMBER_DATA_LIFETIME, MAX_GROUP_CLASSIFIER_LEN, MAX_GROUP_TEXT_LEN,
        MAX_MEMBER_DATA_LIFETIME, MIN_MEMBER_DATA_LIFETIME, MIN_PRESENCE_LIFETIME,
    };
    pub use crate::identity::MAX_FRIENDLY_NAME_LEN;
    pub use crate::records::AUTOREFRESH_MIN_LIFETIME;
}

/// Record signatures and the record types the grouping protocols reserve.
pub mod record {
    pub use crate::records::{
        RECORD_SIGNATURE_CONTEXT, RECORD_SIGNATURE_VERSION, RESERVED_RECORD_TYPES,
    };
}

// Kept at the root for the callers in other crates (CLI, C ABI); new code names the
// modules above.
pub use event::{
    PEER_GROUP_EVENT_MEMBER_CHANGED, PEER_GROUP_EVENT_PROPERTY_CHANGED,
    PEER_GROUP_EVENT_RECORD_CHANGED, PEER_GROUP_EVENT_STATUS_CHANGED,
};
pub use flags::{PEER_GROUP_PASSWORD_AUTHENTICATION, PEER_MEMBER_PRESENT, PNRP_CLOUD_NAME_LOCAL};
pub use limits::MIN_PRESENCE_LIFETIME;

// Types of the lower crates that appear in this API.
pub use peernet_crypto::{PeerName, Profile, Role};
pub use peernet_protocol::{InvitationVersion, ParseGuidError, Scope};
pub use peernet_storage::{Cloud, CloudScope};

/// The lower crates, for callers who need their full API (e.g. to inspect an error source).
pub mod lower {
    pub use peernet_crypto as crypto;
    pub use peernet_net as net;
    pub use peernet_protocol as protocol;
    pub use peernet_storage as storage;
}
