//! C ABI with the Windows `p2p.h` names, backed by peernet.
//!
//! Applications written against the Windows Peer Identity Manager and Peer Grouping API
//! include `include/p2p.h` and link `libpeernet_capi` (cdylib or staticlib). See
//! `docs/CAPI.md` for building, linking, UTF-16 strings, memory ownership and the
//! compatibility table.
//!
//! Two layers: each topic module holds its `#[unsafe(no_mangle)] extern "C"` functions,
//! which check their arguments and call the `peernet` facade directly. The facade method
//! an export calls usually has the Windows name in snake case (`PeerGroupGetProperties`
//! → `Group::get_properties`; `docs/CAPI.md` lists the exceptions and says where a new
//! Windows function goes).
//!
//! - `identity`: `PeerIdentity*`, `PeerEnumIdentities`, `PeerEnumGroups`,
//!   `PeerCreatePeerName`;
//! - `group`: `PeerGroupCreate` … `PeerGroupPeerTimeToUniversalTime` and the `HGROUP`
//!   table;
//! - `records`: records, members and the group database;
//! - `events`: `PeerGroupRegisterEvent` … `PeernetWaitForGroupEvent` and `HPEEREVENT`;
//! - `enumeration`: `HPEERENUM` (`PeerGetItemCount`, `PeerGetNextItem`,
//!   `PeerEndEnumeration`);
//! - `memory`: `PeerFreeData` and the block builder every result is made with;
//! - `startup`: `PeerGroupStartup` / `PeerGroupShutdown`;
//! - shared: `ffi` (panic boundary, argument and out-pointer helpers), `wide` (UTF-16),
//!   `convert` (GUIDs, public keys), `handles` (handle tables), `context` (the store);
//! - [`types`]: `#[repr(C)]` mirrors of the header's structures, constants, role GUIDs.
//!
//! Only [`types`] and the exported functions (re-exported here, for Rust callers of the
//! rlib such as this crate's tests) are public.
//!
//! `unsafe` is allowed in this crate only; every block carries a `// SAFETY:` comment.
#![allow(non_snake_case)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod connection;
mod context;
mod convert;
mod enumeration;
mod events;
mod ffi;
mod group;
mod handles;
mod identity;
mod memory;
mod records;
mod startup;
pub mod types;
mod wide;

#[cfg(test)]
mod tests;

pub use connection::{PeerGroupConnectByAddress, PeerGroupEnumConnections};
pub use enumeration::{PeerEndEnumeration, PeerGetItemCount, PeerGetNextItem};
pub use events::{
    PeerGroupGetEventData, PeerGroupRegisterEvent, PeerGroupUnregisterEvent,
    PeernetWaitForGroupEvent,
};
pub use group::{
    PeerGroupClose, PeerGroupConnect, PeerGroupCreate, PeerGroupCreateInvitation,
    PeerGroupCreatePasswordInvitation, PeerGroupDelete, PeerGroupExportConfig,
    PeerGroupGetProperties, PeerGroupGetStatus, PeerGroupImportConfig, PeerGroupIssueCredentials,
    PeerGroupJoin, PeerGroupOpen, PeerGroupParseInvitation, PeerGroupPasswordJoin,
    PeerGroupPeerTimeToUniversalTime, PeerGroupSetProperties, PeerGroupUniversalTimeToPeerTime,
};
pub use identity::{
    PeerCreatePeerName, PeerEnumGroups, PeerEnumIdentities, PeerIdentityCreate, PeerIdentityDelete,
    PeerIdentityExport, PeerIdentityGetCryptKey, PeerIdentityGetDefault,
    PeerIdentityGetFriendlyName, PeerIdentityGetXML, PeerIdentityImport,
    PeerIdentitySetFriendlyName,
};
pub use memory::PeerFreeData;
pub use records::{
    PeerGroupAddRecord, PeerGroupDeleteRecord, PeerGroupEnumMembers, PeerGroupEnumRecords,
    PeerGroupExportDatabase, PeerGroupGetRecord, PeerGroupImportDatabase, PeerGroupSearchRecords,
    PeerGroupUpdateRecord,
};
pub use startup::{PeerGroupShutdown, PeerGroupStartup};
