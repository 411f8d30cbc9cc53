//! C ABI with the Windows `p2p.h` names, backed by peernet.
//!
//! Applications written against the Windows Peer Identity Manager and Peer Grouping API
//! include `include/p2p.h` and link `libpeernet_capi` (cdylib or staticlib). See
//! `docs/CAPI.md` for building, linking, UTF-16 strings, memory ownership and the
//! compatibility table.
//!
//! Layout of the crate:
//! - [`types`]: `#[repr(C)]` mirrors of the header's structures, constants, role GUIDs;
//! - [`ffi`]: panic containment and HRESULT conversion shared by every export;
//! - [`wide`]: UTF-16 ⇄ `String`;
//! - [`alloc`]: the `PeerFreeData` allocator (one block per returned buffer);
//! - [`handles`], [`enumeration`], [`group_handles`]: handle tables;
//! - [`startup`]: `PeerGroupStartup` / `PeerGroupShutdown`;
//! - [`store`]: where the store lives and the lazily opened process-wide context;
//! - [`model`], [`out`]: Rust values of the nested structures, out-pointer helpers;
//! - [`backend`], [`identity_api`], [`group_api`]: the argument layer of the functions
//!   that need the facade, written against the [`backend::Backend`] trait;
//! - [`facade`]: the backend on the peernet facade (value conversions, the store);
//! - [`exports`]: the `#[unsafe(no_mangle)]` functions with the Windows names.
//!
//! Exported: every function declared in `p2p.h` (PeerFreeData, the enumeration
//! functions, PeerGroupStartup / PeerGroupShutdown, the 12 Identity Manager and 18
//! Grouping functions) and the three role GUIDs.
//!
//! `unsafe` is allowed in this crate only; every block carries a `// SAFETY:` comment.
#![allow(non_snake_case)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

pub mod alloc;
pub mod backend;
pub mod enumeration;
pub mod exports;
pub mod facade;
pub mod ffi;
pub mod group_api;
pub mod group_handles;
pub mod handles;
pub mod identity_api;
pub mod model;
pub mod out;
pub mod records_api;
pub mod startup;
pub mod store;
#[cfg(test)]
mod test_backend;
pub mod types;
pub mod wide;
