//! A minimal BER reader and DER writer for the PKCS#12, PKCS#7 and PKCS#8 code.
//!
//! The reader accepts what real PFX and PKCS#7 writers emit: definite and indefinite
//! lengths, and constructed OCTET STRINGs (concatenated on demand). It only knows
//! single-byte tags (every tag in these formats is one) and bounds nesting depth, so
//! hostile input cannot overflow the stack. The writer emits DER only.

use std::borrow::Cow;
use std::cmp::Ordering;

use crate::error::{Error, Result};

/// Deepest nesting the reader follows.
const MAX_DEPTH: usize = 48;

pub(crate) const TAG_INTEGER: u8 = 0x02;
pub(crate) const TAG_BIT_STRING: u8 = 0x03;
pub(crate) const TAG_OCTET_STRING: u8 = 0x04;
pub(crate) const TAG_NULL: u8 = 0x05;
pub(crate) const TAG_OID: u8 = 0x06;
pub(crate) const TAG_BMP_STRING: u8 = 0x1E;
pub(crate) const TAG_SEQUENCE: u8 = 0x30;
pub(crate) const TAG_SET: u8 = 0x31;
/// `[0]` constructed (EXPLICIT, or IMPLICIT over a constructed type).
pub(crate) const TAG_CTX0: u8 = 0xA0;
/// `[1]` constructed.
pub(crate) const TAG_CTX1: u8 = 0xA1;
/// `[0]` primitive (IMPLICIT over a primitive type such as OCTET STRING).
pub(crate) const TAG_CTX0_PRIM: u8 = 0x80;

/// One decoded TLV.
#[derive(Clone, Copy)]
pub(crate) struct Tlv<'a> {
    /// The identifier octet.
    pub(crate) tag: u8,
    /// Content octets (for indefinite lengths: everything up to the end-of-contents).
    pub(crate) body: &'a [u8],
    /// The whole encoding, header included.
    pub(crate) raw: &'a [u8],
    /// True when the length was indefinite.
    pub(crate) indefinite: bool,
    depth: usize,
}

fn malformed(what: &'static str) -> Error {
    Error::MalformedPkcs(what)
}

/// Reads consecutive TLVs from a byte slice.
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    /// A reader over a top-level buffer.
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Reader {
            data,
            pos: 0,
            depth: 0,
        }
    }

    /// True when every byte has been read.
    pub(crate) fn is_empty(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// The next TLV, or `None` at the end.
    pub(crate) fn next_tlv(&mut self) -> Result<Option<Tlv<'a>>> {
        if self.is_empty() {
            return Ok(None);
        }
        let (tlv, used) = parse_one(&self.data[self.pos..], self.depth)?;
        self.pos += used;
        Ok(Some(tlv))
    }

    /// The next TLV; an error if there is none.
    pub(crate) fn read(&mut self, what: &'static str) -> Result<Tlv<'a>> {
        self.next_tlv()?.ok_or(malformed(what))
    }

    /// The next TLV, which must carry `tag`.
    pub(crate) fn expect(&mut self, tag: u8, what: &'static str) -> Result<Tlv<'a>> {
        let t = self.read(what)?;
        if t.tag != tag {
            return Err(malformed(what));
        }
        Ok(t)
    }

    /// The next TLV if it carries `tag`; otherwise nothing is consumed.
    pub(crate) fn optional(&mut self, tag: u8) -> Result<Option<Tlv<'a>>> {
        if self.is_empty() || self.data[self.pos] != tag {
            return Ok(None);
        }
        self.next_tlv()
    }

    /// Fails unless the reader is exhausted.
    pub(crate) fn finish(&self, what: &'static str) -> Result<()> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(malformed(what))
        }
    }
}

impl<'a> Tlv<'a> {
    /// A reader over this TLV's children.
    pub(crate) fn children(&self) -> Result<Reader<'a>> {
        if self.tag & 0x20 == 0 {
            return Err(malformed(
                "primitive value where a constructed one was expected",
            ));
        }
        Ok(Reader {
            data: self.body,
            pos: 0,
            depth: self.depth + 1,
        })
    }

    /// The bytes of an OCTET STRING (or an IMPLICIT-tagged one), joining BER
    /// constructed segments.
    pub(crate) fn octets(&self) -> Result<Cow<'a, [u8]>> {
        if self.tag & 0x20 == 0 {
            return Ok(Cow::Borrowed(self.body));
        }
        let mut out = Vec::new();
        self.collect_octets(&mut out)?;
        Ok(Cow::Owned(out))
    }

    fn collect_octets(&self, out: &mut Vec<u8>) -> Result<()> {
        let mut r = self.children()?;
        while let Some(seg) = r.next_tlv()? {
            if seg.tag == TAG_OCTET_STRING {
                out.extend_from_slice(seg.body);
            } else if seg.tag == TAG_OCTET_STRING | 0x20 {
                seg.collect_octets(out)?;
            } else {
                return Err(malformed("bad segment in a constructed OCTET STRING"));
            }
        }
        Ok(())
    }

    /// A non-negative INTEGER that fits in `u64`; `None` when it is larger.
    pub(crate) fn uint(&self) -> Result<Option<u64>> {
        if self.tag != TAG_INTEGER || self.body.is_empty() {
            return Err(malformed("bad INTEGER"));
        }
        if self.body[0] & 0x80 != 0 {
            return Err(malformed("negative INTEGER"));
        }
        let digits: &[u8] = {
            let mut b = self.body;
            while b.len() > 1 && b[0] == 0 {
                b = &b[1..];
            }
            b
        };
        if digits.len() > 8 {
            return Ok(None);
        }
        Ok(Some(
            digits
                .iter()
                .fold(0u64, |acc, &d| (acc << 8) | u64::from(d)),
        ))
    }
}

