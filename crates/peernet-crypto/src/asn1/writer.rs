//! The one DER writer of the crate: TLVs built from already-encoded parts.

use std::cmp::Ordering;

use super::tag::{INTEGER, OCTET_STRING, OID, SEQUENCE, SET};

/// Encodes one DER TLV.
pub(crate) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// Concatenates already-encoded parts under one tag.
pub(crate) fn cons(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
    tlv(tag, &parts.concat())
}

/// A DER SEQUENCE of already-encoded parts.
pub(crate) fn seq(parts: &[&[u8]]) -> Vec<u8> {
    cons(SEQUENCE, parts)
}

/// A DER SET OF: elements sorted as X.690 11.6 requires.
pub(crate) fn set_of(mut elems: Vec<Vec<u8>>) -> Vec<u8> {
    elems.sort_by(|a, b| der_set_order(a, b));
    let refs: Vec<&[u8]> = elems.iter().map(Vec::as_slice).collect();
    cons(SET, &refs)
}

/// X.690 11.6 ordering: compare as octet strings, the shorter padded with zeros.
pub(crate) fn der_set_order(a: &[u8], b: &[u8]) -> Ordering {
    let n = a.len().max(b.len());
    for i in 0..n {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        match x.cmp(&y) {
            Ordering::Equal => {}
            o => return o,
        }
    }
    a.len().cmp(&b.len())
}

/// A DER non-negative INTEGER.
pub(crate) fn uint(v: u64) -> Vec<u8> {
    let bytes = v.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count().min(7);
    let mut content = Vec::with_capacity(9);
    if bytes[skip] & 0x80 != 0 {
        content.push(0);
    }
    content.extend_from_slice(&bytes[skip..]);
    tlv(INTEGER, &content)
}

/// A DER OBJECT IDENTIFIER from its content octets.
pub(crate) fn oid(content: &[u8]) -> Vec<u8> {
    tlv(OID, content)
}

/// A DER OCTET STRING.
pub(crate) fn octets(content: &[u8]) -> Vec<u8> {
    tlv(OCTET_STRING, content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_order() {
        assert_eq!(der_set_order(&[1, 2], &[1, 2, 0]), Ordering::Less);
        assert_eq!(der_set_order(&[2], &[1, 9]), Ordering::Greater);
    }
}
