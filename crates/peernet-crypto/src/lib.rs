//! Peer names, key pairs and profiles, IDC/GRC/GMC certificates with the Microsoft
//! peer-to-peer extensions, chain validation, PKCS#12 (PFX) and PKCS#7 certs-only
//! bundles, as specified by [MS-PNRP] and [MS-PPSEC].

pub mod error;
pub use error::{Error, Result};

// ---- peer names, keys, profiles, certificates, chains ----
mod asn1;
pub mod cert;
pub mod chain;
pub mod ext;
pub mod key;
pub mod name;
pub mod oid;
mod p256_key;
pub mod role;
pub use cert::{Certificate, CertificateBuilder, GmcParams, GrcParams, IdcParams, Validity};
pub use chain::{
    ChainPolicy, IssuanceContext, check_issuance, order_chain, validate_chain, validate_idc,
};
pub use ext::{CertType, Extension};
pub use key::{CheckedPkcs8, PrivateKey, Profile, SignatureAlgorithm};
pub use name::PeerName;
pub use rand_core;
pub use role::Role;

// ---- PKCS#12, PKCS#7, PKCS#8 ----
pub mod encrypted_key;
pub mod pkcs12;
pub mod pkcs7;
mod pkcs_ber;
mod pkcs_pbe;