fn parse_one(data: &[u8], depth: usize) -> Result<(Tlv<'_>, usize)> {
    if depth > MAX_DEPTH {
        return Err(malformed("nesting too deep"));
    }
    let tag = *data.first().ok_or(malformed("truncated"))?;
    if tag & 0x1F == 0x1F {
        return Err(malformed("multi-byte tags are not used by this format"));
    }
    let first = *data.get(1).ok_or(malformed("truncated length"))?;
    let mut pos = 2;
    if first == 0x80 {
        // Indefinite length: constructed only, children until end-of-contents.
        if tag & 0x20 == 0 {
            return Err(malformed("indefinite length on a primitive value"));
        }
        let start = pos;
        loop {
            let rest = &data[pos..];
            if rest.len() >= 2 && rest[0] == 0 && rest[1] == 0 {
                let body = &data[start..pos];
                pos += 2;
                return Ok((
                    Tlv {
                        tag,
                        body,
                        raw: &data[..pos],
                        indefinite: true,
                        depth,
                    },
                    pos,
                ));
            }
            if rest.is_empty() {
                return Err(malformed("missing end-of-contents"));
            }
            let (_, used) = parse_one(rest, depth + 1)?;
            pos += used;
        }
    }
    let len = if first & 0x80 == 0 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7F);
        if n > 4 {
            return Err(malformed("length too large"));
        }
        let bytes = data.get(2..2 + n).ok_or(malformed("truncated length"))?;
        pos += n;
        bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
    };
    let end = pos.checked_add(len).ok_or(malformed("length overflow"))?;
    let body = data.get(pos..end).ok_or(malformed("truncated value"))?;
    Ok((
        Tlv {
            tag,
            body,
            raw: &data[..end],
            indefinite: false,
            depth,
        },
        end,
    ))
}

/// Parses `data` as exactly one TLV.
pub(crate) fn parse_single<'a>(data: &'a [u8], what: &'static str) -> Result<Tlv<'a>> {
    let mut r = Reader::new(data);
    let t = r.read(what)?;
    r.finish(what)?;
    Ok(t)
}

/// True when `data` is exactly one well-formed SEQUENCE (all nested lengths consistent).
pub(crate) fn is_well_formed_sequence(data: &[u8]) -> bool {
    fn walk(t: &Tlv<'_>) -> bool {
        if t.tag & 0x20 == 0 {
            return true;
        }
        let Ok(mut r) = t.children() else {
            return false;
        };
        loop {
            match r.next_tlv() {
                Ok(Some(c)) => {
                    if !walk(&c) {
                        return false;
                    }
                }
                Ok(None) => return true,
                Err(_) => return false,
            }
        }
    }
    match parse_single(data, "") {
        Ok(t) => t.tag == TAG_SEQUENCE && walk(&t),
        Err(_) => false,
    }
}

// ---- writer ----

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
    cons(TAG_SEQUENCE, parts)
}

/// A DER SET OF: elements sorted as X.690 11.6 requires.
pub(crate) fn set_of(mut elems: Vec<Vec<u8>>) -> Vec<u8> {
    elems.sort_by(|a, b| der_set_order(a, b));
    let refs: Vec<&[u8]> = elems.iter().map(Vec::as_slice).collect();
    cons(TAG_SET, &refs)
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
    tlv(TAG_INTEGER, &content)
}

/// A DER OBJECT IDENTIFIER from its content octets.
pub(crate) fn oid(content: &[u8]) -> Vec<u8> {
    tlv(TAG_OID, content)
}

/// A DER OCTET STRING.
pub(crate) fn octets(content: &[u8]) -> Vec<u8> {
    tlv(TAG_OCTET_STRING, content)
}

/// Dotted form of OID content octets, for error messages.
pub(crate) fn oid_string(content: &[u8]) -> String {
    crate::oid::dotted(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indefinite_and_constructed_octets() {
        // SEQUENCE (indefinite) { OCTET STRING constructed (indefinite) { "ab", "c" } }
        let data = [
            0x30, 0x80, 0x24, 0x80, 0x04, 0x02, b'a', b'b', 0x04, 0x01, b'c', 0, 0, 0, 0,
        ];
        let t = parse_single(&data, "x").unwrap();
        assert!(t.indefinite);
        let mut r = t.children().unwrap();
        let o = r.read("o").unwrap();
        assert_eq!(&*o.octets().unwrap(), b"abc");
        assert!(r.is_empty());
    }

    #[test]
    fn integers_and_lengths() {
        assert_eq!(uint(0), [2, 1, 0]);
        assert_eq!(uint(128), [2, 2, 0, 128]);
        assert_eq!(uint(2048), [2, 2, 8, 0]);
        let long = tlv(4, &[7u8; 300]);
        assert_eq!(&long[..4], &[4, 0x82, 1, 44]);
        let t = parse_single(&long, "x").unwrap();
        assert_eq!(t.body.len(), 300);
        assert_eq!(
            parse_single(&uint(600_000), "i").unwrap().uint().unwrap(),
            Some(600_000)
        );
        assert_eq!(
            oid_string(&[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02]),
            "1.2.840.113549.1.7.2"
        );
    }

    #[test]
    fn set_order() {
        assert_eq!(der_set_order(&[1, 2], &[1, 2, 0]), Ordering::Less);
        assert_eq!(der_set_order(&[2], &[1, 9]), Ordering::Greater);
    }
}
