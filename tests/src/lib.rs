//! Shared helpers for the cross-crate tests.

pub mod der;
pub mod hostile;
pub mod interop;
pub mod store;
pub mod supply_chain;
pub mod torture;
