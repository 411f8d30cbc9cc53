//! Peer names, key pairs and profiles, IDC/GRC/GMC certificates with the Microsoft
//! peer-to-peer extensions, chain validation, PKCS#12 (PFX) and PKCS#7 certs-only
//! bundles, as specified by [MS-PNRP] and [MS-PPSEC].
//!
//! Two halves on one ASN.1 layer (`asn1`: tags, strict DER reader, BER reader, DER
//! writer, and the one OID table [`oid`]):
//! - names, keys, certificates and chains ([`name`], [`key`], [`cert`], [`ext`],
//!   [`chain`], [`role`]), failing with [`Error`] and its nested [`NameError`] and
//!   [`ChainError`];
//! - PKCS#12, PKCS#7 and PKCS#8 ([`pkcs`]), failing with [`PkcsError`].

pub mod error;
pub use error::{ChainError, Error, ErrorKind, NameError, PkcsError, Result};

mod asn1;
pub use asn1::oid;

// ---- peer names, keys, profiles, certificates, chains ----
pub mod cert;
pub mod chain;
pub mod ext;
pub mod key;
pub mod name;
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
pub mod pkcs;
pub use pkcs::{encrypted_key, pkcs7, pkcs12};
