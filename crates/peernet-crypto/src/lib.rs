//! Peer names, key pairs and profiles, IDC/GRC/GMC certificates with the Microsoft
//! peer-to-peer extensions, chain validation, PKCS#12 (PFX) and PKCS#7 certs-only
//! bundles, as specified by [MS-PNRP] and [MS-PPSEC].

pub mod error;
pub use error::{Error, Result};

// ---- peer names, keys, profiles, certificates, chains ----

// ---- PKCS#12, PKCS#7, PKCS#8 ----
pub mod encrypted_key;
pub mod pkcs12;
pub mod pkcs7;
mod pkcs_ber;
mod pkcs_pbe;
