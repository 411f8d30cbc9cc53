//! The Windows Peer Identity Manager and Peer Grouping API in Rust, with HRESULT errors.

pub mod hresult;
pub use hresult::HResult;
