//! The identifier octets used by every structure the crate reads or writes (X.690 8.1.2).
//! All of them are single-byte tags.

/// BOOLEAN.
pub(crate) const BOOLEAN: u8 = 0x01;
/// INTEGER.
pub(crate) const INTEGER: u8 = 0x02;
/// BIT STRING.
pub(crate) const BIT_STRING: u8 = 0x03;
/// OCTET STRING, primitive (`| CONSTRUCTED` for the BER segmented form).
pub(crate) const OCTET_STRING: u8 = 0x04;
/// NULL.
pub(crate) const NULL: u8 = 0x05;
/// OBJECT IDENTIFIER.
pub(crate) const OID: u8 = 0x06;
/// UTF8String.
pub(crate) const UTF8_STRING: u8 = 0x0c;
/// PrintableString.
pub(crate) const PRINTABLE_STRING: u8 = 0x13;
/// IA5String.
pub(crate) const IA5_STRING: u8 = 0x16;
/// UTCTime.
pub(crate) const UTC_TIME: u8 = 0x17;
/// GeneralizedTime.
pub(crate) const GENERALIZED_TIME: u8 = 0x18;
/// UniversalString (UCS-4).
pub(crate) const UNIVERSAL_STRING: u8 = 0x1c;
/// BMPString (UCS-2).
pub(crate) const BMP_STRING: u8 = 0x1e;
/// SEQUENCE / SEQUENCE OF (constructed).
pub(crate) const SEQUENCE: u8 = 0x30;
/// SET / SET OF (constructed).
pub(crate) const SET: u8 = 0x31;
/// `[0]` constructed (EXPLICIT, or IMPLICIT over a constructed type).
pub(crate) const CTX0: u8 = 0xa0;
/// `[1]` constructed.
pub(crate) const CTX1: u8 = 0xa1;
/// `[0]` primitive (IMPLICIT over a primitive type such as OCTET STRING).
pub(crate) const CTX0_PRIM: u8 = 0x80;
/// The constructed bit of an identifier octet.
pub(crate) const CONSTRUCTED: u8 = 0x20;
