//! The crate's one ASN.1 layer, shared by the certificate side and the PKCS side.
//!
//! | module | what |
//! |---|---|
//! | `tag` | the identifier octets (one vocabulary for both sides) |
//! | `der_reader` | strict DER reader: certificates, extensions, keys (signatures cover the received bytes) |
//! | `ber_reader` | tolerant BER reader: PFX, PKCS#7, EncryptedPrivateKeyInfo (indefinite lengths, segmented OCTET STRINGs, depth cap) |
//! | `writer` | the DER writer both sides use (TLV, SEQUENCE, sorted SET OF, INTEGER, OID, OCTET STRING) |
//! | [`oid`] | the one OID table (public as [`crate::oid`]) |
//! | `time`, `string` | UTCTime/GeneralizedTime and UniversalString/BMPString contents |
//!
//! The two readers report errors in their side's vocabulary: the DER reader as
//! [`crate::Error::MalformedCertificate`], the BER reader as
//! [`crate::pkcs::PkcsError::Malformed`].

pub(crate) mod ber_reader;
pub(crate) mod der_reader;
pub mod oid;
mod string;
pub(crate) mod tag;
mod time;
pub(crate) mod writer;

pub(crate) use der_reader::Reader;
pub(crate) use string::{from_bmp, from_ucs4, ucs4};
pub(crate) use tag::*;
pub(crate) use time::{add_years, decode_time, encode_time, whole_seconds};
pub(crate) use writer::{cons, der_set_order, octets, oid, seq, set_of, tlv, uint};
